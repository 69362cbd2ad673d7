"""Briefing records: each member's notices (inbox), mail choice, digests sent, Atom feed
tokens and who has seen which decision.

A notice is written by :func:`soviets.governance.notices.notify` at the moment of
the event it tells of. Feed tokens are stored only as their SHA-256 digest, like
API tokens.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow

MAIL_MODES = ("none", "each", "digest")
"""A member's choice of e-mail: none, one mail per notice, or one digest a day."""


class Notice(Base):
    """One thing a person is told: ``kind`` (e.g. ``decision``), what it is about
    (``subject``, e.g. ``proposal:12``), the words, and when it was read and mailed."""

    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_person_read", "person_id", "read_at"),
        Index("ix_notices_subject", "subject", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    subject: Mapped[str] = mapped_column(String(60), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailChoice(Base):
    """How a person wants to be mailed their notices (no row: ``none``)."""

    __tablename__ = "mail_choices"
    __table_args__ = (CheckConstraint("mode IN ('none', 'each', 'digest')", name="mode"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DigestSent(Base):
    """The daily digest of one person for one day (UTC): claimed before it is sent, so it
    is never sent twice; ``sent_at`` once the mail server took it."""

    __tablename__ = "digests_sent"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notices: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class FeedToken(Base):
    """A member's secret link to a private council's Atom feed of decisions, revocable."""

    __tablename__ = "feed_tokens"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="hash_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DecisionSeen(Base):
    """That a person opened a decision (or marked its notice read), first time only."""

    __tablename__ = "decisions_seen"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
