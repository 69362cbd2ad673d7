"""Carrying out accepted proposals: one executor (and payload check) per proposal kind.

An executor runs inside the transaction that closes the proposal, in a
savepoint; if it raises, what it wrote is rolled back and the proposal closes
as ``failed`` with the error kept (:mod:`soviets.governance.proposals`). A
payload's shape is checked by its kind's effect model
(:mod:`soviets.governance.effects`) before the kind's validator checks what it
names against the database. The executors of the
council kinds live beside their subject (``councils``, ``delegates``,
``rules``, ``stock``, ``transfers``); those that act on needs, plans and
agreements are here and call the ledger's functions, so that the ledger
never imports governance.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import effects
from soviets.governance.errors import Conflict, InputError
from soviets.ledger import agreements, needs, plans
from soviets.ledger.models import (
    Adaptation,
    Agreement,
    Council,
    Period,
    PlanRecord,
    Proposal,
    Ratification,
    Resource,
)
from soviets.ledger.types import as_utc

Payload = dict[str, Any]
Executor = Callable[[Session, Proposal, Payload, datetime], None]
"""``fn(session, proposal, payload, now)``: carry out the accepted proposal."""
Validator = Callable[[Session, Council, Payload, datetime], Payload]
"""``fn(session, council, payload, now)``: check a payload, return it normalised."""
Ending = Callable[[Session, Proposal, datetime], None]
"""``fn(session, proposal, now)``: what follows when a proposal of a kind ends, any outcome."""


@dataclass(frozen=True)
class KindHandler:
    """What accepting a proposal of one kind does, and how its payload is checked."""

    execute: Executor | None
    validate: Validator | None


_HANDLERS: dict[str, KindHandler] = {}
_ENDINGS: dict[str, Ending] = {}


def register_executor(kind: str, fn: Executor | None, *, validate: Validator | None = None) -> None:
    """Register what an accepted proposal of ``kind`` does (replacing any earlier one)."""
    _HANDLERS[kind] = KindHandler(fn, validate)


def on_end(kind: str, fn: Ending) -> None:
    """Register what follows when a proposal of ``kind`` closes, whatever its outcome."""
    _ENDINGS[kind] = fn


def ended(session: Session, proposal: Proposal, now: datetime) -> None:
    """Run what follows the end of ``proposal`` (closed or withdrawn), if its kind has any."""
    fn = _ENDINGS.get(proposal.kind)
    if fn is not None:
        fn(session, proposal, now)


def validate_payload(
    session: Session, council: Council, kind: str, payload: Payload, now: datetime
) -> Payload:
    """Check the payload of a proposal of ``kind`` in ``council``; the normalised payload.

    Its shape is checked by the kind's effect model
    (:func:`soviets.governance.effects.effect_model`), then what it names by the
    kind's validator against the database.
    """
    shaped = effects.parse_effect(kind, payload).model_dump(exclude_none=True)
    handler = _HANDLERS.get(kind)
    if handler is None or handler.validate is None:
        return shaped
    return handler.validate(session, council, shaped, now)


def execute(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> bool:
    """Carry out an accepted proposal with its (winning option's) payload.

    Returns whether its kind does anything (``general`` does not).
    """
    handler = _HANDLERS.get(proposal.kind)
    if handler is None or handler.execute is None:
        return False
    handler.execute(session, proposal, payload, now)
    return True


# --- payload fields -----------------------------------------------------------------------


def field_time(payload: Payload, key: str) -> datetime:
    """``payload[key]`` (ISO 8601 text; no zone means UTC) as an aware UTC time."""
    value = payload.get(key)
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        raise InputError(
            f"needs a date and time such as 2026-12-31T00:00:00, got {value!r}",
            field=f"payload.{key}",
        ) from None


# --- ledger kinds ------------------------------------------------------------------------


def _check_needs(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.kind != "territorial":
        raise Conflict(f"only a territorial council approves needs; '{council.name}' is not one")
    period = payload["period"]
    if session.scalar(select(Period.id).where(Period.name == period)) is None:
        raise InputError(f"no period named '{period}'", field="payload.period")
    return {"period": period}


def _approve_needs(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    needs.approve_needs(
        session, council_id=proposal.council_id, period=payload["period"], proposal_id=proposal.id
    )


def _check_plan(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    plan_id = payload["plan_id"]
    record = session.get(PlanRecord, plan_id)
    if record is None:
        raise InputError(f"no plan #{plan_id}", field="payload.plan_id")
    if record.federation_id != council.id:
        raise Conflict(f"plan #{plan_id} belongs to another federation than '{council.name}'")
    return {"plan_id": plan_id}


def adapted(session: Session, decision_id: int, field: str) -> dict[int, Any]:
    """Council id -> its local value of ``field`` for a federation decision (adopted by its
    ``adapt_decision`` vote within the decision's bounds)."""
    rows = session.execute(
        select(Adaptation.council_id, Adaptation.value)
        .join(Ratification, Ratification.id == Adaptation.ratification_id)
        .where(Ratification.proposal_id == decision_id, Adaptation.field == field)
    ).all()
    return {int(council_id): json.loads(value) for council_id, value in rows}


def _adopt_plan(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    """Adopt the plan; a council that adapted ``quantity_share`` receives that share of the
    planned quantities under its supply agreements."""
    shares = adapted(session, proposal.id, "quantity_share")
    plans.adopt_plan(
        session, plan_id=payload["plan_id"], proposal_id=proposal.id, receiver_shares=shares
    )


def _check_agreement(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    agreement_id = payload["agreement_id"]
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise InputError(f"no agreement #{agreement_id}", field="payload.agreement_id")
    if council.id not in (agreement.supplier_council_id, agreement.receiver_council_id):
        raise Conflict(f"council '{council.name}' is not a party to agreement #{agreement_id}")
    return {"agreement_id": agreement_id}


def _approve_agreement(
    session: Session, proposal: Proposal, payload: Payload, now: datetime
) -> None:
    agreements.approve(
        session,
        agreement_id=payload["agreement_id"],
        council_id=proposal.council_id,
        proposal_id=proposal.id,
    )


def held_resource(session: Session, council: Council, resource_id: int) -> Resource:
    """The resource a payload names, if the council holds it."""
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise InputError(f"no resource #{resource_id}", field="payload.resource_id")
    if resource.holder_council_id != council.id:
        raise Conflict(f"resource '{resource.name}' is not held by council '{council.name}'")
    return resource


register_executor("general", None)
register_executor("approve_needs", _approve_needs, validate=_check_needs)
register_executor("adopt_plan", _adopt_plan, validate=_check_plan)
register_executor("approve_agreement", _approve_agreement, validate=_check_agreement)
