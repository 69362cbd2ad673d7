"""The fast solver for the constrained plan: capacities, primary-input limits, council hours.

It applies when every process makes one good (otherwise it hands the economy
to HiGHS, :mod:`soviets.planning.central`) and solves the same linear
programme as the central plan, exploiting its structure:

1. **Warm start by the fixed point.** Labour values of the cheapest
   technologies (non-substitution), then merit orders: in every good the
   cheaper processes run at capacity and a marginal one makes the rest
   (:func:`~soviets.planning.constrained_oracle.merit_plan`). Without
   capacities or binding limits this is already the optimum, certified to
   rounding error, and the solver stops here.
   **Small plans** (up to :data:`~.constrained_polish.POLISH_MAX` goods, CPU
   backend): HiGHS dual simplex from the merit order's basis finds the exact
   vertex in a few hundred pivots (:mod:`.constrained_polish`); its plan and
   prices are certified below like any iterate, and if they certify the
   solver stops there.
2. **Prices on the scarce things.** Otherwise a restarted primal-dual hybrid
   gradient method on the structured LP (:mod:`.constrained_pdhg`) moves
   prices of goods, capacities, limits and hours and the activity levels
   together; one iteration is two sparse products.
3. **A certificate at every exit.** At restart points (at most a quarter of
   the time goes to this), a *dual bound* by Lagrangian duality: limits and
   hours at their current prices ``y``, capacities at their rents
   ``max(0, v_g - cost_p)``, and the plan without capacities at those costs
   priced exactly by the fixed point
   (:func:`~soviets.planning.constrained_oracle.lagrangian_bound`); valid for
   any prices, however far from optimal. And a *primal plan*: the iterate
   repaired into a plan that meets every need within capacities (shares kept,
   the rest made in merit order), then mixed with earlier plans by a small
   master problem (Dantzig-Wolfe: one row per limit or council) so that
   limits and hours hold; its hours are an upper bound. ``gap = (primal -
   dual) / primal``; the solver stops when it is below ``gap`` or at
   ``time_limit`` with the best certificate so far.

Needs that cannot be met are found the same way: the LP has a stand-in
"shortfall" supply per needed good at a prohibitive price; if the best plan
uses it, a phase-one problem (fewest relative shortfall, no hours) decides,
and a positive dual bound on it proves that no plan exists. Its prices name
the binding capacities, limits and hours.

Labour-budget mode: council hours are limits; if every need can be met
within them (the usual case) the fulfilment is 1 and the plan is the
least-labour plan within the hours; otherwise the fulfilment stage is handed
to HiGHS.

Example
-------
>>> from soviets.economy.generate import generate_economy
>>> eco = generate_economy(goods=200, techs=3, inputs=4, seed=2)
>>> plan = solve(eco, gap=1e-6)
>>> plan.status, plan.certificate.gap <= 1e-6
('optimal', True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from soviets.economy import Economy
from soviets.errors import ModelError, SolverLimitError
from soviets.planning import central, constrained_polish, sweeps
from soviets.planning import constrained_oracle as oracle
from soviets.planning.constrained_pdhg import Iterate, StructuredLP, rescaled, run
from soviets.planning.delivery import allocate, available, unmet_needs
from soviets.planning.result import (
    NONE,
    Certificate,
    Plan,
    PlanMode,
    Priced,
    binding_list,
    infeasible_plan,
)

SHORT_PRICE = 1e3  # a unit of shortfall costs this many times the dearest labour value
FEASIBILITY_RTOL = 1e-9  # a limit or hour budget may be exceeded by this share
SHORT_TOL = 1e-9  # a plan whose shortfall is below this share of the needs meets them
AT_CAPACITY = 1e-3  # a process with a rent within this share of its capacity binds
TIGHTEN = 0.25  # PDHG aims at limits and hours tightened by this share of the gap target
MAX_TIGHTEN = 1e-2  # ... or, up to this share, by as much as its repaired plans overdraw them
CERTIFY_SHARE = 0.25  # most share of the first-order phase spent certifying iterates
PRICE_ROUNDS = 2  # Dantzig-Wolfe rounds that price limits and hours before PDHG
MAX_PRICE_ROUNDS = 30  # ... and at most this many while they pay
ROUND_GAIN = 0.8  # a further round pays if the last one cut the gap to this share or less
POLISH_SECONDS = 10.0  # most seconds of the simplex polish of small plans
WARM_TOL = 1e-9  # fixed points of the warm-start plans (the repair polishes the ones kept)
Progress = Callable[[dict[str, Any]], None]


@dataclass(eq=False)
class _Problem:
    """The plan LP of one economy and mode, with names to report what binds."""

    eco: Economy
    lp: StructuredLP
    rows_goods: np.ndarray  # economy good of each coupling row, or -1
    rows_councils: np.ndarray  # council of each coupling row, or -1
    scale: np.ndarray  # coupling row i was divided by scale[i]
    short_cost: np.ndarray  # per shortfall pseudo-process
    tol: float  # fixed points are settled to this relative change
    values: np.ndarray  # labour values without capacities or limits
    mode: PlanMode | None  # the plan's mode (None: another objective, e.g. phase one)


@dataclass(eq=False)
class _Best:
    """The best certificate found so far."""

    primal: float = math.inf
    dual: float = -math.inf
    x: np.ndarray | None = None
    values: np.ndarray | None = None  # exact prices at the best bound
    rents: np.ndarray | None = None
    y: np.ndarray | None = None
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return Certificate(self.primal, self.dual).gap


def solve(
    eco: Economy,
    mode: PlanMode = "min-labour",
    *,
    gap: float = 1e-4,
    time_limit: float | None = None,
    progress: bool | Progress = False,
    max_iterations: int = 1_000_000,
    backend: str = "numpy",
) -> Plan:
    """The constrained plan by the structure-exploiting solver (see module docstring).

    ``gap``: stop when the certified relative gap is at most this.
    ``time_limit``: stop after about this many seconds with the best
    certificate (status ``feasible`` if the gap is not reached).
    ``progress``: True for a Rich progress display, or a function called with
    a dict (iteration, sweeps, primal, dual, gap, seconds) at every check.
    ``backend``: where the first-order iterations run: ``numpy`` (the CPU),
    ``cupy`` or ``torch`` (a CUDA GPU; certificates stay on the CPU).
    """
    if mode not in ("min-labour", "labour-budget"):
        raise ModelError(f"unknown planning mode '{mode}' (min-labour or labour-budget)")
    why = sweeps.unavailable(backend)
    if why is not None:
        raise ModelError(why)
    if not eco.single_output:
        return _handover(eco, mode, "a process makes several goods (joint production)")
    start = time.perf_counter()
    report, close = _progress(progress, eco.labour_unit)
    try:
        prob = _problem(eco, mode, tol=min(1e-10, max(oracle.SWEEP_TOL, 1e-4 * gap)))
        best, status, info = _optimise(
            prob, gap, time_limit, max_iterations, start, report, backend
        )
    finally:
        close()
    if status == "short":
        return _infeasible_or_retry(eco, mode, prob, best, gap, time_limit, start, info)
    return _plan(prob, best, mode, gap, info, start)


# ------------------------------------------------------------------- the problem
def _problem(
    eco: Economy, mode: PlanMode, short_scale: float = SHORT_PRICE, tol: float = 1e-10
) -> _Problem:
    produced = np.flatnonzero(~eco.good_primary)
    demand = eco.demand[produced]
    lay = oracle.layout(eco, short_cap=demand)
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    blocks = [oracle.primary_use(lay, limited)]
    bound = [eco.good_limit[limited] + eco.stocks[limited]]
    rows_goods = [limited]
    rows_councils = [np.full(limited.size, -1)]
    if mode == "labour-budget":
        councils = np.flatnonzero(np.isfinite(eco.council_hours))
        hours = central._hours_matrix(eco, councils) @ sp.diags(1.0 / lay.out)
        blocks.append(sp.hstack([hours, sp.csr_matrix((councils.size, lay.n_proc - lay.n_real))]))
        bound.append(eco.council_hours[councils])
        rows_goods.append(np.full(councils.size, -1))
        rows_councils.append(councils)
    coupling = sp.vstack(blocks, format="csr")
    h = np.concatenate(bound)
    scale = np.maximum(np.abs(h), 1e-12)
    coupling = (sp.diags(1.0 / scale) @ coupling).tocsr()
    cost = lay.labour.copy()
    cost[lay.n_real :] = np.inf  # labour values of making things (no stocks, no shortfall)
    values, _, _ = oracle.fixed_point_values(lay, cost, tol=tol)
    finite = values[np.isfinite(values)]
    dearest = float(finite.max()) if finite.size else 0.0
    if dearest <= 0:
        dearest = max(1.0, float(lay.labour[: lay.n_real].max(initial=0.0)))
    short_cost = np.full(lay.short_goods.size, short_scale * dearest)
    cost[lay.n_real : lay.short_start] = 0.0  # stocks are free, up to what is in stock
    cost[lay.short_start :] = short_cost
    values[~np.isfinite(values)] = short_scale * dearest
    lp = StructuredLP(lay, cost, demand, coupling, h / scale)
    return _Problem(
        eco,
        lp,
        np.concatenate(rows_goods),
        np.concatenate(rows_councils),
        scale,
        short_cost,
        tol,
        values,
        mode,
    )


# ------------------------------------------------------------------- optimising
def _optimise(
    prob: _Problem, gap: float, time_limit, max_iterations, start, report, backend="numpy"
):
    """The best certified plan: the warm start, then PDHG until the gap, the time or the
    iterations run out. Returns the best certificate, the status (``done``, ``time``,
    ``running`` at the iteration limit, ``short``: the best plan needs a shortfall) and
    facts of the run."""
    warm = _warm_start(prob, gap, time_limit, start, backend)
    best, info = warm.best, warm.info
    note = _reporter(best, warm.sweeps, start, report)
    note(None)
    status = "done" if best.gap <= gap else "running"
    if status == "running":
        status = _first_order(prob, warm, gap, time_limit, max_iterations, start, backend, note)
    info["sweeps"] = best.history[-1]["sweeps"]
    status = _settled(prob.lp, best, status)
    info["stopped"] = {
        "done": "gap reached",
        "time": "time limit",
        "running": "iteration limit",
        "short": "needs not met",
    }[status]
    return best, status, info


@dataclass(eq=False)
class _Warm:
    """What the warm start leaves for PDHG: the certificates, plans and prices so far."""

    best: _Best
    pool: _Pool
    merit: oracle.MeritPlan  # the last merit-order plan (its gross outputs scale the LP)
    y: np.ndarray  # prices of limits and hours
    sweeps: int
    info: dict[str, Any]


def _warm_start(
    prob: _Problem, gap: float, time_limit: float | None, start: float, backend: str
) -> _Warm:
    """The merit-order plan certified, then (small plans) the simplex polish and (with
    limits or hours) their prices by Dantzig-Wolfe, as long as the gap is not reached."""
    lp = prob.lp
    lay = lp.lay
    y = np.zeros(lp.m)
    values, sweeps = prob.values, 0
    merit = oracle.merit_plan(lay, lp.cost, lp.demand, values=values, rounds=4, tol=prob.tol)
    sweeps += merit.sweeps
    best = _Best()
    pool = _Pool(lp)
    info: dict[str, Any] = {"iterations": 0, "restarts": 0, "warm_start_rounds": merit.rounds}
    _certify(prob, best, pool, merit.x, merit.values, y, merit.gross)
    small = lay.n <= constrained_polish.POLISH_MAX and backend == "numpy"  # a CPU polish
    if small and best.gap > gap and prob.mode is not None:
        elapsed = time.perf_counter() - start
        left = POLISH_SECONDS if time_limit is None else 0.5 * (time_limit - elapsed)
        _polish(prob, best, pool, merit, min(POLISH_SECONDS, left))
        info["polished"] = best.gap <= gap
    if lp.m and best.gap > gap:
        sweeps += _safe_plans(prob, pool, values)
        _update_primal(best, pool)
        deadline = None if time_limit is None else start + 0.5 * time_limit
        merit, y, more = _price_limits(prob, best, pool, merit, PRICE_ROUNDS, deadline)
        sweeps += more
    info["warm_start"] = {"primal": best.primal, "dual": best.dual}
    return _Warm(best, pool, merit, y, sweeps, info)


def _reporter(
    best: _Best, sweeps: int, start: float, report: Progress
) -> Callable[[Iterate | None], None]:
    """A function that adds the best certificate at an iterate (None: the warm start) to
    the history and reports it."""

    def note(it: Iterate | None) -> None:
        entry = {
            "iteration": 0 if it is None else it.iteration,
            "sweeps": sweeps + (0 if it is None else 2 * it.iteration),
            "primal": best.primal,
            "dual": best.dual,
            "gap": best.gap,
            "seconds": time.perf_counter() - start,
        }
        best.history.append(entry)
        report(entry)

    return note


def _first_order(
    prob: _Problem,
    warm: _Warm,
    gap: float,
    time_limit: float | None,
    max_iterations: int,
    start: float,
    backend: str,
    note: Callable[[Iterate | None], None],
) -> str:
    """PDHG on the rescaled LP from the warm start, certifying restart points; the status
    at its end (``done``, ``time`` or ``running``).

    PDHG aims at limits and hours tightened a little, more where the repaired
    plans overdraw them.
    """
    lp, best, info = prob.lp, warm.best, warm.info
    scaled, s, r, r_y = rescaled(lp, warm.merit.gross)
    target = scaled.bound.copy()
    tighten = np.full(lp.m, TIGHTEN * gap)  # room for the repair
    scaled.bound = target * (1.0 - tighten)
    it0 = Iterate(
        np.minimum(warm.merit.x, lp.lay.cap) / s,
        oracle.zero_nonfinite(warm.merit.values) / r,
        warm.y / r_y,
    )

    def out_of_time() -> bool:
        return time_limit is not None and time.perf_counter() - start > time_limit

    pdhg_start = time.perf_counter()
    certifying = 0.0
    for it in run(scaled, it0, max_iterations, out_of_time, backend=backend):
        info["iterations"], info["restarts"] = it.iteration, it.restarts
        if certifying > CERTIFY_SHARE * (time.perf_counter() - pdhg_start):
            continue  # certificates may take at most this share of the time
        tick = time.perf_counter()
        _, use = _certify(prob, best, warm.pool, it.x * s, it.v * r, it.y * r_y, None)
        if use is not None and lp.m:
            over = _overdraw(lp, use)
            tighten = 0.5 * tighten + 0.5 * np.clip(over, TIGHTEN * gap, MAX_TIGHTEN)
            it.bound = target * (1.0 - tighten)
        certifying += time.perf_counter() - tick
        note(it)
        if best.gap <= gap:
            return "done"
        if out_of_time():
            break
    return "time" if out_of_time() else "running"


def _settled(lp: StructuredLP, best: _Best, status: str) -> str:
    """The status once the best plan's shortfall is known: ``short`` if the gap was reached
    by a plan that needs a shortfall; a :class:`SolverLimitError` if the run stopped
    before finding a plan that meets every need."""
    most = SHORT_TOL * max(1.0, float(lp.demand.sum()))
    short = best.x is None or _shortfall(lp.lay, best.x) > most
    if not short:
        return status
    if status == "done":
        return "short"  # the best plan needs a shortfall: maybe no plan meets every need
    stopped = "time limit" if status == "time" else "iteration limit"
    raise SolverLimitError(
        f"no plan that meets every need was found before the {stopped} "
        f"({best.history[-1]['seconds']:.0f} s, {best.history[-1]['iteration']} "
        f"iterations); any plan needs at least {best.dual:,.6g} hours: "
        "allow more time (--time-limit) or use --solver highs"
    )


class _Pool:
    """Feasible plans (balances and capacities) whose best mix meets the limits and hours.

    The best convex combination is a small LP (one row per limit or council,
    one column per plan), solved by HiGHS: Dantzig-Wolfe's master problem,
    with the solver's repaired iterates as columns.
    """

    SIZE = 16

    def __init__(self, lp: StructuredLP) -> None:
        self.lp = lp
        self.xs: list[np.ndarray] = []
        self.cost: list[float] = []
        self.use: list[np.ndarray] = []
        self.duals: np.ndarray | None = None

    def add(self, x: np.ndarray) -> np.ndarray:
        """Add the plan ``x``; return its use of each limit and hour budget."""
        self.xs.append(x)
        self.cost.append(float(self.lp.cost @ x))
        self.use.append(self.lp.coupled(x))
        return self.use[-1]

    def best(self) -> tuple[float, np.ndarray | None]:
        if not self.xs:
            return math.inf, None
        bound = self.lp.bound
        if not self.lp.m:
            k = int(np.argmin(self.cost))
            cost, x = self.cost[k], self.xs[k]
            self._keep([k])
            return cost, x
        use = np.array(self.use).T  # m x plans
        res = linprog(
            np.array(self.cost),
            A_ub=use,
            b_ub=bound,
            A_eq=np.ones((1, len(self.xs))),
            b_eq=[1.0],
            bounds=(0, None),
            method="highs",
            options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
        )
        if res.status != 0:
            self._keep(list(range(len(self.xs)))[-self.SIZE :])
            return math.inf, None
        self.duals = np.maximum(-res.ineqlin.marginals, 0.0)
        lam = np.maximum(res.x, 0.0)
        lam /= lam.sum()
        x = sum(w * xk for w, xk in zip(lam, self.xs, strict=True) if w > 0)
        over = _overdraw(self.lp, self.lp.coupled(x))
        used = [int(i) for i in np.flatnonzero(lam > 0)]
        self._keep(used + [i for i in range(len(self.xs)) if i not in used][-(self.SIZE // 2) :])
        if np.any(over > FEASIBILITY_RTOL):
            return math.inf, None
        return float(self.lp.cost @ x), x

    def prices(self, scale: float) -> np.ndarray | None:
        """Prices of the limits and hours in the master with priced slack (never infeasible)."""
        if not self.xs or not self.lp.m:
            return None
        m, k = self.lp.m, len(self.xs)
        penalty = 10.0 * (scale if math.isfinite(scale) else max(self.cost))
        use = np.array(self.use).T
        res = linprog(
            np.concatenate([np.array(self.cost), np.full(m, penalty)]),
            A_ub=np.hstack([use, -np.eye(m)]),
            b_ub=self.lp.bound,
            A_eq=np.concatenate([np.ones(k), np.zeros(m)])[None, :],
            b_eq=[1.0],
            bounds=(0, None),
            method="highs",
        )
        if res.status != 0:
            return None
        return np.maximum(-res.ineqlin.marginals, 0.0)

    def _keep(self, idx: list[int]) -> None:
        idx = sorted(set(idx))[-self.SIZE :]
        self.xs = [self.xs[i] for i in idx]
        self.cost = [self.cost[i] for i in idx]
        self.use = [self.use[i] for i in idx]


def _price_limits(prob: _Problem, best: _Best, pool: _Pool, merit, rounds: int, deadline=None):
    """Prices of limits and hours by Dantzig-Wolfe with merit-order plans (a warm start).

    ``rounds`` rounds, and more (up to :data:`MAX_PRICE_ROUNDS`) while each
    round shrinks the certified gap to at most :data:`ROUND_GAIN` of what it
    was (or finds the first mix of plans that meets the limits and hours):
    on the largest economies these rounds gain more per second than the
    first-order iterations. Each round prices them at ``y``,
    makes the merit-order plan at those costs (a column of the master problem
    and a Lagrangian bound), and takes the master's prices, smoothed towards
    the best ``y`` so far
    (Wentges 1997). Returns the merit plan at the best prices, those prices and
    the sweeps spent.
    """
    lp = prob.lp
    lay = lp.lay
    y_best = np.zeros(lp.m)
    plan_best = merit
    dual_best = -math.inf
    sweeps = 0
    y = y_best
    last_gap = math.inf
    for done in range(MAX_PRICE_ROUNDS):
        if done >= rounds and best.gap > ROUND_GAIN * last_gap:
            break  # more rounds only while they shrink the certified gap well
        if deadline is not None and time.perf_counter() > deadline:
            break
        last_gap = best.gap
        cost_y = lp.cost + lp.coupling_t @ y
        plan = oracle.merit_plan(
            lay, cost_y, lp.demand, values=merit.values, gross=merit.gross, rounds=2, tol=WARM_TOL
        )
        sweeps += plan.sweeps + 4
        bound, _ = _certify(prob, best, pool, plan.x, plan.values, y, plan.gross)
        if bound > dual_best:
            dual_best, y_best, plan_best = bound, y.copy(), plan
        merit = plan
        y_master = pool.prices(best.primal)
        if y_master is None:
            break
        y = 0.5 * y_master + 0.5 * y_best
    return plan_best, y_best, sweeps


def _polish(prob: _Problem, best: _Best, pool: _Pool, merit, seconds: float) -> None:
    """Certify HiGHS's vertex from the merit-order basis (small plans, :mod:`.constrained_polish`).

    Its prices give a Lagrangian bound and its plan (stocks used up, as the
    LP's balance rows assume) a feasible plan, both checked here.
    """
    assert prob.mode is not None
    lay = prob.lp.lay
    found = constrained_polish.polish(prob.eco, prob.mode, lay, merit, prob.lp.cost, seconds)
    if found is None:
        return
    x = np.zeros(lay.n_proc)
    x[: lay.n_real] = found.activity * lay.out
    x[lay.n_real : lay.short_start] = lay.cap[lay.n_real : lay.short_start]
    y = np.maximum(found.row_prices, 0.0) * prob.scale
    _certify(prob, best, pool, x, found.values, y, None)


def _safe_plans(prob: _Problem, pool: _Pool, values: np.ndarray) -> int:
    """Merit-order plans with limits and hours dearly priced: columns that use little of them."""
    lp = prob.lp
    lay = lp.lay
    finite = values[np.isfinite(values)]
    scale = float(np.mean(finite)) if finite.size else 1.0
    sweeps = 0
    for factor in (0.1, 1.0, 10.0, 100.0):
        cost = lp.cost + lp.coupling_t @ np.full(lp.m, factor * scale)
        plan = oracle.merit_plan(lay, cost, lp.demand, rounds=2, tol=WARM_TOL)
        sweeps += plan.sweeps
        if plan.feasible:
            pool.add(plan.x)
    return sweeps


def _certify(prob, best, pool, x, v, y, gross):
    """Update the best dual bound and the best feasible plan from one iterate.

    Returns its bound and the repaired plan's use of the limits and hours
    (None if no plan within capacities was found).
    """
    lp = prob.lp
    lay = lp.lay
    cost_y = lp.cost + (lp.coupling_t @ y if lp.m else 0.0)
    bound, w, mu = oracle.lagrangian_bound(lay, cost_y, lp.demand, v, prob.tol)
    bound -= float(lp.bound @ y)
    if bound > best.dual:
        best.dual, best.values, best.rents, best.y = bound, w, mu, y.copy()
    prices = w if np.all(np.isfinite(w)) else v
    xr, _, ok = oracle.repair(lay, cost_y, lp.demand, x, prices, gross, prob.tol)
    if not ok:
        return bound, None
    # the repaired plan may overdraw limits or hours a little: the pool's master
    # mixes it with plans that leave room, at little cost
    use = pool.add(xr)
    _update_primal(best, pool)
    return bound, use


def _overdraw(lp: StructuredLP, use: np.ndarray) -> np.ndarray:
    """How far ``use`` exceeds each limit or hour budget, as a share of it."""
    return (use - lp.bound) / np.maximum(np.abs(lp.bound), 1e-300)


def _update_primal(best: _Best, pool: _Pool) -> bool:
    """Take the pool's best mix if it beats the best plan; whether it did."""
    primal, x = pool.best()
    if x is not None and primal < best.primal:
        best.primal, best.x = primal, x
        return True
    return False


def _json_ready(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None (plans are written as JSON)."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _shortfall(lay: oracle.Layout, x: np.ndarray) -> float:
    return float(x[lay.short_start :].sum())


# ------------------------------------------------------------------- the plan
def _plan(prob: _Problem, best: _Best, mode: PlanMode, gap: float, info, start) -> Plan:
    eco = prob.eco
    lay = prob.lp.lay
    assert best.x is not None and best.values is not None, "a plan is read after it is certified"
    activity = best.x[: lay.n_real] / lay.out
    hours = float(eco.labour @ activity)
    # the LP's cost is hours per unit of output; the shortfall part is zero here
    dual = best.dual
    if hours < dual <= hours * (1 + FEASIBILITY_RTOL):
        dual = hours  # rounding: an exact vertex's plan meets the rows to FEASIBILITY_RTOL
    cert = Certificate(primal=hours, dual=dual)
    values = np.zeros(eco.n_goods)
    values[lay.goods] = np.where(np.isfinite(best.values), best.values, np.nan)
    y_true = best.y / prob.scale if best.y is not None else np.zeros(0)
    limit_rows = prob.rows_goods >= 0
    values[prob.rows_goods[limit_rows]] = y_true[limit_rows]
    fulfilment = None
    if mode == "labour-budget" and np.any(~eco.need_essential & (eco.need_quantity > 0)):
        fulfilment = 1.0
    info["seconds"] = time.perf_counter() - start
    info["history"] = best.history
    info = _json_ready(info)
    return Plan(
        economy=eco,
        status="optimal" if cert.gap <= gap else "feasible",
        mode=mode,
        solver="constrained",
        objective_hours=hours,
        activity=activity,
        labour_values=values,
        need_met=allocate(eco, available(eco, activity)),
        certificate=cert,
        binding=_binding(prob, best, activity, "hours"),
        fulfilment=fulfilment,
        extra={"constrained": info},
    )


def _binding(prob: _Problem, best: _Best, activity: np.ndarray, objective: str) -> list[dict]:
    """Capacities at their bound with a rent, limits and hours with a price, dearest first."""
    eco = prob.eco
    lay = prob.lp.lay
    caps: Priced = NONE
    if best.rents is not None:
        rent = best.rents[: lay.n_real] * lay.out  # hours per unit of activity
        cap = eco.capacity
        at_cap = np.flatnonzero(
            np.isfinite(cap)
            & (activity >= cap * (1 - AT_CAPACITY))
            & (rent > 1e-9 * max(1.0, float(rent.max(initial=0))))
        )
        caps = (at_cap, rent[at_cap])
    limits = hours = NONE
    if best.y is not None:
        y = best.y / prob.scale
        priced = y > 1e-12 * max(1.0, float(np.abs(y).max(initial=0)))
        is_limit = prob.rows_goods >= 0
        rows_l, rows_h = np.flatnonzero(priced & is_limit), np.flatnonzero(priced & ~is_limit)
        limits = (prob.rows_goods[rows_l], y[rows_l])
        hours = (prob.rows_councils[rows_h], y[rows_h])
    return binding_list(eco, objective, caps, limits, hours)


# ------------------------------------------------------------ infeasible plans
def _infeasible_or_retry(eco, mode, prob, best, gap, time_limit, start, info) -> Plan:
    """The best plan needs a shortfall: prove that no plan exists, or retry with a dearer one."""
    if mode == "labour-budget":
        return _handover(eco, mode, "not every need can be met within the councils' hours")
    phase = _phase_one(eco, mode, time_limit, start)
    if phase is not None:
        return phase
    retry = _problem(eco, mode, short_scale=SHORT_PRICE * 1e3)
    remaining = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - start))
    best2, status, info2 = _optimise(retry, gap, remaining, 1_000_000, start, lambda e: None)
    if status == "short":
        return _handover(eco, mode, "the shortfall test was inconclusive")
    return _plan(retry, best2, mode, gap, info2, start)


def _phase_one(eco: Economy, mode: PlanMode, time_limit, start) -> Plan | None:
    """Fewest relative shortfall with no hours cost: an infeasible plan if its bound is > 0."""
    prob = _problem(eco, mode)
    lp = prob.lp
    lay = lp.lay
    need = lp.demand[lay.short_goods]
    cost = np.zeros(lay.n_proc)
    cost[lay.short_start :] = 1.0 / need
    lp.cost = cost
    prob.mode = None  # not the plan's objective: no simplex polish
    remaining = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - start))
    best, _, info = _optimise(prob, 1e-6, remaining, 200_000, time.perf_counter(), lambda e: None)
    scale = float(cost[lay.short_start :] @ lp.demand[lay.short_goods])
    if not best.dual > 1e-7 * max(scale, 1.0):
        return None  # not proven: maybe only the shortfall price was too low
    x = best.x if best.x is not None else np.zeros(lay.n_proc)
    activity = x[: lay.n_real] / lay.out
    need_met = allocate(eco, available(eco, activity))
    binding = _binding(prob, best, activity, "shortfall")
    return infeasible_plan(
        eco,
        mode,
        "constrained",
        activity,
        need_met,
        unmet_needs(eco, need_met, essential_only=False),
        binding,
        {
            "infeasibility": {"shortfall": best.primal, "dual_bound": best.dual},
            "constrained": _json_ready(info),
        },
    )


def _handover(eco: Economy, mode: PlanMode, why: str) -> Plan:
    result = central.solve(eco, mode)
    result.extra["handover"] = f"the constrained solver does not apply ({why}); HiGHS solved it"
    return result


# --------------------------------------------------------------------- progress
def _progress(progress: bool | Progress, unit: str) -> tuple[Progress, Callable[[], None]]:
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return (lambda entry: None), lambda: None
    from soviets.planning.constrained_progress import RichProgress

    display = RichProgress(unit=unit)
    return display.update, display.close
