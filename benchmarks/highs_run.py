"""Run HiGHS (simplex, IPM or PDLP) on the central plan's LP of an economy.

Builds the same linear programme as :mod:`soviets.planning.central` (its
``rows``), so both solvers see the same instance. Used by :mod:`benchmarks.plan`
and by the scale tests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from soviets.economy import Economy
from soviets.planning import central, highs


@dataclass
class HighsRun:
    solver: str
    status: str
    objective: float
    dual_bound: float
    seconds: float


def central_lp(eco: Economy, mode: str = "min-labour") -> highs.LinearProgram:
    """The min-labour LP of ``mode`` with every need met (council hours in labour-budget mode)."""
    r = central.rows(eco, with_hours=mode == "labour-budget")
    return r.program(eco, eco.demand, None, eco.labour, np.empty(0), np.empty(0))


def run(lp: highs.LinearProgram, solver: str, time_limit: float, threads: int = 1) -> HighsRun:
    """Solve ``lp`` with HiGHS' ``solver`` (simplex, ipm or pdlp) within ``time_limit`` seconds."""
    a = lp.matrix.tocsc()
    a.sort_indices()
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = a.shape[1], a.shape[0]
    model.col_cost_ = np.asarray(lp.cost, dtype=float)
    model.col_lower_ = highs._clip(lp.col_lower)
    model.col_upper_ = highs._clip(lp.col_upper)
    model.row_lower_ = highs._clip(lp.row_lower)
    model.row_upper_ = highs._clip(lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = a.shape[1], a.shape[0]
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", int(threads))
    h.passModel(model)
    start = time.perf_counter()
    ran = h.run()
    seconds = time.perf_counter() - start
    status = h.getModelStatus()
    name = h.modelStatusToString(status).lower()
    if ran == highspy.HighsStatus.kError:
        name = f"error ({name})"  # e.g. simplex giving up on an unstable LU factor
    if status != highspy.HighsModelStatus.kOptimal:
        return HighsRun(solver, name, float("nan"), float("nan"), seconds)
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    y = np.asarray(sol.row_dual)
    return HighsRun(solver, "optimal", float(lp.cost @ x), highs.dual_bound(lp, y), seconds)
