"""Booking shared goods: a member of the holding council books a time slot.

Rules come from the council's vote, stored in ``council_rules``:
``booking.max_hours`` (longest booking, default :data:`DEFAULT_MAX_HOURS`)
and ``booking.max_active`` (bookings not yet ended that one member may hold in
the council at once, default :data:`DEFAULT_MAX_ACTIVE`). Overlaps are refused
by the database itself (see :mod:`soviets.ledger.models.bookings`); the
member's membership row is locked while their booking is checked, so two
requests by the same member cannot both slip under ``max_active``, and the
resource's row, so that bookings of one good are checked one after another.
A booking may start at most :data:`START_GRACE` ago (a form filled in slowly)
and end at most :data:`MAX_AHEAD` from now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.ledger import chain
from soviets.ledger.errors import (
    BookingRefused,
    Conflict,
    LedgerError,
    NotAllowed,
    NotFound,
    SlotTaken,
)
from soviets.ledger.models import Booking, CouncilRule, Membership, Resource
from soviets.ledger.types import as_utc, utcnow

DEFAULT_MAX_HOURS = 24.0
DEFAULT_MAX_ACTIVE = 2
START_GRACE = timedelta(minutes=15)
"""How long ago a booking may start."""
MAX_AHEAD = timedelta(days=3653)
"""How far ahead a booking may end (ten years)."""


@dataclass(frozen=True)
class BookingRules:
    """A council's booking rules."""

    max_hours: float = DEFAULT_MAX_HOURS
    max_active: int = DEFAULT_MAX_ACTIVE


def booking_rules(session: Session, council_id: int) -> BookingRules:
    """The council's rules from ``council_rules``, with the defaults where none is set."""
    values = dict(
        session.execute(
            select(CouncilRule.key, CouncilRule.value).where(
                CouncilRule.council_id == council_id,
                CouncilRule.key.in_(("booking.max_hours", "booking.max_active")),
            )
        ).all()
    )
    rules = BookingRules()
    try:
        max_hours = float(values.get("booking.max_hours", rules.max_hours))
        max_active = int(float(values.get("booking.max_active", rules.max_active)))
    except (TypeError, ValueError) as exc:
        raise LedgerError(f"council {council_id} has a booking rule that is not a number") from exc
    return BookingRules(max_hours=max_hours, max_active=max_active)


def book(
    session: Session,
    *,
    resource_id: int,
    person_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> Booking:
    """Book a shared good from ``starts_at`` to ``ends_at`` (naive times are UTC)."""
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at)
    now = as_utc(now) if now else utcnow()
    # The booking's record goes into the chain: take the chain's head first, as the
    # inventory does, so that locks are always taken in the same order.
    chain.lock_head(session)
    resource = _locked_shared_good(session, resource_id)
    council_id = resource.holder_council_id
    membership = session.scalar(
        select(Membership)
        .where(
            Membership.person_id == person_id,
            Membership.council_id == council_id,
            Membership.left_at.is_(None),
        )
        .with_for_update()
    )
    if membership is None:
        raise NotAllowed(
            f"person {person_id} is not a member of the council that holds '{resource.name}'"
        )
    _check_times(starts_at, ends_at, now)
    _check_rules(session, council_id, person_id, starts_at, ends_at, now)
    clash = _overlapping(session, resource.id, starts_at, ends_at)
    if clash is not None:
        raise SlotTaken(_overlap_message(resource.name, clash))
    booking = Booking(
        resource_id=resource.id,
        person_id=person_id,
        council_id=council_id,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(booking)
    except IntegrityError as exc:
        # Another booking of the same slot committed after our check: the
        # database's exclusion constraint or trigger refused this one.
        raise SlotTaken(f"'{resource.name}' was just booked for an overlapping time") from exc
    return booking


def _locked_shared_good(session: Session, resource_id: int) -> Resource:
    """The shared good ``resource_id``, its row locked: bookings of one resource queue
    behind each other (the database's exclusion constraint alone would let two
    overlapping inserts deadlock on PostgreSQL)."""
    resource = session.get(Resource, resource_id, with_for_update=True, populate_existing=True)
    if resource is None:
        raise NotFound(f"no resource with id {resource_id}")
    if resource.kind != "shared_good":
        raise LedgerError(f"resource '{resource.name}' is not a shared good")
    return resource


def _check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Refuse a booking that ends before it starts, ends in the past, started more than
    :data:`START_GRACE` ago or ends more than :data:`MAX_AHEAD` from now."""
    if ends_at <= starts_at:
        raise BookingRefused("a booking must end after it starts")
    if ends_at <= now:
        raise BookingRefused("a booking cannot end in the past")
    if starts_at < now - START_GRACE:
        minutes = START_GRACE.seconds // 60
        raise BookingRefused(f"a booking may start at most {minutes} minutes ago")
    if ends_at > now + MAX_AHEAD:
        raise BookingRefused("a booking may end at most ten years from now")


def _check_rules(
    session: Session,
    council_id: int,
    person_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> None:
    """Refuse a booking longer than the council's rules allow, or one more than the
    bookings a member may hold at once."""
    rules = booking_rules(session, council_id)
    hours = (ends_at - starts_at).total_seconds() / 3600
    if hours > rules.max_hours + 1e-9:
        raise BookingRefused(
            f"a booking may last at most {rules.max_hours:g} hours in this council, not {hours:g}"
        )
    active = session.scalar(
        select(func.count()).where(
            Booking.person_id == person_id,
            Booking.council_id == council_id,
            Booking.cancelled_at.is_(None),
            Booking.ends_at > now,
        )
    )
    if (active or 0) >= rules.max_active:
        raise BookingRefused(
            f"a member may hold at most {rules.max_active} bookings at once in this council"
        )


def cancel(session: Session, *, booking_id: int, person_id: int) -> Booking:
    """Cancel one's own booking."""
    chain.lock_head(session)  # before the booking's row, as in book()
    booking = session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound(f"no booking with id {booking_id}")
    if booking.person_id != person_id:
        raise NotAllowed("only the member who booked can cancel a booking")
    if booking.cancelled_at is not None:
        raise Conflict(f"booking {booking_id} is already cancelled")
    booking.cancelled_at = utcnow()
    session.flush()
    return booking


def bookings_of(
    session: Session,
    resource_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Booking]:
    """Active bookings of a resource (overlapping ``[start, end)`` when given), by start."""
    stmt = (
        select(Booking)
        .where(Booking.resource_id == resource_id, Booking.cancelled_at.is_(None))
        .order_by(Booking.starts_at)
    )
    if start is not None:
        stmt = stmt.where(Booking.ends_at > as_utc(start))
    if end is not None:
        stmt = stmt.where(Booking.starts_at < as_utc(end))
    return list(session.scalars(stmt))


def _overlapping(
    session: Session, resource_id: int, starts_at: datetime, ends_at: datetime
) -> Booking | None:
    return session.scalar(
        select(Booking)
        .where(
            Booking.resource_id == resource_id,
            Booking.cancelled_at.is_(None),
            Booking.starts_at < ends_at,
            Booking.ends_at > starts_at,
        )
        .limit(1)
    )


def _overlap_message(name: str, clash: Booking) -> str:
    fmt = "%Y-%m-%d %H:%M UTC"
    return (
        f"'{name}' is already booked from {clash.starts_at.strftime(fmt)} "
        f"to {clash.ends_at.strftime(fmt)}"
    )
