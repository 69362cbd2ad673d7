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
    model = highs.highs_model(lp, a)
    h = highs.quiet_highs()
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
