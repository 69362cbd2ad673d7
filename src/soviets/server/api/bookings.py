"""Bookings of shared goods by members of the council that holds them."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from soviets.governance import authz
from soviets.ledger import bookings
from soviets.ledger.models import Booking
from soviets.server import access
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import BookingIn, BookingOut

router = APIRouter(tags=["bookings"], responses=STANDARD)


@router.get("/resources/{resource_id}/bookings", response_model=list[BookingOut])
def list_bookings(
    resource_id: PathId,
    actor: ApiActor,
    db: Db,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[BookingOut]:
    """Active bookings of a shared good (overlapping ``[start, end)`` when given)."""
    access.resource(db, actor.id, resource_id)
    rows = bookings.bookings_of(db, resource_id, start=start, end=end)
    return [BookingOut.model_validate(b) for b in rows]


@router.post(
    "/resources/{resource_id}/bookings",
    status_code=201,
    response_model=BookingOut,
    responses=WRITE,
)
def book(resource_id: PathId, body: BookingIn, actor: ApiActor, db: Db) -> BookingOut:
    """Book a shared good of your council; overlapping bookings are refused (409)."""
    resource = access.resource(db, actor.id, resource_id)
    authz.require_member(db, actor.id, resource.holder_council_id)
    made = bookings.book(
        db,
        resource_id=resource_id,
        person_id=actor.id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
    )
    return BookingOut.model_validate(made)


@router.delete("/bookings/{booking_id}", response_model=BookingOut, responses=WRITE)
def cancel(booking_id: PathId, actor: ApiActor, db: Db) -> BookingOut:
    """Cancel one of your bookings."""
    found = db.get(Booking, booking_id)
    if found is not None:
        access.resource(db, actor.id, found.resource_id)
    return BookingOut.model_validate(bookings.cancel(db, booking_id=booking_id, person_id=actor.id))
