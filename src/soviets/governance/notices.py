"""Notices: tell each member what concerns them, at the moment it happens.

Every feature adds a notice with one call::

    notices.notify(session, person_ids, "decision", "proposal:12", "Riverside decided ...",
                   council_id=3)

The notice lands in each person's inbox (:mod:`soviets.governance.briefing`) and,
by their choice, in a mail or their daily digest (``soviets tick``). The
``on_*`` functions below are the events of the core service; see
``docs/briefing.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from soviets.governance import authz, choices
from soviets.ledger.models import (
    Ballot,
    BallotMark,
    Council,
    Delegate,
    Elector,
    Notice,
    Proposal,
    ProposalOption,
    Voted,
)

KINDS: dict[str, str] = {
    "new_proposal": "New proposal",
    "decision": "Decision taken",
    "delivery_due": "Delivery due",
    "delegate_vote": "Your delegate's vote",
    "recall": "Delegate recalled",
    "invitation": "Invitation",
    "assembly": "Assembly called",
    "plan_changed": "Plan changed",
}
"""Kinds of notice and their headings; a new feature adds its kind here."""

_SUBJECT = re.compile(r"^[a-z_]{1,30}:[0-9]{1,18}$")


def notify(
    session: Session,
    person_ids: Iterable[int | None],
    kind: str,
    subject_ref: str,
    text: str,
    *,
    council_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Put one notice into the inbox of each person (each once; ``None`` is skipped); how
    many notices were written (one multi-row INSERT, so a large council costs little).

    ``subject_ref`` names what it is about as ``<thing>:<id>``: ``proposal:12``,
    ``agreement:3``, ``delegate:4``, ``council:2`` (the inbox links it).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r} (known: {', '.join(KINDS)})")
    if not _SUBJECT.match(subject_ref):
        raise ValueError(f"a notice's subject is '<thing>:<id>', got {subject_ref!r}")
    at = authz.moment(now)
    rows = [
        {
            "person_id": person_id,
            "council_id": council_id,
            "kind": kind,
            "subject": subject_ref,
            "text": text,
            "created_at": at,
        }
        for person_id in dict.fromkeys(p for p in person_ids if p is not None)
    ]
    if rows:
        session.execute(insert(Notice), rows)
    return len(rows)


def _electors(session: Session, proposal_id: int) -> list[Elector]:
    return list(
        session.scalars(
            select(Elector).where(Elector.proposal_id == proposal_id, Elector.removed_at.is_(None))
        )
    )


def audience(session: Session, council: Council, proposal_id: int) -> list[int]:
    """Who is told of a council's proposal: its members; in a federation, the proposal's
    electorate (the seated delegates)."""
    if council.kind != "federation":
        return authz.member_ids(session, council.id)
    return [e.person_id for e in _electors(session, proposal_id)]


def _title(proposal: Proposal) -> str:
    return f"#{proposal.id} “{proposal.title}”"


def on_opened(session: Session, proposal: Proposal, council: Council) -> None:
    """A vote opened: its council's members (a federation's delegates) are told."""
    until = f", voting until {proposal.closes_at:%Y-%m-%d %H:%M} UTC" if proposal.closes_at else ""
    notify(
        session,
        audience(session, council, proposal.id),
        "new_proposal",
        f"proposal:{proposal.id}",
        f"{council.name}: new proposal {_title(proposal)} is open for your vote{until}.",
        council_id=council.id,
        now=proposal.opened_at,
    )


def ballot_text(session: Session, proposal: Proposal, person_id: int) -> str | None:
    """A person's ballot on a proposal as text (``yes``, ``A>B``), ``secret ballot`` for a
    secret vote, or None when they did not vote (or their ballot was withdrawn)."""
    if proposal.secret:
        voted = session.get(Voted, (proposal.id, person_id)) is not None
        return "secret ballot" if voted else None
    ballot = session.scalar(
        select(Ballot).where(
            Ballot.proposal_id == proposal.id,
            Ballot.voter_id == person_id,
            Ballot.withdrawn_at.is_(None),
        )
    )
    if ballot is None:
        return None
    marks = session.execute(
        select(ProposalOption.label, BallotMark.rank)
        .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
        .where(BallotMark.ballot_id == ballot.id)
    ).all()
    return choices.canonical(proposal, choices.from_marks([(label, rank) for label, rank in marks]))


def seat_votes(session: Session, proposal: Proposal) -> dict[int, tuple[int, str | None]]:
    """A federation proposal's seats: sending council id -> (its delegate's person id,
    :func:`ballot_text` of their ballot)."""
    return {
        e.seat_council_id: (e.person_id, ballot_text(session, proposal, e.person_id))
        for e in _electors(session, proposal.id)
        if e.seat_council_id is not None
    }


def on_decided(session: Session, proposal: Proposal, now: datetime) -> None:
    """A vote closed: its audience is told the outcome; in a federation, the members of each
    member council are told how their delegate voted."""
    council = authz.get_council(session, proposal.council_id)
    outcome = proposal.outcome or "closed"
    ref = f"proposal:{proposal.id}"
    notify(
        session,
        audience(session, council, proposal.id),
        "decision",
        ref,
        f"{council.name} decided {_title(proposal)}: {outcome}.",
        council_id=council.id,
        now=now,
    )
    if council.kind != "federation":
        return
    for seat_council_id, (person_id, choice) in seat_votes(session, proposal).items():
        name = authz.get_person(session, person_id).name
        did = f"voted “{choice}”" if choice else "did not vote"
        notify(
            session,
            authz.member_ids(session, seat_council_id),
            "delegate_vote",
            ref,
            f"Your delegate {name} {did} on {council.name} proposal {_title(proposal)} "
            f"({outcome}).",
            council_id=seat_council_id,
            now=now,
        )


def on_recalled(session: Session, delegate: Delegate, proposal_id: int, now: datetime) -> None:
    """A delegate was recalled: they are told, and so is the council that sent them."""
    council = authz.get_council(session, delegate.council_id)
    federation = authz.get_council(session, delegate.federation_id)
    name = authz.get_person(session, delegate.person_id).name
    ref = f"delegate:{delegate.id}"
    notify(
        session,
        [delegate.person_id],
        "recall",
        ref,
        f"{council.name} recalled you as its delegate to {federation.name} "
        f"(proposal #{proposal_id}).",
        council_id=council.id,
        now=now,
    )
    others = [p for p in authz.member_ids(session, council.id) if p != delegate.person_id]
    notify(
        session,
        others,
        "recall",
        ref,
        f"{name} is recalled as {council.name}'s delegate to {federation.name} "
        f"(proposal #{proposal_id}).",
        council_id=council.id,
        now=now,
    )


def on_invited(
    session: Session, person_id: int, council: Council, inviter_id: int, now: datetime, how: str
) -> None:
    """A person with an account was invited into a council (``how``: where to answer)."""
    inviter = authz.get_person(session, inviter_id).name
    notify(
        session,
        [person_id],
        "invitation",
        f"council:{council.id}",
        f"{inviter} invited you to join {council.name}: {how}.",
        council_id=council.id,
        now=now,
    )
