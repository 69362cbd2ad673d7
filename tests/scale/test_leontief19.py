"""Issue 19's Leontief-specialised simplex (benchmarks/leontief19.py) against HiGHS."""

from __future__ import annotations

import pytest
from benchmarks import leontief19

from soviets.economy.generate import generate_economy, tight_economy
from soviets.planning import central


def _shared_caps(goods: int, seed: int):
    return generate_economy(
        goods=goods,
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


@pytest.mark.parametrize(
    ("make", "seed"),
    [(_shared_caps, 3), (_shared_caps, 4), (tight_economy, 1), (tight_economy, 2)],
)
@pytest.mark.parametrize("block", [1, 32])
def test_the_simplex_reaches_the_optimum_of_highs_and_certifies_it(make, seed, block):
    eco = make(60 if make is tight_economy else 150, seed)
    ref = central.solve(eco, "labour-budget")
    assert ref.status == "optimal"
    trace, simplex = leontief19.run(eco, "labour-budget", 1e-9, 120.0, block=block)
    _, primal, dual = trace[-1]
    assert simplex.artificial() == 0.0
    assert simplex.objective() == pytest.approx(ref.objective_hours, rel=1e-9)
    slack = 1e-9 * ref.objective_hours
    assert dual <= ref.objective_hours + slack <= primal + 2 * slack  # a certificate around it
    assert (primal - dual) / primal <= 1e-9
    assert simplex.stats.pivots > 0 and simplex.stats.refactors >= 1
