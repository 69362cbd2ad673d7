"""Bookings of shared goods by members of the council that holds them."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from soviets.governance import bookings
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
    rows = bookings.list_bookings(db, actor.id, resource_id, start=start, end=end)
    return [BookingOut.model_validate(b) for b in rows]


@router.post(
    "/resources/{resource_id}/bookings",
    status_code=201,
    response_model=BookingOut,
    responses=WRITE,
)
def book(resource_id: PathId, body: BookingIn, actor: ApiActor, db: Db) -> BookingOut:
    """Book a shared good of your council.

    An overlapping booking is refused with 409; one longer than the council's
    ``booking.max_hours``, one more than its ``booking.max_active``, or
    impossible times with 422.
    """
    made = bookings.book(db, actor.id, resource_id, starts_at=body.starts_at, ends_at=body.ends_at)
    return BookingOut.model_validate(made)


@router.delete("/bookings/{booking_id}", response_model=BookingOut, responses=WRITE)
def cancel(booking_id: PathId, actor: ApiActor, db: Db) -> BookingOut:
    """Cancel one of your bookings."""
    return BookingOut.model_validate(bookings.cancel(db, actor.id, booking_id))
