"""The central plan as one linear programme, solved by HiGHS (the reference solver).

Variables: the activity ``x_p`` of every process, ``0 <= x <= capacity``.
Rows (all built as sparse blocks, see docs/planning.md):

* material balance, one per produced good: ``N x >= target - stocks``
  (its dual is the good's labour value: hours saved per unit less needed);
* primary-input limits, one per primary good with a limit:
  ``inputs x <= limit + stock``;
* council hours (labour-budget mode only), one per council with
  ``hours_available``: the hours of the processes of that council and of
  every council below it (its ``parent`` chain) ``<= hours_available``.

Modes:

* ``min-labour``: meet every need (essential and normal); minimise hours.
* ``labour-budget``: (1) every essential need must be met; (2) maximise
  ``t``, the smallest share of a normal need that is met (each normal need
  gets at least ``t`` times what it asked for, so the worst-served territorial
  council is served as well as possible; ``t <= 1``); (3) minimise hours with
  every normal need met at share ``t - 1e-9`` or more.

When no plan exists, an elastic programme adds a shortfall to each needed
good and minimises the sum of relative shortfalls; its solution tells which
needs cannot be met (``unmet``) and its duals which capacities, limits and
council hours stop them (``binding``). Its dual bound, positive, proves that
no plan exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning import highs
from soviets.planning.delivery import allocate, available, make_plan, unmet_needs
from soviets.planning.result import (
    Certificate,
    Plan,
    PlanMode,
    binding_list,
    infeasible_plan,
)

FULFILMENT_TOL = 1e-9  # labour is minimised with normal needs met at t* minus this
ACTIVE_RTOL = 1e-9  # a capacity within this relative distance of its bound is at the bound


@dataclass(eq=False)
class Rows:
    """The constraint blocks of the central plan, before targets are chosen."""

    balance_goods: np.ndarray  # produced goods, one balance row each
    balance: sp.csc_matrix
    limit_goods: np.ndarray  # primary goods with a limit
    limits: sp.csc_matrix
    limit_bound: np.ndarray
    hours_councils: np.ndarray  # councils with hours_available (labour-budget mode)
    hours: sp.csc_matrix
    hours_bound: np.ndarray

    def program(
        self,
        eco: Economy,
        target: np.ndarray,
        extra: sp.csc_matrix | None,
        cost: np.ndarray,
        extra_lower: np.ndarray,
        extra_upper: np.ndarray,
    ) -> highs.LinearProgram:
        """The LP with balance rows ``N x + extra >= target - stocks``.

        ``extra`` holds columns added to the balance rows only (shortfalls, ``t``).
        """
        n_extra = 0 if extra is None else extra.shape[1]
        n_other = self.limits.shape[0] + self.hours.shape[0]
        top = self.balance if extra is None else sp.hstack([self.balance, extra])
        bottom = sp.vstack([self.limits, self.hours])
        if n_extra:
            bottom = sp.hstack([bottom, sp.csc_matrix((n_other, n_extra))])
        matrix = sp.vstack([top, bottom]).tocsc()
        g = self.balance_goods
        return highs.LinearProgram(
            cost=cost,
            col_lower=np.concatenate([np.zeros(eco.n_processes), extra_lower]),
            col_upper=np.concatenate([eco.capacity, extra_upper]),
            matrix=matrix,
            row_lower=np.concatenate([target[g] - eco.stocks[g], np.full(n_other, -np.inf)]),
            row_upper=np.concatenate([np.full(g.size, np.inf), self.limit_bound, self.hours_bound]),
        )


def rows(eco: Economy, with_hours: bool) -> Rows:
    """Build the constraint blocks (vectorised; no loop over flows)."""
    produced = np.flatnonzero(~eco.good_primary)
    net = eco.net_output.tocsr()
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    councils = np.flatnonzero(np.isfinite(eco.council_hours)) if with_hours else np.array([], int)
    return Rows(
        balance_goods=produced,
        balance=net[produced].tocsc(),
        limit_goods=limited,
        limits=eco.inputs.tocsr()[limited].tocsc(),
        limit_bound=eco.good_limit[limited] + eco.stocks[limited],
        hours_councils=councils,
        hours=_hours_matrix(eco, councils),
        hours_bound=eco.council_hours[councils],
    )


def _hours_matrix(eco: Economy, councils: np.ndarray) -> sp.csc_matrix:
    """Hours per unit of activity counted against each council's budget (its subtree)."""
    n_c = len(eco.councils)
    row_of = np.full(n_c, -1, dtype=np.int64)
    row_of[councils] = np.arange(councils.size)
    parent = np.array(
        [-1 if c.parent is None else eco.council_index[c.parent] for c in eco.councils],
        dtype=np.int64,
    )
    procs = np.arange(eco.n_processes)
    anc = eco.process_council.copy()
    r_parts, c_parts = [], []
    for _ in range(n_c + 1):
        if procs.size == 0:
            break
        r = row_of[anc]
        hit = r >= 0
        r_parts.append(r[hit])
        c_parts.append(procs[hit])
        anc = parent[anc]
        keep = anc >= 0
        anc, procs = anc[keep], procs[keep]
    else:
        raise ModelError("the councils' parent links form a cycle")
    r_all = np.concatenate(r_parts) if r_parts else np.array([], int)
    c_all = np.concatenate(c_parts) if c_parts else np.array([], int)
    return sp.csc_matrix(
        (eco.labour[c_all], (r_all, c_all)), shape=(councils.size, eco.n_processes)
    )


def solve(eco: Economy, mode: PlanMode = "min-labour", time_limit: float | None = None) -> Plan:
    """The central plan by HiGHS on the full LP (see module docstring)."""
    if mode == "min-labour":
        return _min_labour(eco, time_limit)
    if mode == "labour-budget":
        return _labour_budget(eco, time_limit)
    raise ModelError(f"unknown planning mode '{mode}' (min-labour or labour-budget)")


def _min_labour(eco: Economy, time_limit: float | None) -> Plan:
    r = rows(eco, with_hours=False)
    lp = r.program(eco, eco.demand, None, eco.labour, np.empty(0), np.empty(0))
    sol = _run(lp, time_limit)
    if sol.status == "infeasible":
        return diagnose(eco, "min-labour", r, eco.demand, time_limit)
    return _optimal(eco, "min-labour", r, lp, sol, _binding(eco, r, lp, sol, "hours"))


def _labour_budget(eco: Economy, time_limit: float | None) -> Plan:
    r = rows(eco, with_hours=True)
    essential = eco.essential_demand
    normal = eco.demand - essential
    binding: list[dict[str, Any]] = []
    fulfilment: float | None = None
    t_fixed = 1.0
    if np.any(normal > 0):
        g = r.balance_goods
        t_col = sp.csc_matrix(-normal[g].reshape(-1, 1))
        cost = np.concatenate([np.zeros(eco.n_processes), [-1.0]])
        lp_t = r.program(eco, essential, t_col, cost, np.zeros(1), np.ones(1))
        sol_t = _run(lp_t, time_limit)
        if sol_t.status == "infeasible":
            return diagnose(eco, "labour-budget", r, essential, time_limit)
        fulfilment = float(min(1.0, max(0.0, sol_t.x[-1])))
        if fulfilment < 1.0 - FULFILMENT_TOL:
            binding = _binding(eco, r, lp_t, sol_t, "fulfilment")
            t_fixed = max(0.0, fulfilment - FULFILMENT_TOL)
    target = essential + t_fixed * normal
    lp = r.program(eco, target, None, eco.labour, np.empty(0), np.empty(0))
    sol = _run(lp, time_limit)
    if sol.status == "infeasible":
        return diagnose(eco, "labour-budget", r, essential, time_limit)
    binding += _binding(eco, r, lp, sol, "hours")
    return _optimal(eco, "labour-budget", r, lp, sol, binding, fulfilment)


def _run(lp: highs.LinearProgram, time_limit: float | None) -> highs.Solution:
    return highs.plan_or_proof(highs.solve(lp, time_limit))


def _optimal(
    eco: Economy,
    mode: PlanMode,
    r: Rows,
    lp: highs.LinearProgram,
    sol: highs.Solution,
    binding: list[dict[str, Any]],
    fulfilment: float | None = None,
) -> Plan:
    n_p = eco.n_processes
    x = np.clip(sol.x[:n_p], 0.0, eco.capacity)
    values = np.zeros(eco.n_goods)
    values[r.balance_goods] = np.maximum(sol.row_dual[: r.balance_goods.size], 0.0)
    k = r.balance_goods.size
    values[r.limit_goods] = np.maximum(-sol.row_dual[k : k + r.limit_goods.size], 0.0)
    primal = float(np.dot(eco.labour, x))
    return make_plan(
        eco,
        mode=mode,
        solver="highs",
        activity=x,
        labour_values=values,
        certificate=Certificate(primal=primal, dual=sol.dual_bound),
        binding=binding,
        fulfilment=fulfilment,
    )


def _binding(
    eco: Economy, r: Rows, lp: highs.LinearProgram, sol: highs.Solution, objective: str
) -> list[dict[str, Any]]:
    """Capacities at their bound, limits and council hours with nonzero shadow prices.

    ``shadow_price`` is the improvement of ``objective`` (hours saved, share of
    normal needs gained, or relative shortfall avoided) per unit more of the
    scarce thing.
    """
    n_p = eco.n_processes
    tol = highs.FEASIBILITY_TOL * max(float(np.max(np.abs(lp.cost), initial=0.0)), 1e-300)
    x = sol.x[:n_p]
    d = sol.col_dual[:n_p]
    cap = eco.capacity
    finite = np.isfinite(cap)
    at_cap = np.zeros(n_p, dtype=bool)
    at_cap[finite] = (x[finite] >= cap[finite] * (1.0 - ACTIVE_RTOL) - ACTIVE_RTOL) & (
        d[finite] < -tol
    )
    caps = np.flatnonzero(at_cap)
    k = r.balance_goods.size
    y_lim = sol.row_dual[k : k + r.limit_goods.size]
    y_hours = sol.row_dual[k + r.limit_goods.size :]
    return binding_list(
        eco,
        objective,
        capacities=(caps, -d[caps]),
        limits=(r.limit_goods[y_lim < -tol], -y_lim[y_lim < -tol]),
        hours=(r.hours_councils[y_hours < -tol], -y_hours[y_hours < -tol]),
    )


def diagnose(
    eco: Economy,
    mode: PlanMode,
    r: Rows,
    target: np.ndarray,
    time_limit: float | None = None,
    essential_first: bool = False,
) -> Plan:
    """The infeasible plan: which needs cannot be met, and what stops them.

    First minimise the sum over goods of shortfall / target (relative
    shortfall; a good's shortfall is its target less what the plan leaves of
    it, net output plus stock, for the needs), then, with that shortfall, the
    hours; the result is the best partial plan, whose deliveries name the
    unmet needs. A good's shortfall may reach its whole target, so a stock
    goes where it serves the measure best: to its own needs or, as an input,
    to the needs for what it helps make.

    With ``essential_first`` (and normal needs in ``target``) a first stage
    minimises the essential needs' relative shortfall alone (the sum over
    goods of essential shortfall / essential need; a normal need's shortfall
    is free there), so no essential need is given up to meet a normal one;
    the two stages above follow with that essential shortfall fixed.
    """
    short = Shortfalls.of(eco, r, target, essential_first)
    stages = short.objectives(eco)
    lp = r.program(
        eco, target, short.columns(r), stages[0], np.zeros(short.rows_of.size), short.upper
    )
    sol = _run(lp, time_limit)
    if sol.status != "optimal":  # cannot happen: x = 0 with full shortfall is feasible
        raise ModelError(f"HiGHS found no partial plan: {sol.status}")
    binding = _binding(eco, r, lp, sol, "shortfall")
    extra_info = {"shortfall": sol.objective, "dual_bound": sol.dual_bound}
    solved = _held_stages(lp, sol, stages, time_limit)
    if short.staged:
        extra_info["essential_shortfall"] = sol.objective
        if len(solved) > 1:
            extra_info["shortfall"] = solved[1].objective
    x = np.clip(solved[-1].x[: eco.n_processes], 0.0, eco.capacity)
    need_met = allocate(eco, available(eco, x))
    unmet = unmet_needs(eco, need_met, essential_only=mode == "labour-budget")
    binding += _unmade_stocks(eco, unmet)
    return infeasible_plan(
        eco,
        mode,
        "highs",
        x,
        need_met,
        unmet,
        binding,
        {"infeasibility": {**extra_info, "partial_plan_hours": float(np.dot(eco.labour, x))}},
    )


@dataclass(frozen=True)
class Shortfalls:
    """The shortfall columns of :func:`diagnose`: one per needed good (two, essential
    and normal, when ``staged``), each in its good's balance row."""

    rows_of: np.ndarray  # balance row (index into ``balance_goods``) of each column
    upper: np.ndarray  # most shortfall of each column
    weight: np.ndarray  # 1 / target: the cost of a unit of relative shortfall
    first: np.ndarray  # the first stage's cost per column
    staged: bool  # essential shortfall first (its own columns), then all of it

    @staticmethod
    def of(eco: Economy, r: Rows, target: np.ndarray, essential_first: bool) -> Shortfalls:
        """A column for every needed good, even one whose stock covers its needs
        (processes may use that stock up), with room up to the whole need: a stock
        is not reserved for its good's needs when it serves more as an input."""
        g = r.balance_goods
        short = np.flatnonzero(target[g] > 0)
        ess = np.minimum(eco.essential_demand[g], target[g])[short]
        norm = np.maximum(target[g][short] - ess, 0.0)
        staged = essential_first and bool(np.any(norm > 0)) and bool(np.any(ess > 0))
        if not staged:
            weight = 1.0 / target[g][short]
            return Shortfalls(short, target[g][short], weight, weight, False)
        e_cols, n_cols = np.flatnonzero(ess > 0), np.flatnonzero(norm > 0)
        rows_of = np.concatenate([short[e_cols], short[n_cols]])
        upper = np.concatenate([ess[e_cols], norm[n_cols]])
        weight = 1.0 / target[g][rows_of]
        first = np.concatenate([1.0 / ess[e_cols], np.zeros(n_cols.size)])
        return Shortfalls(rows_of, upper, weight, first, True)

    def columns(self, r: Rows) -> sp.csc_matrix:
        """The columns, added to the balance rows."""
        n_z = self.rows_of.size
        return sp.csc_matrix(
            (np.ones(n_z), (self.rows_of, np.arange(n_z))), shape=(r.balance_goods.size, n_z)
        )

    def objectives(self, eco: Economy) -> list[np.ndarray]:
        """The costs of the stages, over processes then shortfall columns: the
        (essential, when staged) relative shortfall, then all of it, then hours."""
        n_z, zeros = self.rows_of.size, np.zeros(eco.n_processes)
        stages = [np.concatenate([zeros, self.first])]
        if self.staged:
            stages.append(np.concatenate([zeros, self.weight]))
        stages.append(np.concatenate([eco.labour, np.zeros(n_z)]))
        return stages


def _held_stages(
    lp: highs.LinearProgram,
    sol: highs.Solution,
    stages: list[np.ndarray],
    time_limit: float | None,
) -> list[highs.Solution]:
    """The solutions of the stages in turn, each with the earlier objectives held at
    their optimum (``sol`` solves the first); stops at the first stage not solved."""
    current, solved = lp, [sol]
    for k, cost in enumerate(stages[1:], 1):
        cap_row = sp.csc_matrix(stages[k - 1].reshape(1, -1))
        nxt = highs.LinearProgram(
            cost=cost,
            col_lower=current.col_lower,
            col_upper=current.col_upper,
            matrix=sp.vstack([current.matrix, cap_row]).tocsc(),
            row_lower=np.concatenate([current.row_lower, [-np.inf]]),
            row_upper=np.concatenate(
                [current.row_upper, [solved[-1].objective * (1 + 1e-9) + 1e-12]]
            ),
        )
        got = highs.solve(nxt, time_limit)
        if got.status != "optimal":
            break
        current = nxt
        solved.append(got)
    return solved


def _unmade_stocks(eco: Economy, unmet: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A binding ``stock`` for each unmet good that no process makes: its stock is all
    there is."""
    made = np.diff(eco.outputs.tocsr().indptr) > 0
    binding = []
    for good in sorted({u["good"] for u in unmet}):
        i = eco.good_index[good]
        if not made[i]:
            binding.append(
                {
                    "kind": "stock",
                    "good": good,
                    "stock": float(eco.stocks[i]),
                    "shadow_price": None,
                    "objective": "shortfall",
                }
            )
    return binding
