"""Sifting (column generation) for a large LP whose good columns are known in advance.

``minimise c.x : lo <= A x <= up, cl <= x <= cu`` with every column's lower
bound 0 and finite (a plan's activities, stocks and investments). HiGHS solves
the LP restricted to a set of columns (the others held at 0): its optimum is a
feasible point of the full LP. Its row prices ``y`` then price every column,
``d = c - A^T y``; the columns with ``d < 0`` are added (with the columns they
need, given by the caller) and HiGHS re-optimises from its last basis (primal
simplex: the last optimum stays feasible with the new columns at 0). When no
column prices out, the restricted optimum is the full LP's.
Costs are scaled to a largest entry of 1 for HiGHS (as in
:func:`soviets.planning.multiyear.solve_lp`) and scaled back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from soviets.planning import highs

PRICE_RTOL = 1e-9  # a column prices out when d < -PRICE_RTOL * largest |cost|


@dataclass
class SiftStep:
    """One restricted optimum: ``x`` on all columns, ``y`` the row prices (HiGHS's sign:
    ``> 0`` where a lower row bound holds), ``columns`` kept, ``priced_out`` added next."""

    x: np.ndarray
    y: np.ndarray
    objective: float
    columns: int
    priced_out: int


def sift(
    lp: highs.LinearProgram,
    keep: np.ndarray,
    deadline: float,
    needs: Callable[[np.ndarray], np.ndarray] | None = None,
) -> Iterator[SiftStep]:
    """Yield the optimum of the LP restricted to ``keep`` (a column mask), then of the
    LP with the columns that price out added, until none does or ``deadline``
    (``time.perf_counter()``) passes; a restricted LP that HiGHS does not solve to
    optimality (time limit, or infeasible without the missing columns) ends it.
    ``needs(mask)`` widens a mask of new columns by the columns they need (for a
    process: the investment in its capital)."""
    a = sp.csc_matrix(lp.matrix)
    a.sort_indices()
    scale = float(np.max(np.abs(lp.cost), initial=0.0)) or 1.0
    kept = keep.copy()
    order = np.flatnonzero(kept)  # full column of each column HiGHS holds
    h = highs.quiet_highs()
    h.setOptionValue("primal_feasibility_tolerance", highs.FEASIBILITY_TOL)
    h.setOptionValue("dual_feasibility_tolerance", highs.FEASIBILITY_TOL)
    sub = highs.LinearProgram(
        lp.cost[order] / scale,
        lp.col_lower[order],
        lp.col_upper[order],
        a[:, order],
        lp.row_lower,
        lp.row_upper,
    )
    h.passModel(highs.highs_model(sub, sp.csc_matrix(a[:, order])))
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        h.setOptionValue("time_limit", float(h.getRunTime() + left))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return
        sol = h.getSolution()
        x = np.zeros(lp.cost.size)
        x[order] = np.asarray(sol.col_value)
        y = np.asarray(sol.row_dual) * scale
        new = (lp.cost - a.T @ y < -PRICE_RTOL * scale) & ~kept
        if needs is not None and np.any(new):
            new = needs(new) & ~kept
        yield SiftStep(x, y, float(lp.cost @ x), order.size, int(np.count_nonzero(new)))
        if not np.any(new):
            return
        kept |= new
        added = np.flatnonzero(new)
        block = sp.csc_matrix(a[:, added])
        block.sort_indices()
        h.addCols(
            added.size,
            lp.cost[added] / scale,
            highs.clip_bounds(lp.col_lower[added]),
            highs.clip_bounds(lp.col_upper[added]),
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(float),
        )
        order = np.concatenate([order, added])
        # the last optimum stays feasible with the new columns at 0: primal simplex from it
        h.setOptionValue("simplex_strategy", 4)
