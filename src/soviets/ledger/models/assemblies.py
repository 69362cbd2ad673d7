"""Tables of a council's assemblies: the meeting, its agenda, attendance and minutes.

An assembly is scheduled by a member of its council (:mod:`soviets.governance.assemblies`
says who may). Its minutes are Markdown text drafted by the assembly's secretary and
approved by the council's vote (an ``approve_minutes`` proposal); approved minutes never
change and are chained (:mod:`soviets.ledger.records`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow

MINUTES_STATUSES = ("draft", "approved")


class Assembly(Base):
    """A meeting of a council: when (UTC), where (a place, a link or both), who chairs it
    and who keeps its minutes."""

    __tablename__ = "assemblies"
    __table_args__ = (
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="times"),
        CheckConstraint("length(title) > 0", name="title"),
        CheckConstraint("length(place) > 0 OR length(link) > 0", name="where"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    link: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    secretary_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AgendaItem(Base):
    """One item of an assembly's agenda, in order: a proposal of the council or free text."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("assembly_id", "position"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("proposal_id IS NOT NULL OR length(title) > 0", name="what"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))


class Attendance(Base):
    """Whether a member was present at an assembly, and who recorded it last."""

    __tablename__ = "attendance"

    assembly_id: Mapped[int] = mapped_column(ForeignKey("assemblies.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Minutes(Base):
    """The minutes of an assembly (Markdown), a draft until the council's vote approves them."""

    __tablename__ = "minutes"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'approved')"
            " AND (status = 'approved') = (approved_by IS NOT NULL)"
            " AND (approved_by IS NULL) = (approved_at IS NULL)",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id"), nullable=False, unique=True
    )
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    written_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    """The accepted ``approve_minutes`` proposal."""
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
