"""Proposals: draft, open, count, and carry out — the life of a council decision.

1. Any voter of a council drafts a proposal (:func:`create_proposal`): kind,
   method, quorum (default: the council's ``proposal.quorum`` rule, else
   one half), open or secret ballot, optional opening and closing times,
   the payload to carry out, and for a ranked vote its options. The proposer
   may edit or delete the draft.
2. The proposer or a coordinator opens it (:func:`open_proposal`). From then
   on its rules are frozen (here and by database triggers) and the
   electorate is fixed: the council's members at that moment, or in a
   federation the delegates seated for its member councils.
3. Voters cast and change ballots (:mod:`soviets.governance.ballots`).
4. :func:`close_and_count` counts, decides and, when accepted, carries the
   decision out (:mod:`soviets.governance.execution`) in one transaction:
   if carrying out fails, nothing of the close remains and the proposal
   stays open, with the error raised to the caller.
5. A draft may be withdrawn by its proposer; an open proposal that can never
   be carried out is closed as ``failed`` by a coordinator, or dropped by the
   council's ``abandon_proposal`` vote (:mod:`soviets.governance.endings`).

Service functions never commit: the caller owns the transaction
(:func:`soviets.ledger.db.transaction`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.errors import SovietsError

# Importing the kind modules registers their executors.
from soviets.governance import (
    authz,
    ballots,
    choices,
    councils,
    delegates,
    endings,
    execution,
    rules,
    tally,
)
from soviets.governance.endings import close_as_failed, withdraw_draft
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.ledger.models import (
    Council,
    Elector,
    Proposal,
    ProposalOption,
)
from soviets.ledger.models.governance import METHODS, PROPOSAL_KINDS
from soviets.ledger.types import as_utc

__all__ = [
    "close_and_count",
    "close_as_failed",
    "close_due",
    "create_proposal",
    "delete_draft",
    "get_proposal",
    "list_electorate",
    "list_proposals",
    "live_tally",
    "open_proposal",
    "update_draft",
    "withdraw_draft",
]
_REGISTERED = (councils, delegates, endings, rules)

OptionSpec = str | dict[str, Any]
"""A ranked vote's option: its label, or ``{"label": ..., "payload": {...}}``."""


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _time(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InputError("needs a date and time", field=field)
    return as_utc(value)


def _check(
    session: Session, council: Council, spec: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check a proposal's rules; the column values and the options (label, payload JSON)."""
    kind, method = spec["kind"], spec["method"]
    if kind not in PROPOSAL_KINDS:
        raise InputError(
            f"unknown kind {kind!r} (kinds: {', '.join(PROPOSAL_KINDS)})", field="kind"
        )
    if method not in METHODS:
        raise InputError(
            f"unknown method {method!r} (methods: {', '.join(METHODS)})", field="method"
        )
    title = str(spec["title"] or "").strip()
    if not title or len(title) > 200:
        raise InputError("a proposal needs a title of 1 to 200 characters", field="title")
    quorum = spec["quorum"]
    if quorum is None:
        quorum = rules.default_quorum(session, council.id)
    if isinstance(quorum, bool) or not isinstance(quorum, int | float) or not 0 <= quorum <= 1:
        raise InputError(f"quorum must be a share from 0 to 1, got {quorum!r}", field="quorum")
    secret = spec["secret"]
    if not isinstance(secret, bool):
        raise InputError("secret must be true or false", field="secret")
    if secret and council.kind == "federation":
        raise InputError(
            "delegates vote openly, so that their councils can hold them to their mandates",
            field="secret",
        )
    opens_at = _time(spec["opens_at"], "opens_at")
    closes_at = _time(spec["closes_at"], "closes_at")
    if closes_at is not None and closes_at <= max(now, opens_at or now):
        raise InputError("the vote must close after it opens and in the future", field="closes_at")
    payload = spec["payload"] or {}
    if not isinstance(payload, dict):
        raise InputError("the payload is an object", field="payload")
    options = spec["options"]
    if method != "schulze":
        if options:
            raise InputError(
                f"a {method} vote has the fixed options {', '.join(choices.FIXED_OPTIONS[method])}",
                field="options",
            )
        payload = execution.validate_payload(session, council, kind, payload, now)
        made = [(label, "{}") for label in choices.FIXED_OPTIONS[method]]
    else:
        made = _ranked_options(session, council, kind, payload, options, now)
    values = {
        "kind": kind,
        "method": method,
        "title": title,
        "body": str(spec["body"] or ""),
        "quorum": float(quorum),
        "secret": secret,
        "payload": _json(payload),
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    return values, made


def _ranked_options(
    session: Session,
    council: Council,
    kind: str,
    payload: dict[str, Any],
    options: Sequence[OptionSpec] | None,
    now: datetime,
) -> list[tuple[str, str]]:
    if not options or len(options) < 2:
        raise InputError("a ranked vote needs at least two options", field="options")
    made: list[tuple[str, str]] = []
    for item in options:
        label, extra = (
            (item, {}) if isinstance(item, str) else (item.get("label"), item.get("payload"))
        )
        label = choices.check_label(str(label or ""))
        if not isinstance(extra, dict):
            raise InputError(f"option '{label}': the payload is an object", field="options")
        if any(label == seen for seen, _ in made):
            raise InputError(f"option '{label}' is listed twice", field="options")
        merged = {**payload, **extra}
        if kind == "general":
            checked = execution.validate_payload(session, council, kind, merged, now)
        else:
            try:
                checked = execution.validate_payload(session, council, kind, merged, now)
            except InputError as exc:
                raise InputError(f"option '{label}': {exc.detail}", field=exc.field) from None
        made.append((label, _json(checked)))
    return made


def _payloads(values: dict[str, Any], made: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """What a proposal would carry out: its payload, or each option's for a ranked vote."""
    if values["method"] == "schulze":
        return [json.loads(payload) for _, payload in made]
    return [json.loads(values["payload"])]


def _write_options(session: Session, proposal: Proposal, made: list[tuple[str, str]]) -> None:
    session.execute(delete(ProposalOption).where(ProposalOption.proposal_id == proposal.id))
    for position, (label, payload) in enumerate(made, start=1):
        session.add(
            ProposalOption(proposal_id=proposal.id, label=label, position=position, payload=payload)
        )
    session.flush()
    session.refresh(proposal, ["options"])


def create_proposal(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    kind: str,
    title: str,
    body: str = "",
    method: str = "majority",
    quorum: float | None = None,
    secret: bool = False,
    payload: dict[str, Any] | None = None,
    options: Sequence[OptionSpec] | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Draft a proposal in a council where the actor has a vote."""
    at = authz.moment(now)
    council = authz.require_voter(session, actor_id, council_id, at)
    spec = {
        "kind": kind,
        "method": method,
        "title": title,
        "body": body,
        "quorum": quorum,
        "secret": secret,
        "payload": payload,
        "options": options,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    values, made = _check(session, council, spec, at)
    councils.require_consent(council, kind, _payloads(values, made), actor_id)
    proposal = Proposal(
        council_id=council.id, created_by=actor_id, created_at=at, status="draft", **values
    )
    session.add(proposal)
    session.flush()
    _write_options(session, proposal, made)
    return proposal


def _draft_of(session: Session, actor_id: int, proposal_id: int) -> Proposal:
    proposal = endings.lock(session, proposal_id)
    if proposal.status == "withdrawn":
        raise Conflict(f"proposal #{proposal_id} was withdrawn by its proposer: it never changes")
    if proposal.status != "draft":
        raise Conflict(
            f"proposal #{proposal_id} is {proposal.status}: its rules are frozen once voting opens"
        )
    if proposal.created_by != actor_id:
        raise Forbidden(f"only the proposer may change draft proposal #{proposal_id}")
    return proposal


def update_draft(
    session: Session,
    actor_id: int,
    proposal_id: int,
    *,
    now: datetime | None = None,
    **changes: Any,
) -> Proposal:
    """Change a draft (by its proposer); the same fields as :func:`create_proposal`."""
    at = authz.moment(now)
    proposal = _draft_of(session, actor_id, proposal_id)
    council = authz.require_voter(session, actor_id, proposal.council_id, at)
    known = ("kind", "method", "title", "body", "quorum", "secret", "payload", "options")
    known += ("opens_at", "closes_at")
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise InputError(f"unknown field '{unknown[0]}'", field=unknown[0])
    spec: dict[str, Any] = {k: getattr(proposal, k) for k in known if k not in ("options",)}
    spec["payload"] = proposal.payload_data
    spec["options"] = (
        [{"label": o.label, "payload": o.payload_data} for o in proposal.options]
        if proposal.method == "schulze"
        else None
    )
    if "method" in changes and "options" not in changes and changes["method"] != "schulze":
        spec["options"] = None
    spec.update(changes)
    values, made = _check(session, council, spec, at)
    councils.require_consent(council, values["kind"], _payloads(values, made), actor_id)
    for key, value in values.items():
        setattr(proposal, key, value)
    session.flush()
    _write_options(session, proposal, made)
    return proposal


def delete_draft(session: Session, actor_id: int, proposal_id: int) -> None:
    """Delete a draft (by its proposer)."""
    proposal = _draft_of(session, actor_id, proposal_id)
    session.execute(delete(ProposalOption).where(ProposalOption.proposal_id == proposal.id))
    session.delete(proposal)
    session.flush()


def _electorate(session: Session, council: Council, now: datetime) -> tuple[list[Elector], int]:
    """The voters of a council now, and the size the quorum is a share of."""
    if council.kind == "federation":
        members = authz.member_council_ids(session, council.id)
        seats = []
        for member_id in members:
            delegate = authz.seated_delegate(session, member_id, council.id, now)
            if delegate is not None:
                seats.append(Elector(person_id=delegate.person_id, seat_council_id=member_id))
        return seats, len(members)
    people = authz.member_ids(session, council.id)
    return [Elector(person_id=p) for p in people], len(people)


def open_proposal(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """Open voting (by the proposer or a coordinator): fix the electorate, freeze the rules."""
    at = authz.moment(now)
    proposal = endings.lock(session, proposal_id)
    council = authz.get_council(session, proposal.council_id)
    if proposal.created_by != actor_id:
        membership = authz.open_membership(session, actor_id, council.id)
        if membership is None or membership.role != "coordinator":
            raise Forbidden(f"only the proposer or a coordinator may open proposal #{proposal_id}")
    if proposal.status != "draft":
        raise Conflict(f"proposal #{proposal_id} is already {proposal.status}")
    if proposal.opens_at is not None and at < proposal.opens_at:
        raise Conflict(f"proposal #{proposal_id} opens at {proposal.opens_at:%Y-%m-%d %H:%M} UTC")
    if proposal.closes_at is not None and at >= proposal.closes_at:
        raise Conflict(
            f"proposal #{proposal_id} was to close at {proposal.closes_at:%Y-%m-%d %H:%M} UTC"
        )
    # The world may have changed since the draft (e.g. the person was admitted meanwhile).
    if proposal.method != "schulze":
        execution.validate_payload(session, council, proposal.kind, proposal.payload_data, at)
    else:
        for option in proposal.options:
            execution.validate_payload(session, council, proposal.kind, option.payload_data, at)
    electors, size = _electorate(session, council, at)
    for elector in electors:
        elector.proposal_id = proposal.id
        session.add(elector)
    proposal.status, proposal.opened_at, proposal.electorate_size = "open", at, size
    session.flush()
    return proposal


def _may_close(session: Session, actor_id: int, proposal: Proposal, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    if proposal.closes_at is not None:
        if now < proposal.closes_at:
            raise Conflict(
                f"voting on proposal #{proposal.id} is open until "
                f"{proposal.closes_at:%Y-%m-%d %H:%M} UTC"
            )
        if actor_id != proposal.created_by:
            authz.require_voter(session, actor_id, council.id, now)
        return
    if actor_id == proposal.created_by:
        return
    membership = authz.open_membership(session, actor_id, council.id)
    if membership is None or membership.role != "coordinator":
        raise Forbidden(
            f"proposal #{proposal.id} has no closing time: only its proposer or a "
            "coordinator may close it"
        )


def _close(session: Session, proposal: Proposal, now: datetime) -> None:
    """Count, carry out if accepted, then mark closed: one transaction's work."""
    summary = tally.summarise(session, proposal)
    carried_out = False
    if summary.accepted:
        payload = endings.decided_payload(proposal, summary.winner)
        carried_out = execution.execute(session, proposal, payload, now)
    outcome = "accepted" if summary.accepted else "rejected"
    endings.write_end(
        session, proposal, outcome, summary, now, winner=summary.winner, executed=carried_out
    )


def close_and_count(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """Close voting, count, and carry out an accepted proposal, all or nothing.

    After the closing time any voter may close; a proposal without one is
    closed by its proposer or a coordinator. If carrying it out fails, the
    error is raised and the proposal stays open, untouched.
    """
    at = authz.moment(now)
    proposal = endings.lock(session, proposal_id)
    if proposal.status != "open":
        raise Conflict(f"proposal #{proposal_id} is {proposal.status}, not open")
    _may_close(session, actor_id, proposal, at)
    with session.begin_nested():
        _close(session, proposal, at)
    return proposal


def close_due(session: Session, now: datetime | None = None) -> dict[int, str | None]:
    """Close every open proposal whose closing time has passed (for a scheduler).

    Returns proposal id -> None when closed, or the error that kept it open.
    """
    at = authz.moment(now)
    due = session.scalars(
        select(Proposal.id)
        .where(Proposal.status == "open", Proposal.closes_at <= at)
        .order_by(Proposal.closes_at, Proposal.id)
    ).all()
    report: dict[int, str | None] = {}
    for proposal_id in due:
        try:
            with session.begin_nested():
                _close(session, endings.lock(session, proposal_id), at)
            report[proposal_id] = None
        except (SovietsError, IntegrityError) as exc:
            report[proposal_id] = str(exc).splitlines()[0]
    return report


# --- reading (permission-checked) ------------------------------------------------------------


def get_proposal(session: Session, actor_id: int | None, proposal_id: int) -> Proposal:
    """A proposal of a council the actor may read."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    authz.require_read(session, actor_id, proposal.council_id)
    return proposal


def list_proposals(
    session: Session, actor_id: int | None, council_id: int, *, status: str | None = None
) -> list[Proposal]:
    """Proposals of a readable council, newest first (optionally of one status)."""
    authz.require_read(session, actor_id, council_id)
    stmt = select(Proposal).where(Proposal.council_id == council_id)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    return list(session.scalars(stmt.order_by(Proposal.id.desc())))


def list_electorate(session: Session, actor_id: int | None, proposal_id: int) -> list[Elector]:
    """The electorate of a readable proposal (empty while a draft)."""
    get_proposal(session, actor_id, proposal_id)
    return list(
        session.scalars(
            select(Elector).where(Elector.proposal_id == proposal_id).order_by(Elector.person_id)
        )
    )


def live_tally(session: Session, actor_id: int | None, proposal_id: int) -> dict[str, Any]:
    """The count so far (open ballot), the stored result (closed), or only the turnout.

    A secret vote shows only its turnout until it closes: a running tally
    would tell anyone watching it change what the last voter chose.
    """
    proposal = get_proposal(session, actor_id, proposal_id)
    if proposal.status == "closed":
        return proposal.result_data or {}
    if proposal.status in ("draft", "withdrawn"):
        return {"status": proposal.status}
    if proposal.secret:
        voted = len(ballots.list_ballots(session, actor_id, proposal_id))
        return {"status": "open", "electorate": proposal.electorate_size, "ballots": voted}
    return {"status": "open", **tally.summarise(session, proposal).to_dict()}
