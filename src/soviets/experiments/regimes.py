"""The same economy planned three ways: autarky, federation, central.

* ``autarky``: each territorial council plans with the workplaces of its own
  region alone (the region of a workplace is the territorial council it
  belongs to through its ``parent`` chain), no agreement crosses a region.
  In a multi-region table goods are region-specific (``CHN.c1``); a region
  in autarky makes its own product of the same sector instead (``DEU.c1``
  for ``CHN.c1``), with the same technology coefficients. Stocks and the
  limits of primary inputs shared by regions are split in proportion to the
  regions' members (equally where members are unknown). What cannot be made
  locally stays unmet: the needs met are maximised first (essential before
  normal, as shares of what was asked), then labour is minimised.
* ``federation``: :func:`soviets.federation.plan_federated`.
* ``central``: the central plan (HiGHS), or the same needs-first LP when not
  every need can be met.

:func:`compare` also measures what is lost when the largest supplier council
(the workplace council with the most hours in the central plan) fails: in
the federation it stops answering half-way through the protocol; autarky and
central plan again without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

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
    return Outcome(regime, hours, _per_week(eco, hours), ess, norm, unmet=unmet, **kw)


# ----------------------------------------------------------- needs-first LP
def needs_first(eco: Economy) -> tuple[np.ndarray, np.ndarray]:
    """Activity and needs met of the plan that meets as much as it can (essential
    needs first, as shares of what was asked), then uses the least labour."""
    n_p, n_k = eco.n_processes, eco.n_needs
    if n_k == 0:
        return np.zeros(n_p), np.zeros(0)
    q = eco.need_quantity
    take = sp.csc_matrix((np.ones(n_k), (eco.need_good, np.arange(n_k))), shape=(eco.n_goods, n_k))
    # goods balance: take - N x <= s ; primary use -N x <= limit
    a_bal = sp.hstack([-eco.net_output, take]).tocsr()
    b_bal = eco.stocks.copy()
    lim = eco.good_primary & np.isfinite(eco.good_limit)
    b_bal[lim] = eco.good_limit[lim] + eco.stocks[lim]
    keep = ~eco.good_primary | lim
    a_ub, b_ub = a_bal[keep], b_bal[keep]
    bounds = [(0, None if not np.isfinite(u) else u) for u in eco.capacity]
    bounds += [(0, float(v)) for v in q]
    weight = np.where(q > 0, 1.0 / np.where(q > 0, q, 1.0), 0.0)
    weight = weight * np.where(eco.need_essential, 1e3, 1.0)
    c1 = np.concatenate([np.zeros(n_p), -weight])
    r1 = linprog(c1, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if r1.status != 0:
        return np.zeros(n_p), np.zeros(n_k)
    best = -r1.fun
    a2 = sp.vstack([a_ub, sp.csr_matrix(c1[None, :])]).tocsr()
    b2 = np.append(b_ub, -best + 1e-7)
    c2 = np.concatenate([eco.labour, np.zeros(n_k)])
    r2 = linprog(c2, A_ub=a2, b_ub=b2, bounds=bounds, method="highs")
    res = r2 if r2.status == 0 else r1
    return res.x[:n_p], res.x[n_p:]


def plan_central(eco: Economy) -> Outcome:
    """The central plan; the needs-first LP where not every need can be met."""
    p: Plan = central_plan(eco, solver="highs")
    if p.status == "optimal":
        return _outcome(
            "central",
            eco,
            p.objective_hours,
            p.need_met,
            extra={"certificate_gap": p.certificate.gap},
        )
    x, met = needs_first(eco)
    return _outcome("central", eco, float(eco.labour @ x), met)


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
    for g in eco.goods_records():
        limit = g.limit
        if limit is not None:
            head = g.name.partition(".")[0]
            limit = limit if head == region else limit * share
        goods.append(Good(g.name, g.unit, g.kind, limit))
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
    hours = 0.0
    for region in regions(eco):
        sub = region_economy(eco, region)
        x, sub_met = needs_first(sub)
        hours += float(sub.labour @ x)
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
    return _outcome("autarky", eco, hours, met)


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
    central = central_plan(eco, solver="highs")
    cen = (
        _outcome(
            "central",
            eco,
            central.objective_hours,
            central.need_met,
            extra={"certificate_gap": central.certificate.gap},
        )
        if central.status == "optimal"
        else plan_central(eco)
    )
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
