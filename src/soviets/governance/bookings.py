"""Bookings of shared goods, as council actions: who may see, book and cancel.

A council's bookings are readable by whoever may read the council that holds
the good; only its members book, and only the member who booked cancels.
The ledger (:mod:`soviets.ledger.bookings`) keeps the booking rules and the
times free of overlaps.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from soviets.governance import access, authz
from soviets.governance.errors import Forbidden, NotFound
from soviets.ledger import bookings
from soviets.ledger.models import Booking


def list_bookings(
    session: Session,
    actor_id: int,
    resource_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Booking]:
    """Active bookings of a good the actor may read (overlapping ``[start, end)`` when given)."""
    access.resource(session, actor_id, resource_id)
    return bookings.bookings_of(session, resource_id, start=start, end=end)


def book(
    session: Session,
    actor_id: int,
    resource_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> Booking:
    """Book a shared good of a council the actor is a member of."""
    resource = access.resource(session, actor_id, resource_id)
    authz.require_member(session, actor_id, resource.holder_council_id)
    return bookings.book(
        session,
        resource_id=resource_id,
        person_id=actor_id,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
    )


def cancel(session: Session, actor_id: int, booking_id: int) -> Booking:
    """Cancel the actor's own booking."""
    found = session.get(Booking, booking_id)
    if found is None:
        raise NotFound(f"no booking with id {booking_id}")
    access.resource(session, actor_id, found.resource_id)
    if found.person_id != actor_id:
        raise Forbidden("only the member who booked can cancel a booking")
    return bookings.cancel(session, booking_id=booking_id, person_id=actor_id)
