"""Federated planning rounds and the plan carried out, in the ledger.

A round's plan is stored like any plan (:class:`PlanRecord`, ``solver``
``federated``), but its supply agreements are the protocol's own (who supplies
whom, how much), created ``proposed`` at once so that both councils can accept
or refuse each before the federation votes on the plan. The protocol's messages
are stored in ``protocol_messages``: one row per agreement (sent by the supplier
to the receiver in the last round) and one summary row from the clerk with the
round's totals (rounds, messages, bytes). The protocol's whole log, every message
its post carried, is kept beside them, one compressed row per plan
(:mod:`soviets.ledger.message_logs`).

A refusal (``agreement_refusals``) becomes a constraint of the next round: the
supplier's output of the good is capped at what it makes in the refused plan
less the refused quantity (plus what the council accepts of it), by capping the
activity of the supplier's processes that make the good
(:func:`refusal_caps`).

The protocol offers the stock of a good held by the federation's councils as one
pooled seller (``stock:<good>``). A draw on it becomes agreements from the councils
that hold the good, in proportion to what each holds (the rule of the central plan's
split, :mod:`soviets.ledger.plans`), so that no council's stock leaves it without an
agreement it can refuse; a holder's refusal caps the stock the next round may draw.

A production record runs a process of a workplace council: it consumes the
process's inputs from the council's stocks, adds its outputs to them (chained
``consume`` and ``produce`` events with the mandate ``production record N``)
and records the hours worked. :func:`plan_against_actual` compares the adopted
plan with the records and deliveries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.ledger import inventory, message_logs
from soviets.ledger.economy import council_tree, held_goods
from soviets.ledger.errors import Conflict, InsufficientQuantity, NotAllowed, NotFound
from soviets.ledger.models import (
    Agreement,
    AgreementAcceptance,
    AgreementRefusal,
    Council,
    Good,
    LedgerEvent,
    Period,
    PlanRecord,
    Process,
    ProductionRecord,
    ProtocolMessage,
    Resource,
)
from soviets.ledger.plans import proposed_agreement, proposed_record
from soviets.ledger.types import utcnow
from soviets.planning.jsonable import json_safe
from soviets.planning.result import Plan

SAME_QUANTITY = 1e-6  # relative: an agreement of a new round equal to an accepted one
STOCK = "stock:"  # the protocol's pooled seller of the stock of a good: ``stock:<good>``


def stock_holders(session: Session, federation_id: int) -> dict[str, dict[str, float]]:
    """Good name -> {council name: quantity held} for the councils of the federation
    (the stocks the ledger's economy pools, :func:`soviets.ledger.economy.held_goods`)."""
    ids = council_tree(session, federation_id)
    names = dict(session.execute(select(Council.id, Council.name)).all())
    goods = dict(session.execute(select(Good.id, Good.name)).all())
    holders: dict[str, dict[str, float]] = defaultdict(dict)
    for (good, council), quantity in sorted(held_goods(session, ids).items()):
        holders[goods[good]][names[council]] = quantity
    return dict(holders)


def _share_of(holders: dict[str, float], held_by: str) -> float:
    """The part of a pooled stock that ``held_by`` holds (0 when it holds none)."""
    total = sum(holders.values())
    return holders.get(held_by, 0.0) / total if total > 0 else 0.0


def own_agreements(result: Plan, holders: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The protocol's agreements of ``result`` between councils, a draw on a pooled stock
    shared among the councils that hold the good (``holders``), summed per supplier,
    receiver and good (a council's use of its own output or stock needs none), sorted."""
    total: dict[tuple[str, str, str], float] = defaultdict(float)
    for item in result.extra.get("agreements", []):
        supplier, receiver, good = item["supplier"], item["receiver"], item["good"]
        quantity = float(item["quantity"])
        if supplier.startswith(STOCK):
            held = holders.get(good, {})
            shares = {holder: quantity * _share_of(held, holder) for holder in held}
        else:
            shares = {supplier: quantity}
        for giver, q in shares.items():
            if giver != receiver and q > 0:
                total[(giver, receiver, good)] += q
    return [
        {"supplier": s, "receiver": r, "good": g, "quantity": q}
        for (s, r, g), q in sorted(total.items())
    ]


def store_round(
    session: Session,
    period: Period,
    federation: Council,
    result: Plan,
    *,
    replaces: PlanRecord | None = None,
    caps: dict[str, float] | None = None,
    refusals: list[dict[str, Any]] | None = None,
) -> PlanRecord:
    """Store a federated round's plan, its messages (the log the planner put in
    ``result.extra["message_log"]`` too) and its agreements (``proposed``).

    An agreement equal (same councils, good and quantity within a relative 1e-6)
    to one both councils accepted in ``replaces`` keeps those acceptances.
    """
    data = json_safe(result.to_dict())
    log = data.pop(message_logs.LOG_KEY, None)
    data["round"] = {
        "replaces": replaces.id if replaces is not None else None,
        "caps": dict(sorted((caps or {}).items())),
        "refusals": refusals or [],
    }
    feasible = result.status != "infeasible"
    ids = dict(session.execute(select(Council.name, Council.id)).all())
    holders = stock_holders(session, federation.id)
    # a primary input's steward is no council: drawing on a limit needs no agreement
    own = [
        a
        for a in (own_agreements(result, holders) if feasible else [])
        if a["supplier"] in ids and a["receiver"] in ids
    ]
    record = proposed_record(period.id, federation.id, result, data, own)
    session.add(record)
    session.flush()
    protocol = data.get("protocol") or {}
    session.add_all(_round_messages(record, federation, own, protocol))
    if isinstance(log, bytes):
        message_logs.store(session, record.id, log, int(protocol.get("bytes") or 0))
    goods = dict(session.execute(select(Good.name, Good.id)).all())
    kept = _accepted(session, replaces) if replaces is not None else {}
    for item in own:
        agreement = proposed_agreement(record, item, ids, goods)
        session.add(agreement)
        session.flush()
        _keep_acceptances(session, agreement, kept)
    session.flush()
    return record


def _round_messages(
    record: PlanRecord, federation: Council, own: list[dict[str, Any]], protocol: dict[str, Any]
) -> list[ProtocolMessage]:
    """The round's messages as stored: one per agreement, from the supplier to the
    receiver in the last round, and the clerk's summary of the round's totals."""
    last = int(protocol.get("rounds") or 0)
    rows = [
        ProtocolMessage(
            plan_id=record.id,
            round=last,
            sender=a["supplier"],
            receiver=a["receiver"],
            kind="agreement",
            size=len(json.dumps(a).encode()),
            count=1,
            body=a,
        )
        for a in own
    ]
    summary = {
        k: protocol.get(k)
        for k in ("rounds", "messages", "bytes", "runtime", "converged", "gap", "shards")
    }
    rows.append(
        ProtocolMessage(
            plan_id=record.id,
            round=last,
            sender="clerk",
            receiver=federation.name,
            kind="summary",
            size=int(protocol.get("bytes") or 0),
            count=max(1, int(protocol.get("messages") or 1)),
            body=summary,
        )
    )
    return rows


def _keep_acceptances(
    session: Session,
    agreement: Agreement,
    kept: dict[tuple[int, int, int], tuple[float, list[AgreementAcceptance]]],
) -> None:
    """Where ``kept`` (the accepted agreements of the round replaced) has one between the
    same councils for the same good and the same quantity (within ``SAME_QUANTITY``),
    copy its acceptances to ``agreement`` and mark it accepted."""
    key = (agreement.supplier_council_id, agreement.receiver_council_id, agreement.good_id)
    before = kept.get(key)
    tolerance = SAME_QUANTITY * max(1.0, agreement.quantity)
    if before is None or not abs(before[0] - agreement.quantity) <= tolerance:
        return
    for consent in before[1]:
        session.add(
            AgreementAcceptance(
                agreement_id=agreement.id,
                council_id=consent.council_id,
                actor_id=consent.actor_id,
                proposal_id=consent.proposal_id,
                accepted_at=consent.accepted_at,
            )
        )
    agreement.status = "accepted"


def _accepted(
    session: Session, record: PlanRecord
) -> dict[tuple[int, int, int], tuple[float, list[AgreementAcceptance]]]:
    found = {}
    for agreement in session.scalars(
        select(Agreement).where(Agreement.plan_id == record.id, Agreement.status == "accepted")
    ):
        consents = list(
            session.scalars(
                select(AgreementAcceptance).where(AgreementAcceptance.agreement_id == agreement.id)
            )
        )
        key = (agreement.supplier_council_id, agreement.receiver_council_id, agreement.good_id)
        found[key] = (agreement.quantity, consents)
    return found


def messages(
    session: Session, plan_id: int, council_name: str | None = None
) -> list[ProtocolMessage]:
    """The round's recorded messages; with ``council_name`` only those it sent or received
    and the clerk's summary."""
    stmt = select(ProtocolMessage).where(ProtocolMessage.plan_id == plan_id)
    if council_name is not None:
        stmt = stmt.where(
            (ProtocolMessage.sender == council_name)
            | (ProtocolMessage.receiver == council_name)
            | (ProtocolMessage.kind == "summary")
        )
    return list(session.scalars(stmt.order_by(ProtocolMessage.id)))


# --- refusals ---------------------------------------------------------------------------


def refuse(
    session: Session,
    *,
    agreement_id: int,
    council_id: int,
    actor_id: int,
    accepted_quantity: float = 0.0,
    reason: str = "",
) -> AgreementRefusal:
    """A council refuses a proposed agreement (supplier or receiver); it may name the
    part it would accept (``accepted_quantity``, from 0 to the agreed quantity)."""
    agreement = session.get(Agreement, agreement_id, with_for_update=True)
    if agreement is None:
        raise NotFound(f"no agreement with id {agreement_id}")
    if council_id not in (agreement.supplier_council_id, agreement.receiver_council_id):
        raise NotAllowed(f"council {council_id} is not a party to agreement {agreement_id}")
    if agreement.status != "proposed":
        raise Conflict(
            f"agreement {agreement_id} is {agreement.status}: it can no longer be refused"
        )
    if session.get(AgreementAcceptance, (agreement_id, council_id)) is not None:
        raise Conflict(f"council {council_id} has already accepted agreement {agreement_id}")
    if session.get(AgreementRefusal, (agreement_id, council_id)) is not None:
        raise Conflict(f"council {council_id} has already refused agreement {agreement_id}")
    if not (0.0 <= accepted_quantity < agreement.quantity):
        raise InputError(
            f"the accepted part must be from 0 to less than the agreed {agreement.quantity:g}, "
            f"not {accepted_quantity:g}",
            field="accepted_quantity",
        )
    refusal = AgreementRefusal(
        agreement_id=agreement_id,
        council_id=council_id,
        actor_id=actor_id,
        accepted_quantity=accepted_quantity,
        reason=reason.strip()[:2000],
        refused_at=utcnow(),
    )
    session.add(refusal)
    session.flush()
    return refusal


def refusals_of(session: Session, plan_id: int) -> list[tuple[Agreement, AgreementRefusal]]:
    """The refused agreements of a plan with their refusals, by agreement."""
    rows = session.execute(
        select(Agreement, AgreementRefusal)
        .join(AgreementRefusal, AgreementRefusal.agreement_id == Agreement.id)
        .where(Agreement.plan_id == plan_id)
        .order_by(Agreement.id, AgreementRefusal.council_id)
    ).all()
    return [(a, r) for a, r in rows]


def refusal_caps(
    economy: Economy,
    record: PlanRecord,
    refused: list[tuple[str, str, float]],
    holders: dict[str, dict[str, float]],
) -> dict[str, float]:
    """The caps that carry out the refusals ``(supplier, good, quantity refused)`` of the
    plan ``record``. The supplier's part of the good in that plan is what its processes
    made plus its share of the draw on the stock (``holders``, as in
    :func:`own_agreements`); the refusal is split between the two in that proportion.
    Process name -> capacity: each process of the supplier making the good runs at most
    at its planned activity times ``1 - refused made / made``; ``stock:<good>`` -> the
    most the next round may draw on the stock of the good: the planned draw less the
    refused part of it."""
    activity = np.array([float(record.activity.get(p, 0.0)) for p in economy.process_names])
    out = economy.outputs.tocsr()
    drawn: dict[str, float] = defaultdict(float)
    for item in record.result.get("agreements", []):
        if item["supplier"].startswith(STOCK):
            drawn[item["good"]] += float(item["quantity"])
    caps: dict[str, float] = {}
    for supplier, good, quantity in refused:
        c = economy.council_index[supplier]
        g = economy.good_index[good]
        mine = economy.process_council == c
        made = float((out[g].toarray().ravel() * activity * mine).sum())
        from_stock = drawn[good] * _share_of(holders.get(good, {}), supplier)
        if made + from_stock <= 0:
            continue
        cut_made = quantity * made / (made + from_stock)
        if made > 0:
            share = max(0.0, 1.0 - cut_made / made)
            for p in np.flatnonzero(out[g].toarray().ravel() * mine > 0):
                name = economy.process_names[p]
                caps[name] = min(caps.get(name, np.inf), float(activity[p] * share))
        if from_stock > 0:
            key = STOCK + good
            left = max(0.0, drawn[good] - (quantity - cut_made))
            caps[key] = min(caps.get(key, np.inf), left)
    return caps


def with_caps(economy: Economy, caps: dict[str, float]) -> Economy:
    """The economy with these caps (the smaller of the two where one is set): process
    capacities by process name, the stock of a good by ``stock:<good>``."""
    capacity = economy.capacity.copy()
    stocks = economy.stocks.astype(float).copy()
    for name, cap in caps.items():
        p = economy.process_index.get(name)
        if p is not None:
            capacity[p] = min(capacity[p], cap)
        elif name.startswith(STOCK) and name[len(STOCK) :] in economy.good_index:
            g = economy.good_index[name[len(STOCK) :]]
            stocks[g] = min(stocks[g], cap)
    return replace(economy, capacity=capacity, stocks=stocks)


# --- production ---------------------------------------------------------------------------


def record_production(
    session: Session, *, process_id: int, period: Period, activity: float, actor_id: int
) -> ProductionRecord:
    """Run ``activity`` units of a process: take its inputs from the council's stocks
    (refused, and nothing written, when a stock is short), add its outputs, record hours."""
    if not (np.isfinite(activity) and activity > 0):
        raise InputError(f"activity must be a number > 0, got {activity}", field="activity")
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"no process with id {process_id}")
    council = process.council_id
    flows = {f.good.name: f.quantity * activity for f in process.flows}
    kinds = {f.good.name: f.good for f in process.flows}
    for name, q in flows.items():
        if q < 0 and kinds[name].kind == "produced":
            have = _stock(session, council, kinds[name].id)
            if have < -q * (1 - 1e-12):
                raise InsufficientQuantity(
                    f"process '{process.name}' needs {-q:g} {kinds[name].unit} of '{name}' "
                    f"but its council holds {have:g}"
                )
    record = ProductionRecord(
        period_id=period.id,
        council_id=council,
        process_id=process.id,
        actor_id=actor_id,
        activity=activity,
        hours=process.labour * activity,
        flows=flows,
        recorded_at=utcnow(),
    )
    session.add(record)
    session.flush()
    mandate = f"production record {record.id}"
    for name, q in flows.items():
        good = kinds[name]
        if good.kind != "produced" or q == 0:
            continue
        if q < 0:
            left = -q
            for resource in _stocks(session, council, good.id):
                take = min(left, resource.quantity)
                if take > 0:
                    inventory.record(
                        session,
                        "consume",
                        resource_id=resource.id,
                        quantity=take,
                        actor_id=actor_id,
                        mandate=mandate,
                    )
                    left -= take
                if left <= 0:
                    break
        else:
            stocks = _stocks(session, council, good.id)
            target = (
                stocks[0]
                if stocks
                else inventory.create_resource(
                    session,
                    name=name,
                    kind="consumer_good",
                    holder_council_id=council,
                    unit=good.unit,
                    good_id=good.id,
                )
            )
            inventory.record(
                session,
                "produce",
                resource_id=target.id,
                quantity=q,
                actor_id=actor_id,
                mandate=mandate,
            )
    return record


def _stocks(session: Session, council_id: int, good_id: int) -> list[Resource]:
    return list(
        session.scalars(
            select(Resource)
            .where(
                Resource.holder_council_id == council_id,
                Resource.good_id == good_id,
                Resource.kind == "consumer_good",
            )
            .order_by(Resource.quantity.desc(), Resource.id)
        )
    )


def _stock(session: Session, council_id: int, good_id: int) -> float:
    return float(sum(r.quantity for r in _stocks(session, council_id, good_id)))


# --- plan against actual ------------------------------------------------------------------


@dataclass(frozen=True)
class Actual:
    """Plan against actual for one line: per council (hours), council and good, or
    agreement (``what`` says which; ``unit`` the unit of both numbers)."""

    what: str
    council: str
    good: str
    agreement_id: int | None
    unit: str
    planned: float
    actual: float

    @property
    def short(self) -> float:
        """How much is missing (0 when the actual reached the plan)."""
        return max(0.0, self.planned - self.actual)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "short": self.short}


def plan_against_actual(session: Session, record: PlanRecord) -> list[Actual]:
    """Planned against recorded hours and output of every workplace council of the plan,
    and agreed against delivered for each of its agreements."""
    names = dict(session.execute(select(Council.id, Council.name)).all())
    by_name = {v: k for k, v in names.items()}
    units = dict(session.execute(select(Good.name, Good.unit)).all())
    processes = {p.name: p for p in session.scalars(select(Process))}
    planned_out: dict[tuple[str, str], float] = defaultdict(float)
    for pname, a in record.activity.items():
        p = processes.get(pname)
        if p is None or not a:
            continue
        for f in p.flows:
            if f.quantity > 0:
                planned_out[(names[p.council_id], f.good.name)] += f.quantity * float(a)
    actual_hours: dict[str, float] = defaultdict(float)
    actual_out: dict[tuple[str, str], float] = defaultdict(float)
    for prod in session.scalars(
        select(ProductionRecord).where(ProductionRecord.period_id == record.period_id)
    ):
        council = names[prod.council_id]
        actual_hours[council] += prod.hours
        for good, q in prod.flows.items():
            if q > 0:
                actual_out[(council, good)] += q
    rows = [
        Actual("hours", c, "", None, "hours", float(h or 0.0), actual_hours.get(c, 0.0))
        for c, h in sorted(record.council_hours.items())
        if c in by_name
    ]
    for council, good in sorted(set(planned_out) | set(actual_out)):
        rows.append(
            Actual(
                "output",
                council,
                good,
                None,
                units.get(good, ""),
                planned_out.get((council, good), 0.0),
                actual_out.get((council, good), 0.0),
            )
        )
    sums = dict(
        session.execute(
            select(LedgerEvent.agreement_id, func.sum(LedgerEvent.quantity))
            .join(Agreement, Agreement.id == LedgerEvent.agreement_id)
            .where(Agreement.plan_id == record.id, LedgerEvent.action == "transfer")
            .group_by(LedgerEvent.agreement_id)
        ).all()
    )
    for agreement, item in session.execute(
        select(Agreement, Good)
        .join(Good, Good.id == Agreement.good_id)
        .where(Agreement.plan_id == record.id)
        .order_by(Agreement.id)
    ).all():
        pair = f"{names[agreement.supplier_council_id]} -> {names[agreement.receiver_council_id]}"
        rows.append(
            Actual(
                "delivery",
                pair,
                item.name,
                agreement.id,
                item.unit,
                agreement.quantity,
                float(sums.get(agreement.id) or 0.0),
            )
        )
    return rows


# --- revision of the rest of a period -----------------------------------------------------


def revision_chain(session: Session, record: PlanRecord) -> list[PlanRecord]:
    """The plan and the plans it revises, latest first (``revises_plan_id`` links)."""
    chain = [record]
    while chain[-1].revises_plan_id is not None:
        earlier = session.get(PlanRecord, chain[-1].revises_plan_id)
        if earlier is None or earlier in chain:
            break
        chain.append(earlier)
    return chain


def delivered_to(session: Session, plan_ids: list[int]) -> dict[tuple[str, str], float]:
    """What each receiver council got of each good under these plans' agreements (recorded
    ``transfer`` events): {(council name, good name): quantity}."""
    rows = session.execute(
        select(Council.name, Good.name, func.sum(LedgerEvent.quantity))
        .select_from(LedgerEvent)
        .join(Agreement, Agreement.id == LedgerEvent.agreement_id)
        .join(Council, Council.id == Agreement.receiver_council_id)
        .join(Good, Good.id == Agreement.good_id)
        .where(Agreement.plan_id.in_(plan_ids), LedgerEvent.action == "transfer")
        .group_by(Council.name, Good.name)
    ).all()
    return {(c, g): float(q or 0.0) for c, g, q in rows}


def rest_of_period(
    session: Session, economy: Economy, record: PlanRecord
) -> tuple[Economy, list[dict[str, Any]]]:
    """The economy of the rest of ``record``'s period: the needs less what was delivered
    under it and the plans it revises (:func:`remaining_economy`), and each council's hour
    budget less the hours recorded this period by the workplaces under it
    (:func:`hours_left`). Returns the economy and the needs' lines."""
    chain = [r.id for r in revision_chain(session, record)]
    rest, lines = remaining_economy(economy, delivered_to(session, chain))
    worked: dict[str, float] = defaultdict(float)
    for council, hours in session.execute(
        select(Council.name, ProductionRecord.hours)
        .join(Council, Council.id == ProductionRecord.council_id)
        .where(ProductionRecord.period_id == record.period_id)
    ):
        worked[council] += float(hours)
    return hours_left(rest, worked), lines


def hours_left(economy: Economy, worked: dict[str, float]) -> Economy:
    """``economy`` with each council's hour budget less the hours ``worked`` (council name
    -> hours) by it and the councils below it, never below zero."""
    budget = economy.council_hours.copy()
    for name, hours in worked.items():
        seen: set[str] = set()
        at: str | None = name
        while at is not None and at in economy.council_index and at not in seen:
            seen.add(at)
            budget[economy.council_index[at]] -= hours
            at = economy.councils[economy.council_index[at]].parent
    councils = [
        replace(council, hours_available=None if np.isnan(h) else max(0.0, float(h)))
        for council, h in zip(economy.councils, budget, strict=True)
    ]
    return replace(economy, councils=councils)


def remaining_economy(
    economy: Economy, delivered: dict[tuple[str, str], float]
) -> tuple[Economy, list[dict[str, Any]]]:
    """The economy of the rest of a period: each council's needs of a good less what was
    delivered to it (essential needs met first), and the delivered goods that met needs
    taken out of the stocks (they are spoken for). Returns the economy and, per council
    and good, the need, what was delivered against it and what remains."""
    quantity = economy.need_quantity.astype(float).copy()
    stocks = economy.stocks.astype(float).copy()
    names = [c.name for c in economy.councils]
    lines = []
    for (council, good), got in sorted(delivered.items()):
        c = economy.council_index.get(council)
        g = economy.good_index.get(good)
        if c is None or g is None or got <= 0:
            continue
        mine = np.flatnonzero((economy.need_council == c) & (economy.need_good == g))
        if mine.size == 0:
            continue  # an input of a workplace: it stays in its stock for production
        need = float(quantity[mine].sum())
        left = got
        for n in sorted(mine, key=lambda n: not economy.need_essential[n]):
            take = min(left, quantity[n])
            quantity[n] -= take
            left -= take
        used = got - left
        stocks[g] -= min(used, stocks[g])
        lines.append(
            {
                "council": names[c],
                "good": good,
                "unit": economy.good_units[g],
                "need": need,
                "delivered": got,
                "remaining": need - used,
            }
        )
    return replace(economy, need_quantity=quantity, stocks=stocks), lines
