"""Run OR-Tools PDLP (multithreaded C++) on the central plan's LP of an economy.

The second peer of :mod:`benchmarks.plan`, beside HiGHS: the same
:class:`~soviets.planning.highs.LinearProgram` (built by
:func:`benchmarks.highs_run.central_lp`), solved by OR-Tools' primal-dual
hybrid gradient method. OR-Tools is an optional extra
(``pip install 'soviets[peers]'``); :func:`available` says whether it is installed.
"""

from __future__ import annotations

import importlib.util
import time

import numpy as np
import scipy.sparse as sp

from benchmarks.highs_run import HighsRun
from soviets.planning import highs

#: OR-Tools' own default optimality tolerance (relative KKT error), stated here
TOLERANCE = 1e-6


def available() -> bool:
    """True when OR-Tools is installed."""
    return importlib.util.find_spec("ortools") is not None


def run(lp: highs.LinearProgram, time_limit: float, threads: int = 2) -> HighsRun:
    """Solve ``lp`` with OR-Tools PDLP on ``threads`` threads within ``time_limit`` seconds.

    The objective is the cost of PDLP's point and the bound is the Lagrangian
    bound of its duals (:func:`soviets.planning.highs.dual_bound`), as for HiGHS.
    """
    from ortools.pdlp import solve_log_pb2, solvers_pb2
    from ortools.pdlp.python import pdlp

    qp = pdlp.QuadraticProgram()
    qp.objective_vector = np.asarray(lp.cost, dtype=float)
    qp.variable_lower_bounds = np.asarray(lp.col_lower, dtype=float)
    qp.variable_upper_bounds = np.asarray(lp.col_upper, dtype=float)
    qp.constraint_lower_bounds = np.asarray(lp.row_lower, dtype=float)
    qp.constraint_upper_bounds = np.asarray(lp.row_upper, dtype=float)
    qp.constraint_matrix = sp.csr_matrix(lp.matrix)
    params = solvers_pb2.PrimalDualHybridGradientParams()
    params.num_threads = int(threads)
    params.termination_criteria.time_sec_limit = float(time_limit)
    params.termination_criteria.simple_optimality_criteria.eps_optimal_relative = TOLERANCE
    params.termination_criteria.simple_optimality_criteria.eps_optimal_absolute = TOLERANCE
    start = time.perf_counter()
    result = pdlp.primal_dual_hybrid_gradient(qp, params)
    seconds = time.perf_counter() - start
    reason = result.solve_log.termination_reason
    name = solve_log_pb2.TerminationReason.Name(reason).removeprefix("TERMINATION_REASON_")
    if reason != solve_log_pb2.TERMINATION_REASON_OPTIMAL:
        return HighsRun("ortools-pdlp", name.lower(), float("nan"), float("nan"), seconds)
    x = np.asarray(result.primal_solution)
    y = np.asarray(result.dual_solution)
    return HighsRun("ortools-pdlp", "optimal", float(lp.cost @ x), highs.dual_bound(lp, y), seconds)
