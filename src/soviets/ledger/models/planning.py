"""Planning tables: periods, the goods catalogue, needs, processes, plans and agreements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soviets.ledger.base import Base, unique_where
from soviets.ledger.types import UTCDateTime, utcnow


class Period(Base):
    """A planning period (e.g. ``2025``, ``2025-Q3``) with its first and last day."""

    __tablename__ = "periods"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)


class Good(Base):
    """An entry of the goods catalogue: ``produced``, or ``primary`` with an optional limit."""

    __tablename__ = "goods"
    __table_args__ = (
        CheckConstraint("kind IN ('produced', 'primary')", name="kind"),
        CheckConstraint(
            "limit_per_period IS NULL OR (kind = 'primary' AND limit_per_period >= 0)",
            name="limit",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    unit: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="produced")
    limit_per_period: Mapped[float | None] = mapped_column(Float)


class Need(Base):
    """A quantity of a good a territorial council (or one of its members) asks for.

    ``proposed`` until the council's ``approve_needs`` vote makes it ``approved``;
    its member may take it back before that (``withdrawn``, kept for the record).
    """

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("priority IN ('essential', 'normal')", name="priority"),
        CheckConstraint("status IN ('proposed', 'approved', 'withdrawn')", name="status"),
        CheckConstraint(
            "status <> 'approved' OR approved_at IS NOT NULL", name="approved_has_time"
        ),
        # Withdrawn only from 'proposed': never an approved need.
        CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)"
            " AND (status <> 'withdrawn' OR approved_at IS NULL)",
            name="withdrawn",
        ),
        Index("ix_needs_council_period", "council_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), nullable=False)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    good_id: Mapped[int] = mapped_column(ForeignKey("goods.id"), nullable=False)
    quantity: Mapped[float] = mapped_column(Float, nullable=False)
    priority: Mapped[str] = mapped_column(String(20), nullable=False, default="essential")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="proposed")
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    good: Mapped[Good] = relationship()


class Process(Base):
    """A technology run by a workplace council: flows per unit of activity and labour.

    ``capacity`` is an explicit limit on activity per period; when it is NULL
    the capacity comes from the council's means of production linked to the
    process (see :func:`soviets.ledger.processes.capacity_of`).
    """

    __tablename__ = "processes"
    __table_args__ = (
        CheckConstraint("labour >= 0", name="labour_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    labour: Mapped[float] = mapped_column(Float, nullable=False)
    capacity: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    flows: Mapped[list[ProcessFlow]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="ProcessFlow.good_id"
    )


class ProcessFlow(Base):
    """Quantity of a good per unit of activity: positive made, negative used."""

    __tablename__ = "process_flows"
    __table_args__ = (CheckConstraint("quantity <> 0", name="quantity_not_zero"),)

    process_id: Mapped[int] = mapped_column(ForeignKey("processes.id"), primary_key=True)
    good_id: Mapped[int] = mapped_column(ForeignKey("goods.id"), primary_key=True)
    quantity: Mapped[float] = mapped_column(Float, nullable=False)

    process: Mapped[Process] = relationship(back_populates="flows")
    good: Mapped[Good] = relationship()


class PlanRecord(Base):
    """A plan computed for a federation and period, stored with its certificate.

    ``result`` is the plan's full JSON (schema of ``Plan.to_dict``);
    ``allocation`` lists the supplier -> receiver deliveries derived from it
    (see :func:`soviets.ledger.plans.allocate`). At most one plan per
    federation and period is adopted (partial unique index), not counting
    revisions: a re-plan of the rest of the period after a shortfall
    (``revises_plan_id``), of which each plan has at most one adopted.
    """

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'adopted')", name="status"),
        CheckConstraint("status = 'proposed' OR adopted_at IS NOT NULL", name="adopted_has_time"),
        unique_where(
            "uq_plans_adopted",
            "period_id",
            "federation_id",
            where="status = 'adopted' AND revises_plan_id IS NULL",
        ),
        unique_where(
            "uq_plans_revision_adopted",
            "revises_plan_id",
            where="status = 'adopted' AND revises_plan_id IS NOT NULL",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), nullable=False, index=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="proposed")
    solver: Mapped[str] = mapped_column(String(50), nullable=False)
    plan_status: Mapped[str] = mapped_column(String(20), nullable=False)
    objective_hours: Mapped[float | None] = mapped_column(Float)
    certificate: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    activity: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    council_hours: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    allocation: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revises_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))

    period: Mapped[Period] = relationship()


class Agreement(Base):
    """A supply commitment: ``supplier`` delivers ``quantity`` of a good to ``receiver``.

    It becomes ``accepted`` once both councils accepted it (one
    :class:`AgreementAcceptance` each) and ``fulfilled`` when deliveries
    (transfer events naming it) reach the agreed quantity.
    """

    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("supplier_council_id <> receiver_council_id", name="two_councils"),
        CheckConstraint("status IN ('proposed', 'accepted', 'fulfilled')", name="status"),
        UniqueConstraint("plan_id", "supplier_council_id", "receiver_council_id", "good_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), nullable=False, index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), nullable=False, index=True)
    supplier_council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id"), nullable=False, index=True
    )
    receiver_council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id"), nullable=False, index=True
    )
    good_id: Mapped[int] = mapped_column(ForeignKey("goods.id"), nullable=False)
    quantity: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="proposed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    good: Mapped[Good] = relationship()
    period: Mapped[Period] = relationship()


class AgreementAcceptance(Base):
    """One council's consent to an agreement, by a member or by an accepted proposal."""

    __tablename__ = "agreement_acceptances"
    __table_args__ = (
        CheckConstraint("actor_id IS NOT NULL OR proposal_id IS NOT NULL", name="by_someone"),
    )

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
