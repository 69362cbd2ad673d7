"""Proposals: draft, open, count, and carry out — the life of a council decision.

1. Any voter of a council drafts a proposal (:func:`create_proposal`): kind,
   method, quorum and floor (the council's ``proposal.quorum`` and
   ``proposal.floor`` rules, which a proposer may raise but never lower), open
   or secret ballot, optional opening and closing times, the payload to carry
   out (checked by its kind's effect model, :mod:`soviets.governance.effects`),
   and for a ranked vote its options. The proposer may edit or delete the draft.
2. The proposer or a coordinator opens it (:func:`open_proposal`). When the
   council's ``proposal.discussion_hours`` is above 0 it is first discussed for
   that long (status ``discussion``: its text frozen, amendments and
   alternatives welcome, :mod:`soviets.governance.amendments`); voting opens
   when the discussion ends (:func:`start_due`, run with :func:`close_due`). Every vote
   has a deadline: the draft's closing time, else opening time plus the
   council's ``proposal.voting_hours``; never less than
   ``proposal.min_voting_hours`` after opening. From then on its rules are
   frozen (here and by database triggers) and the electorate is fixed: the
   council's members at that moment, or in a federation the delegates seated
   for its member councils, each seat weighing the members its council
   represents, counted by the federation's ``federation.weighting``.
3. Voters cast and change ballots (:mod:`soviets.governance.ballots`).
4. A vote closes by its rules, never by a person's choice: at its deadline
   (:func:`close_due`, run on every read of the proposal or its council's
   list, by ``soviets serve``'s scheduler and by ``soviets tick``), or earlier
   on request (:func:`close_and_count`) only when every elector has voted or
   the result can no longer change (:func:`soviets.governance.tally.settled`).
   Closing counts, decides and, when accepted, carries the decision out
   (:mod:`soviets.governance.execution`) in one transaction; if carrying it
   out fails, the proposal closes as ``failed`` with the error kept.
5. The proposer may withdraw a proposal nobody has voted on
   (:func:`withdraw_proposal`); the council may drop an open proposal by an
   ``abandon_proposal`` vote (:mod:`soviets.governance.endings`).

Service functions never commit: the caller owns the transaction
(:func:`soviets.ledger.db.transaction`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.errors import SovietsError

# Importing the kind modules registers their executors.
from soviets.governance import (
    amendments,
    authz,
    ballots,
    choices,
    councils,
    delegates,
    describe,
    endings,
    execution,
    hours,  # noqa: F401  (registers the set_hours executor)
    joining,
    minutes,
    notices,
    production,
    proposal_rights,
    ratification,
    regions,  # noqa: F401  (registers admit_to_region, join_region, leave_region)
    rules,
    stock,
    tally,
    transfers,
)
from soviets.governance import discussion as _discussion  # noqa: F401  (hide_comment)
from soviets.governance.endings import withdraw_proposal
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
    "close_counted",
    "close_due",
    "close_reason",
    "create_proposal",
    "delete_draft",
    "draft_for",
    "effect_text",
    "get_proposal",
    "list_electorate",
    "list_proposals",
    "live_tally",
    "open_proposal",
    "start_due",
    "update_draft",
    "withdraw_proposal",
]
_REGISTERED = (
    councils,
    delegates,
    endings,
    minutes,
    production,
    ratification,
    rules,
    stock,
    joining,
    transfers,
)

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
    quorum = _share(session, council, spec["quorum"], "quorum")
    floor = _share(session, council, spec["floor"], "floor")
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
    if closes_at is not None:
        shortest = _min_voting(session, council)
        if closes_at < max(now, opens_at or now) + shortest:
            raise InputError(
                f"the vote must close at least {_hours(shortest)} after it opens "
                "(the council's proposal.min_voting_hours)",
                field="closes_at",
            )
    payload = spec["payload"] or {}
    if not isinstance(payload, dict):
        raise InputError("the payload is an object", field="payload")
    payload, given_terms = ratification.split_terms(payload)
    terms = ratification.check_terms(session, council, kind, given_terms)
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
    payload = {**payload, **terms}
    values = {
        "kind": kind,
        "method": method,
        "title": title,
        "body": str(spec["body"] or ""),
        "quorum": quorum,
        "floor": floor,
        "secret": secret,
        "payload": _json(payload),
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    return values, made


def _share(session: Session, council: Council, given: Any, field: str) -> float:
    """The proposal's quorum or floor: the council's rule, or more if the proposer asks."""
    least = rules.rule_number(session, council.id, f"proposal.{field}")
    if given is None:
        return least
    if isinstance(given, bool) or not isinstance(given, int | float) or not 0 <= given <= 1:
        raise InputError(f"{field} must be a share from 0 to 1, got {given!r}", field=field)
    if given < least:
        raise InputError(
            f"the {field} of council '{council.name}' is {least:g} by its rules "
            f"(proposal.{field}): a proposal may raise it, never lower it",
            field=field,
        )
    return float(given)


def _min_voting(session: Session, council: Council) -> timedelta:
    return timedelta(hours=rules.rule_number(session, council.id, "proposal.min_voting_hours"))


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g} hours"


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
    floor: float | None = None,
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
        "floor": floor,
        "secret": secret,
        "payload": payload,
        "options": options,
        "opens_at": opens_at,
        "closes_at": closes_at,
    }
    return _draft(session, council, actor_id, at, spec)


def draft_for(
    session: Session,
    council: Council,
    proposer_id: int,
    at: datetime,
    *,
    kind: str,
    title: str,
    body: str,
    payload: dict[str, Any],
) -> Proposal:
    """Draft a majority vote under the council's rules (deadline, quorum, floor) for
    ``proposer_id``, whose right to propose the caller has checked (an applicant for
    admission, who has no vote yet)."""
    spec = {
        "kind": kind,
        "method": "majority",
        "title": title,
        "body": body,
        "quorum": None,
        "floor": None,
        "secret": False,
        "payload": payload,
        "options": None,
        "opens_at": None,
        "closes_at": None,
    }
    return _draft(session, council, proposer_id, at, spec)


def _draft(
    session: Session, council: Council, proposer_id: int, at: datetime, spec: dict[str, Any]
) -> Proposal:
    """Check ``spec`` against the council's rules and store it as a draft of ``proposer_id``."""
    values, made = _check(session, council, spec, at)
    councils.require_consent(council, spec["kind"], _payloads(values, made), proposer_id)
    proposal = Proposal(
        council_id=council.id, created_by=proposer_id, created_at=at, status="draft", **values
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
    known: tuple[str, ...] = ("kind", "method", "title", "body", "quorum", "floor", "secret")
    known += ("payload", "options", "opens_at", "closes_at")
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
    for share in ("quorum", "floor"):  # the council's rules may have risen since
        spec[share] = max(spec[share], rules.rule_number(session, council.id, f"proposal.{share}"))
    spec.update(changes)
    values, made = _check(session, council, spec, at)
    councils.require_consent(council, values["kind"], _payloads(values, made), actor_id)
    for key, value in values.items():
        setattr(proposal, key, value)
    session.flush()
    _write_options(session, proposal, made)
    return proposal


def delete_draft(session: Session, actor_id: int, proposal_id: int) -> None:
    """Delete a draft (by its proposer, while they have a vote in its council)."""
    proposal = _draft_of(session, actor_id, proposal_id)
    authz.require_voter(session, actor_id, proposal.council_id)
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
                weight = authz.council_weight(session, authz.get_council(session, member_id))
                seats.append(
                    Elector(person_id=delegate.person_id, seat_council_id=member_id, weight=weight)
                )
        return seats, len(members)
    people = authz.member_ids(session, council.id)
    return [Elector(person_id=p) for p in people], len(people)


def open_proposal(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """Open the proposal (by the proposer or a coordinator): to its discussion phase when the
    council's ``proposal.discussion_hours`` is above 0, else to its vote at once."""
    at = authz.moment(now)
    proposal = endings.lock(session, proposal_id)
    council = authz.get_council(session, proposal.council_id)
    if not proposal_rights.may_open(session, actor_id, proposal):
        raise Forbidden(f"only the proposer or a coordinator may open proposal #{proposal_id}")
    if proposal.status != "draft":
        raise Conflict(f"proposal #{proposal_id} is already {proposal.status}")
    if proposal.opens_at is not None and at < proposal.opens_at:
        raise Conflict(f"proposal #{proposal_id} opens at {proposal.opens_at:%Y-%m-%d %H:%M} UTC")
    discussion = timedelta(
        hours=rules.rule_number(session, council.id, "proposal.discussion_hours")
    )
    shortest = _min_voting(session, council)
    if proposal.closes_at is not None and proposal.closes_at < at + discussion + shortest:
        raise Conflict(
            f"proposal #{proposal_id} was to close at {proposal.closes_at:%Y-%m-%d %H:%M} UTC, "
            f"less than {_hours(discussion + shortest)} from now (the council's "
            "proposal.discussion_hours and proposal.min_voting_hours): "
            "give the draft a later closing time"
        )
    if discussion:
        _check_payloads(session, council, proposal, at)
        mode = rules.amendment_mode(session, council.id)
        proposal.status, proposal.discussion_ends_at = "discussion", at + discussion
        proposal.amendments = mode
        session.flush()
        return proposal
    _start_vote(session, proposal, council, at)
    return proposal


def _check_payloads(session: Session, council: Council, proposal: Proposal, at: datetime) -> None:
    """Check what the proposal would carry out against the world as it is now (it may have
    changed since the draft, e.g. the person was admitted meanwhile)."""
    if proposal.method != "schulze":
        effect, _ = ratification.split_terms(proposal.voted_payload)
        execution.validate_payload(session, council, proposal.kind, effect, at)
        return
    for option in proposal.options:
        if option.label != proposal.no_change:
            execution.validate_payload(session, council, proposal.kind, option.payload_data, at)


def _start_vote(
    session: Session,
    proposal: Proposal,
    council: Council,
    at: datetime,
    changes: dict[str, Any] | None = None,
) -> None:
    """Open voting: set ``changes`` (the ballot after a discussion), fix the electorate, the
    deadline and the rules of the count (quorum and floor at least the council's rules now),
    all in one update."""
    for key, value in (changes or {}).items():  # checked before anything is written
        setattr(proposal, key, value)
    with session.no_autoflush:
        _check_payloads(session, council, proposal, at)
        electors, size = _electorate(session, council, at)
        if proposal.closes_at is None:
            hours = rules.rule_number(session, council.id, "proposal.voting_hours")
            proposal.closes_at = at + timedelta(hours=hours)
        for share in ("quorum", "floor"):
            least = rules.rule_number(session, council.id, f"proposal.{share}")
            setattr(proposal, share, max(getattr(proposal, share), least))
        if council.kind == "federation":
            proposal.weighting = rules.weighting(session, council.id)
            proposal.electorate_members = sum(
                authz.council_weight(session, authz.get_council(session, member_id))
                for member_id in authz.member_council_ids(session, council.id)
            )
    proposal.status, proposal.opened_at, proposal.electorate_size = "open", at, size
    session.flush()
    for elector in electors:
        elector.proposal_id = proposal.id
        session.add(elector)
    session.flush()
    notices.on_opened(session, proposal, council)


def _end_discussion(session: Session, proposal: Proposal, at: datetime) -> str | None:
    """Move a proposal whose discussion is over on to its vote, or to the votes on its
    amendments first (see :mod:`soviets.governance.amendments`); what happened (None: it
    still waits for those votes)."""
    council = authz.get_council(session, proposal.council_id)
    for amendment in amendments.of_proposal(session, proposal.id):
        if amendment.status == "voting" and amendment.vote_id is not None:
            close_due(session, at, proposal_id=amendment.vote_id)
    plan = amendments.plan_vote(session, proposal)
    if plan.waiting:
        return None
    if plan.votes:
        for amendment in plan.votes:
            vote = draft_for(
                session,
                council,
                amendment.created_by,
                at,
                kind="general",
                title=f"{amendment.label} to proposal #{proposal.id}: {amendment.title}"[:200],
                body=amendment.body,
                payload={},
            )
            _start_vote(session, vote, council, at)
            amendment.vote_id, amendment.status = vote.id, "voting"
        session.flush()
        return f"discussion over: {len(plan.votes)} amendments put to their own votes"
    changes: dict[str, Any] = {}
    if plan.body is not None:
        changes["amended_body"] = plan.body
    if plan.payload is not None:
        changes["amended_payload"] = _json(plan.payload)
    if plan.options is not None:
        _write_options(
            session, proposal, [(label, _json(payload)) for label, payload in plan.options]
        )
        changes |= {"method": "schulze", "no_change": amendments.NO_CHANGE}
    amendments.settle(session, proposal)
    _start_vote(session, proposal, council, at, changes)
    return "discussion over: voting open"


def start_due(
    session: Session,
    now: datetime | None = None,
    *,
    council_id: int | None = None,
    proposal_id: int | None = None,
) -> dict[int, str]:
    """Move on every proposal whose discussion has ended (of one council, or one proposal),
    each in its own savepoint. Returns proposal id -> what happened, or the error that
    kept it in discussion (nothing for one still waiting for its amendments' votes)."""
    at = authz.moment(now)
    stmt = select(Proposal.id).where(
        Proposal.status == "discussion", Proposal.discussion_ends_at <= at
    )
    if council_id is not None:
        stmt = stmt.where(Proposal.council_id == council_id)
    if proposal_id is not None:
        stmt = stmt.where(Proposal.id == proposal_id)
    report: dict[int, str] = {}
    for due_id in session.scalars(stmt.order_by(Proposal.discussion_ends_at, Proposal.id)).all():
        try:
            with session.begin_nested():
                proposal = endings.lock(session, due_id)
                if proposal.status != "discussion":
                    continue
                done = _end_discussion(session, proposal, at)
            if done is not None:
                report[due_id] = done
        except (SovietsError, IntegrityError) as exc:
            report[due_id] = f"error: {str(exc).splitlines()[0]}"
    return report


def close_counted(
    session: Session,
    proposal: Proposal,
    now: datetime,
    *,
    extra: tally.Weighted | None = None,
    notes: dict[str, Any] | None = None,
) -> None:
    """Count, carry out if accepted, then mark closed: one transaction's work.

    ``extra`` are ballots counted beside the stored ones (hands shown in an
    assembly), ``notes`` go into the result; the caller has checked that the
    vote may close. When carrying out an accepted proposal fails, nothing of it
    remains and the proposal closes as ``failed``, with the error in its result.
    """
    summary = tally.summarise(session, proposal, extra)
    effect = describe.describe_proposal(session, proposal)
    carried_out = False
    failure: str | None = None
    deferred = summary.accepted and ratification.to_be_ratified(proposal)
    if summary.accepted and not deferred:
        payload = endings.decided_payload(proposal, summary.winner)
        try:
            with session.begin_nested():
                carried_out = execution.execute(session, proposal, payload, now)
        except (SovietsError, IntegrityError) as exc:
            failure = str(exc).splitlines()[0]
    notes = {"effect_text": effect, **(notes or {})}
    outcome = "accepted" if summary.accepted else "rejected"
    if failure is not None:
        outcome = "failed"
        notes |= {
            "reason": f"{summary.reason}, but carrying it out failed: {failure}",
            "failure": failure,
        }
    if deferred:
        notes |= {
            "reason": f"{summary.reason}; it takes effect once the member councils ratify it",
            "awaiting_ratification": True,
        }
    endings.write_end(
        session,
        proposal,
        outcome,
        summary,
        now,
        winner=summary.winner,
        executed=carried_out,
        notes=notes,
    )
    if deferred:
        _send_to_ratification(session, proposal, now)


def _send_to_ratification(session: Session, decision: Proposal, now: datetime) -> None:
    """Open a ``ratify`` vote in each member council for an accepted federation decision."""
    for council_id, proposer_id in ratification.begin(session, decision, now):
        council = authz.get_council(session, council_id)
        spec = {
            "kind": "ratify",
            "method": "majority",
            "title": f"Ratify: {decision.title}"[:200],
            "body": (
                f"The federation accepted proposal #{decision.id} and asks its member councils "
                "to ratify it; it takes effect once enough of them do."
            ),
            "quorum": None,
            "floor": None,
            "secret": False,
            "payload": {"decision_id": decision.id},
            "options": None,
            "opens_at": None,
            "closes_at": None,
        }
        vote = _draft(session, council, proposer_id, now, spec)
        _start_vote(session, vote, council, now)
        ratification.attach(session, decision.id, council_id, vote.id)


def close_and_count(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """Close a vote before its deadline, when its rules allow, and carry out its result.

    Anyone who may read the council may ask; the vote closes only when its
    deadline has passed, every elector has voted, or the result can no longer
    change whatever the others do (:func:`soviets.governance.tally.settled`);
    otherwise :class:`Conflict` says why not.
    """
    at = authz.moment(now)
    proposal = endings.lock(session, proposal_id)
    authz.require_read(session, actor_id, proposal.council_id, at)
    if proposal.status != "open":
        raise Conflict(f"proposal #{proposal_id} is {proposal.status}, not open")
    running = proposal.closes_at is None or at < proposal.closes_at
    if running and tally.settled(session, proposal) is None:
        until = (
            "" if proposal.closes_at is None else f" until {proposal.closes_at:%Y-%m-%d %H:%M} UTC"
        )
        left = len(tally.remaining(session, proposal))
        raise Conflict(
            f"voting on proposal #{proposal_id} is open{until}: {left} electors have not "
            "voted and their ballots could still change the result"
        )
    close_counted(session, proposal, at)
    return proposal


def close_due(
    session: Session,
    now: datetime | None = None,
    *,
    council_id: int | None = None,
    proposal_id: int | None = None,
) -> dict[int, str]:
    """Close every open proposal whose deadline has passed (of one council, or one proposal).

    Each closes in its own savepoint, its row locked and its status checked again
    (another transaction may have closed it meanwhile). Then proposals whose discussion
    has ended move on to their votes (:func:`start_due`). Returns proposal id -> its
    outcome (or status), or the error that kept it as it was.
    """
    at = authz.moment(now)
    stmt = select(Proposal.id).where(Proposal.status == "open", Proposal.closes_at <= at)
    if council_id is not None:
        stmt = stmt.where(Proposal.council_id == council_id)
    if proposal_id is not None:
        stmt = stmt.where(Proposal.id == proposal_id)
    report: dict[int, str] = {}
    if proposal_id is None:
        ratification.settle_due(session, at, federation_id=council_id)
    for due_id in session.scalars(stmt.order_by(Proposal.closes_at, Proposal.id)).all():
        try:
            with session.begin_nested():
                proposal = endings.lock(session, due_id)
                if proposal.status != "open":
                    continue
                close_counted(session, proposal, at)
            report[due_id] = proposal.outcome or ""
        except (SovietsError, IntegrityError) as exc:
            report[due_id] = f"error: {str(exc).splitlines()[0]}"
    if proposal_id is None or not report:
        report |= start_due(session, at, council_id=council_id, proposal_id=proposal_id)
    return report


# --- reading (permission-checked) ------------------------------------------------------------


def get_proposal(session: Session, actor_id: int | None, proposal_id: int) -> Proposal:
    """A proposal of a council the actor may read (closed first if its deadline has passed)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    authz.require_read(session, actor_id, proposal.council_id)
    if proposal.status in ("discussion", "open"):
        close_due(session, proposal_id=proposal_id)
        session.refresh(proposal)  # another transaction may have closed it meanwhile
    return proposal


def list_proposals(
    session: Session, actor_id: int | None, council_id: int, *, status: str | None = None
) -> list[Proposal]:
    """Proposals of a readable council, newest first (optionally of one status); those whose
    deadline has passed are closed first."""
    authz.require_read(session, actor_id, council_id)
    close_due(session, council_id=council_id)
    stmt = select(Proposal).where(Proposal.council_id == council_id)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    stmt = stmt.order_by(Proposal.id.desc()).execution_options(populate_existing=True)
    return list(session.scalars(stmt))


def close_reason(session: Session, actor_id: int | None, proposal_id: int) -> str | None:
    """Why a readable open vote may be closed now (None: it runs until its deadline)."""
    proposal = get_proposal(session, actor_id, proposal_id)
    if proposal.status != "open":
        return None
    return tally.settled(session, proposal)


def effect_text(session: Session, actor_id: int | None, proposal_id: int) -> list[str]:
    """What accepting a readable proposal changes, in plain words (its decision record once
    closed: the words as they stood when it was decided)."""
    proposal = get_proposal(session, actor_id, proposal_id)
    stored = (proposal.result_data or {}).get("effect_text")
    return stored if stored is not None else describe.describe_proposal(session, proposal)


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
