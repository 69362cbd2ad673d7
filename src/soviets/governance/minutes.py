"""Minutes of an assembly: drafted by its secretary, approved by the council's vote.

* The assembly's secretary writes and rewrites the draft (Markdown,
  :func:`write_minutes`) until a vote to approve it opens.
* An ``approve_minutes`` proposal (payload ``{"minutes_id": N}``) names the
  draft; its validator adds the SHA-256 of the text as it stands when the
  proposal is drafted (``text_sha256``), so that the council votes on that
  very text. While such a vote is open the draft cannot change; a draft that
  changed before the vote opens makes the opening fail.
* When the vote accepts, the minutes become ``approved`` with the proposal's
  id: they never change again and are chained
  (:mod:`soviets.ledger.records`). The vote may run like any other or be
  taken in an assembly (:func:`soviets.governance.assemblies.decide_in_assembly`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Assembly, Council, Minutes, Proposal

MAX_CHARS = 200_000
"""The longest minutes, in characters."""


def text_hash(text: str) -> str:
    """The SHA-256 of the minutes' text (UTF-8), as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def approvals_running(session: Session, minutes_id: int) -> list[int]:
    """Open ``approve_minutes`` proposals naming these minutes."""
    rows = session.execute(
        select(Proposal.id, Proposal.payload).where(
            Proposal.kind == "approve_minutes", Proposal.status == "open"
        )
    ).all()
    return [pid for pid, payload in rows if json.loads(payload).get("minutes_id") == minutes_id]


def write_minutes(
    session: Session, actor_id: int, assembly_id: int, text: str, now: datetime | None = None
) -> Minutes:
    """Write or rewrite the draft minutes of an assembly (its secretary, a member)."""
    at = authz.moment(now)
    assembly = session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound(f"no assembly #{assembly_id}")
    authz.require_member(session, actor_id, assembly.council_id)
    if actor_id != assembly.secretary_id:
        raise Forbidden(f"only the secretary of assembly #{assembly_id} writes its minutes")
    if assembly.cancelled_at is not None:
        raise Conflict(f"assembly #{assembly_id} was cancelled: it has no minutes")
    body = str(text).replace("\r\n", "\n").strip()
    if not body:
        raise InputError("the minutes are empty", field="text")
    if len(body) > MAX_CHARS:
        raise InputError(f"the minutes are longer than {MAX_CHARS} characters", field="text")
    minutes = session.scalar(select(Minutes).where(Minutes.assembly_id == assembly_id))
    if minutes is None:
        minutes = Minutes(
            assembly_id=assembly_id,
            council_id=assembly.council_id,
            text=body,
            status="draft",
            written_by=actor_id,
            written_at=at,
        )
        session.add(minutes)
        session.flush()
        return minutes
    if minutes.status == "approved":
        raise Conflict(
            f"the minutes of assembly #{assembly_id} were approved by proposal "
            f"#{minutes.approved_by}: they never change"
        )
    running = approvals_running(session, minutes.id)
    if running:
        raise Conflict(
            f"proposal #{running[0]} to approve these minutes is open: the text voted on "
            "cannot change while the vote runs"
        )
    minutes.text, minutes.written_by, minutes.written_at = body, actor_id, at
    session.flush()
    return minutes


def _validate(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    minutes = session.get(Minutes, payload["minutes_id"])
    if minutes is None or minutes.council_id != council.id:
        raise InputError(
            f"no minutes #{payload['minutes_id']} of council '{council.name}'",
            field="payload.minutes_id",
        )
    if minutes.status == "approved":
        raise Conflict(f"minutes #{minutes.id} are already approved")
    digest = text_hash(minutes.text)
    given = payload.get("text_sha256")
    if given is not None and given != digest:
        raise Conflict(
            f"minutes #{minutes.id} changed since this proposal was drafted: "
            "draft a new proposal to approve the text as it stands"
        )
    return {"minutes_id": minutes.id, "text_sha256": digest}


def _approve(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    minutes = session.get(Minutes, payload["minutes_id"])
    if minutes is None or minutes.status != "draft":
        raise Conflict(f"minutes #{payload['minutes_id']} are not a draft awaiting approval")
    if text_hash(minutes.text) != payload["text_sha256"]:
        raise Conflict(f"minutes #{minutes.id} changed after the vote opened")
    minutes.status, minutes.approved_by, minutes.approved_at = "approved", proposal.id, now
    session.flush()


register_executor("approve_minutes", _approve, validate=_validate)
