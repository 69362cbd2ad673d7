"""The whole message log of a federated round, kept with its plan.

The planner hands the log as plain bytes in the plan's ``extra[LOG_KEY]`` (the
format of :mod:`soviets.planning.message_log`; the ledger never runs the
federation). It is stored compressed, one row per plan (``protocol_logs``), with
the sha256 of the log: reading it back checks the digest, so a log changed in the
database is refused, not shown.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy.orm import Session

from soviets.ledger.errors import Conflict
from soviets.ledger.models import ProtocolLog, ProtocolMessage
from soviets.planning.message_log import AuditLog, digest

LOG_KEY = "message_log"  # the plan's extra entry that carries the log (bytes)
LEVEL = 6  # zlib's compression level


def store(session: Session, plan_id: int, payload: bytes, wire_bytes: int) -> ProtocolLog:
    """Keep the log ``payload`` of plan ``plan_id`` (``wire_bytes``: what the post
    carried, in bytes)."""
    log = AuditLog.load(payload)
    row = ProtocolLog(
        plan_id=plan_id,
        data=zlib.compress(payload, LEVEL),
        sha256=digest(payload),
        messages=log.messages,
        raw_size=len(payload),
        wire_bytes=wire_bytes,
    )
    session.add(row)
    return row


def load(session: Session, plan_id: int) -> AuditLog | None:
    """The log of plan ``plan_id`` (None: it has none), its sha256 checked."""
    row = session.get(ProtocolLog, plan_id)
    if row is None:
        return None
    payload = zlib.decompress(row.data)
    if digest(payload) != row.sha256:
        raise Conflict(f"the message log of plan {plan_id} does not match its sha256")
    return AuditLog.load(payload)


def stored_row(m: ProtocolMessage) -> dict[str, Any]:
    """A row of ``protocol_messages`` (an agreement, the clerk's summary) in the shape of
    a log's rows (:meth:`soviets.planning.message_log.AuditLog.row_at`)."""
    body = m.body or {}
    agreement = m.kind == "agreement"
    return {
        "id": m.id,
        "plan_id": m.plan_id,
        "seq": None,
        "trial": None,
        "round": m.round,
        "sender": m.sender,
        "receiver": m.receiver,
        "kind": m.kind,
        "size": m.size,
        "count": m.count,
        "good": body.get("good") if agreement else None,
        "unit": None,
        "quantity": body.get("quantity") if agreement else None,
        "price": None,
        "body": body,
    }


def log_row(plan_id: int, row: dict[str, Any]) -> dict[str, Any]:
    """A log's row in the same shape as :func:`stored_row` (one message; its bytes are
    counted with the summary)."""
    fields = row["fields"]
    rest = {k: v for k, v in row.items() if k != "fields"}
    return rest | {"id": None, "plan_id": plan_id, "size": None, "count": 1, "body": fields}
