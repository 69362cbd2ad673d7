"""Periods and needs: members register needs; the territorial council approves them by vote.

A need is ``proposed`` when registered, ``approved`` by the council's vote, or
``withdrawn`` by the member who registered it while it was still proposed.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soviets.ledger.db import rowcount
from soviets.ledger.errors import Conflict, LedgerError, NotAllowed, NotFound
from soviets.ledger.inventory import get_council
from soviets.ledger.models import Membership, Need, Period
from soviets.ledger.processes import get_good
from soviets.ledger.types import utcnow


def create_period(session: Session, *, name: str, starts_on: date, ends_on: date) -> Period:
    """Create a planning period (its last day ``ends_on`` decides what is late)."""
    if ends_on < starts_on:
        raise LedgerError(f"period '{name}' ends before it starts")
    if session.scalar(select(Period.id).where(Period.name == name)):
        raise Conflict(f"a period named '{name}' already exists")
    period = Period(name=name, starts_on=starts_on, ends_on=ends_on)
    session.add(period)
    session.flush()
    return period


def get_period(session: Session, name: str) -> Period:
    """The period of this name, or :class:`NotFound`."""
    period = session.scalar(select(Period).where(Period.name == name))
    if period is None:
        raise NotFound(f"no period named '{name}'")
    return period


def is_member(session: Session, person_id: int, council_id: int) -> bool:
    """True when the person is a current member of the council."""
    return (
        session.scalar(
            select(Membership.id).where(
                Membership.person_id == person_id,
                Membership.council_id == council_id,
                Membership.left_at.is_(None),
            )
        )
        is not None
    )


def register_need(
    session: Session,
    *,
    council_id: int,
    period: str,
    good: str,
    quantity: float,
    priority: str = "essential",
    person_id: int | None = None,
) -> Need:
    """Register a need of a territorial council (by one of its members, when given)."""
    council = get_council(session, council_id)
    if council.kind != "territorial":
        raise NotAllowed(f"council '{council.name}' is not a territorial council")
    if person_id is not None and not is_member(session, person_id, council.id):
        raise NotAllowed(f"person {person_id} is not a member of council '{council.name}'")
    if priority not in ("essential", "normal"):
        raise LedgerError(f"priority must be essential or normal, got '{priority}'")
    if not (math.isfinite(quantity) and quantity > 0):
        raise LedgerError(f"quantity must be a number > 0, got {quantity}")
    item = get_good(session, good)
    if item.kind == "primary":
        raise LedgerError(f"'{good}' is a primary input and cannot be needed")
    need = Need(
        period_id=get_period(session, period).id,
        council_id=council.id,
        person_id=person_id,
        good_id=item.id,
        quantity=quantity,
        priority=priority,
    )
    session.add(need)
    session.flush()
    return need


def withdraw_need(
    session: Session, *, need_id: int, person_id: int, now: datetime | None = None
) -> Need:
    """The member who registered a need takes it back, while it is still ``proposed``.

    The need is kept, marked ``withdrawn``, and no vote approves it any more.
    The change is one conditional UPDATE, so it cannot slip past a concurrent
    approval: whichever commits first wins, and the other sees the new status.
    """
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound(f"no need #{need_id}")
    council = get_council(session, need.council_id)
    if need.person_id != person_id:
        raise NotAllowed(f"only the member who registered need #{need_id} may withdraw it")
    if not is_member(session, person_id, council.id):
        raise NotAllowed(f"person {person_id} is not a member of council '{council.name}'")
    result = session.execute(
        update(Need)
        .where(Need.id == need_id, Need.status == "proposed")
        .values(status="withdrawn", withdrawn_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(need)
    if rowcount(result) != 1:
        raise Conflict(f"need #{need_id} is {need.status}: only a proposed need can be withdrawn")
    return need


def approve_needs(session: Session, *, council_id: int, period: str, proposal_id: int) -> int:
    """Mark the council's proposed needs of the period approved (its vote passed).

    Returns how many needs were approved.
    """
    council = get_council(session, council_id)
    if council.kind != "territorial":
        raise NotAllowed(f"council '{council.name}' is not a territorial council")
    result = session.execute(
        update(Need)
        .where(
            Need.council_id == council.id,
            Need.period_id == get_period(session, period).id,
            Need.status == "proposed",
        )
        .values(status="approved", approved_at=utcnow(), proposal_id=proposal_id)
        .execution_options(synchronize_session="fetch")
    )
    return int(rowcount(result))


def needs_of(
    session: Session, *, period: str, council_id: int | None = None, status: str | None = None
) -> list[Need]:
    """Needs of a period (of one council, of one status), in registration order."""
    stmt = select(Need).where(Need.period_id == get_period(session, period).id).order_by(Need.id)
    if council_id is not None:
        stmt = stmt.where(Need.council_id == council_id)
    if status is not None:
        stmt = stmt.where(Need.status == status)
    return list(session.scalars(stmt))
