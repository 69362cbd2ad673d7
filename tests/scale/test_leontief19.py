"""Issue 19's Leontief-specialised simplex (benchmarks/leontief19.py) against HiGHS."""

from __future__ import annotations

import pytest
from benchmarks import leontief19
from benchmarks.plan import instance

from scale.test_constrained_cycle import _cycle_economy
from soviets.economy.generate import generate_economy, tight_economy
from soviets.planning import central


def _shared_caps(seed: int):
    """A tight shared cap (emission at 80%), 12 councils' hour budgets, half of processes capped."""
    return generate_economy(
        goods=150,
        techs=3,
        inputs=6,
        capacity_share=0.5,
        primary=2,
        regions=2,
        councils=12,
        seed=seed,
        emission_cap=0.8,
        hour_budgets=True,
    )


def _capacities_only(seed: int):
    """Capacities alone: no limit or hour rows, the spine with no Schur complement."""
    eco, _ = instance("constrained", 200, seed, 50, emission_cap=None, hour_budgets=False)
    return eco


CASES = [
    (_shared_caps, 3, "labour-budget"),
    (_shared_caps, 4, "labour-budget"),
    (lambda seed: tight_economy(60, seed), 1, "labour-budget"),
    (lambda seed: tight_economy(60, seed), 2, "labour-budget"),
    (_capacities_only, 0, "min-labour"),
    (lambda seed: _cycle_economy(), 0, "min-labour"),  # where merit orders alternate
]


@pytest.mark.parametrize(("make", "seed", "mode"), CASES)
@pytest.mark.parametrize("block", [1, 32])
def test_the_simplex_reaches_the_optimum_of_highs_and_certifies_it(make, seed, mode, block):
    eco = make(seed)
    ref = central.solve(eco, mode)
    assert ref.status == "optimal"
    trace, simplex = leontief19.run(eco, mode, 1e-9, 120.0, block=block)
    _, primal, dual = trace[-1]
    assert simplex.artificial() == 0.0
    assert simplex.objective() == pytest.approx(ref.objective_hours, rel=1e-9)
    slack = 1e-9 * ref.objective_hours
    assert dual <= ref.objective_hours + slack <= primal + 2 * slack  # a certificate around it
    assert (primal - dual) / primal <= 1e-9
    assert simplex.stats.pivots > 0 and simplex.stats.refactors >= 1
