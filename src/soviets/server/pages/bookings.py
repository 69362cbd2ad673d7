"""The booking calendar of a shared good: the next two weeks, book a slot, cancel mine."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import access, councils, views
from soviets.governance import bookings as booking_service
from soviets.governance.errors import InputError
from soviets.ledger import bookings
from soviets.ledger.types import utcnow
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import Msg, render

router = APIRouter()
DAYS = 14


@router.get("/resources/{resource_id}/bookings")
def calendar(
    resource_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    start: Annotated[date | None, Query()] = None,
) -> Response:
    """Bookings of the next two weeks, day by day (times in UTC), and the booking form."""
    person = found[1]
    resource = access.resource(db, person.id, resource_id)
    council = councils.read_council(db, person.id, resource.holder_council_id)
    first = start or utcnow().date()
    begin = datetime.combine(first, time(0), tzinfo=UTC)
    end = begin + timedelta(days=DAYS)
    rows = booking_service.list_bookings(db, person.id, resource_id, start=begin, end=end)
    days = []
    for i in range(DAYS):
        day = first + timedelta(days=i)
        day_start = datetime.combine(day, time(0), tzinfo=UTC)
        day_end = day_start + timedelta(days=1)
        days.append((day, [b for b in rows if b.starts_at < day_end and b.ends_at > day_start]))
    return render(
        request,
        "bookings.html",
        {
            "title": Msg("Bookings of %(resource)s", resource=resource.name),
            "resource": resource,
            "council": council,
            "days": days,
            "rules": bookings.booking_rules(db, council.id),
            "people": queries.names(db, [b.person_id for b in rows]),
            "is_member": views.standing(db, person.id, council.id)[0] is not None,
            "today": utcnow().date(),
            "previous": first - timedelta(days=DAYS),
            "next": first + timedelta(days=DAYS),
        },
    )


def _moment(day: str, clock: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(f"{day}T{clock}")
    except ValueError:
        raise InputError(
            f"give a date and a time of day, got '{day} {clock}'", field=field
        ) from None


@router.post("/resources/{resource_id}/bookings")
def book(
    resource_id: PathId,
    found: FormActor,
    db: Db,
    day: Annotated[str, Form(max_length=20)],
    starts: Annotated[str, Form(max_length=10)],
    ends: Annotated[str, Form(max_length=10)],
    end_day: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Book the shared good from ``day`` ``starts`` until ``end_day`` (default: the same
    day) ``ends``, in UTC; an overnight booking ends on a later day."""
    person = found[1]
    starts_at = _moment(day, starts, "starts")
    ends_at = _moment(end_day.strip() or day, ends, "ends")
    if ends_at <= starts_at:
        raise InputError(
            "the booking must end after it starts (for an overnight booking, give the day it "
            "ends under 'Until day')",
            field="ends",
        )
    booking_service.book(db, person.id, resource_id, starts_at=starts_at, ends_at=ends_at)
    target = f"/resources/{resource_id}/bookings?notice=booked"
    if starts_at.date() >= utcnow().date() + timedelta(days=DAYS):
        target += f"&start={starts_at.date()}"  # show the booked day when it is further ahead
    return RedirectResponse(target, status_code=303)


@router.post("/bookings/{booking_id}/cancel")
def cancel(booking_id: PathId, found: FormActor, db: Db) -> Response:
    """Cancel one of my bookings."""
    cancelled = booking_service.cancel(db, found[1].id, booking_id)
    target = f"/resources/{cancelled.resource_id}/bookings?notice=booking-cancelled"
    return RedirectResponse(target, status_code=303)
