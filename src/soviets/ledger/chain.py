"""The hash chain of the ledger: appending and verifying.

The chain holds two kinds of entries numbered by one ``seq``: inventory
events (:class:`LedgerEvent`) and records of the rows the councils' trust
rests on (:class:`LedgerRecord`: resources' holders and kinds, closed
proposals, bookings, memberships; see :mod:`soviets.ledger.records`).
Entry ``n`` stores ``prev_hash`` (the hash of entry ``n - 1``, or 64 zeros for
the first) and ``hash = SHA-256(canonical(entry))``, where ``canonical`` is
the JSON of the entry's hashed fields (:data:`HASHED_FIELDS` for events,
:data:`RECORD_FIELDS` for records) with sorted keys, no spaces, floats in
Python's shortest round-trip form and timestamps as
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC. Changing any field changes the hash;
removing or inserting an entry breaks the next link or the numbering; the
head row catches changes at the end of the chain. :func:`verify` also
replays the chain (:mod:`soviets.ledger.replay`), which catches a history
reordered and re-hashed, and rows changed without a chained record, and
checks a head hash that a member kept.

Appends lock the head row (``SELECT ... FOR UPDATE``; SQLite transactions
already hold the database's write lock from ``BEGIN IMMEDIATE``), so
appenders queue one behind the other and never race for a sequence number;
the UNIQUE ``seq`` would refuse a second entry ``n`` in one table if they did.
"""

from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from soviets.ledger.findings import Problem, VerifyReport
from soviets.ledger.models.inventory import LedgerEvent, LedgerHead, LedgerRecord
from soviets.ledger.types import as_utc, utcnow

__all__ = ["Problem", "VerifyReport", "append", "append_record", "head", "verify"]

GENESIS = "0" * 64
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "action",
    "resource_id",
    "to_resource_id",
    "quantity",
    "from_council_id",
    "to_council_id",
    "actor_id",
    "proposal_id",
    "mandate",
    "agreement_id",
    "created_at",
    "prev_hash",
)
RECORD_FIELDS: tuple[str, ...] = (
    "seq",
    "table_name",
    "row_id",
    "change",
    "state",
    "created_at",
    "prev_hash",
)
# Actions that change the held quantity: +1 adds to the resource, -1 takes from it.
SIGN: dict[str, int] = {"produce": 1, "raise": 1, "consume": -1, "lower": -1}


def canonical(values: dict[str, Any], fields: tuple[str, ...] = HASHED_FIELDS) -> bytes:
    """The canonical byte serialisation of an entry's hashed ``fields``."""
    data = {}
    for name in fields:
        value = values.get(name)
        if isinstance(value, datetime):
            value = as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif isinstance(value, float):
            value = float(value)
        data[name] = value
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: dict[str, Any], fields: tuple[str, ...] = HASHED_FIELDS) -> str:
    """SHA-256 (hex) of :func:`canonical` of ``values``."""
    return hashlib.sha256(canonical(values, fields)).hexdigest()


def entry_hash(entry: LedgerEvent | LedgerRecord) -> str:
    """The hash an entry of either table should carry."""
    fields = RECORD_FIELDS if isinstance(entry, LedgerRecord) else HASHED_FIELDS
    return event_hash({name: getattr(entry, name) for name in fields}, fields)


def lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain's head row for this transaction and return (last seq, last hash)."""
    stmt = select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1).with_for_update()
    row = session.execute(stmt).one_or_none()
    if row is None:
        dialect = session.get_bind().dialect.name
        from sqlalchemy.dialects import postgresql, sqlite

        dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            dialect_insert(LedgerHead)
            .values(id=1, seq=0, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = session.execute(stmt).one()
    return int(row.seq), str(row.hash)


def _link(
    session: Session,
    model: type[LedgerEvent] | type[LedgerRecord],
    fields: tuple[str, ...],
    values: dict[str, Any],
) -> int:
    """Number, link, hash and insert one entry at the end of the chain; return its ``seq``."""
    seq, prev = lock_head(session)
    values.update(seq=seq + 1, prev_hash=prev, created_at=utcnow())
    values["hash"] = event_hash(values, fields)
    session.execute(insert(model).values(**values))
    session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(seq=values["seq"], hash=values["hash"])
    )
    return int(values["seq"])


def append(session: Session, **values: Any) -> LedgerEvent:
    """Append one inventory event (fields as keyword arguments) at the end of the chain."""
    values["quantity"] = float(values["quantity"])
    seq = _link(session, LedgerEvent, HASHED_FIELDS, values)
    return session.execute(select(LedgerEvent).where(LedgerEvent.seq == seq)).scalar_one()


def append_record(
    session: Session, *, table_name: str, row_id: int, change: str, state: str | None
) -> int:
    """Append a record of one row's state (its canonical JSON) and return its ``seq``."""
    values = {"table_name": table_name, "row_id": row_id, "change": change, "state": state}
    return _link(session, LedgerRecord, RECORD_FIELDS, values)


def head(session: Session) -> tuple[int, str]:
    """The chain's head as the database records it: (last seq, its hash)."""
    row = session.execute(select(LedgerHead.seq, LedgerHead.hash)).one_or_none()
    return (int(row.seq), str(row.hash)) if row else (0, GENESIS)


def head_at(session: Session, table_name: str, row_id: int) -> tuple[int, str] | None:
    """The head just after the row's first record (e.g. when a proposal closed), if any."""
    row = session.execute(
        select(LedgerRecord.seq, LedgerRecord.hash)
        .where(LedgerRecord.table_name == table_name, LedgerRecord.row_id == row_id)
        .order_by(LedgerRecord.seq)
        .limit(1)
    ).one_or_none()
    return (int(row.seq), str(row.hash)) if row else None


def entries(session: Session) -> Iterator[LedgerEvent | LedgerRecord]:
    """Every entry of both tables in chain order."""
    batches = {"yield_per": 1000}
    events = session.scalars(
        select(LedgerEvent).order_by(LedgerEvent.seq), execution_options=batches
    )
    records = session.scalars(
        select(LedgerRecord).order_by(LedgerRecord.seq), execution_options=batches
    )
    merged: Iterator[LedgerEvent | LedgerRecord] = heapq.merge(events, records, key=_seq)
    yield from merged


def _seq(entry: LedgerEvent | LedgerRecord) -> int:
    return entry.seq


def parse_kept_head(text: str) -> tuple[int | None, str]:
    """``SEQ:HASH`` or ``HASH`` (64 hex digits) as (seq or None, hash); ValueError if neither."""
    seq_text, _, digest = text.strip().rpartition(":")
    digest = digest.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"a kept head is SEQ:HASH or a 64-digit hex hash, got '{text}'")
    if not seq_text:
        return None, digest
    if not seq_text.isdigit():
        raise ValueError(f"a kept head's position must be a number, got '{seq_text}'")
    return int(seq_text), digest


def verify(
    session: Session, *, balances: bool = True, kept_head: str | None = None
) -> VerifyReport:
    """Check the whole chain: every hash, every link, the numbering and the head.

    The chain is also replayed (:class:`soviets.ledger.replay.Replay`): stocks
    never negative, transfers only from the holder of the time, bookings not
    overlapping. With ``balances`` the current rows are compared with the
    replayed state (quantities, holders and kinds, closed proposals,
    bookings, memberships). ``kept_head`` (``SEQ:HASH`` or ``HASH``, as
    printed by ``soviets ledger head``) must still be in the chain, at the
    same position when given with one.
    """
    from soviets.ledger.replay import Replay

    head_seq, head_hash = head(session)
    kept = parse_kept_head(kept_head) if kept_head else None
    kept_found = False
    problems: list[Problem] = []
    replay = Replay(problems)
    expected_seq, prev_hash, count, records = 1, GENESIS, 0, 0
    for entry in entries(session):
        if isinstance(entry, LedgerRecord):
            records += 1
        else:
            count += 1
        seq = entry.seq
        if seq < expected_seq:
            problems.append(Problem(seq, "duplicate", f"there are two entries numbered {seq}"))
            session.expunge(entry)
            continue
        if seq != expected_seq:
            missing = f"entries {expected_seq}..{seq - 1} are missing"
            problems.append(Problem(seq, "missing", missing))
        if entry.prev_hash != prev_hash:
            problems.append(
                Problem(seq, "broken-link", f"entry {seq} does not follow the one before it")
            )
        if entry_hash(entry) != entry.hash:
            problems.append(Problem(seq, "edited", f"entry {seq} was changed after writing"))
        if kept and entry.hash == kept[1] and kept[0] in (None, seq):
            kept_found = True
        expected_seq, prev_hash = seq + 1, entry.hash
        replay.apply(entry)
        session.expunge(entry)
    if (expected_seq - 1, prev_hash) != (head_seq, head_hash):
        problems.append(
            Problem(
                None,
                "head",
                f"the chain ends at entry {expected_seq - 1} but the head records entry {head_seq}"
                if expected_seq - 1 != head_seq
                else "the last entry's hash differs from the one the head records",
            )
        )
    if kept and not kept_found:
        where = f"at entry {kept[0]}" if kept[0] is not None else "anywhere"
        problems.append(
            Problem(
                kept[0],
                "kept-head",
                f"the head you kept ({kept[1][:16]}...) is not in the chain {where}: "
                "the history before it was rewritten",
            )
        )
    replay.finish()
    if balances:
        replay.compare(session)
    return VerifyReport(
        events=count, records=records, head_seq=head_seq, head_hash=head_hash, problems=problems
    )
