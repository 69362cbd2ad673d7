"""Labour-budget mode of the federated protocol, built on its min-hours plan.

`planning.central`'s labour-budget plan is lexicographic: (1) every essential
need met; (2) the largest share ``t <= 1`` of every normal need; (3) least
hours at that share, all within the councils' hour budgets. The federation
reaches it with the protocol it already has:

* **Hour budgets are shared limits.** A council's budget covers the hours of
  its own processes and of every council below it. :func:`with_hour_goods`
  writes each budget as a primary input ``hours:<council>`` whose limit is
  the budget and which every process under that council uses, one unit per
  hour of work. The protocol's steward then offers the budget like any other
  limit, and the clerk prices it (hours per hour) as it prices an emission
  cap; its certificate covers the budgets with no change.
* **The share ``t`` by aimed trials.** For a trial share the territorial
  councils order ``essential + t x normal``; a federated plan that settles
  with every such need met shows ``t`` reachable; one that does not (out of
  epochs or rounds with a limit overdrawn, or needs unmet) is read as too
  high. The first trial is ``t = 1`` (no search when the budgets allow every
  need), the second ``t = 0`` (the essential needs alone; when they cannot be
  met the plan is infeasible). From last period's plan (``start``, its share
  ``s0``) without parallel trials (below), the trials bracket the share near
  it instead: ``s0`` first, then steps of :data:`WARM_STEP` doubling, up from
  a reached share or down from an unreached one (the needs change by a few per
  cent from period to period, so does the share). Inside the bracket each
  trial is aimed where the hours run out: the reached plans' hours, linear
  between two reached shares, meet the hours ceiling (where the budgets bound
  every process, and that share is below 1; else each budget's and cap's use
  meets its limit), ``share_tol / 2`` below that share, then ``share_tol``
  above the reached one to close the bracket. The total is aimed at, not each
  budget: one budget full is a change of the plans' mix, not the end (on a
  random 8-good economy the budgets' own aims took 19 attempts from cold, the
  hours' 9). Where there is no aim, or the last two trials did not halve the
  bracket, the trial is the midpoint (bisection). The last reachable trial is
  the plan. A trial whose proposals the clerk cannot weigh (its solver fails
  on the growing penalty of an excess, seen just above the best share) counts
  as not reachable, so the share found is always one the councils reached.
  Once a trial was reachable, each later trial starts warm from the last
  reachable plan (its capacity prices and mix, as the next period would: the
  needs changed by a fraction of the step) and is tried as the first trial was
  (cold, or from last period's plan) only when the warm attempts neither reach
  it nor prove it out of reach. A trial the protocol does not settle with the
  clerk's box-step stabilisation is tried again without it: close below the
  largest share the box-step was measured to stall (a random 8-good economy at
  share 0.755 of a best 0.769: no plan in 1,000 epochs with it, 15 epochs
  without).
* **Warm: parallel shares mixed by the clerk** (:mod:`parallel`). From last
  period's plan, with ``capped`` given (the protocol's default), the first
  trials run at last period's share plus each of :data:`GRID` (clipped to
  [0, 1]), each from last period's plan and cut off after a few rounds, as if
  in parallel (one trial in the records: its rounds the most of theirs, its
  messages and bytes their sum). The clerk mixes the states balanced within
  the local capacities with every ordered need met (over a shared limit or
  not): the largest share whose mix fits every budget, cap and stock, then
  least hours at that share. A mix of balanced plans is a balanced plan at
  the mixed share, so the mix is reached. The search then goes on for the
  certificate: a trial ``share_tol / 2`` below where the clerk's bounds of the
  parallel trials meet the hours ceiling (where one of them is proven out of
  reach; else aimed by the limits' use, as below), then steps of
  ``share_tol``, doubling, and the aimed trials. Where the mix is still the
  plan at the end, one more trial at its share gives the clerk's bound (the
  mix certifies no hours). At last period's share 1 the share 1 is tried
  first, alone; with no mix the bracket below is the warm start.
* **A certificate for the share.** When every process works under a council
  with a budget, no plan within the budgets takes more than
  :func:`hours_ceiling` hours. The clerk's bound of a trial is a lower bound
  on the hours of every plan at that share within the budgets; a bound above
  the ceiling proves the share out of reach (no such plan exists), and every
  share above it too (a plan meets any smaller need as well). The smallest
  share so proven is a certified upper bound on the best share; the share
  found is reached, so the best share lies between the two. A trial so
  proven is not tried again without box-step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.federation import parallel
from soviets.planning.central import _hours_matrix
from soviets.planning.result import Plan

HOURS_PREFIX = "hours:"
WARM_STEP = 0.05  # the first step from last period's share (about the needs' change)
SPAN = 10  # the aim's two reached shares at least this many share_tol apart, where they can be
COUNTS = ("rounds", "messages", "segments", "bytes", "seconds")  # a trial's counts
GRID = (-0.1, -0.05, -0.02, 0.0, 0.02, 0.05, 0.1)  # the parallel trials' shares about s0


def with_hour_goods(eco: Economy) -> Economy:
    """``eco`` with each council hour budget written as a limited primary input.

    The good ``hours:<council>`` (unit: the economy's labour unit) has the
    budget as its limit; each process uses its labour per unit of activity of
    it for every council on its parent chain that has a budget.
    """
    budgeted = np.flatnonzero(np.isfinite(eco.council_hours))
    if budgeted.size == 0:
        return eco
    use = _hours_matrix(eco, budgeted.astype(np.int64))
    names = [f"{HOURS_PREFIX}{eco.councils[int(c)].name}" for c in budgeted]
    clash = set(names) & set(eco.good_names)
    if clash:
        raise ModelError(f"good names reserved for hour budgets: {', '.join(sorted(clash))}")
    k = budgeted.size
    return replace(
        eco,
        good_names=[*eco.good_names, *names],
        good_units=[*eco.good_units, *[eco.labour_unit] * k],
        good_primary=np.concatenate([eco.good_primary, np.ones(k, dtype=bool)]),
        good_limit=np.concatenate([eco.good_limit, eco.council_hours[budgeted]]),
        net_output=sp.vstack([eco.net_output, -use]).tocsc(),
        stocks=np.concatenate([eco.stocks, np.zeros(k)]),
        councils=[replace(c, hours_available=None) for c in eco.councils],
    )


def with_share(eco: Economy, share: float) -> Economy:
    """``eco`` with every normal need scaled to ``share`` of itself (essential kept)."""
    q = np.where(eco.need_essential, eco.need_quantity, share * eco.need_quantity)
    return replace(eco, need_quantity=q)


def hours_ceiling(eco: Economy) -> float | None:
    """The most hours any plan of ``eco`` can take within its council hour budgets
    (None when some process works under no budgeted council: its hours have no bound).

    Each council's subtree takes at most its budget, and at most what its children's
    subtrees take when it runs no process itself; the ceiling sums the roots."""
    budget = eco.council_hours
    children: dict[int | None, list[int]] = {}
    for i, c in enumerate(eco.councils):
        parent = None if c.parent is None else eco.council_index[c.parent]
        children.setdefault(parent, []).append(i)
    runs = set(np.unique(eco.process_council).tolist())

    def cap(c: int) -> float:
        inner = np.inf if c in runs else sum(cap(k) for k in children.get(c, []))
        return float(min(inner, budget[c])) if np.isfinite(budget[c]) else float(inner)

    total = sum(cap(c) for c in children.get(None, []))
    return total if np.isfinite(total) else None


def share_bound(trials: list[dict[str, Any]], ceiling: float | None) -> float | None:
    """The smallest trial share proven out of reach: the clerk's bound on its hours is
    above ``ceiling`` (:func:`hours_ceiling`). None when no trial is so proven."""
    if ceiling is None:
        return None
    every = [t for r in trials for t in (r, *r.get("parallel", []))]
    proven = [t["share"] for t in every if t.get("bound", -np.inf) > ceiling * (1 + 1e-9)]
    return min(proven, default=None)


def reachable(plan: Plan) -> bool:
    """A trial plan that settled, within every limit, with every need it ordered met."""
    return plan.status != "infeasible"


class _Trials:
    """The search's trials: each share tried by ``attempts`` in order, the records
    of every attempt, and the last reachable plan (``best``)."""

    def __init__(
        self,
        base: Economy,
        attempts: list[Callable[..., Plan]],
        ceiling: float | None,
        whole: list[Callable[..., Plan]] | None = None,
    ):
        self.base, self.attempts, self.ceiling = base, attempts, ceiling
        self.whole = attempts if whole is None else whole  # the attempts at the share 1
        self.records: list[dict[str, Any]] = []
        self.best: Plan | None = None
        self.mix: Plan | None = None  # the clerk's mix of the parallel trials
        self.usage: dict[float, np.ndarray] = {}  # reached share -> use of each limited good
        self.hours: dict[float, float] = {}  # reached share -> its plan's hours

    def shares(self) -> int:
        """How many distinct shares were tried."""
        return len({r["share"] for r in self.records})

    def __call__(self, t: float) -> Plan | None:
        """The plan at share ``t`` of the first attempt that reaches it or proves it out
        of reach, else of the last attempt (None when the clerk could not weigh its
        proposals). Once a trial was reachable, each attempt is first warm-started from
        the last reachable plan (its prices and mix), then tried as the attempt is
        (cold, or from last period's plan). A reachable plan becomes ``best``."""
        p: Plan | None = None
        starts: list[dict[str, Plan]] = (
            [{"start": self.best}, {}] if self.best is not None else [{}]
        )
        attempts = self.whole if t >= 1.0 else self.attempts
        for warm, attempt in ((w, a) for w in starts for a in attempts):
            try:
                p = attempt(with_share(self.base, t), **warm)
            except ModelError as err:
                self.records.append(
                    {"share": t, "reachable": False, "protocol": {}, "error": str(err)}
                )
                p = None
                continue
            self.records.append(
                {
                    "share": t,
                    "reachable": reachable(p),
                    "bound": float(p.certificate.dual),
                    "hours": float(p.objective_hours),
                    "warm": bool(warm),
                    "protocol": p.extra.get("protocol", {}),
                }
            )
            if reachable(p) or share_bound(self.records[-1:], self.ceiling) is not None:
                break
        if p is not None and reachable(p):
            self.keep(t, p)
        return p

    def usage_of(self, p: Plan) -> np.ndarray:
        """Each limited good's use by the plan ``p``."""
        return parallel.limit_use(self.base, np.asarray(p.activity))

    def keep(self, t: float, p: Plan) -> None:
        """Take the reachable plan ``p`` at share ``t`` as ``best``."""
        self.best = p
        self.usage[t] = self.usage_of(p)
        self.hours[t] = float(p.objective_hours)

    def reached(self, t: float) -> bool:
        """Whether share ``t`` is reachable (its trial's plan is then ``best``)."""
        p = self(t)
        return p is not None and reachable(p)


def labour_budget(
    eco: Economy,
    attempts: list[Callable[..., Plan]],
    share_tol: float = 1e-4,
    max_trials: int = 20,
    start_share: float | None = None,
    step: float = WARM_STEP,
    aim: bool = True,
    capped: Callable[[Economy], Plan] | None = None,
    grid: tuple[float, ...] = GRID,
    whole: list[Callable[..., Plan]] | None = None,
) -> tuple[Plan, float | None, list[dict[str, Any]]]:
    """The labour-budget plan by a search over the share of normal needs.

    Each of ``attempts`` makes the federated min-hours plan of an economy; a
    trial share is reachable when one of them, tried in order, reaches it (the
    share 1 by ``whole`` where given: no share is at stake there, so the protocol's
    rooms may be those of a least-hours plan).
    Cold (``start_share`` None) the trials go 1, 0, then bisection; from last
    period's share ``start_share`` they bracket the share near it
    (:func:`_bracket`, steps of ``step`` doubling); inside the bracket each trial is
    aimed where the trials' use of the limits meets them (:func:`_search`), or with
    ``aim`` False halves the bracket (bisection). With ``capped`` (a plan cut off
    after a few rounds), the warm start instead mixes trials at ``start_share`` plus
    each of ``grid``, run as if in parallel (:func:`_parallel_bracket`).
    Returns the last reachable trial's plan (of the economy with hour goods
    and scaled needs), the share of normal needs it meets (None when there
    are none or the essential needs cannot be met) and one record per
    attempt (share, reachable, the clerk's ``bound`` on its hours, the plan's
    ``hours``, and the attempt's ``protocol`` entry).
    """
    run = _Trials(with_hour_goods(eco), attempts, hours_ceiling(eco), whole)
    has_normal = bool(np.any(~eco.need_essential & (eco.need_quantity > 0)))
    if not has_normal:
        full = run(1.0)
        if full is None:
            raise ModelError(
                f"no federated plan of the essential needs: {run.records[-1]['error']}"
            )
        return full, None, run.records
    if start_share is None:
        bracket = _cold_bracket(run)
    elif capped is None:
        bracket = _bracket(run, min(max(start_share, 0.0), 1.0), step)
    else:
        s0 = min(max(start_share, 0.0), 1.0)
        bracket = _parallel_bracket(run, s0, step, share_tol, capped, grid)
    if not isinstance(bracket, tuple):  # not even the essential needs were reached
        return bracket, None, run.records
    lo = _search(run, *bracket, share_tol, max_trials, aim)
    if run.best is not None and run.best is run.mix:
        run(lo)  # the mix is no proof of least hours: a trial at its share for the clerk's bound
    assert run.best is not None
    return run.best, lo, run.records


def _search(run: _Trials, lo: float, hi: float, tol: float, max_trials: int, aim: bool) -> float:
    """The largest reached share, within ``tol`` of the smallest unreached one, inside
    the bracket ``(lo, hi)``: each trial aimed (:func:`_aim`), or the midpoint where
    ``aim`` is False, there is no aim, or the last two trials did not halve the
    bracket between them (the safeguard: never much slower than bisection)."""
    widths = [hi - lo]
    while hi - lo > tol and run.shares() < max_trials:
        halved = len(widths) < 3 or widths[-1] <= 0.5 * widths[-3]
        aimed = _aim(run, lo, hi, tol) if aim and halved else None
        t = 0.5 * (lo + hi) if aimed is None else aimed
        lo, hi = (t, hi) if run.reached(t) else (lo, t)
        widths.append(hi - lo)
    return lo


def _aim(run: _Trials, lo: float, hi: float, tol: float) -> float | None:
    """The next trial: ``tol / 2`` below the share estimated to exhaust a limit
    (:func:`_estimate`), so that it is likely reached (a trial out of reach costs the
    most rounds), or ``tol`` above ``lo`` (to close the bracket) when the estimate is
    that close to ``lo``. None without an estimate, or with one not below ``hi``."""
    est = _estimate(run, tol)
    if est is None:
        return None
    t = max(est - 0.5 * tol, lo + tol)
    return t if t < hi else None


def _estimate(run: _Trials, tol: float) -> float | None:
    """The share at which the plans would run out of hours, linear between two
    reached shares: the largest and the largest at least ``SPAN`` ``tol`` below it
    (else the next below it; a plan's hours are certified to the clerk's gap only,
    so shares too close tell the slope badly). Where the budgets bound every process
    the hours meet :func:`hours_ceiling` (at the largest share already: that share);
    where some do not, or the hours would meet it only beyond every need (a budget
    binds while others have room), the first limited good (budget or cap) whose
    use, so extrapolated, meets its limit (goods at their limit already, bound by
    substitution, or used no more tell nothing). None with fewer than two reached
    shares or no limit met."""
    reached = sorted(run.usage)
    if len(reached) < 2:
        return None
    t2 = reached[-1]
    t1 = max((t for t in reached[:-1] if t <= t2 - SPAN * tol), default=reached[-2])
    if run.ceiling is not None:
        hours = np.array([run.hours[t1], run.hours[t2]])
        est = _crossing(t1, t2, hours[:1], hours[1:], np.array([run.ceiling]), at_limit=True)
        if est is None or est < 1.0:  # beyond every need: the total is not what binds
            return est
    limit = parallel.limit_room(run.base)
    return _crossing(t1, t2, run.usage[t1], run.usage[t2], limit, at_limit=False)


def _crossing(
    t1: float, t2: float, u1: np.ndarray, u2: np.ndarray, limit: np.ndarray, at_limit: bool
) -> float | None:
    """The least share at which a use, linear through ``u1`` at ``t1`` and ``u2`` at
    ``t2``, meets its limit (``t2`` for one there already where ``at_limit``, else
    such uses are left out); None where none grows towards its limit."""
    slope = (u2 - u1) / (t2 - t1)
    room = np.maximum(limit - u2, 0.0)
    grows = slope > 1e-9 * np.maximum(np.abs(u2), 1.0)
    if not at_limit:
        grows &= room > 1e-6 * np.abs(limit)
    return float(t2 + np.min(room[grows] / slope[grows])) if np.any(grows) else None


def _cold_bracket(run: _Trials) -> tuple[float, float] | Plan:
    """The cold bracket: the share 1 (reached: the bracket ``(1, 1)``), then the
    share 0 (:func:`_step_down` by a step of 1)."""
    p = run(1.0)
    if p is not None and reachable(p):
        return 1.0, 1.0
    return _step_down(run, 1.0, 1.0, p)


def _bracket(run: _Trials, s0: float, step: float) -> tuple[float, float] | Plan:
    """The bracket around last period's share ``s0``: ``s0`` first, then steps of
    ``step``, doubling, up from a reached share (to 1 at most) or down from an
    unreached one (:func:`_step_down`). Returns ``(lo, hi)``, ``lo`` reached and
    ``hi`` not (``(1, 1)``: the share 1 reached)."""
    p = run(s0)
    if p is None or not reachable(p):
        return _step_down(run, s0, step, p)
    return _step_up(run, s0, step)


def _step_up(
    run: _Trials, lo: float, step: float, top: float = 1.0, proven: bool = False
) -> tuple[float, float]:
    """Steps of ``step``, doubling, up from the reached share ``lo`` to the first
    unreached one, ``top`` at most (not tried where ``proven`` out of reach):
    ``(lo, hi)``; ``(top, top)`` where ``top`` is reached."""
    while lo < top:
        t = min(lo + step, top)
        if (proven and t >= top) or not run.reached(t):
            return lo, t
        lo, step = t, 2 * step
    return top, top


def _parallel_bracket(
    run: _Trials,
    s0: float,
    step: float,
    tol: float,
    capped: Callable[[Economy], Plan],
    grid: tuple[float, ...],
) -> tuple[float, float] | Plan:
    """The warm bracket from the clerk's mix of parallel trials (:func:`_mix`) about
    last period's share ``s0``: the mix's share reached, then steps up from it of
    ``tol``, doubling, to the first share unreached (or proven out of reach by a
    parallel trial). Where ``s0`` is 1 the share 1 is tried first (no mix where it is
    reached); where no mix fits the limits, :func:`_bracket` (:func:`_step_down`)."""
    p = run(1.0) if s0 >= 1.0 else None
    if p is not None and reachable(p):
        return 1.0, 1.0
    t_mix = _mix(run, s0, capped, grid)
    if t_mix is None:
        return _bracket(run, s0, step) if s0 < 1.0 else _step_down(run, 1.0, step, p)
    top = share_bound(run.records[-1:], run.ceiling)
    hi = 1.0 if top is None else top
    if top is None:  # aim by the limits' use of the states within them (the mix's too)
        aim = _aim(run, t_mix, hi, tol)
    else:
        aim = _bound_aim(run.records[-1]["parallel"], run.ceiling, t_mix, top, tol)
    if aim is not None and not run.reached(aim):
        return t_mix, aim
    return _step_up(run, t_mix if aim is None else aim, tol, hi, proven=top is not None)


def _bound_aim(
    entries: list[dict[str, Any]], ceiling: float | None, lo: float, hi: float, tol: float
) -> float | None:
    """The next trial after the mix (share ``lo``): ``tol / 2`` below where the clerk's
    bounds on the hours, linear between the largest parallel share below ``hi`` and
    ``hi`` (proven out of reach), meet the hours ``ceiling``; where that is not above
    ``lo``, ``tol / 2`` above it (the closing trial: a trial just below the best
    share, where a budget binds almost exactly, may settle in no number of rounds).
    None where the trial is not between ``lo`` and ``hi``."""
    below = [e for e in entries if "bound" in e and e["share"] < hi]
    at_hi = [e["bound"] for e in entries if "bound" in e and e["share"] == hi]
    if ceiling is None or not below or not at_hi:
        return None
    s1, b1 = max((e["share"], e["bound"]) for e in below)
    if not b1 < ceiling < at_hi[0]:
        return None
    est = s1 + (ceiling - b1) / (at_hi[0] - b1) * (hi - s1)
    t = est - 0.5 * tol if est - 0.5 * tol > lo else est + 0.5 * tol
    return t if lo < t < hi else None


def _mix(
    run: _Trials, s0: float, capped: Callable[[Economy], Plan], grid: tuple[float, ...]
) -> float | None:
    """The parallel phase: a trial cut off by ``capped`` at each share ``s0 + grid``
    (clipped to [0, 1]), each from last period's plan, then the clerk's mix of the
    states balanced but for the shared limits (:mod:`parallel`). Records one trial:
    its rounds the most of any parallel trial (they run in the same rounds), its
    messages and bytes their sum; the mix is ``best`` when there is one. Returns its
    share (None: no mix)."""
    shares = sorted({min(max(s0 + d, 0.0), 1.0) for d in grid})
    plans = [_capped_trial(capped, with_share(run.base, t)) for t in shares]
    entries = [_parallel_entry(run.base, t, p) for t, p in zip(shares, plans, strict=True)]
    record = _parallel_record(entries)
    run.records.append(record)
    ok = [(e, p) for e, p in zip(entries, plans, strict=True) if p is not None and e["balanced"]]
    if not ok:
        return None
    at = np.array([e["share"] for e, _ in ok])
    usage = np.column_stack([run.usage_of(p) for _, p in ok])
    hours = np.array([e["hours"] for e, _ in ok])
    room = parallel.limit_room(run.base)
    for (e, _), u in zip(ok, usage.T, strict=True):
        if np.all(u <= room * (1 + 1e-9)):  # a state within every limit: a reached share
            run.usage[e["share"]], run.hours[e["share"]] = u, e["hours"]
    w = parallel.mix_weights(at, usage, hours, room)
    if w is None:
        return None
    for (e, _), wm in zip(ok, w, strict=True):
        e["weight"] = float(wm)
    t_mix = float(at @ w)
    # a plan at a larger share takes at least as many hours: bounds at shares <= t_mix
    bound = max(e["bound"] for e in entries if "bound" in e and e["share"] <= t_mix + 1e-12)
    plan = parallel.mixed_plan(with_share(run.base, t_mix), [p for _, p in ok], w, bound)
    record |= {"share": t_mix, "reachable": True, "hours": plan.objective_hours, "bound": bound}
    run.keep(t_mix, plan)
    run.mix = plan
    return t_mix


def _capped_trial(capped: Callable[[Economy], Plan], eco: Economy) -> Plan | None:
    """One parallel trial's plan (None when the clerk could not weigh its proposals)."""
    try:
        return capped(eco)
    except ModelError:
        return None


def _parallel_entry(base: Economy, t: float, p: Plan | None) -> dict[str, Any]:
    """What the record keeps of one parallel trial at share ``t``: its share, whether
    its state is balanced but for the shared limits, its rounds, messages, bytes,
    hours and the clerk's bound."""
    if p is None:
        return {"share": t, "balanced": False, "protocol": {}}
    proto = p.extra.get("protocol", {})
    return {
        "share": t,
        "balanced": parallel.balanced_except_limits(with_share(base, t), p),
        "bound": float(p.certificate.dual),
        "hours": float(p.objective_hours),
        "weight": 0.0,
        "protocol": {k: proto.get(k, 0) for k in COUNTS},
    }


def _parallel_record(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The parallel phase as one trial: rounds the most of its trials', messages,
    segments, bytes and seconds their sum; not reachable until a mix is found."""
    protos = [e.pop("protocol") for e in entries]
    proto = {k: sum(p.get(k, 0) for p in protos) for k in COUNTS}
    proto["rounds"] = max((p.get("rounds", 0) for p in protos), default=0)
    for e, p in zip(entries, protos, strict=True):
        e |= {"rounds": p.get("rounds"), "messages": p.get("messages")}
    share = max(e["share"] for e in entries)
    return {"share": share, "reachable": False, "protocol": proto, "parallel": entries}


def _step_down(run: _Trials, hi: float, step: float, p: Plan | None) -> tuple[float, float] | Plan:
    """Steps of ``step``, doubling, down from the unreached share ``hi`` (its plan
    ``p``) to the first reached share ``lo``: ``(lo, hi)``. When the share 0 is not
    reached either (the essential needs cannot be met), its plan; raises when the
    clerk could not weigh its proposals."""
    while hi > 0.0:
        t = max(hi - step, 0.0)
        p = run(t)
        if p is not None and reachable(p):
            return t, hi
        hi, step = t, 2 * step
    if p is None:
        raise ModelError(f"no federated plan of the essential needs: {run.records[-1]['error']}")
    return p
