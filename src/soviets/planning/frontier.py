"""The hours-needs frontier: what each offer of working time buys.

A territorial council offers ``h`` hours of work per member per week; over a
period of 52 weeks that is ``h * members * 52`` hours, its ``hours_available``
in a labour-budget plan (``planning.central``: essential needs first, then
the fair share ``t`` of every normal need, then least hours). The frontier is
that plan solved for a grid of offers ``h``:

* the **federation's** frontier gives every territorial council the same
  offer ``h``;
* a **council's** frontier varies that council's offer only; the other
  territorial councils keep the hours they have (none: no limit).

Each point reports the offer, the hours the plan uses (total and per member
per week), and the share of essential and of normal needs met, for the
whole federation and for each territorial council, in two ways:

* **by count**: the mean over needs of the share of each need met (each need
  counts once, whatever its size or unit);
* **by value**: needs weighted by the hours embodied in their good (labour
  values of the least-labour plan meeting every need), so a need for much of
  a costly good weighs more; the unit is hours, so goods in different units
  add up.

Hour limits of councils that are not territorial (a workplace's own
``hours_available``) are dropped unless ``keep_other_hours`` is set: the
frontier asks what the territorial councils' offer buys, and a workplace's
limit fixed for one choice of hours would otherwise cap every point.

Successive offers change only the right-hand side of the council hour rows,
so one HiGHS model is kept and re-solved from the previous optimal basis
(``warm=True``); ``warm=False`` solves every point from scratch with
:func:`soviets.planning.central.solve` (the reference the warm sweep is tested
against). Where the essential needs cannot all be met, the point is the
partial plan of :func:`soviets.planning.central.diagnose` (least relative
shortfall of essential needs, then least hours).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Economy
from soviets.economy.records import Council
from soviets.errors import InputError
from soviets.planning import central, highs
from soviets.planning.delivery import allocate, available

WEEKS = 52.0  # weeks in a planning period (as in Plan.hours_per_member_week)


@dataclass
class Shares:
    """Needs met and hours worked for one scope (the federation or one council)."""

    worked: float | None  # planned hours per member per week (None: no members)
    essential_count: float
    essential_value: float
    normal_count: float | None  # None: no normal needs
    normal_value: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class Point:
    """One plan on the frontier."""

    offered: float  # hours per member per week offered by the varied council(s)
    hours: float  # total planned hours (the economy's labour unit)
    essential_all_met: bool
    total: Shares
    councils: dict[str, Shares]
    met: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))  # per need

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "offered": self.offered,
            "hours": self.hours,
            "essential_all_met": self.essential_all_met,
            **self.total.to_dict(),
            "councils": {k: v.to_dict() for k, v in self.councils.items()},
        }


@dataclass
class Frontier:
    """The frontier of one scope: the federation (all councils) or one council."""

    scope: str  # "federation" or the council's name
    unit: str  # the economy's labour unit
    members: int  # members of the councils whose offer is varied
    points: list[Point]
    current: float | None  # the offer in force (hours per member per week), if any
    full: float | None  # least offer meeting every need (None: no offer does)
    least_labour_week: float | None  # the min-labour plan's hours per member per week
    solves: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "scope": self.scope,
            "unit": self.unit,
            "members": self.members,
            "current": self.current,
            "full": self.full,
            "least_labour_week": self.least_labour_week,
            "solves": self.solves,
            "seconds": self.seconds,
            "notes": self.notes,
            "points": [p.to_dict() for p in self.points],
        }


def territorial(eco: Economy) -> list[int]:
    """Indices of the territorial councils with members (those that can offer hours)."""
    return [
        i for i, c in enumerate(eco.councils) if c.kind == "territorial" and (c.members or 0) > 0
    ]


def current_offer(eco: Economy, councils: list[int]) -> float | None:
    """The offer in force for ``councils``: their hours available per member per week."""
    cs = [eco.councils[i] for i in councils]
    if not cs or any(c.hours_available is None for c in cs):
        return None
    members = sum(c.members or 0 for c in cs)
    return sum(float(c.hours_available or 0.0) for c in cs) / members / WEEKS


def with_offer(eco: Economy, offer: dict[int, float], keep_other_hours: bool = False) -> Economy:
    """``eco`` with the territorial councils in ``offer`` offering that many hours per member
    per week; other territorial councils keep theirs; non-territorial limits dropped
    unless ``keep_other_hours``."""
    councils: list[Council] = []
    for i, c in enumerate(eco.councils):
        if i in offer:
            hours: float | None = offer[i] * (c.members or 0) * WEEKS
        elif c.kind == "territorial" or keep_other_hours:
            hours = c.hours_available
        else:
            hours = None
        councils.append(replace(c, hours_available=hours))
    return replace(eco, councils=councils)


def compute(
    eco: Economy,
    *,
    council: str | None = None,
    points: int = 21,
    offers: list[float] | None = None,
    keep_other_hours: bool = False,
    warm: bool = True,
) -> Frontier:
    """The frontier of the federation (``council=None``) or of one territorial council."""
    start = time.perf_counter()
    terr = territorial(eco)
    varied = _varied(eco, terr, council)
    members = int(sum(eco.councils[i].members or 0 for i in varied))
    current = current_offer(eco, varied)
    base = with_offer(eco, {i: 1.0 for i in varied}, keep_other_hours)
    r = central.rows(base, with_hours=True)
    pos = {int(c): k for k, c in enumerate(r.hours_councils)}
    rows_varied = np.array([pos[i] for i in varied], dtype=np.int64)
    weekly = np.array([(eco.councils[i].members or 0) * WEEKS for i in varied], dtype=float)
    values, least_week, slack = _least_labour(eco, varied, weekly)
    full = _full_offer(base, r, rows_varied, weekly)
    solves = 2
    if offers is None:
        offers = _grid(points, full, current, slack)
    notes = []
    idle = [eco.councils[i].name for k, i in enumerate(varied) if r.hours[rows_varied[k]].nnz == 0]
    if idle:
        notes.append(
            f"no workplace is under {', '.join(idle)}: its offer of hours limits no work, so "
            "the curve does not depend on it"
        )
    if full is None:
        notes.append("no offer of hours meets every need (a limit other than hours stops them)")
    sweep = _Sweep(base, r, rows_varied, weekly) if warm else None
    out: list[Point] = []
    for h in offers:
        if h < 0 or not math.isfinite(h):
            raise InputError(f"an offer of hours must be a finite number >= 0, not {h}")
        if sweep is not None:
            x, ok, n = sweep.solve(h)
        else:
            plan = central.solve(
                with_offer(eco, {i: h for i in varied}, keep_other_hours), "labour-budget"
            )
            x, ok, n = plan.activity, plan.status == "optimal", 1
        solves += n
        out.append(_point(eco, h, x, ok, values, terr))
    return Frontier(
        scope="federation" if council is None else council,
        unit=eco.labour_unit,
        members=members,
        points=out,
        current=current,
        full=full,
        least_labour_week=least_week,
        solves=solves,
        seconds=time.perf_counter() - start,
        notes=notes,
    )


def _varied(eco: Economy, terr: list[int], council: str | None) -> list[int]:
    """The territorial councils whose offer the frontier varies: all of ``terr`` or the
    one named ``council``."""
    if not terr:
        raise InputError("no territorial council with members: set members to draw a frontier")
    if council is None:
        return terr
    idx = eco.council_index.get(council)
    if idx is None or idx not in terr:
        names = ", ".join(eco.councils[i].name for i in terr)
        raise InputError(f"'{council}' is not a territorial council with members ({names})")
    return [idx]


def _least_labour(
    eco: Economy, varied: list[int], weekly: np.ndarray
) -> tuple[np.ndarray, float | None, float | None]:
    """From the least-labour plan meeting every need (no hour limits): the labour values
    that weigh needs (ones if there is no such plan), its hours per member per week, and
    the offer under which it fits every varied council (``weekly``: members x weeks)."""
    least = central.solve(with_offer(eco, {}, False), "min-labour")
    if least.status != "optimal":
        return np.ones(eco.n_goods), None, None
    sub = central._hours_matrix(eco, np.array(varied, dtype=np.int64)) @ least.activity
    return least.labour_values, least.hours_per_member_week(), float(np.max(sub / weekly))


def _grid(
    points: int, full: float | None, current: float | None, slack: float | None
) -> list[float]:
    """``points`` offers from 0 to a little above the largest of ``full``, ``current`` and
    ``slack`` (60 h per week if no offer meets every need), with those three added."""
    top = max(x for x in (full, current, slack, 1e-9) if x is not None)
    if full is None:
        top = max(top, 60.0)
    grid = np.linspace(0.0, top * 1.05, max(points, 2))
    extra = [x for x in (full, current, slack) if x is not None]
    offers: list[float] = []
    for v in sorted(float(v) for v in np.concatenate([grid, extra])):
        if not offers or v - offers[-1] > 1e-9 * top:  # one point for offers that coincide
            offers.append(v)
    return offers


def frontiers(eco: Economy, **kw: Any) -> list[Frontier]:
    """The federation's frontier, then one per territorial council (if more than one)."""
    out = [compute(eco, **kw)]
    terr = territorial(eco)
    if len(terr) > 1:
        out += [compute(eco, council=eco.councils[i].name, **kw) for i in terr]
    return out


def _full_offer(
    base: Economy, r: central.Rows, rows_varied: np.ndarray, weekly: np.ndarray
) -> float | None:
    """Least common offer (hours per member per week) with which every need is met."""
    lp = r.program(base, base.demand, None, np.zeros(base.n_processes), np.empty(0), np.empty(0))
    n_rows = lp.matrix.shape[0]
    first = r.balance_goods.size + r.limit_goods.size
    col = sp.csc_matrix(
        (-weekly, (first + rows_varied, np.zeros(rows_varied.size, dtype=np.int64))),
        shape=(n_rows, 1),
    )
    row_upper = lp.row_upper.copy()
    row_upper[first + rows_varied] = 0.0
    lp2 = highs.LinearProgram(
        cost=np.concatenate([np.zeros(base.n_processes), [1.0]]),
        col_lower=np.concatenate([lp.col_lower, [0.0]]),
        col_upper=np.concatenate([lp.col_upper, [np.inf]]),
        matrix=sp.hstack([lp.matrix, col]).tocsc(),
        row_lower=lp.row_lower,
        row_upper=row_upper,
    )
    sol = highs.solve(lp2)
    if sol.status != "optimal":
        return None
    return float(max(sol.x[-1], 0.0))


class _Sweep:
    """One HiGHS model of the labour-budget plan, re-solved from the last basis per offer."""

    def __init__(
        self, base: Economy, r: central.Rows, rows_varied: np.ndarray, weekly: np.ndarray
    ) -> None:
        self.base, self.r, self.weekly = base, r, weekly
        essential = base.essential_demand
        normal = base.demand - essential
        g = r.balance_goods
        t_col = sp.csc_matrix(-normal[g].reshape(-1, 1))
        n = base.n_processes
        self.n = n
        self.lp = r.program(
            base, essential, t_col, np.concatenate([np.zeros(n), [-1.0]]), np.zeros(1), np.ones(1)
        )
        self.rows = (g.size + r.limit_goods.size + rows_varied).astype(np.int32)
        # the varied rows read "hours per member per week <= offer": their right-hand
        # sides are then tens, not 1e11 hours (HiGHS loses its way on the latter)
        scale = np.ones(self.lp.matrix.shape[0])
        scale[self.rows] = 1.0 / weekly
        self.lp.matrix = sp.csc_matrix(sp.diags(scale) @ self.lp.matrix)
        self.lp.row_upper = self.lp.row_upper * scale
        a = sp.csc_matrix(self.lp.matrix)
        a.sort_indices()
        self.h = highs.quiet_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.setOptionValue("dual_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.passModel(highs.highs_model(self.lp, a))
        self.all_cols = np.arange(n + 1, dtype=np.int32)
        self.cost_t = np.concatenate([np.zeros(n), [-1.0]])
        self.cost_h = np.concatenate([base.labour, [0.0]])
        self.elastic: _Elastic | None = None
        self.cold = 0  # re-solves from scratch after a warm start ended without an answer
        m = highs.highspy.HighsModelStatus
        self._decided = (m.kOptimal, m.kInfeasible, m.kUnboundedOrInfeasible)

    def _run(self) -> tuple[str, np.ndarray]:
        return self._run_on(self.h)

    def _run_on(self, h: Any) -> tuple[str, np.ndarray]:
        """Run ``h`` from its last basis; once more from scratch if that decides nothing."""
        h.run()
        status = h.getModelStatus()
        if status not in self._decided:  # warm start lost its way: once more from scratch
            self.cold += 1
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
        if status == highs.highspy.HighsModelStatus.kOptimal:
            return "optimal", np.asarray(h.getSolution().col_value, dtype=float)
        if status in (
            highs.highspy.HighsModelStatus.kInfeasible,
            highs.highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return "infeasible", np.empty(0)
        raise InputError(f"HiGHS stopped without a plan: {h.modelStatusToString(status)}")

    def solve(self, offer: float) -> tuple[np.ndarray, bool, int]:
        """Activity of the labour-budget plan at ``offer``, whether essentials are met, solves."""
        h, n = self.h, self.n
        bound = np.full(self.rows.size, float(offer))
        lower = np.full(self.rows.size, -highs.INF)
        h.changeRowsBounds(self.rows.size, self.rows, lower, bound)  # type: ignore[attr-defined]
        h.changeColsCost(n + 1, self.all_cols, self.cost_t)
        h.changeColBounds(n, 0.0, 1.0)
        status, x = self._run()
        if status == "infeasible":
            return self._partial(offer), False, 2
        t = float(min(1.0, max(0.0, x[-1])))
        t_fixed = 1.0 if t >= 1.0 - central.FULFILMENT_TOL else max(0.0, t - central.FULFILMENT_TOL)
        h.changeColsCost(n + 1, self.all_cols, self.cost_h)
        h.changeColBounds(n, t_fixed, t_fixed)
        status, x = self._run()
        if status != "optimal":  # cannot happen: the first stage found a plan at t >= t_fixed
            raise InputError(f"HiGHS found no least-hours plan at offer {offer}")
        return np.clip(x[:n], 0.0, self.base.capacity), True, 2

    def _partial(self, offer: float) -> np.ndarray:
        """The best partial plan at ``offer`` (the rule of ``central.diagnose``: least
        relative shortfall of essential needs, then least hours), on a second HiGHS model
        kept warm like the first."""
        if self.elastic is None:
            self.elastic = _Elastic(self.base, self.r, self.rows)
        try:
            return self.elastic.solve(offer, self)
        except InputError:  # the warm model lost its way: the planner's own diagnosis
            self.cold += 1
            eco = self._economy(offer)
            plan = central.diagnose(
                eco, "labour-budget", central.rows(eco, True), eco.essential_demand
            )
            return plan.activity

    def _economy(self, offer: float) -> Economy:
        councils = list(self.base.councils)
        first = self.r.balance_goods.size + self.r.limit_goods.size
        for k, row in enumerate(self.rows):
            ci = int(self.r.hours_councils[int(row) - first])
            councils[ci] = replace(councils[ci], hours_available=offer * self.weekly[k])
        return replace(self.base, councils=councils)


class _Elastic:
    """``central.diagnose``'s elastic programme (a shortfall per essential good) as one HiGHS
    model: stage 1 least weighted shortfall, stage 2 least hours within it."""

    def __init__(self, base: Economy, r: central.Rows, rows: np.ndarray) -> None:
        essential = base.essential_demand
        short = central.Shortfalls.of(base, r, essential, essential_first=False)
        weight = short.weight
        n, k = base.n_processes, short.rows_of.size
        lp = r.program(
            base,
            essential,
            short.columns(r),
            np.concatenate([np.zeros(n), weight]),
            np.zeros(k),
            short.upper,
        )
        scale = np.ones(lp.matrix.shape[0])
        scale[rows] = 1.0 / np.asarray(lp.row_upper[rows], dtype=float)  # built at offer 1
        cap = sp.csc_matrix(np.concatenate([np.zeros(n), weight]).reshape(1, -1))
        matrix = sp.vstack([sp.diags(scale) @ lp.matrix, cap]).tocsc()
        matrix.sort_indices()
        self.lp = highs.LinearProgram(
            cost=lp.cost,
            col_lower=lp.col_lower,
            col_upper=lp.col_upper,
            matrix=matrix,
            row_lower=np.concatenate([lp.row_lower * scale, [-np.inf]]),
            row_upper=np.concatenate([lp.row_upper * scale, [np.inf]]),
        )
        self.h = highs.quiet_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.setOptionValue("dual_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.passModel(highs.highs_model(self.lp, matrix))
        self.rows = rows
        self.cap_row = matrix.shape[0] - 1
        self.cols = np.arange(n + k, dtype=np.int32)
        self.cost_short = np.concatenate([np.zeros(n), weight])
        self.cost_hours = np.concatenate([base.labour, np.zeros(k)])
        self.n = n

    def solve(self, offer: float, sweep: _Sweep) -> np.ndarray:
        h = self.h
        bound = np.full(self.rows.size, float(offer))
        lower = np.full(self.rows.size, -highs.INF)
        h.changeRowsBounds(self.rows.size, self.rows, lower, bound)  # type: ignore[attr-defined]
        h.changeRowBounds(self.cap_row, -highs.INF, highs.INF)
        h.changeColsCost(self.cols.size, self.cols, self.cost_short)
        status, x = sweep._run_on(h)
        if status != "optimal":  # cannot happen: x = 0 with full shortfall is feasible
            raise InputError(f"HiGHS found no partial plan at offer {offer}")
        first = float(np.dot(self.cost_short, x))
        h.changeRowBounds(self.cap_row, -highs.INF, first * (1 + 1e-9) + 1e-12)
        h.changeColsCost(self.cols.size, self.cols, self.cost_hours)
        status, x2 = sweep._run_on(h)
        if status != "optimal":
            raise InputError(f"HiGHS found no least-hours partial plan at offer {offer}")
        return np.clip(x2[: self.n], 0.0, sweep.base.capacity)


def _shares(
    eco: Economy, met: np.ndarray, values: np.ndarray, mask: np.ndarray
) -> tuple[float, float, float | None, float | None]:
    q = eco.need_quantity
    ratio = np.where(q > 0, np.minimum(met, q) / np.where(q > 0, q, 1.0), 1.0)
    weight = values[eco.need_good]
    out: list[float | None] = []
    for ess in (True, False):
        m = mask & (eco.need_essential == ess)
        if not np.any(m):
            out += [1.0, 1.0] if ess else [None, None]
            continue
        out.append(float(ratio[m].mean()))
        asked = float(np.dot(weight[m], q[m]))
        out.append(
            float(np.dot(weight[m], np.minimum(met, q)[m])) / asked
            if asked > 0
            else float(ratio[m].mean())
        )
    return out[0] or 0.0, out[1] or 0.0, out[2], out[3]


def least_labour_values(eco: Economy) -> np.ndarray:
    """Hours embodied per unit of each good in the least-labour plan meeting every need
    (the weights of shares "by value"); ones when no plan meets every need."""
    least = central.solve(with_offer(eco, {}, False), "min-labour")
    return least.labour_values if least.status == "optimal" else np.ones(eco.n_goods)


def summarise(
    eco: Economy,
    offer: float,
    met: np.ndarray,
    hours: float,
    council_hours: dict[str, float],
    ok: bool,
    values: np.ndarray,
) -> Point:
    """A frontier point from what a plan delivers to each need (``met``) and its hours
    (total, and per territorial council in ``council_hours``)."""
    total_members = eco.total_members()
    e_c, e_v, n_c, n_v = _shares(eco, met, values, np.ones(eco.n_needs, dtype=bool))
    total = Shares(hours / total_members / WEEKS if total_members else None, e_c, e_v, n_c, n_v)
    per: dict[str, Shares] = {}
    for i in territorial(eco):
        c = eco.councils[i]
        e_c, e_v, n_c, n_v = _shares(eco, met, values, eco.need_council == i)
        worked = council_hours.get(c.name, 0.0) / (c.members or 1) / WEEKS
        per[c.name] = Shares(worked, e_c, e_v, n_c, n_v)
    return Point(offer, hours, ok, total, per, met)


def _point(
    eco: Economy, offer: float, x: np.ndarray, ok: bool, values: np.ndarray, terr: list[int]
) -> Point:
    met = allocate(eco, available(eco, x))
    sub = central._hours_matrix(eco, np.array(terr, dtype=np.int64)) @ x
    per = {eco.councils[i].name: float(sub[k]) for k, i in enumerate(terr)}
    return summarise(eco, offer, met, float(np.dot(eco.labour, x)), per, ok, values)
