"""The clerk's box-step prices and the warm start from last period's prices
(docs/federation-protocol.md, "Stabilised prices" and "Warm start")."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from federation.test_protocol import REL, assert_matches_central
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.errors import ModelError
from soviets.federation import plan_federated
from soviets.planning import plan


def _perturbed(eco: Economy, seed: int) -> Economy:
    """Every need scaled by a seeded factor in [0.95, 1.05]."""
    rng = np.random.default_rng(seed)
    return replace(
        eco, need_quantity=eco.need_quantity * rng.uniform(0.95, 1.05, eco.need_quantity.shape)
    )


def test_box_step_prices_reach_the_optimum_certified() -> None:
    eco = tight_economy(8, 3)
    central, fed = assert_matches_central(eco, plan_federated(eco, stabilise=True))
    proto = fed.extra["protocol"]
    assert proto["stabilise"] and proto["converged"] and proto["epochs"] > 1
    assert all(p["hours_per_unit"] >= 0.0 for p in proto["capacity_prices"])
    assert fed.certificate.dual >= fed.objective_hours * (1 - REL)


def test_warm_start_from_last_period() -> None:
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    warm = first.extra["protocol"]["warm"]
    assert warm["prices"] and json.loads(json.dumps(warm)) == warm  # storable as JSON
    named = {(p[0], p[1]) for p in warm["prices"]}
    assert ("commons:emission", "emission") in named
    nxt = _perturbed(eco, 1)
    for start in (first, warm):
        _, fed = assert_matches_central(nxt, plan_federated(nxt, start=start))
        assert fed.extra["protocol"]["warm_started"]


def test_warm_start_of_quantities_reaches_the_optimum_sooner() -> None:
    # each council starts from its own part of last period's plan: the next
    # period (needs x [0.95, 1.05]) is certified within 0.1% of HiGHS in fewer
    # rounds than from nothing (measured 34 against 57), and so does the same
    # period planned again from its own plan (40: the 5% slack has to die out)
    eco = tight_economy(8, 0)
    first = plan_federated(eco)
    again = plan_federated(eco, start=first)
    assert_matches_central(eco, again)
    assert again.extra["protocol"]["rounds"] < first.extra["protocol"]["rounds"]
    nxt = _perturbed(eco, 1)
    cold = plan_federated(nxt)
    _, hot = assert_matches_central(nxt, plan_federated(nxt, start=first))
    assert hot.extra["protocol"]["rounds"] < cold.extra["protocol"]["rounds"]


def test_each_council_recalls_only_its_own_part() -> None:
    from soviets.federation.directory import split_economy
    from soviets.federation.protocol import _Clerk, _warm_start

    eco = tight_economy(6, 0)
    first = plan_federated(eco)
    directory, papers = split_economy(_perturbed(eco, 2))
    _, papers = _warm_start(_Clerk(directory, 1e-9, 5e-4, 200), papers, first)
    assert sum(p.recall.sold_offer.size for p in papers if p.recall is not None) > 0
    for p in papers:
        r = p.recall
        assert r is not None
        assert np.all(directory.offer_council[r.sold_offer] == p.council)
        assert np.all(np.isin(directory.offer_good[r.offer], p.goods()))
        assert np.all(np.isin(directory.offer_good[r.bought_offer], p.goods()))
        assert r.activity.size == p.labour.size


def test_warm_start_prices_are_used_from_round_zero() -> None:
    eco = tight_economy(8, 3)
    first = plan_federated(eco)
    cold = plan_federated(eco, max_rounds=40)
    hot = plan_federated(eco, max_rounds=40, start=first)
    # at price 0 the first proposal overdraws the emission cap; at last period's
    # prices it takes fewer hours' worth of excess: its bound is higher
    lb_cold = max(b for b in cold.extra["protocol"]["bounds"][:40] if b is not None)
    lb_hot = max(b for b in hot.extra["protocol"]["bounds"][:40] if b is not None)
    assert lb_hot > lb_cold


def test_bad_warm_start_is_refused() -> None:
    eco = tight_economy(6, 0)
    with pytest.raises(ModelError, match="warm start"):
        plan_federated(eco, start={"promoted": 1})
    with pytest.raises(ModelError, match="warm start"):  # a central plan has no prices to offer
        plan_federated(eco, start=plan(eco, solver="highs"))


def test_box_step_converges_where_the_plain_clerk_ran_out_of_rounds() -> None:
    # 20 goods, seed 2: the plain clerk ends at the 1,000-round cap 0.075% from
    # its bound (docs/federation-protocol.md); with box-step prices it stops,
    # certified, well before the cap
    eco = tight_economy(20, 2)
    _, fed = assert_matches_central(eco, plan_federated(eco, stabilise=True))
    assert fed.extra["protocol"]["rounds"] < 800


def test_shorter_epochs_converge_where_both_price_rules_ran_out_of_rounds() -> None:
    # 20 goods, seed 3: the plain clerk and box-step with epochs settled at 1e-9
    # both end at the 1,000-round cap; box-step with epochs settled at a
    # relative change of 1e-8 stops certified within 0.1%
    eco = tight_economy(20, 3)
    _, fed = assert_matches_central(eco, plan_federated(eco, stabilise=True, epoch_tol=1e-8))
    proto = fed.extra["protocol"]
    assert proto["epoch_tol"] == 1e-8
    assert proto["stabilise"] and proto["converged"] and proto["rounds"] < 1000
    assert fed.certificate.gap <= 1e-3


def test_a_flow_dying_out_along_a_cycle_is_no_change() -> None:
    from soviets.federation.agents import _rel_change

    # two councils passing a useless flow to each other: it falls 1e-19, 1e-21, ...
    # of the largest entry, about 100% a round; that is not an unsettled market
    before, after = np.array([150.0, 1.6e-18]), np.array([150.0, 4.0e-20])
    assert _rel_change(after, before) <= 1e-9
    # a change of an entry a millionth of the largest still counts, relative to it
    assert _rel_change(np.array([150.0, 2e-4]), np.array([150.0, 1e-4])) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("seed", "goods", "techs", "capacity_share", "cap"),
    [(9153, 4, 3, 0.3, 0.9), (7948, 6, 2, 0.5, None)],
)
def test_shorter_epochs_still_deliver_every_need_within_every_limit(
    seed: int, goods: int, techs: int, capacity_share: float, cap: float | None
) -> None:
    # before the needs and the priced limits had room, epochs settled at 1e-8 left
    # these mixes about 1e-9 short of a need: the plan was refused
    from soviets.economy.generate import generate_economy

    eco = generate_economy(
        goods=goods,
        techs=techs,
        inputs=2,
        capacity_share=capacity_share,
        primary=1,
        regions=2,
        councils=3,
        seed=seed,
        emission_cap=cap,
        stock_share=0.2,
    )
    assert_matches_central(eco, plan_federated(eco, stabilise=True, epoch_tol=1e-7))
