"""A linear programme as sparse data, solved by HiGHS, with a checked dual bound.

``minimise cost . x  subject to  row_lower <= A x <= row_upper,
col_lower <= x <= col_upper``. The whole model is handed to HiGHS in one
call (``passModel`` with the column-wise arrays of ``A``), never entry by entry.

The dual bound is computed here, not taken on trust: for the row duals ``y``
HiGHS returns, the Lagrangian

    L(y) = sum_i min(y_i row_lower_i, y_i row_upper_i)
         + sum_j min over [col_lower_j, col_upper_j] of (cost - A^T y)_j x_j

is a lower bound on every feasible plan (weak duality). Multipliers smaller
than the dual feasibility tolerance that meet an infinite bound are taken as
zero (they are rounding noise, not a direction of unboundedness).

HiGHS applies its tolerances to a scaled model, so on tables whose entries
span many orders of magnitude its plan can miss a balance row by 1e-8
relative. The optimal basis it returns is therefore solved once more here
with an LU factorisation (primal and dual), which gives the vertex to
working precision; the polished point is kept only if it is at least as
feasible as HiGHS's own.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from soviets.errors import ModelError
from soviets.planning.linalg import Factor, SingularError

INF = highspy.kHighsInf
FEASIBILITY_TOL = 1e-9
_first_solver = threading.Lock()  # held while the process makes its first solver
_banner_done = False


def quiet_highs() -> highspy.Highs:
    """A HiGHS solver that writes nothing to stdout (``soviets plan --json`` prints JSON).

    Since highspy 1.16 the first solver a process makes prints a banner on
    file descriptor 1, before any option can be set; that one construction
    runs with descriptor 1 pointed at the null device.
    """
    global _banner_done
    with _first_solver:
        if _banner_done:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(null)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass(eq=False)
class LinearProgram:
    """A minimisation LP; infinite bounds are ``±inf``."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    matrix: sp.csc_matrix  # rows x columns
    row_lower: np.ndarray
    row_upper: np.ndarray


@dataclass(eq=False)
class Solution:
    """What HiGHS found: ``status`` is ``optimal``, ``infeasible`` or another HiGHS status."""

    status: str
    x: np.ndarray
    row_dual: np.ndarray  # > 0: a lower row bound holds the plan up; < 0: an upper one
    col_dual: np.ndarray  # reduced costs ``cost - A^T y``
    objective: float
    dual_bound: float


def plan_or_proof(sol: Solution) -> Solution:
    """``sol`` when HiGHS found the optimum or proved there is no plan, else :class:`ModelError`."""
    if sol.status not in ("optimal", "infeasible"):
        raise ModelError(f"HiGHS stopped without a plan: {sol.status}")
    return sol


def highs_model(lp: LinearProgram, a: sp.csc_matrix) -> highspy.HighsLp:
    """``lp`` as a HiGHS model; ``a`` is its matrix in CSC form with sorted indices."""
    n_rows, n_cols = a.shape
    model = highspy.HighsLp()
    model.num_col_ = n_cols
    model.num_row_ = n_rows
    model.col_cost_ = np.asarray(lp.cost, dtype=float)
    model.col_lower_ = clip_bounds(lp.col_lower)
    model.col_upper_ = clip_bounds(lp.col_upper)
    model.row_lower_ = clip_bounds(lp.row_lower)
    model.row_upper_ = clip_bounds(lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_ = n_cols
    model.a_matrix_.num_row_ = n_rows
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    return model


def solve(lp: LinearProgram, time_limit: float | None = None) -> Solution:
    """Solve ``lp`` with HiGHS (dual simplex by default) and compute the dual bound."""
    a = sp.csc_matrix(lp.matrix)
    a.sort_indices()
    n_rows, n_cols = a.shape
    if n_cols == 0:  # nothing to decide: feasible when every row admits activity 0
        ok = bool(np.all(lp.row_lower <= 0) and np.all(lp.row_upper >= 0))
        y = np.zeros(n_rows)
        empty = np.zeros(0)
        if ok:
            return Solution("optimal", empty, y, empty, 0.0, 0.0)
        return Solution("infeasible", empty, y * np.nan, empty, np.nan, -np.inf)
    model = highs_model(lp, a)
    h = _run_highs(model, FEASIBILITY_TOL, time_limit)
    status = h.getModelStatus()
    if status not in _DECIDED:
        # HiGHS can stop without a status at the tight tolerances on badly scaled
        # tables (one region of the WIOD 2009 world table with hours); its own
        # defaults solve them, and the basis is polished to working precision below.
        h = _run_highs(model, None, time_limit)
        status = h.getModelStatus()
    if status not in _DECIDED:
        # and its presolve can stop without a status too (the partial plan of the
        # same world table without India's agriculture, whose every good needs
        # some of it): without presolve the simplex settles it
        h = _run_highs(model, None, time_limit, presolve=False)
        status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        sol = h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)
        y = np.asarray(sol.row_dual, dtype=float)
        x, y = _polish(lp, a, h.getBasis(), x, y)
        obj = float(np.dot(lp.cost, x))
        return Solution("optimal", x, y, lp.cost - a.T @ y, obj, dual_bound(lp, y))
    name = {
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kUnbounded: "unbounded",
        highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
        highspy.HighsModelStatus.kTimeLimit: "time-limit",
    }.get(status, h.modelStatusToString(status))
    nan = np.full(n_cols, np.nan)
    return Solution(name, nan, np.full(n_rows, np.nan), nan, np.nan, -np.inf)


_DECIDED = (
    highspy.HighsModelStatus.kOptimal,
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
    highspy.HighsModelStatus.kTimeLimit,
)


def _run_highs(
    model: highspy.HighsLp, tol: float | None, time_limit: float | None, presolve: bool = True
) -> highspy.Highs:
    """HiGHS run on ``model`` at feasibility tolerance ``tol`` (None: HiGHS's default),
    with or without its presolve."""
    h = quiet_highs()
    if not presolve:
        h.setOptionValue("presolve", "off")
    if tol is not None:
        h.setOptionValue("primal_feasibility_tolerance", tol)
        h.setOptionValue("dual_feasibility_tolerance", tol)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(model)
    h.run()
    return h


def _polish(
    lp: LinearProgram, a: sp.csc_matrix, basis, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve the optimal basis exactly; keep HiGHS's point if that is not better."""
    status = highspy.HighsBasisStatus
    col_st = np.array([int(s) for s in basis.col_status])
    row_st = np.array([int(s) for s in basis.row_status])
    basic_c = np.flatnonzero(col_st == int(status.kBasic))
    tight_r = np.flatnonzero(row_st != int(status.kBasic))
    if basic_c.size != tight_r.size:
        return x, y
    xn = x.copy()
    at_up = col_st == int(status.kUpper)
    at_lo = (col_st == int(status.kLower)) | (col_st == int(status.kZero))
    xn[at_up] = lp.col_upper[at_up]
    xn[at_lo] = np.where(np.isfinite(lp.col_lower[at_lo]), lp.col_lower[at_lo], 0.0)
    rhs_bound = np.where(
        row_st[tight_r] == int(status.kUpper), lp.row_upper[tight_r], lp.row_lower[tight_r]
    )
    if not np.all(np.isfinite(rhs_bound)):
        return x, y
    ar = a.tocsr()[tight_r]
    nonbasic = np.ones(a.shape[1], dtype=bool)
    nonbasic[basic_c] = False
    rhs = rhs_bound - ar[:, np.flatnonzero(nonbasic)] @ xn[nonbasic]
    try:
        f = Factor(ar[:, basic_c].tocsc())
        xn[basic_c] = f.solve(rhs)
        yn = np.zeros_like(y)
        yn[tight_r] = f.solve(lp.cost[basic_c], transpose=True)
    except SingularError:
        return x, y
    if not np.all(np.isfinite(xn)) or _infeasibility(lp, a, xn) > _infeasibility(lp, a, x):
        return x, y
    return xn, yn


def _infeasibility(lp: LinearProgram, a: sp.csc_matrix, x: np.ndarray) -> float:
    """Largest bound violation of ``x``, relative to the size of the bound."""
    act = a @ x
    with np.errstate(invalid="ignore"):
        viol = [
            (lp.row_lower - act) / np.maximum(1.0, np.abs(lp.row_lower)),
            (act - lp.row_upper) / np.maximum(1.0, np.abs(lp.row_upper)),
            (lp.col_lower - x) / np.maximum(1.0, np.abs(lp.col_lower)),
            (x - lp.col_upper) / np.maximum(1.0, np.abs(lp.col_upper)),
        ]
    return float(max(np.nanmax(v, initial=0.0) for v in viol))


def dual_bound(lp: LinearProgram, y: np.ndarray) -> float:
    """Lagrangian lower bound of ``lp`` at row multipliers ``y`` (see module docstring)."""
    d = lp.cost - sp.csc_matrix(lp.matrix).T @ y
    scale = max(1.0, float(np.max(np.abs(lp.cost), initial=0.0)))
    tol = FEASIBILITY_TOL * scale
    rows = _side_min(y, lp.row_lower, lp.row_upper, tol)
    cols = _side_min(d, lp.col_lower, lp.col_upper, tol)
    return rows + cols


def _side_min(m: np.ndarray, lower: np.ndarray, upper: np.ndarray, tol: float) -> float:
    """sum_k min over [lower_k, upper_k] of m_k z_k, with |m_k| <= tol on infinite sides as 0."""
    pos = m > 0
    neg = m < 0
    lo_inf = ~np.isfinite(lower)
    up_inf = ~np.isfinite(upper)
    if np.any(pos & lo_inf & (m > tol)) or np.any(neg & up_inf & (m < -tol)):
        return -np.inf
    use_lo = pos & ~lo_inf
    use_up = neg & ~up_inf
    return float(np.dot(m[use_lo], lower[use_lo]) + np.dot(m[use_up], upper[use_up]))


def clip_bounds(v: np.ndarray) -> np.ndarray:
    """``v`` with infinite bounds as HiGHS's infinity."""
    v = np.asarray(v, dtype=float).copy()
    v[v == np.inf] = INF
    v[v == -np.inf] = -INF
    return v
