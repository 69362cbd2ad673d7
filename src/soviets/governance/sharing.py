"""Booking the shared goods of a council: who may see, book and cancel.

The ledger (:mod:`soviets.ledger.bookings`) holds the booking rules and the
no-overlap guarantee; these functions first check that the actor may read the
holding council (to see its bookings) or is its member (to book), so that
pages, API and CLI share one permission check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.errors import NotFound
from soviets.ledger import bookings, inventory
from soviets.ledger.models import Booking, Resource


def readable_resource(session: Session, actor_id: int | None, resource_id: int) -> Resource:
    """A resource whose holding council the actor may read."""
    found = inventory.get_resource(session, resource_id)
    authz.require_read(session, actor_id, found.holder_council_id)
    return found


def calendar(
    session: Session, actor_id: int | None, resource_id: int, start: datetime, end: datetime
) -> list[Booking]:
    """Active bookings of a readable resource overlapping ``[start, end)``, by start."""
    readable_resource(session, actor_id, resource_id)
    return bookings.bookings_of(session, resource_id, start=start, end=end)


def book(
    session: Session, actor_id: int, resource_id: int, starts_at: datetime, ends_at: datetime
) -> Booking:
    """Book a shared good of a council the actor is a member of (any length the rules allow,
    overnight included)."""
    resource = readable_resource(session, actor_id, resource_id)
    authz.require_member(session, actor_id, resource.holder_council_id)
    return bookings.book(
        session, resource_id=resource_id, person_id=actor_id, starts_at=starts_at, ends_at=ends_at
    )


def cancel(session: Session, actor_id: int, booking_id: int) -> Booking:
    """Cancel one of the actor's own bookings."""
    found = session.get(Booking, booking_id)
    if found is None:
        raise NotFound(f"no booking #{booking_id}")
    readable_resource(session, actor_id, found.resource_id)
    return bookings.cancel(session, booking_id=booking_id, person_id=actor_id)
