"""Bookings of shared goods (a car, a tool) by members of the council that holds them.

No two active bookings of one resource overlap in time (half-open intervals
``[starts_at, ends_at)``). The database enforces it: on PostgreSQL an
exclusion constraint over ``tstzrange`` (extension ``btree_gist``), on
SQLite a trigger that refuses an overlapping row; SQLite writers take the
database lock at BEGIN (``BEGIN IMMEDIATE``), so the trigger's check and the
insert cannot interleave with another booking.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, Integer, event
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow


class Booking(Base):
    """A member's booking of a shared good; ``cancelled_at`` set when cancelled."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="interval"),
        Index("ix_bookings_resource_starts", "resource_id", "starts_at"),
        Index("ix_bookings_person_council", "person_id", "council_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), nullable=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


_SQLITE_OVERLAP = (
    "BEGIN SELECT RAISE(ABORT, 'booking overlaps another booking') "
    "WHERE NEW.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM bookings b "
    "WHERE b.resource_id = NEW.resource_id AND b.cancelled_at IS NULL AND b.id IS NOT NEW.id "
    "AND b.starts_at < NEW.ends_at AND NEW.starts_at < b.ends_at); END"
)

BOOKINGS_DDL: dict[str, tuple[str, ...]] = {
    "sqlite": (
        f"CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings {_SQLITE_OVERLAP}",
        "CREATE TRIGGER bookings_no_overlap_update "
        "BEFORE UPDATE OF resource_id, starts_at, ends_at, cancelled_at ON bookings "
        f"{_SQLITE_OVERLAP}",
    ),
    "postgresql": (
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
        "(resource_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
        "WHERE (cancelled_at IS NULL)",
    ),
}

event.listen(
    Booking.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)
for _dialect, _statements in BOOKINGS_DDL.items():
    for _stmt in _statements:
        event.listen(Booking.__table__, "after_create", DDL(_stmt).execute_if(dialect=_dialect))
