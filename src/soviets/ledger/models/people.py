"""People, councils, memberships and the links that make federations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soviets.ledger.base import Base, unique_where
from soviets.ledger.types import UTCDateTime, utcnow

__all__ = ["Council", "CouncilLink", "Membership", "Person", "utcnow"]


class Person(Base):
    """A person. Holds nothing: resources belong to councils only."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    language: Mapped[str | None] = mapped_column(String(20))
    """The language of the pages (e.g. ``es``); NULL: the browser's Accept-Language."""
    time_zone: Mapped[str | None] = mapped_column(String(64))
    """IANA time zone name the pages show times in; NULL: UTC."""


class Council(Base):
    """A soviet: ``workplace``, ``territorial`` or ``federation``.

    ``declared_members`` is the number of people the council declares it speaks for
    (residents of a territory, workers of a workplace), which may be more than
    its registered accounts; NULL when it declared none. ``parent_id`` is the
    territorial council it belongs to (a workplace's region), kept so that the
    ledger's economy has its regions; NULL: directly under its federation.
    """

    __tablename__ = "councils"
    __table_args__ = (
        CheckConstraint("kind IN ('workplace', 'territorial', 'federation')", name="kind"),
        CheckConstraint("hours_available IS NULL OR hours_available >= 0", name="hours"),
        CheckConstraint("declared_members IS NULL OR declared_members >= 0", name="members"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    hours_available: Mapped[float | None]
    declared_members: Mapped[int | None] = mapped_column(Integer)
    """The people the council says it represents (e.g. councils.csv ``members``), if known."""
    public: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))

    memberships: Mapped[list[Membership]] = relationship(back_populates="council")


class Membership(Base):
    """A person's membership of a council, with its join/leave history.

    A person may join, leave and join again: each period of membership is a
    row. At most one open membership (``left_at`` NULL) per person and council
    is enforced by a partial unique index on both SQLite and PostgreSQL.
    """

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('member', 'coordinator')", name="role"),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="dates"),
        unique_where("uq_memberships_open", "person_id", "council_id", where="left_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), default="member", nullable=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    council: Mapped[Council] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship()


class CouncilLink(Base):
    """A council's membership of a federation (or a region's parent council).

    The member council sends delegates to the federation. History is kept as
    for people: one open link per (member, federation).
    """

    __tablename__ = "council_links"
    __table_args__ = (
        CheckConstraint("member_id <> federation_id", name="not_self"),
        unique_where(
            "uq_council_links_open", "member_id", "federation_id", where="left_at IS NULL"
        ),
        UniqueConstraint("member_id", "federation_id", "joined_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    federation_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id"), nullable=False, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
