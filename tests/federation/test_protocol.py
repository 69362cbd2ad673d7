"""The federated plan against the central plan (HiGHS)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soviets.economy.generate import generate_economy
from soviets.federation import plan_federated
from soviets.planning import plan

REL = 1e-3  # the federation must reach the central optimum within 0.1%


def assert_matches_central(eco, fed=None):
    central = plan(eco, solver="highs")
    fed = fed or plan_federated(eco)
    assert central.status == "optimal"
    assert fed.status == "optimal", fed.extra["protocol"]
    assert abs(fed.objective_hours - central.objective_hours) <= REL * central.objective_hours
    # certified: the bound from the published prices is a true lower bound ...
    assert fed.certificate.dual <= central.objective_hours * (1 + 1e-9)
    # ... and close to the plan's hours
    assert fed.certificate.gap <= REL
    # the agreements deliver every need the central plan meets
    met_central = central.need_met >= central.economy.need_quantity * (1 - 1e-9)
    assert np.all(fed.need_met[met_central] >= eco.need_quantity[met_central] * (1 - 1e-9))
    delivered = {}
    for a in fed.extra["agreements"]:
        key = (a["receiver"], a["good"])
        delivered[key] = delivered.get(key, 0.0) + a["quantity"]
    for c, g, q in zip(eco.need_council, eco.need_good, eco.need_quantity, strict=True):
        key = (eco.councils[c].name, eco.good_names[g])
        asked = eco.need_quantity[(eco.need_council == c) & (eco.need_good == g)].sum()
        assert delivered.get(key, 0.0) >= asked * (1 - 1e-9) or q == 0
    assert_agreements_balance(eco, fed)
    # capacities and limits hold
    assert np.all(fed.activity <= eco.capacity * (1 + 1e-9) + 1e-9)
    use = -(eco.net_output @ fed.activity)
    prim = eco.good_primary & np.isfinite(eco.good_limit)
    assert np.all(use[prim] <= eco.good_limit[prim] * (1 + 1e-9) + 1e-9)
    return central, fed


def assert_agreements_balance(eco, fed, rel: float = 1e-4) -> None:
    """No council receives by agreement more than its needs and its processes' inputs,
    nor supplies more than its processes make (a stale allocation must not become an
    agreement)."""
    received: dict[tuple[str, str], float] = {}
    supplied: dict[tuple[str, str], float] = {}
    for a in fed.extra["agreements"]:
        key_in, key_out = (a["receiver"], a["good"]), (a["supplier"], a["good"])
        received[key_in] = received.get(key_in, 0.0) + a["quantity"]
        supplied[key_out] = supplied.get(key_out, 0.0) + a["quantity"]
    index, goods = eco.council_index, eco.good_index
    for (council, good), q in received.items():
        c, g = index[council], goods[good]
        own = eco.process_council == c
        uses = eco.inputs[g, :].toarray().ravel()[own] @ fed.activity[own]
        asked = eco.need_quantity[(eco.need_council == c) & (eco.need_good == g)].sum()
        assert q <= (asked + uses) * (1 + rel) + 1e-9, (council, good, q, asked, uses)
    for (council, good), q in supplied.items():
        if council not in index:
            continue  # a stock or a primary input's steward
        own = eco.process_council == index[council]
        makes = eco.outputs[goods[good], :].toarray().ravel()[own] @ fed.activity[own]
        assert q <= makes * (1 + rel) + 1e-9, (council, good, q, makes)


def test_chain_exact(chain):
    central, fed = assert_matches_central(chain)
    assert fed.objective_hours == pytest.approx(central.objective_hours, rel=1e-9)
    sellers = {a["supplier"] for a in fed.extra["agreements"] if a["good"] == "flour"}
    assert sellers == {"mill-a"}  # the cheaper mill wins every order
    proto = fed.extra["protocol"]
    assert proto["converged"] and proto["rounds"] < 60
    assert proto["messages"] > 0 and proto["bytes"] > proto["messages"]
    assert len(proto["history"]) == proto["rounds"]


@pytest.mark.parametrize("name", ["village", "two-regions"])
def test_worked_examples(examples, name):
    central, fed = assert_matches_central(examples[name])
    assert fed.extra["protocol"]["balance_residual"] < 1e-6


def test_plan_schema(chain):
    fed = plan_federated(chain)
    data = fed.to_dict()
    for key in ("objective_hours", "activity", "needs_met", "council_hours", "certificate"):
        assert key in data
    assert set(data["protocol"]) >= {
        "rounds",
        "messages",
        "bytes",
        "runtime",
        "converged",
        "history",
    }
    assert data["protocol"]["runtime"] == "inprocess"
    assert {"supplier", "receiver", "good", "quantity"} <= set(data["agreements"][0])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    goods=st.integers(4, 8),
    techs=st.integers(1, 3),
    capacity_share=st.sampled_from([0.0, 0.3, 0.5]),
    cap=st.sampled_from([None, 0.9]),
)
def test_random_economies(seed, goods, techs, capacity_share, cap):
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
    assert_matches_central(eco)


def test_same_plan_whatever_the_sharding(examples):
    eco = examples["two-regions"]
    one = plan_federated(eco, shards=1)
    three = plan_federated(eco, shards=3)
    assert np.array_equal(one.activity, three.activity)
    assert one.extra["protocol"]["messages"] == three.extra["protocol"]["messages"]
    assert one.extra["agreements"] == three.extra["agreements"]


def test_delay_and_loss_still_reach_the_optimum(chain):
    from soviets.federation import Network

    fed = plan_federated(chain, network=Network(loss=0.05, delay=0.1, seed=3))
    central = plan(chain, solver="highs")
    assert fed.extra["protocol"]["lost_segments"] > 0
    assert fed.objective_hours == pytest.approx(central.objective_hours, rel=REL)
    assert not fed.unmet


def test_delta_messages_same_plan_fewer_messages(examples):
    # by default unchanged orders and allocations are not sent again every round:
    # the same plan with fewer messages and bytes than the protocol that resends them
    eco = examples["two-regions"]
    every = plan_federated(eco, refresh=1)
    delta = plan_federated(eco)
    assert delta.extra["protocol"]["refresh"] > 1 and every.extra["protocol"]["refresh"] == 1
    assert np.allclose(delta.activity, every.activity, rtol=1e-9, atol=1e-9)

    def deals(plan):
        return [(a["supplier"], a["receiver"], a["good"]) for a in plan.extra["agreements"]]

    assert deals(delta) == deals(every)
    q = [a["quantity"] for a in delta.extra["agreements"]]
    assert q == pytest.approx([a["quantity"] for a in every.extra["agreements"]], rel=1e-9)
    assert delta.extra["protocol"]["rounds"] == every.extra["protocol"]["rounds"]
    assert delta.extra["protocol"]["messages"] < 0.7 * every.extra["protocol"]["messages"]
    assert delta.extra["protocol"]["bytes"] < 0.8 * every.extra["protocol"]["bytes"]
    assert_matches_central(eco, delta)
