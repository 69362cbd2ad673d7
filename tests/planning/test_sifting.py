"""Sifting from a part of the columns ends at the full LP's optimum."""

import time

import numpy as np

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import highs, sifting
from soviets.planning.multiyear_lp import build


def test_sifting_from_part_of_the_columns_ends_at_the_optimum():
    my = build(generate_multiyear(goods=20, years=3, seed=3))
    lp, lay = my.lp, my.layout
    full = highs.solve(lp)
    # a year-2 process the optimum runs is left out; only pricing brings them back
    keep = np.ones(lp.cost.size, dtype=bool)
    year2 = np.arange(lp.cost.size)[lay.col("activity", 1)]
    used = year2[full.x[year2] > 0]
    keep[used[:1]] = False
    steps = list(sifting.sift(lp, keep, time.perf_counter() + 60))
    tol = 1e-7 * full.objective
    assert len(steps) >= 2  # some left-out column priced out
    assert steps[0].objective >= full.objective - tol
    assert steps[-1].priced_out == 0
    assert abs(steps[-1].objective - full.objective) <= tol
    assert abs(highs.dual_bound(lp, steps[-1].y) - full.objective) <= tol
