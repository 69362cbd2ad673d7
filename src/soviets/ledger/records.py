"""Chained records of the rows the councils' trust rests on.

Quantities are chained as inventory events; the other facts a council relies
on live in ordinary tables: which council holds a stock and of what kind,
the outcome of a closed proposal, who booked a shared good when, who is a
member of which council with which role. Every flush that inserts, changes or
deletes such a row appends a :class:`~soviets.ledger.models.LedgerRecord` to
the chain with the row's tracked columns as they now stand in the database
(the listener on :class:`~sqlalchemy.orm.Session` below, registered when
:mod:`soviets.ledger.models` is imported). So every legitimate write, at
whichever place in governance it happens, is chained, and an UPDATE done
outside the application leaves a row that differs from its last record,
which :func:`soviets.ledger.chain.verify` reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from soviets.ledger import chain
from soviets.ledger.base import Base
from soviets.ledger.models.assemblies import Minutes
from soviets.ledger.models.bookings import Booking
from soviets.ledger.models.governance import Proposal
from soviets.ledger.models.inventory import LedgerRecord, Resource
from soviets.ledger.models.people import Membership
from soviets.ledger.types import as_utc

FINAL_STATUSES = ("closed", "withdrawn")


@dataclass(frozen=True)
class Tracked:
    """A table whose rows are chained: the columns recorded, and which rows count."""

    table: Table
    columns: tuple[str, ...]
    final_only: bool = False  # proposals: only once closed or withdrawn
    final_statuses: tuple[str, ...] = FINAL_STATUSES

    def applies(self, state: dict[str, Any]) -> bool:
        return not self.final_only or state.get("status") in self.final_statuses


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _all(model: type[Base]) -> tuple[str, ...]:
    return tuple(c.name for c in _table(model).columns)


TRACKED: dict[str, Tracked] = {
    t.table.name: t
    for t in (
        Tracked(
            _table(Resource),
            (
                "name",
                "kind",
                "holder_council_id",
                "unit",
                "good_id",
                "process_id",
                "capacity_per_unit",
            ),
        ),  # fmt: skip
        Tracked(_table(Proposal), _all(Proposal), final_only=True),
        Tracked(_table(Booking), _all(Booking)),
        Tracked(_table(Membership), _all(Membership)),
        # minutes: once approved by the council's vote (they never change after)
        Tracked(_table(Minutes), _all(Minutes), final_only=True, final_statuses=("approved",)),
    )
}


def plain(value: Any) -> Any:
    """A column value as JSON: timestamps in UTC with microseconds, the rest as is."""
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def state_json(state: dict[str, Any]) -> str:
    """The canonical JSON text of a row's tracked columns."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_state(session: Session, tracked: Tracked, row_id: int) -> dict[str, Any] | None:
    """The row's tracked columns as the database holds them now (None when gone)."""
    cols = [tracked.table.c[name] for name in tracked.columns]
    row = session.execute(select(*cols).where(tracked.table.c.id == row_id)).one_or_none()
    return None if row is None else {k: plain(v) for k, v in row._mapping.items()}


def current_states(session: Session, tracked: Tracked) -> dict[int, dict[str, Any]]:
    """Every row of a tracked table that counts, by id, as the database holds it now."""
    cols = [tracked.table.c[name] for name in tracked.columns]
    out: dict[int, dict[str, Any]] = {}
    for row in session.execute(select(tracked.table.c.id, *cols)):
        state = {k: plain(v) for k, v in row._mapping.items() if k in tracked.columns}
        if tracked.applies(state):
            out[int(row.id)] = state
    return out


def record_row(session: Session, table_name: str, row_id: int, change: str) -> int | None:
    """Chain the row's current state (``change``: insert, update, delete or adopt).

    Nothing is appended for a row that does not count yet (a proposal still
    open) and has no record, nor for a deletion of a row never recorded.
    """
    return _append(session, TRACKED[table_name], row_id, change)


def _append(session: Session, tracked: Tracked, row_id: int, change: str) -> int | None:
    table_name = tracked.table.name
    state = read_state(session, tracked, row_id)
    counts = state is not None and tracked.applies(state)
    if not counts and not _recorded(session, table_name, row_id):
        return None
    return chain.append_record(
        session,
        table_name=table_name,
        row_id=row_id,
        change="delete" if state is None else change,
        state=None if state is None else state_json(state),
    )


def adopt_all(session: Session) -> int:
    """Chain every tracked row not yet recorded (a database from before the records).

    Only the tracked tables and columns the database has now are recorded, so that a
    later migration may add one.
    """
    count = 0
    schema = inspect(session.connection())
    for name, spec in TRACKED.items():
        if not schema.has_table(name):  # a table a later migration creates
            continue
        present = {c["name"] for c in schema.get_columns(name)}
        tracked = replace(spec, columns=tuple(c for c in spec.columns if c in present))
        recorded = set(
            session.scalars(select(LedgerRecord.row_id).where(LedgerRecord.table_name == name))
        )
        for row_id in sorted(current_states(session, tracked)):
            if row_id not in recorded:
                _append(session, tracked, row_id, "adopt")
                count += 1
    return count


def _recorded(session: Session, table_name: str, row_id: int) -> bool:
    stmt = select(LedgerRecord.id).where(
        LedgerRecord.table_name == table_name, LedgerRecord.row_id == row_id
    )
    return session.scalar(stmt.limit(1)) is not None


def _changed(obj: object, columns: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in columns if name in attrs)


BY_CLASS: dict[type, Tracked] = {
    model: TRACKED[_table(model).name]
    for model in (Resource, Proposal, Booking, Membership, Minutes)
}
"""The tracked tables by mapped class: one dict lookup per flushed object, so a flush
that touches none of them (a ballot, a ballot's marks) skips the chain at once."""


def _tracked_in(session: Session) -> bool:
    return any(
        type(obj) in BY_CLASS
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    )


@event.listens_for(Session, "before_flush")
def _lock_head_first(session: Session, _context: UOWTransaction, _instances: object) -> None:
    """Take the chain's head before the flush writes any tracked row, as the inventory
    does before it changes a stock: every writer locks the head first, so none waits for
    the head while holding a row that the head's holder needs."""
    if _tracked_in(session):
        chain.lock_head(session)


@event.listens_for(Session, "after_flush")
def _chain_tracked_rows(session: Session, _context: UOWTransaction) -> None:
    """Append a record for every tracked row this flush inserted, changed or deleted."""
    todo: dict[tuple[str, int], str] = {}
    for change, objects in (
        ("insert", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            tracked = BY_CLASS.get(type(obj))
            if tracked is None:
                continue
            if change == "update" and not _changed(obj, tracked.columns):
                continue
            todo[(tracked.table.name, int(obj.id))] = change
    for (table_name, row_id), change in sorted(todo.items()):
        record_row(session, table_name, row_id, change)
