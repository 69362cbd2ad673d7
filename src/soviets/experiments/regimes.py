"""The same economy planned three ways: autarky, federation, central.

* ``autarky``: each territorial council plans with the workplaces of its own
  region alone (the region of a workplace is the territorial council it
  belongs to through its ``parent`` chain), no agreement crosses a region.
  In a multi-region table goods are region-specific (``CHN.c1``); a region
  in autarky makes its own product of the same sector instead (``DEU.c1``
  for ``CHN.c1``), with the same technology coefficients. Stocks and the
  limits of primary inputs shared by regions are split in proportion to the
  regions' members (equally where members are unknown). What cannot be made
  locally stays unmet: each region gets the central planner's plan for its
  own economy, or, where no plan meets every need, the planner's best
  partial plan (least shortfall relative to what was asked, summed over
  goods; then least labour; essential needs served first from what is made).
* ``federation``: :func:`soviets.federation.plan_federated`.
* ``central``: the central plan (HiGHS), or its best partial plan when not
  every need can be met (the same rule as in autarky).

:func:`compare` also measures what is lost when the largest supplier council
(the workplace council with the most hours in the central plan) fails: in
the federation it stops answering half-way through the protocol; autarky and
central plan again without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.federation import plan_federated
from soviets.federation.directory import region_of
from soviets.planning import plan as central_plan
from soviets.planning.result import Plan

REGIMES = ("autarky", "federation", "central")


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
    extra: dict[str, Any] = field(default_factory=dict)
    #: quantity delivered per need and activity per process of ``eco`` (not in ``to_dict``)
    met: np.ndarray | None = field(default=None, repr=False)
    activity: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "hours": self.hours,
            "hours_per_member_week": self.hours_per_member_week,
            "essential_met": self.essential_met,
            "normal_met": self.normal_met,
            "rounds": self.rounds,
            "messages": self.messages,
            "bytes": self.bytes,
            "unmet_needs": self.unmet,
            **self.extra,
        }


def _per_week(eco: Economy, hours: float) -> float | None:
    members = eco.total_members()
    return hours / members / 52.0 if members > 0 else None


def met_shares(eco: Economy, met: np.ndarray) -> tuple[float, float]:
    """Average share met of the essential and of the normal needs (each need
    counts once, whatever its unit)."""
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


def _outcome(regime: str, eco: Economy, hours: float, met: np.ndarray, **kw: Any) -> Outcome:
    ess, norm = met_shares(eco, met)
    unmet = int(np.sum(met < eco.need_quantity * (1 - 1e-6)))
    return Outcome(regime, hours, _per_week(eco, hours), ess, norm, unmet=unmet, met=met, **kw)


# ------------------------------------------------------------------ central
def _central(eco: Economy) -> tuple[float, np.ndarray, Plan]:
    """Hours, needs met and the plan of the central planner (HiGHS) on ``eco``.

    Where no plan meets every need this is the planner's best partial plan
    (:func:`soviets.planning.central.diagnose`: least relative shortfall,
    then least hours), the one rule for "as much as can be met".
    """
    p: Plan = central_plan(eco, solver="highs")
    hours = p.objective_hours if p.status == "optimal" else float(eco.labour @ p.activity)
    return hours, p.need_met, p


def _central_outcome(eco: Economy, hours: float, met: np.ndarray, p: Plan) -> Outcome:
    extra = {"certificate_gap": p.certificate.gap} if p.status == "optimal" else {}
    return _outcome("central", eco, hours, met, extra=extra, activity=p.activity)


def plan_central(eco: Economy) -> Outcome:
    """The central plan, or the planner's best partial plan where not every need can be met."""
    return _central_outcome(eco, *_central(eco))


# ------------------------------------------------------------------ autarky
def regions(eco: Economy) -> list[str]:
    """Territorial councils (the regions)."""
    return [c.name for c in eco.councils if c.kind == "territorial"]


def _local_good(name: str, region: str, known: set[str], region_names: set[str]) -> str:
    head, dot, tail = name.partition(".")
    if dot and head in region_names and head != region and f"{region}.{tail}" in known:
        return f"{region}.{tail}"
    return name


def region_economy(eco: Economy, region: str) -> Economy:
    """The economy of one region alone (see the module docstring)."""
    where = region_of(eco)
    names = set(regions(eco))
    known = set(eco.good_names)
    members = eco.council_members
    terr = [i for i, c in enumerate(eco.councils) if c.kind == "territorial"]
    total = float(sum(members[i] for i in terr))
    me = eco.council_index[region]
    share = members[me] / total if total > 0 else 1.0 / max(1, len(terr))
    councils = [c for i, c in enumerate(eco.councils) if where[i] == region]
    councils = [Council(c.name, c.kind, None, c.members, c.hours_available) for c in councils]
    keep = {c.name for c in councils}
    procs = []
    for p in eco.process_records():
        if p.council not in keep:
            continue
        flows: dict[str, float] = {}
        for g, q in p.flows.items():
            local = _local_good(g, region, known, names)
            flows[local] = flows.get(local, 0.0) + q
        procs.append(Process(p.name, p.council, p.labour, flows, p.capacity))
    needs: dict[tuple[str, str], float] = {}
    for n in eco.need_records():
        if n.council == region:
            key = (_local_good(n.good, region, known, names), n.priority)
            needs[key] = needs.get(key, 0.0) + n.quantity
    goods = []
    for good in eco.goods_records():
        limit = good.limit
        if limit is not None:
            head = good.name.partition(".")[0]
            limit = limit if head == region else limit * share
        goods.append(Good(good.name, good.unit, good.kind, limit))
    stocks: dict[str, float] = {}
    for g, s in zip(eco.good_names, eco.stocks, strict=True):
        if s > 0:
            head = g.partition(".")[0]
            if head in names:
                if head == region:
                    stocks[g] = float(s)
            else:
                stocks[g] = float(s) * share
    return Economy.from_records(
        goods=goods,
        councils=councils,
        processes=procs,
        needs=[Need(region, g, q, pr) for (g, pr), q in needs.items()],
        stocks=stocks,
        name=f"{eco.name}:{region}",
    )


def plan_autarky(eco: Economy) -> Outcome:
    """Every region alone; hours and needs met summed over regions."""
    met = np.zeros(eco.n_needs)
    activity = np.zeros(eco.n_processes)
    hours = 0.0
    for region in regions(eco):
        sub = region_economy(eco, region)
        sub_hours, sub_met, sub_plan = _central(sub)
        hours += sub_hours
        activity[[eco.process_index[n] for n in sub.process_names]] += sub_plan.activity
        got = {
            (sub.good_names[g], bool(e)): float(q)
            for g, e, q in zip(sub.need_good, sub.need_essential, sub_met, strict=True)
        }
        asked = {
            (sub.good_names[g], bool(e)): float(q)
            for g, e, q in zip(sub.need_good, sub.need_essential, sub.need_quantity, strict=True)
        }
        me = eco.council_index[region]
        known = set(eco.good_names)
        names = set(regions(eco))
        for k in np.flatnonzero(eco.need_council == me):
            key = (
                _local_good(eco.good_names[eco.need_good[k]], region, known, names),
                bool(eco.need_essential[k]),
            )
            ratio = got.get(key, 0.0) / asked[key] if asked.get(key, 0.0) > 0 else 1.0
            met[k] = eco.need_quantity[k] * min(1.0, ratio)
    return _outcome("autarky", eco, hours, met, activity=activity)


# --------------------------------------------------------------- federation
def plan_federation(eco: Economy, runtime: str = "inprocess", **kw: Any) -> tuple[Outcome, Plan]:
    """The federated plan and its outcome."""
    p = plan_federated(eco, runtime=runtime, **kw)
    proto = p.extra["protocol"]
    out = _outcome(
        "federation",
        eco,
        p.objective_hours,
        p.need_met,
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
    procs = [p for p in eco.process_records() if p.council != council]
    return Economy.from_records(
        goods=eco.goods_records(),
        councils=[c for c in eco.councils if c.name != council],
        processes=procs,
        needs=eco.need_records(),
        stocks={g: float(s) for g, s in zip(eco.good_names, eco.stocks, strict=True) if s > 0},
        name=eco.name,
    )


def compare(eco: Economy, runtime: str = "inprocess", failure: bool = True) -> dict[str, Any]:
    """Plan ``eco`` under the three regimes; with ``failure``, again when the
    largest supplier council fails. Returns JSON-ready data and the plans."""
    hours, met, central = _central(eco)
    cen = _central_outcome(eco, hours, met, central)
    aut = plan_autarky(eco)
    fed, fed_plan = plan_federation(eco, runtime=runtime)
    result: dict[str, Any] = {
        "economy": eco.name,
        "unit": eco.labour_unit,
        "normal_needs": int(np.count_nonzero(~eco.need_essential)),
        "members": eco.total_members() or None,
        "regimes": [aut.to_dict(), fed.to_dict(), cen.to_dict()],
        "federation_gap_to_central": (fed.hours - cen.hours) / max(1.0, abs(cen.hours)),
    }
    if failure:
        victim = largest_supplier(eco, central.activity)
        reduced = without(eco, victim)
        mid = max(1, (fed.rounds or 2) // 2)
        limit = max(100, 3 * (fed.rounds or 0))
        fed_fail, _ = plan_federation(eco, runtime=runtime, faults={victim: mid}, max_rounds=limit)
        after = {
            "autarky": plan_autarky(reduced),
            "federation": fed_fail,
            "central": plan_central(reduced),
        }
        before = {"autarky": aut, "federation": fed, "central": cen}
        result["failure"] = {
            "council": victim,
            "federation_fails_at_round": mid,
            "federation_converged": fed_fail.extra.get("converged"),
            "regimes": [
                {
                    "regime": r,
                    "hours": after[r].hours,
                    "essential_met": after[r].essential_met,
                    "normal_met": after[r].normal_met,
                    "unmet_needs": after[r].unmet,
                    "essential_lost": before[r].essential_met - after[r].essential_met,
                    "normal_lost": before[r].normal_met - after[r].normal_met,
                    "rounds": after[r].rounds,
                }
                for r in REGIMES
            ],
        }
    result["_plans"] = {"federation": fed_plan, "central": central}
    return result
