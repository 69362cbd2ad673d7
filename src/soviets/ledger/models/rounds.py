"""Federated planning rounds in the ledger: the protocol's messages and its log, refusals of
agreements, and production records (the plan carried out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow


class ProtocolMessage(Base):
    """One message (or one counted batch of messages) of a federated planning round.

    ``sender`` and ``receiver`` are council names (or ``clerk``); ``kind`` what
    was sent (``agreement``, ``summary``); ``size`` its size in bytes and
    ``count`` how many protocol messages the row stands for.
    """

    __tablename__ = "protocol_messages"
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        CheckConstraint("count >= 1", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), nullable=False, index=True)
    round: Mapped[int] = mapped_column(Integer, nullable=False)
    sender: Mapped[str] = mapped_column(String(200), nullable=False)
    receiver: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    body: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class ProtocolLog(Base):
    """The whole message log of a round's protocol, one row per plan: the log
    (:mod:`soviets.planning.message_log`) compressed by zlib, the sha256 of the log
    before compression, its messages and its size before compression (``raw_size``)
    and on the wire (``wire_bytes``, what the post carried), in bytes."""

    __tablename__ = "protocol_logs"
    __table_args__ = (
        CheckConstraint("messages >= 0", name="messages_not_negative"),
        CheckConstraint("raw_size >= 0 AND wire_bytes >= 0", name="sizes_not_negative"),
    )

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    messages: Mapped[int] = mapped_column(Integer, nullable=False)
    raw_size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    wire_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)


class AgreementRefusal(Base):
    """One council's refusal of a proposed agreement; the round re-plans around it."""

    __tablename__ = "agreement_refusals"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    accepted_quantity: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ProductionRecord(Base):
    """A workplace council ran a process: ``activity`` units, ``hours`` worked, and the
    goods it consumed and made (``flows``: good -> quantity, + made / - consumed)."""

    __tablename__ = "production_records"
    __table_args__ = (
        CheckConstraint("activity > 0", name="activity_positive"),
        CheckConstraint("hours >= 0", name="hours_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), nullable=False, index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), nullable=False)
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    activity: Mapped[float] = mapped_column(Float, nullable=False)
    hours: Mapped[float] = mapped_column(Float, nullable=False)
    flows: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
