"""The same economy planned three ways: autarky, federation, central.

* ``autarky``: each territorial council plans with the workplaces of its own
  region alone (the region of a workplace is the territorial council it
  belongs to through its ``parent`` chain), no agreement crosses a region.
  In a multi-region table goods are region-specific (``CHN.c1``); a region
  in autarky makes its own product of the same sector instead (``DEU.c1``
  for ``CHN.c1``), with the same technology coefficients. It uses only its
  own resources and its own techniques:

  - a primary input belongs to a region when its name starts with the
    region (``DEU.land``) or when only that region's workplaces use it
    (``upland-land`` in ``examples/two-regions``): its owner gets all of its
    limit and the other regions none; a primary input used by several
    regions (a shared emission cap) and stocks not named after a region are
    split in proportion to the regions' members (equally where unknown);
  - borrowed techniques (:mod:`soviets.economy.techniques`, processes
    ``R.s@T``) are left out: alone, a region knows only its own recipes;
  - **inputs it cannot make** (rule ``missing="drop"``, the default): an
    input that no process of the region can make (none makes it, or only
    with capacity 0) and that the region does not hold in stock is dropped
    from the recipes that use it, so a region lacking one sector still makes
    the others (with ``missing="keep"`` those recipes cannot run and every
    good downstream stays unmet). Needs for such a good stay unmet;
  - a region without hours data (every process 0 hours, the rest of the
    world in WIOD) is planned at 1 per unit of activity, so that it makes
    nothing it does not need, and counts 0 hours (the table's rule).

  Each region gets the central planner's plan for its own economy, or,
  where no plan meets every need, the planner's best partial plan with
  essential needs first (:func:`soviets.planning.central.diagnose` with
  ``essential_first``: least relative shortfall of the essential needs, then
  of all needs, then least labour; essential needs served first from what
  is made).
* ``federation``: :func:`soviets.federation.plan_federated`.
* ``central``: the central plan, or its best partial plan when not every
  need can be met (the same rule as in autarky).

Metrics (:class:`Outcome`): needs met by count (the average over needs of
the share delivered, every need counting once) and by value (delivered over
asked, summed in one unit: the goods' own unit where all needed goods share
one, e.g. the money of final demand in an input-output table; otherwise at
the labour values of the central plan, in hours); labour; labour per person
per week (persons from the table where given, else the members of the
territorial councils); and labour saved against a baseline (the central
plan of the fixed-technique economy, see :func:`compare_with_choice`).

:func:`compare` also measures what is lost when the largest supplier council
(the workplace council with the most hours in the central plan) fails: in
the federation it stops answering half-way through the protocol; autarky and
central plan again without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Council, Economy
from soviets.economy.techniques import (
    DEFAULT_TRANSPORT,
    DEFAULT_TRANSPORT_SECTOR,
    borrowed,
    world_with_choice,
)
from soviets.economy.validate import refuse_free_production
from soviets.errors import ModelError
from soviets.federation import plan_federated
from soviets.federation.directory import region_of
from soviets.planning import central as central_lp
from soviets.planning import plan as central_plan
from soviets.planning.fast import not_applicable as fast_not_applicable
from soviets.planning.reach import partial_by_reach, reduced
from soviets.planning.result import Plan

REGIMES = ("autarky", "federation", "central")
MISSING_RULES = ("drop", "keep")
NO_HOURS = "no hours data: planned at 1 per unit of activity, counted as 0 hours"

__all__ = [
    "MISSING_RULES",
    "REGIMES",
    "Metrics",
    "Outcome",
    "compare",
    "compare_with_choice",
    "met_by_value",
    "met_shares",
    "plan_autarky",
    "plan_central",
    "plan_federation",
    "region_economy",
    "value_weights",
    "world_with_choice",
]


@dataclass
class Metrics:
    """How outcomes are measured: the weights of needs by value and their unit, the
    persons the labour is shared by, and the baseline labour to save against."""

    weights: np.ndarray  # per good: value of one unit, in ``value_unit``
    value_unit: str
    persons: float | None = None  # persons from the table (None: territorial members)
    persons_source: str = "members"
    baseline_hours: float | None = None


@dataclass
class Outcome:
    """One regime's result on one economy."""

    regime: str
    hours: float
    hours_per_member_week: float | None
    essential_met: float
    normal_met: float
    rounds: int | None = None
    messages: int | None = None
    bytes: int | None = None
    unmet: int = 0
    essential_met_value: float = 1.0
    normal_met_value: float = 1.0
    hours_saved: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: quantity delivered per need and activity per process of ``eco`` (not in ``to_dict``)
    met: np.ndarray | None = field(default=None, repr=False)
    activity: np.ndarray | None = field(default=None, repr=False)
    #: labour values per good of the plan (the central plan's; not in ``to_dict``)
    values: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "hours": self.hours,
            "hours_per_member_week": self.hours_per_member_week,
            "essential_met": self.essential_met,
            "normal_met": self.normal_met,
            "essential_met_value": self.essential_met_value,
            "normal_met_value": self.normal_met_value,
            "hours_saved": self.hours_saved,
            "rounds": self.rounds,
            "messages": self.messages,
            "bytes": self.bytes,
            "unmet_needs": self.unmet,
            **self.extra,
        }


def _per_week(eco: Economy, hours: float, metrics: Metrics | None) -> float | None:
    persons = metrics.persons if metrics is not None and metrics.persons else None
    persons = persons or float(eco.total_members())
    return hours / persons / 52.0 if persons > 0 else None


def met_shares(eco: Economy, met: np.ndarray) -> tuple[float, float]:
    """Average share met of the essential and of the normal needs (each need
    counts once, whatever its unit); 1.0 where there are none."""
    out = []
    ratio = np.where(
        eco.need_quantity > 0,
        np.minimum(met, eco.need_quantity) / np.where(eco.need_quantity > 0, eco.need_quantity, 1),
        1.0,
    )
    for ess in (True, False):
        mask = eco.need_essential == ess
        out.append(float(ratio[mask].mean()) if np.any(mask) else 1.0)
    return out[0], out[1]


def met_by_value(eco: Economy, met: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Share met by value of the essential and of the normal needs: delivered over
    asked, each summed with ``weights`` (value per unit of each good); 1.0 where
    there are none (or they are worth nothing)."""
    w = weights[eco.need_good]
    got = np.minimum(met, eco.need_quantity) * w
    asked = eco.need_quantity * w
    out = []
    for ess in (True, False):
        mask = eco.need_essential == ess
        total = float(asked[mask].sum())
        out.append(float(got[mask].sum()) / total if total > 0 else 1.0)
    return out[0], out[1]


def value_weights(eco: Economy, labour_values: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Value per unit of each good for :func:`met_by_value`, and its unit.

    Where every needed good has the same unit (an input-output table: money of
    final demand) each unit counts 1 in that unit. Otherwise goods are valued
    at ``labour_values`` (the central plan's, in the labour unit); where those
    are missing or not finite, 1 per unit as asked (``mixed units``).
    """
    needed = np.unique(eco.need_good)
    units = {eco.good_units[g] for g in needed}
    if len(units) <= 1:
        return np.ones(eco.n_goods), (units.pop() if units else "units")
    if labour_values is not None:
        v = np.asarray(labour_values, dtype=float)
        if v.shape == (eco.n_goods,) and np.all(np.isfinite(v[needed])) and np.all(v[needed] > 0):
            return v, f"{eco.labour_unit} at the central plan's labour values"
    return np.ones(eco.n_goods), "mixed units (1 per unit asked)"


def _outcome(
    regime: str, eco: Economy, hours: float, met: np.ndarray, metrics: Metrics | None, **kw: Any
) -> Outcome:
    ess, norm = met_shares(eco, met)
    if metrics is None:
        metrics = Metrics(*value_weights(eco))
    ess_v, norm_v = met_by_value(eco, met, metrics.weights)
    unmet = int(np.sum(met < eco.need_quantity * (1 - 1e-6)))
    saved = None if metrics.baseline_hours is None else metrics.baseline_hours - hours
    return Outcome(
        regime,
        hours,
        _per_week(eco, hours, metrics),
        ess,
        norm,
        unmet=unmet,
        essential_met_value=ess_v,
        normal_met_value=norm_v,
        hours_saved=saved,
        met=met,
        **kw,
    )


# ------------------------------------------------------------------ central
LABOUR_SCALE_ABOVE = 100.0  # hours per unit above this are scaled for HiGHS (see _central)


def _central(eco: Economy, solver: str = "auto") -> tuple[float, np.ndarray, Plan]:
    """Hours, needs met and the plan of the central planner on ``eco``.

    Where no plan meets every need this is the planner's best partial plan
    with essential needs first (:func:`soviets.planning.central.diagnose`
    with ``essential_first``: least relative shortfall of essential needs,
    then of all needs, then least hours), the one rule for "as much as can
    be met". Where needed goods are unmakeable (no process that can run makes
    them, e.g. after a failure), that plan is found on the economy reduced to
    what can still run (:mod:`soviets.planning.reach`): the same plan, a far
    smaller programme.

    Hours per unit in the tens of thousands (hours per USD million of a
    world table) make HiGHS's dual simplex fail ("excessive dual values"):
    the labour column is divided by its largest value for the solve (the
    plan's activities do not change with the unit of the objective) and the
    hours and labour values are scaled back.

    ``solver="auto"`` (the default) takes planning's fast path wherever it
    applies and there are at least as many processes as goods, whatever the
    size (a table with one or many techniques per good and only labour
    scarce: the world table's central plan in 0.3 s of CPU instead of
    HiGHS's 8.7 s, the same hours); HiGHS where it applies with fewer
    processes than goods; else ``planning.plan``'s ``auto``.
    """
    reduced = partial_by_reach(eco, lambda sub: _central(sub, solver))
    if reduced is not None:
        return reduced.objective_hours, reduced.need_met, reduced
    scale = float(np.max(np.abs(eco.labour), initial=0.0))
    work = eco
    if scale > LABOUR_SCALE_ABOVE:
        work = replace(eco, labour=eco.labour / scale)
    else:
        scale = 1.0
    if solver == "auto" and fast_not_applicable(work, "min-labour") is None:
        # the fast path factors a goods x goods matrix: with fewer processes than
        # goods (a region alone keeps the world's 1,435 goods for its 35 processes:
        # 0.2 s of CPU against HiGHS's 0.013 s) HiGHS is quicker
        solver = "fast" if work.n_processes >= work.n_goods else "highs"
    p: Plan = central_plan(work, solver=solver)
    if p.status != "optimal" and np.any(~eco.need_essential) and np.any(eco.need_essential):
        rows = central_lp.rows(work, with_hours=False)
        p = central_lp.diagnose(work, "min-labour", rows, work.demand, essential_first=True)
    if scale != 1.0:
        p = replace(
            p,
            economy=eco,
            objective_hours=p.objective_hours * scale,
            labour_values=p.labour_values * scale,
            certificate=replace(
                p.certificate,
                primal=p.certificate.primal * scale,
                dual=p.certificate.dual * scale,
            ),
        )
    hours = p.objective_hours if p.status == "optimal" else float(eco.labour @ p.activity)
    return hours, p.need_met, p


def _central_outcome(
    eco: Economy, hours: float, met: np.ndarray, p: Plan, metrics: Metrics | None = None
) -> Outcome:
    extra: dict[str, Any] = {"solver": p.solver}
    if p.status == "optimal":
        extra["certificate_gap"] = p.certificate.gap
    return _outcome(
        "central",
        eco,
        hours,
        met,
        metrics,
        extra=extra,
        activity=p.activity,
        values=p.labour_values,
    )


def plan_central(eco: Economy, metrics: Metrics | None = None, solver: str = "auto") -> Outcome:
    """The central plan, or the planner's best partial plan where not every need can be met."""
    hours, met, p = _central(eco, solver)
    return _central_outcome(eco, hours, met, p, metrics)


# ------------------------------------------------------------------ autarky
def regions(eco: Economy) -> list[str]:
    """Territorial councils (the regions)."""
    return [c.name for c in eco.councils if c.kind == "territorial"]


def _local_good(name: str, region: str, known: set[str], region_names: set[str]) -> str:
    head, dot, tail = name.partition(".")
    if dot and head in region_names and head != region and f"{region}.{tail}" in known:
        return f"{region}.{tail}"
    return name


def primary_owners(eco: Economy) -> dict[str, str | None]:
    """The region owning each primary input (None: shared by several or used by none).

    A primary input belongs to region ``R`` when its name starts with ``R.``, or
    when only workplaces of ``R`` use it.
    """
    where = region_of(eco)
    names = set(regions(eco))
    primary = np.flatnonzero(eco.good_primary)
    uses = (eco.net_output[primary] < 0).tocsr()  # the primary rows only
    owners: dict[str, str | None] = {}
    for row, g in enumerate(primary):
        name = eco.good_names[g]
        head = name.partition(".")[0]
        if "." in name and head in names:
            owners[name] = head
            continue
        users = uses.indices[uses.indptr[row] : uses.indptr[row + 1]]
        regs = {where[eco.process_council[j]] for j in users}
        regs &= names
        owners[name] = regs.pop() if len(regs) == 1 else None
    return owners


def _local_goods(eco: Economy, region: str, names: set[str]) -> np.ndarray:
    """Per good of ``eco``: the index of the good ``region`` makes instead (see
    :func:`_local_good`; the good itself where the region has no such good)."""
    known = set(eco.good_names)
    return np.array(
        [eco.good_index[_local_good(g, region, known, names)] for g in eco.good_names],
        dtype=np.int64,
    )


def _region_needs(
    eco: Economy, region: str, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region's needs for its local goods, summed per (good, priority) in the order
    first asked: goods, quantities, essential."""
    summed: dict[tuple[int, bool], float] = {}
    for k in np.flatnonzero(eco.need_council == eco.council_index[region]):
        key = (int(local[eco.need_good[k]]), bool(eco.need_essential[k]))
        summed[key] = summed.get(key, 0.0) + float(eco.need_quantity[k])
    goods = np.array([g for g, _ in summed], dtype=np.int64)
    essential = np.array([e for _, e in summed], dtype=bool)
    return goods, np.array(list(summed.values()), dtype=float), essential


def region_economy(
    eco: Economy, region: str, missing: str = "drop", ran: np.ndarray | None = None
) -> Economy:
    """The economy of one region alone (see the module docstring).

    ``missing``: what happens to an input the region cannot make, ``drop``
    (left out of the recipes that use it) or ``keep``. ``ran``: per process of
    ``eco``, whether it counts as able to make its goods for that rule (default:
    capacity above 0); a council that failed still counts, so its good is not
    dropped from the recipes as if the region had never made it.

    Built from the arrays of ``eco`` (its processes selected by mask, its goods
    mapped by index), never from records: the world with choice of technique
    has 56,555 processes, of which a region keeps its own 35.
    """
    if missing not in MISSING_RULES:
        raise ModelError(f"unknown rule for missing inputs '{missing}': drop or keep")
    where = np.asarray(region_of(eco))
    names = set(regions(eco))
    share = _member_share(eco, region)
    councils, new_council = _region_councils(eco, where, region)
    procs = np.flatnonzero((where == region)[eco.process_council] & ~borrowed(eco))
    ran = eco.capacity > 0 if ran is None else ran
    local = _local_goods(eco, region, names)
    flows = eco.net_output.tocsc()[:, procs].tocoo()
    net = sp.csc_matrix(
        (flows.data, (local[flows.row], flows.col)), shape=(eco.n_goods, procs.size)
    )
    net.sum_duplicates()
    stocks = _region_stocks(eco, region, names, share)
    notes = [f"autarky of {region}"]
    if missing == "drop":
        notes += _drop_lacking(eco, net, ran[procs], stocks, region)
    net.eliminate_zeros()
    labour = eco.labour[procs]
    if procs.size and not np.any(labour):
        # no hours data (the rest of the world in WIOD): plan at 1 per unit of activity,
        # count 0 hours (otherwise the economy would make goods from nothing)
        labour = np.ones(procs.size)
        notes.insert(1, NO_HOURS)
    need_good, need_quantity, need_essential = _region_needs(eco, region, local)
    sub = Economy(
        good_names=list(eco.good_names),
        good_units=list(eco.good_units),
        good_primary=eco.good_primary.copy(),
        good_limit=_region_limits(eco, region, share),
        councils=councils,
        process_names=[eco.process_names[j] for j in procs],
        process_council=new_council[eco.process_council[procs]],
        labour=labour,
        capacity=eco.capacity[procs],
        net_output=net,
        need_council=np.full(need_good.size, new_council[eco.council_index[region]]),
        need_good=need_good,
        need_quantity=need_quantity,
        need_essential=need_essential,
        stocks=stocks,
        name=f"{eco.name}:{region}",
        notes=notes,
        labour_unit=eco.labour_unit,
    )
    refuse_free_production(sub)
    return sub


def _member_share(eco: Economy, region: str) -> float:
    """The region's share of the territorial councils' members (equal shares where
    they have none): its part of what no region owns."""
    members = eco.council_members
    terr = [i for i, c in enumerate(eco.councils) if c.kind == "territorial"]
    total = float(sum(members[i] for i in terr))
    return members[eco.council_index[region]] / total if total > 0 else 1.0 / max(1, len(terr))


def _region_councils(
    eco: Economy, where: np.ndarray, region: str
) -> tuple[list[Council], np.ndarray]:
    """The councils of the region (without parents), and the new index of every
    council of ``eco`` (-1: not in the region)."""
    mine = np.flatnonzero(where == region)
    new_council = np.full(len(eco.councils), -1, dtype=np.int64)
    new_council[mine] = np.arange(mine.size)
    councils = [
        Council(c.name, c.kind, None, c.members, c.hours_available)
        for c in (eco.councils[i] for i in mine)
    ]
    return councils, new_council


def _region_limits(eco: Economy, region: str, share: float) -> np.ndarray:
    """The limits of the primary inputs for the region: all of its own, none of another
    region's, its ``share`` of a shared one."""
    owners = primary_owners(eco)
    limit = eco.good_limit.copy()
    for g in np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit)):
        owner = owners.get(eco.good_names[g])
        limit[g] = share * limit[g] if owner is None else (limit[g] if owner == region else 0.0)
    return limit


def _region_stocks(eco: Economy, region: str, names: set[str], share: float) -> np.ndarray:
    """The stocks of the region: all of its own goods' (``REGION.sector``), none of another
    region's, its ``share`` of the others."""
    heads = [g.partition(".")[0] for g in eco.good_names]
    stock_share = np.array([1.0 if h == region else 0.0 if h in names else share for h in heads])
    return np.where(eco.stocks > 0, eco.stocks * stock_share, 0.0)


def _drop_lacking(
    eco: Economy, net: sp.csc_matrix, ran: np.ndarray, stocks: np.ndarray, region: str
) -> list[str]:
    """Drop from the recipes in ``net`` (in place) the inputs that no process that ran
    makes, that are not primary and not in stock; the note that names them, if any."""
    made = net.maximum(0) @ ran.astype(float) > 0
    used = np.asarray((net.minimum(0) != 0).sum(axis=1)).ravel() > 0
    lacking = used & ~made & ~eco.good_primary & ~(stocks > 0)
    net.data[(net.data < 0) & lacking[net.indices]] = 0.0
    if not lacking.any():
        return []
    dropped = ", ".join(sorted(eco.good_names[g] for g in np.flatnonzero(lacking)))
    return [f"inputs {region} cannot make, dropped from its recipes: {dropped}"]


def plan_autarky(
    eco: Economy,
    metrics: Metrics | None = None,
    missing: str = "drop",
    solver: str = "auto",
    before: tuple[Economy, Outcome] | None = None,
) -> Outcome:
    """Every region alone, each planned by ``solver`` (see :func:`_central`); hours
    and needs met summed over regions.

    ``before``: the same economy before some capacities changed (councils failed)
    and its autarky outcome. A region none of whose capacities changed keeps its
    plan from that outcome (its economy is the same); the others plan again, with
    the inputs they cannot make judged on the economy before the change (see
    ``ran`` in :func:`region_economy`).
    """
    met = np.zeros(eco.n_needs)
    activity = np.zeros(eco.n_processes)
    hours = 0.0
    known = set(eco.good_names)
    names = set(regions(eco))
    dropped: list[str] = []
    where = np.asarray(region_of(eco))[eco.process_council]
    ran = None
    if before is not None:
        ran = before[0].capacity > 0
        changed = set(where[eco.capacity != before[0].capacity])
    for region in regions(eco):
        if before is not None and region not in changed:
            old = before[1]
            assert old.activity is not None and old.met is not None
            mine = where == region
            activity[mine] = old.activity[mine]
            hours += float(eco.labour[mine] @ old.activity[mine])  # 0 where no hours
            asks = eco.need_council == eco.council_index[region]
            met[asks] = old.met[asks]
            dropped += [region] if region in old.extra["dropped_in"] else []
            continue
        sub = region_economy(eco, region, missing, ran)
        dropped += [region] if any(n.startswith("inputs ") for n in sub.notes) else []
        sub_hours, sub_met, sub_plan = _central(sub, solver)
        activity[[eco.process_index[n] for n in sub.process_names]] += sub_plan.activity
        hours += 0.0 if NO_HOURS in sub.notes else sub_hours
        got: dict[tuple[str, bool], float] = {}
        asked: dict[tuple[str, bool], float] = {}
        for g, e, q, a in zip(
            sub.need_good, sub.need_essential, sub_met, sub.need_quantity, strict=True
        ):
            key = (sub.good_names[g], bool(e))
            got[key] = got.get(key, 0.0) + float(q)
            asked[key] = asked.get(key, 0.0) + float(a)
        me = eco.council_index[region]
        for k in np.flatnonzero(eco.need_council == me):
            key = (
                _local_good(eco.good_names[eco.need_good[k]], region, known, names),
                bool(eco.need_essential[k]),
            )
            ratio = got.get(key, 0.0) / asked[key] if asked.get(key, 0.0) > 0 else 1.0
            met[k] = eco.need_quantity[k] * min(1.0, ratio)
    extra = {
        "missing_inputs": missing,
        "regions_with_dropped_inputs": len(dropped),
        "dropped_in": dropped,
    }
    return _outcome("autarky", eco, hours, met, metrics, extra=extra, activity=activity)


# --------------------------------------------------------------- federation
def plan_federation(
    eco: Economy, runtime: str = "inprocess", metrics: Metrics | None = None, **kw: Any
) -> tuple[Outcome, Plan]:
    """The federated plan and its outcome.

    Where a needed good is unmakeable (no council left can make it, e.g. after
    failures), no plan meets every need and the protocol, which settles only on a
    balance that meets all of them, cannot settle: the councils then plan the
    economy reduced to what can still run and the needs for makeable goods
    (:func:`soviets.planning.reach.reduced`, as the central planner does), and the
    needs for unmakeable goods stay unmet.
    """
    red = reduced(eco)
    p = plan_federated(eco if red is None else red.economy, runtime=runtime, **kw)
    if red is not None:
        p = red.lift(p, p.objective_hours)
    proto = p.extra["protocol"]
    out = _outcome(
        "federation",
        eco,
        p.objective_hours,
        p.need_met,
        metrics,
        rounds=proto["rounds"],
        messages=proto["messages"],
        bytes=proto["bytes"],
        extra={
            "certificate_gap": p.certificate.gap,
            "converged": proto["converged"],
            "seconds": proto["seconds"],
        },
        activity=p.activity,
    )
    return out, p


# ------------------------------------------------------------------ compare
def largest_supplier(eco: Economy, activity: np.ndarray) -> str:
    """The workplace council with the most hours in a plan."""
    hours = np.bincount(
        eco.process_council, weights=eco.labour * activity, minlength=len(eco.councils)
    )
    return eco.councils[int(np.argmax(hours))].name


def without(eco: Economy, council: str) -> Economy:
    """The economy with one workplace council (and its processes) removed."""
    gone = eco.council_index[council]
    keep_p = np.flatnonzero(eco.process_council != gone)
    keep_c = [i for i in range(len(eco.councils)) if i != gone]
    new_index = np.full(len(eco.councils), -1, dtype=np.int64)
    new_index[keep_c] = np.arange(len(keep_c))
    if np.any(eco.need_council == gone):
        raise ModelError(f"council '{council}' has needs: only a workplace council can fail")
    return Economy(
        good_names=list(eco.good_names),
        good_units=list(eco.good_units),
        good_primary=eco.good_primary.copy(),
        good_limit=eco.good_limit.copy(),
        councils=[eco.councils[i] for i in keep_c],
        process_names=[eco.process_names[j] for j in keep_p],
        process_council=new_index[eco.process_council[keep_p]],
        labour=eco.labour[keep_p],
        capacity=eco.capacity[keep_p],
        net_output=eco.net_output.tocsc()[:, keep_p].tocsc(),
        need_council=new_index[eco.need_council],
        need_good=eco.need_good.copy(),
        need_quantity=eco.need_quantity.copy(),
        need_essential=eco.need_essential.copy(),
        stocks=eco.stocks.copy(),
        name=eco.name,
        notes=list(eco.notes),
        labour_unit=eco.labour_unit,
    )


def compare(
    eco: Economy,
    runtime: str = "inprocess",
    failure: bool = True,
    *,
    persons: float | None = None,
    baseline_hours: float | None = None,
    missing: str = "drop",
    solver: str = "auto",
) -> dict[str, Any]:
    """Plan ``eco`` under the three regimes; with ``failure``, again when the
    largest supplier council fails. Returns JSON-ready data and the plans.

    ``persons`` (from the table; None: the territorial councils' members)
    share the labour per week; ``baseline_hours`` is what ``hours_saved`` is
    measured against (default: this economy's central plan); ``missing`` is
    autarky's rule for inputs a region cannot make; ``solver`` the central
    planner's (``planning.plan``).
    """
    hours, met, central = _central(eco, solver)
    weights, value_unit = value_weights(
        eco, central.labour_values if central.status == "optimal" else None
    )
    metrics = Metrics(
        weights,
        value_unit,
        persons=persons,
        persons_source="table" if persons else "members",
        baseline_hours=hours if baseline_hours is None else baseline_hours,
    )
    cen = _central_outcome(eco, hours, met, central, metrics)
    aut = plan_autarky(eco, metrics, missing, solver)
    fed, fed_plan = plan_federation(eco, runtime=runtime, metrics=metrics)
    result: dict[str, Any] = {
        "economy": eco.name,
        "unit": eco.labour_unit,
        "value_unit": value_unit,
        "normal_needs": int(np.count_nonzero(~eco.need_essential)),
        "members": eco.total_members() or None,
        "persons": persons,
        "per_week_of": "persons from the table" if persons else "members",
        "baseline_hours": metrics.baseline_hours,
        "regimes": [aut.to_dict(), fed.to_dict(), cen.to_dict()],
        "federation_gap_to_central": (fed.hours - cen.hours) / max(1.0, abs(cen.hours)),
    }
    if failure:
        before = {"autarky": aut, "federation": fed, "central": cen}
        victim = largest_supplier(eco, central.activity)
        result["failure"] = _failure(eco, victim, before, runtime, metrics, missing, solver)
    result["_plans"] = {"federation": fed_plan, "central": central}
    return result


def _failure(
    eco: Economy,
    victim: str,
    before: dict[str, Outcome],
    runtime: str,
    metrics: Metrics,
    missing: str,
    solver: str,
) -> dict[str, Any]:
    """The three regimes again when the council ``victim`` fails (in the federation:
    halfway through its rounds ``before``), and what each lost (JSON-ready)."""
    fed = before["federation"]
    reduced = without(eco, victim)
    gone = eco.process_council == eco.council_index[victim]
    mid = max(1, (fed.rounds or 2) // 2)
    limit = max(100, 3 * (fed.rounds or 0))
    fed_fail, _ = plan_federation(
        eco, runtime=runtime, metrics=metrics, faults={victim: mid}, max_rounds=limit
    )
    after = {
        # the victim's processes at capacity 0, not removed: its good stays an input
        # its region cannot do without (see ``before`` in plan_autarky)
        "autarky": plan_autarky(
            replace(eco, capacity=np.where(gone, 0.0, eco.capacity)),
            metrics,
            missing,
            solver,
            before=(eco, before["autarky"]),
        ),
        "federation": fed_fail,
        "central": plan_central(reduced, metrics, solver),
    }
    return {
        "council": victim,
        "federation_fails_at_round": mid,
        "federation_converged": fed_fail.extra.get("converged"),
        "regimes": [
            {
                "regime": r,
                "hours": after[r].hours,
                "essential_met": after[r].essential_met,
                "normal_met": after[r].normal_met,
                "essential_met_value": after[r].essential_met_value,
                "normal_met_value": after[r].normal_met_value,
                "unmet_needs": after[r].unmet,
                "essential_lost": before[r].essential_met - after[r].essential_met,
                "normal_lost": before[r].normal_met - after[r].normal_met,
                "rounds": after[r].rounds,
            }
            for r in REGIMES
        ],
    }


def compare_with_choice(
    eco: Economy,
    runtime: str = "inprocess",
    failure: bool = True,
    *,
    transport: float = DEFAULT_TRANSPORT,
    transport_sector: str | None = DEFAULT_TRANSPORT_SECTOR,
    keep: int | None = None,
    persons: float | None = None,
    missing: str = "drop",
    solver: str = "auto",
) -> tuple[Economy, dict[str, Any]]:
    """:func:`compare` on :func:`world_with_choice` of ``eco``, with the central plan
    of ``eco`` itself (fixed techniques) as the baseline. Returns the economy with
    choice and the comparison (``baseline_hours``, ``techniques`` added)."""
    base_hours, _, _ = _central(eco, solver)
    world = world_with_choice(eco, transport, transport_sector, keep)
    result = compare(
        world,
        runtime,
        failure,
        persons=persons,
        baseline_hours=base_hours,
        missing=missing,
        solver=solver,
    )
    result["techniques"] = {
        "own": eco.n_processes,
        "borrowed": world.n_processes - eco.n_processes,
        "transport": transport,
        "transport_sector": transport_sector,
        "keep": keep,
    }
    return world, result


def persons_of_table(columns: dict[str, np.ndarray], units: dict[str, str]) -> float | None:
    """Persons engaged from a table's satellite columns (``persons_engaged``, else the
    first column in persons); None where the table has none."""
    names = [c for c, u in units.items() if u == "persons" and c in columns]
    if not names:
        return None
    name = "persons_engaged" if "persons_engaged" in names else names[0]
    total = float(np.sum(columns[name]))
    return total if total > 0 else None
