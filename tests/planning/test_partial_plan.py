"""Central's partial plan is the best feasible plan by its own measure (least relative
shortfall of essential needs, then of all needs), checked against a programme written
apart from it (:mod:`partial`) on random failures of random economies with stocks."""

from __future__ import annotations

import numpy as np
import pytest

from soviets.economy import Economy
from soviets.experiments.regimes import plan_central
from soviets.experiments.robustness import with_failed, workplace_councils
from soviets.planning.delivery import available

from .economies import random_economy
from .partial import TOL, best_shortfalls, shortfalls

SEEDS = range(12)


def draw(seed: int) -> Economy:
    """A random economy (stocks, normal needs, capacities, a limited primary input) with 2
    workplaces failed."""
    eco = random_economy(
        seed, n_goods=7, alternatives=2, stocks=0.6, normal=0.4, capacities=0.4, limits=True
    )
    rng = np.random.default_rng(seed)
    failed = rng.choice(workplace_councils(eco), size=2, replace=False)
    return with_failed(eco, [str(c) for c in failed])


@pytest.mark.parametrize("seed", SEEDS)
def test_partial_plan_is_the_best_by_its_measure(seed: int) -> None:
    eco = draw(seed)
    got = plan_central(eco)
    assert got.met is not None and got.activity is not None
    made = available(eco, got.activity)[~eco.good_primary]
    assert np.all(made >= -TOL)  # a feasible plan
    assert np.all(got.activity <= eco.capacity * (1 + TOL))
    best_e, best_t = best_shortfalls(eco)
    e, t = shortfalls(eco, got.met)
    assert e == pytest.approx(best_e, abs=TOL)  # essential needs first
    assert t == pytest.approx(best_t, abs=TOL)  # then all needs


def test_the_draws_reach_partial_plans() -> None:
    # the check above is about partial plans: most draws have one, with normal needs
    partial = [s for s in SEEDS if best_shortfalls(draw(s))[1] > TOL]
    assert len(partial) >= len(SEEDS) // 2
