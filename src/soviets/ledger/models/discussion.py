"""Tables of a proposal's discussion: comments, replies and every version of each.

A comment is never deleted. Its author may edit it (each version is kept in
``comment_versions``) or withdraw it; a moderator may hide it by the council's
rules. A hidden comment keeps its trace (who hid it, when and why) while its
text is no longer shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow

STANCES = ("for", "against", "question", "note")
"""What a comment is: an argument for or against the proposal, a question or a note."""


class Comment(Base):
    """A comment on a proposal, or a reply to another comment of the same proposal."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("stance IN (" + ", ".join(repr(s) for s in STANCES) + ")", name="stance"),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint(
            "(hidden_at IS NULL AND hidden_by IS NULL AND hidden_reason IS NULL)"
            " OR (hidden_at IS NOT NULL AND hidden_by IS NOT NULL AND hidden_reason IS NOT NULL)",
            name="hidden",
        ),
        UniqueConstraint("proposal_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    stance: Mapped[str] = mapped_column(String(10), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    hidden_by_proposal: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    """The council's accepted ``hide_comment`` vote that hid it (``hidden_by``: its proposer)."""


class CommentVersion(Base):
    """One version of a comment as its author wrote it (revision 1 is the first)."""

    __tablename__ = "comment_versions"
    __table_args__ = (
        CheckConstraint("stance IN (" + ", ".join(repr(s) for s in STANCES) + ")", name="stance"),
    )

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    stance: Mapped[str] = mapped_column(String(10), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
