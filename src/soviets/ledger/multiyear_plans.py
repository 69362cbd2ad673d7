"""Plans over several ledger periods: one stored plan per period, adopted like any plan.

The ledger's economy of each period (:func:`~soviets.ledger.economy.build_economy`:
processes, councils and their hours, the approved needs of that period, the
stocks held now) becomes a :class:`~soviets.economy.MultiYearEconomy`:

* **capital**: a means of production linked to a process *and* to a good of
  the catalogue (``good_id``) is capital of that process: ``quantity`` units
  held give ``quantity x capacity_per_unit`` units of activity a period, so
  the process holds ``1 / capacity_per_unit`` units per unit of activity and
  the plan may invest in more of that good (usable the next period; the
  ledger records no wear, so depreciation is 0). Means of production with no
  good keep giving a fixed capacity, as in one-period plans; a process's
  explicit capacity is kept as a bound. A process running on both kinds
  without an explicit capacity is refused (:class:`Conflict`): the model has
  no capacity that adds to capital.
* goods made and not used are kept for the next period without loss.

Each period's plan is stored as a :class:`~soviets.ledger.models.PlanRecord`
(solver ``highs-multiyear``) with its activity, hours and supply agreements;
``result`` holds the whole multi-period plan and the period's place in it.
Each is adopted by an ``adopt_plan`` proposal, as a one-period plan. The
agreements of period ``t`` share what was kept from period ``t - 1`` among
the councils that had it, in proportion (the rule of :func:`allocate`), and
count investment as a use by the council whose process holds the capital.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.economy import Capital, Economy, MultiYearEconomy, Period, PeriodNeed
from soviets.ledger.economy import build_economy
from soviets.ledger.errors import Conflict, LedgerError, NotAllowed
from soviets.ledger.inventory import get_council
from soviets.ledger.models import Good, PlanRecord, Process, Resource
from soviets.ledger.needs import get_period
from soviets.ledger.plans import _held_matrix, allocate, supply

if TYPE_CHECKING:
    from soviets.planning.multiyear import MultiYearPlan
    from soviets.planning.multiyear_lp import Objective

SOLVER = "highs-multiyear"


def ledger_model(session: Session, periods: list[str], federation_id: int) -> MultiYearEconomy:
    """The multi-period economy of ``periods`` (in this order) for the federation."""
    if not periods:
        raise LedgerError("a multi-period plan needs at least one period")
    if len(set(periods)) != len(periods):
        raise LedgerError("a period is named twice")
    economies = [
        build_economy(session, get_period(session, p).name, federation_id) for p in periods
    ]
    base = economies[0]
    capital, fixed = _capital(session, base)
    processes = [
        replace(p, capacity=fixed[p.name]) if p.name in fixed else p for p in base.process_records()
    ]
    base = Economy.from_records(
        goods=base.goods_records(),
        councils=base.councils,
        processes=processes,
        stocks={g: float(q) for g, q in zip(base.good_names, base.stocks, strict=True) if q},
        name=base.name,
    )
    needs = [
        PeriodNeed(period, n.council, n.good, n.quantity, n.priority)
        for period, eco in zip(periods, economies, strict=True)
        for n in eco.need_records()
    ]
    return MultiYearEconomy.from_records(
        base,
        periods=[Period(p) for p in periods],
        capital=capital,
        needs=needs,
        name=f"ledger {periods[0]}-{periods[-1]}",
    )


def _capital(session: Session, base: Economy) -> tuple[list[Capital], dict[str, float | None]]:
    """Capital pairs from good-linked means of production, and the capacity left to the
    processes that hold them (their explicit capacity, or none)."""
    held_by_process = (
        select(
            Resource.process_id,
            Resource.good_id,
            func.sum(Resource.quantity),
            func.sum(Resource.quantity * Resource.capacity_per_unit),
        )
        .join(Process, Process.id == Resource.process_id)
        .where(
            Resource.kind == "means_of_production",
            Resource.capacity_per_unit.is_not(None),
            Resource.holder_council_id == Process.council_id,
        )
        .group_by(Resource.process_id, Resource.good_id)
    )
    names = dict(session.execute(select(Process.id, Process.name)).all())
    goods = dict(session.execute(select(Good.id, Good.name)).all())
    explicit = dict(session.execute(select(Process.name, Process.capacity)).all())
    capital: list[Capital] = []
    plain: dict[str, float] = {}
    linked: set[str] = set()
    for pid, gid, units, activity in session.execute(held_by_process):
        assert pid is not None  # the join keeps resources held by a process
        process = names[pid]
        if process not in base.process_index:
            continue
        if gid is None:
            plain[process] = plain.get(process, 0.0) + float(activity)
        elif activity > 0:
            linked.add(process)
            capital.append(
                Capital(process, goods[gid], float(units) / float(activity), float(units))
            )
    mixed = sorted(p for p in linked & set(plain) if explicit[p] is None)
    if mixed:
        raise Conflict(
            f"process '{mixed[0]}' runs on means of production with and without a good of the "
            "catalogue; a multi-period plan needs one kind (or an explicit capacity)"
        )
    return capital, {p: explicit[p] for p in linked}


def run_multiyear_plan(
    session: Session, periods: list[str], federation_id: int, objective: Objective | None = None
) -> list[PlanRecord]:
    """Plan ``periods`` together for the federation; store one proposed plan per period.

    ``objective`` is a :class:`soviets.planning.multiyear_lp.Objective` (default
    ``min-hours``).
    """
    from soviets.planning.multiyear import solve

    federation = get_council(session, federation_id)
    if federation.kind != "federation":
        raise NotAllowed(f"council '{federation.name}' is not a federation")
    model = ledger_model(session, periods, federation.id)
    plan = solve(model, objective)
    data = plan.to_dict()
    eco = model.economy
    feasible = plan.status == "optimal"
    held = _held_matrix(session, eco)
    records = []
    for t, name in enumerate(model.period_names):
        mine = model.need_period == t
        period_eco = Economy.from_records(
            goods=eco.goods_records(),
            councils=eco.councils,
            processes=eco.process_records(),
            needs=model.need_records(t),
        )
        allocation = []
        if feasible:
            invested = sp.csr_matrix(
                (
                    plan.investment[t],
                    (model.capital_good, eco.process_council[model.capital_process]),
                ),
                shape=(eco.n_goods, len(eco.councils)),
            )
            allocation = allocate(period_eco, plan.activity[t], plan.need_met[mine], held, invested)
            held = _kept(period_eco, plan.activity[t], held, plan.inventory[t])
        period_data = data["periods"][t]
        record = PlanRecord(
            period_id=get_period(session, name).id,
            federation_id=federation.id,
            status="proposed",
            solver=SOLVER,
            plan_status="optimal" if feasible else "infeasible",
            objective_hours=period_data["hours"] if feasible else None,
            certificate=data["certificate"],
            activity=period_data["activity"] if feasible else {},
            council_hours=period_data["council_hours"] if feasible else {},
            result={**data, "period": name, "period_index": t, **_this_period(plan, t)},
            allocation=allocation,
        )
        session.add(record)
        records.append(record)
    session.flush()
    return records


def _this_period(plan: MultiYearPlan, t: int) -> dict[str, Any]:
    """The one-period figures of period ``t`` under the keys a one-period plan uses
    (``hours_per_member_week``, ``share_of_needs_met``, ``needs_met``), for the plan page."""
    model = plan.model
    mine = model.need_period == t
    asked, met = model.need_quantity[mine], np.nan_to_num(plan.need_met[mine])
    essential = model.need_essential[mine]

    def share(mask: np.ndarray) -> float:
        total = float(asked[mask].sum())
        return float(np.minimum(met[mask], asked[mask]).sum()) / total if total > 0 else 1.0

    by_council: dict[str, dict[str, float]] = {}
    for n, q in zip(model.need_records(t), met, strict=True):
        goods = by_council.setdefault(n.council, {})
        goods[n.good] = goods.get(n.good, 0.0) + float(q)
    members = model.members()[t]
    hours = float(plan.hours[t])
    return {
        "hours_per_member_week": hours / members / 52.0
        if members > 0 and np.isfinite(hours)
        else None,
        "share_of_needs_met": {
            "all": share(np.ones_like(essential)),
            "essential": share(essential),
            "normal": share(~essential),
        },
        "needs_met": by_council,
    }


def _kept(eco: Economy, activity: np.ndarray, held: sp.spmatrix, kept: np.ndarray) -> sp.csr_matrix:
    """Who holds what is kept for the next period: each good's councils in proportion
    to what they had of it this period (made and held)."""
    had = supply(eco, activity, held).toarray()
    total = had.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, had / total, 0.0)
    return sp.csr_matrix(share * kept.reshape(-1, 1))
