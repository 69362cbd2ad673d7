"""The common inventory: resources held by councils and the hash-chained log of their changes.

A resource is held by exactly one council (``holder_council_id`` NOT NULL,
foreign key to ``councils``). There is deliberately no column that could
name a person as holder: nothing in the inventory can belong to a person.

Every change of a resource is a :class:`LedgerEvent`. Events form one chain:
event ``seq`` stores the hash of event ``seq - 1`` (``prev_hash``) and its own
``hash`` over a canonical serialisation (see :mod:`soviets.ledger.chain`).
``seq`` is UNIQUE, so two writers can never both append event n: the chain
cannot fork. The single row of :class:`LedgerHead` records the last event's
number and hash; appends lock it, which serialises them, and ``verify``
compares it with the chain's end to catch events removed from or added at
the end. UPDATE and DELETE on the events table are refused by a trigger on
both SQLite and PostgreSQL (:data:`EVENTS_DDL`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow

RESOURCE_KINDS: tuple[str, ...] = ("means_of_production", "housing", "consumer_good", "shared_good")
ACTIONS: tuple[str, ...] = (
    "produce",
    "consume",
    "use",
    "transfer",
    "transfer-custody",
    "move",
    "raise",
    "lower",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Resource(Base):
    """A stock of something held in common by one council (never by a person).

    ``kind`` is one of :data:`RESOURCE_KINDS`. A ``means_of_production`` may be
    linked to a process of its council and gives it ``capacity_per_unit``
    units of activity per period for each unit held.
    """

    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint(_in("kind", RESOURCE_KINDS), name="kind"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint(
            "kind = 'means_of_production' OR (process_id IS NULL AND capacity_per_unit IS NULL)",
            name="capacity_only_for_means_of_production",
        ),
        CheckConstraint(
            "capacity_per_unit IS NULL OR capacity_per_unit >= 0", name="capacity_not_negative"
        ),
        UniqueConstraint("holder_council_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    holder_council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id"), nullable=False, index=True
    )
    good_id: Mapped[int | None] = mapped_column(ForeignKey("goods.id"), index=True)
    unit: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    quantity: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"), index=True)
    capacity_per_unit: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class LedgerEvent(Base):
    """One change of the inventory (a Valueflows economic event), hash-chained.

    ``from_council_id``/``to_council_id`` name the councils the quantity leaves
    and reaches; ``to_resource_id`` is the receiving stock of a transfer.
    Every event names the person who acted and what authorised it: an
    accepted proposal or a standing mandate (at least one, checked).
    """

    __tablename__ = "ledger_events"
    __table_args__ = (
        CheckConstraint(_in("action", ACTIONS), name="action"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("proposal_id IS NOT NULL OR mandate IS NOT NULL", name="authorised"),
        CheckConstraint("length(hash) = 64 AND length(prev_hash) = 64", name="hash_length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), nullable=False, index=True)
    to_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float, nullable=False)
    from_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    to_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    mandate: Mapped[str | None] = mapped_column(Text)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


class LedgerHead(Base):
    """The end of the event chain: last ``seq`` and its ``hash`` (one row, id 1)."""

    __tablename__ = "ledger_head"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("seq >= 0", name="seq_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class LedgerRecord(Base):
    """A chained record of a row the council's trust rests on, as it stood after a change.

    ``table_name``/``row_id`` name the row (a resource's holder and kind, a
    closed proposal, a booking, a membership); ``state`` is the canonical JSON
    of its tracked columns (NULL when the row was deleted). Records share the
    numbering and the head of :class:`LedgerEvent`: both tables together form
    one chain (see :mod:`soviets.ledger.records`).
    """

    __tablename__ = "ledger_records"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("length(hash) = 64 AND length(prev_hash) = 64", name="hash_length"),
        Index("ix_ledger_records_row", "table_name", "row_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    table_name: Mapped[str] = mapped_column(String(40), nullable=False)
    row_id: Mapped[int] = mapped_column(Integer, nullable=False)
    change: Mapped[str] = mapped_column(String(10), nullable=False)
    state: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


def append_only_ddl(table: str) -> dict[str, tuple[str, ...]]:
    """Triggers that refuse UPDATE, DELETE (and TRUNCATE) on ``table``, per dialect."""
    return {
        "sqlite": (
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
        ),
        "postgresql": (
            "CREATE OR REPLACE FUNCTION ledger_events_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_append_only()",
        ),
    }


# The events and records tables are append-only: UPDATE, DELETE (and TRUNCATE) are refused.
EVENTS_DDL = append_only_ddl("ledger_events")
RECORDS_DDL = append_only_ddl("ledger_records")

for _table, _ddl in ((LedgerEvent.__table__, EVENTS_DDL), (LedgerRecord.__table__, RECORDS_DDL)):
    for _dialect, _statements in _ddl.items():
        for _stmt in _statements:
            event.listen(_table, "after_create", DDL(_stmt).execute_if(dialect=_dialect))
