"""The hash chain of inventory events: appending and verifying.

Event ``n`` stores ``prev_hash`` (the hash of event ``n - 1``, or 64 zeros for
the first) and ``hash = SHA-256(canonical(event))``, where ``canonical`` is
the JSON of the fields in :data:`HASHED_FIELDS` with sorted keys, no spaces,
floats in Python's shortest round-trip form and the timestamp as
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC. Changing any field of an event changes
its hash; removing or inserting an event breaks the next event's link or the
numbering; the head row catches changes at the end of the chain.

Appends lock the head row (``SELECT ... FOR UPDATE``; SQLite transactions
already hold the database's write lock from ``BEGIN IMMEDIATE``), so
appenders queue one behind the other and never race for a sequence number;
the UNIQUE ``seq`` would refuse a second event ``n`` if they did.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from soviets.ledger.models.inventory import LedgerEvent, LedgerHead, Resource
from soviets.ledger.types import as_utc, utcnow

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
# Actions that change the held quantity: +1 adds to the resource, -1 takes from it.
SIGN: dict[str, int] = {"produce": 1, "raise": 1, "consume": -1, "lower": -1}


def canonical(values: dict[str, Any]) -> bytes:
    """The canonical byte serialisation of an event's hashed fields."""
    data = {}
    for name in HASHED_FIELDS:
        value = values.get(name)
        if isinstance(value, datetime):
            value = as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif isinstance(value, float):
            value = float(value)
        data[name] = value
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(values: dict[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical` of ``values``."""
    return hashlib.sha256(canonical(values)).hexdigest()


def _fields(ev: LedgerEvent) -> dict[str, Any]:
    return {name: getattr(ev, name) for name in HASHED_FIELDS}


def lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain's head row for this transaction and return (last seq, last hash)."""
    stmt = select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.id == 1).with_for_update()
    row = session.execute(stmt).one_or_none()
    if row is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        session.execute(
            dialect_insert(LedgerHead)
            .values(id=1, seq=0, hash=GENESIS)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = session.execute(stmt).one()
    return int(row.seq), str(row.hash)


def append(session: Session, **values: Any) -> LedgerEvent:
    """Append one event (fields as keyword arguments) at the end of the chain."""
    seq, prev = lock_head(session)
    values.update(seq=seq + 1, prev_hash=prev, created_at=utcnow())
    values["quantity"] = float(values["quantity"])
    values["hash"] = event_hash(values)
    session.execute(insert(LedgerEvent).values(**values))
    session.execute(
        update(LedgerHead).where(LedgerHead.id == 1).values(seq=values["seq"], hash=values["hash"])
    )
    return session.execute(select(LedgerEvent).where(LedgerEvent.seq == values["seq"])).scalar_one()


@dataclass
class Problem:
    """One thing found wrong: the event number, a kind and a sentence."""

    seq: int | None
    kind: str  # edited | broken-link | missing | head | balance
    message: str


@dataclass
class VerifyReport:
    """The result of :func:`verify`: events checked, the head and the problems found."""

    events: int
    head_seq: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "problems": [p.__dict__ for p in self.problems],
        }


def verify(session: Session, *, balances: bool = True) -> VerifyReport:
    """Check the whole chain: every hash, every link, the numbering and the head.

    With ``balances`` also replay the events and compare each resource's
    quantity with the sum of its events (catches a quantity changed outside
    the ledger).
    """
    head = session.execute(select(LedgerHead.seq, LedgerHead.hash)).one_or_none()
    head_seq, head_hash = (int(head.seq), str(head.hash)) if head else (0, GENESIS)
    problems: list[Problem] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    replay: dict[int, float] = {}
    stmt = select(LedgerEvent).order_by(LedgerEvent.seq).execution_options(yield_per=1000)
    for ev in session.scalars(stmt):
        count += 1
        if ev.seq != expected_seq:
            problems.append(
                Problem(ev.seq, "missing", f"events {expected_seq}..{ev.seq - 1} are missing")
            )
        if ev.prev_hash != prev_hash:
            problems.append(
                Problem(ev.seq, "broken-link", f"event {ev.seq} does not follow the one before it")
            )
        if event_hash(_fields(ev)) != ev.hash:
            problems.append(Problem(ev.seq, "edited", f"event {ev.seq} was changed after writing"))
        expected_seq, prev_hash = ev.seq + 1, ev.hash
        if ev.action in SIGN:
            replay[ev.resource_id] = replay.get(ev.resource_id, 0.0) + SIGN[ev.action] * ev.quantity
        elif ev.action == "transfer":
            replay[ev.resource_id] = replay.get(ev.resource_id, 0.0) - ev.quantity
            if ev.to_resource_id is not None:
                replay[ev.to_resource_id] = replay.get(ev.to_resource_id, 0.0) + ev.quantity
        session.expunge(ev)
    if (expected_seq - 1, prev_hash) != (head_seq, head_hash):
        problems.append(
            Problem(
                None,
                "head",
                f"the chain ends at event {expected_seq - 1} but the head records event {head_seq}"
                if expected_seq - 1 != head_seq
                else "the last event's hash differs from the one the head records",
            )
        )
    if balances:
        stocks = session.execute(select(Resource.id, Resource.name, Resource.quantity))
        for rid, name, qty in stocks:
            expected = replay.get(rid, 0.0)
            if not math.isclose(qty, expected, rel_tol=1e-9, abs_tol=1e-9):
                problems.append(
                    Problem(
                        None,
                        "balance",
                        f"resource {rid} '{name}' holds {qty:g}; its events add up to {expected:g}",
                    )
                )
    return VerifyReport(events=count, head_seq=head_seq, head_hash=head_hash, problems=problems)
