"""Casting and changing ballots: one member, one vote, the last ballot counts.

Open ballots keep one row per voter (unique in the database), updated when
the voter changes their mind. Secret ballots record only *that* the member
voted (``voted``, unique per voter) and store the choice apart, under the
SHA-256 of a random receipt returned once to the voter; with the receipt the
voter may change their secret ballot until the vote closes. Whoever holds a
receipt together with the voter's sign-in can change that ballot, so the
receipt is a secret of the voter's.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NoReturn, cast

from sqlalchemy import Integer, Select, Table, bindparam, delete, insert, select
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.dml import ReturningInsert

from soviets.governance import authz, choices, delegates
from soviets.governance.errors import Conflict, Forbidden, NotFound
from soviets.ledger.models import (
    Ballot,
    BallotMark,
    Delegate,
    Elector,
    Membership,
    Proposal,
    ProposalOption,
    SecretBallot,
    SecretMark,
    Voted,
)


@dataclass(frozen=True)
class CastResult:
    """What the voter gets back: the revision of an open ballot, or a secret ballot's receipt.

    ``receipt`` is given only when a secret ballot is first cast; keep it to
    change the ballot later. It is not stored anywhere.
    """

    proposal_id: int
    ballot: str
    revision: int | None = None
    receipt: str | None = None


def receipt_key(proposal_id: int, receipt: str) -> str:
    """The stored key of a secret ballot: SHA-256 of the proposal id and the receipt.

    The receipt carries 256 random bits, so the digest can neither be
    reversed nor guessed; no server secret is needed for that.
    """
    return hashlib.sha256(f"{proposal_id}:{receipt}".encode()).hexdigest()


def _proposal_for_vote(session: Session, proposal_id: int, now: datetime) -> Proposal:
    # FOR SHARE: a concurrent close (FOR UPDATE) waits until this ballot is in.
    proposal = session.scalar(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update(read=True)
    )
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    _check_open(proposal, now)
    return proposal


def _check_open(proposal: Proposal | VoteFacts, now: datetime) -> None:
    """Voting on the proposal is open and its deadline not past."""
    if proposal.status != "open":
        raise Conflict(f"proposal #{proposal.id} is not open for voting (it is {proposal.status})")
    if proposal.closes_at is not None and now >= proposal.closes_at:
        raise Conflict(
            f"voting on proposal #{proposal.id} closed at {proposal.closes_at:%Y-%m-%d %H:%M} UTC"
        )


def _require_elector(session: Session, actor_id: int, proposal: Proposal, now: datetime) -> Elector:
    elector = session.scalar(
        select(Elector)
        .where(Elector.proposal_id == proposal.id, Elector.person_id == actor_id)
        .with_for_update(read=True)
    )
    if elector is None or elector.removed_at is not None:
        _no_vote(session, actor_id, proposal.id, proposal.council_id)
    # Rechecked at every ballot: leaving the council ends the vote on its open proposals
    # (the electorate stays the quorum's base).
    if elector.seat_council_id is None and not authz.open_membership(
        session, actor_id, proposal.council_id
    ):
        _has_left(session, actor_id, proposal.id)
    return elector


def _no_vote(session: Session, actor_id: int, proposal_id: int, council_id: int) -> NoReturn:
    person = authz.get_person(session, actor_id)
    council = authz.get_council(session, council_id)
    raise Forbidden(
        f"{person.name} has no vote on proposal #{proposal_id}: its electorate "
        f"(the {'seated delegates' if council.kind == 'federation' else 'members'} "
        f"of '{council.name}' when voting opened) does not include them"
    )


def _has_left(session: Session, actor_id: int, proposal_id: int) -> NoReturn:
    person = authz.get_person(session, actor_id)
    raise Forbidden(
        f"{person.name} has left the council of proposal #{proposal_id}: "
        "leaving ended their vote on its open proposals"
    )


def _require_seated(
    session: Session, elector: Elector, proposal: Proposal, now: datetime
) -> Delegate:
    delegate = session.scalar(
        select(Delegate)
        .where(
            Delegate.person_id == elector.person_id,
            Delegate.council_id == elector.seat_council_id,
            Delegate.federation_id == proposal.council_id,
            Delegate.status == "active",
        )
        .with_for_update(read=True)
    )
    if delegate is None or delegate.term_ends_at <= now:
        raise Forbidden(
            f"person #{elector.person_id} is no longer a delegate in this federation "
            "(term over, recalled or replaced)"
        )
    return delegate


def _marks(proposal: Proposal | VoteFacts, ranking: choices.Ranking) -> list[tuple[int, int]]:
    ids = {o.label: o.id for o in proposal.options}
    return [(ids[label], rank) for rank, group in enumerate(ranking, start=1) for label in group]


def cast_ballot(
    session: Session,
    actor_id: int,
    proposal_id: int,
    choice: choices.Choice,
    *,
    receipt: str | None = None,
    now: datetime | None = None,
) -> CastResult:
    """Cast or change the actor's ballot on an open proposal.

    ``choice`` is ``yes``/``no``/``abstain`` (consent: ``yes``/``object``/
    ``abstain``) or, for a ranked vote, a ranking such as ``"A>C=B"``. A
    delegate's ballot must agree with their imperative mandate. To change a
    secret ballot pass the ``receipt`` returned when it was first cast.
    """
    at = authz.moment(now)
    facts = _vote_facts(session, actor_id, proposal_id)
    if facts is not None and not facts.secret and facts.seat_council_id is None:
        return _cast_member(session, actor_id, facts, choice, receipt, at)
    proposal = _proposal_for_vote(session, proposal_id, at)
    elector = _require_elector(session, actor_id, proposal, at)
    ranking = choices.parse_choice(proposal, choice)
    if elector.seat_council_id is not None:
        delegate = _require_seated(session, elector, proposal, at)
        delegates.check_mandate(session, delegate, proposal, ranking)
    if proposal.secret:
        return _cast_secret(session, actor_id, proposal, ranking, receipt)
    _no_receipt(proposal.id, receipt)
    return _cast_open(session, elector, proposal, ranking, at)


def _no_receipt(proposal_id: int, receipt: str | None) -> None:
    if receipt is not None:
        raise Conflict(f"proposal #{proposal_id} is an open ballot: it takes no receipt")


# --- the fast path: a member's open ballot in three statements -----------------------------


@dataclass(frozen=True)
class Option:
    """A proposal's option as the fast path reads it."""

    id: int
    label: str


@dataclass(frozen=True)
class VoteFacts:
    """What one query tells about a proposal and one of its electors."""

    id: int
    status: str
    closes_at: datetime | None
    secret: bool
    method: str
    council_id: int
    seat_council_id: int | None
    removed: bool
    member: bool
    options: tuple[Option, ...]


@cache
def _facts_query() -> Select[*tuple[Any, ...]]:
    """The fast path's one read, built once: the statement cache then skips compiling it."""
    actor = bindparam("actor_id", type_=Integer)
    member = (
        select(Membership.person_id)
        .where(
            Membership.person_id == actor,
            Membership.council_id == Proposal.council_id,
            Membership.left_at.is_(None),
        )
        .exists()
    )
    return (
        select(
            Proposal.status,
            Proposal.closes_at,
            Proposal.secret,
            Proposal.method,
            Proposal.council_id,
            Elector.seat_council_id,
            Elector.removed_at,
            member.label("member"),
            ProposalOption.id,
            ProposalOption.label,
        )
        .join(Elector, (Elector.proposal_id == Proposal.id) & (Elector.person_id == actor))
        .join(ProposalOption, ProposalOption.proposal_id == Proposal.id)
        .where(Proposal.id == bindparam("proposal_id"))
        .order_by(ProposalOption.position)
        .with_for_update(read=True, of=[Proposal.__table__, Elector.__table__])
    )


def _vote_facts(session: Session, actor_id: int, proposal_id: int) -> VoteFacts | None:
    """The proposal, the actor's elector row, their membership and the options, in one query.

    ``None`` when there is no such proposal or the actor is not in its electorate
    (the ORM path then raises the refusal). On PostgreSQL the proposal and the
    elector row are locked FOR SHARE, as on the ORM path.
    """
    rows = session.execute(_facts_query(), {"actor_id": actor_id, "proposal_id": proposal_id}).all()
    if not rows:
        return None
    first = rows[0]
    return VoteFacts(
        id=proposal_id,
        status=first[0],
        closes_at=first[1],
        secret=bool(first[2]),
        method=first[3],
        council_id=first[4],
        seat_council_id=first[5],
        removed=first[6] is not None,
        member=bool(first[7]),
        options=tuple(Option(r[8], r[9]) for r in rows),
    )


def _cast_member(
    session: Session,
    actor_id: int,
    facts: VoteFacts,
    choice: choices.Choice,
    receipt: str | None,
    at: datetime,
) -> CastResult:
    """An open ballot of a member (no seat): the same checks, in the same order, as the ORM path."""
    _check_open(facts, at)
    if facts.removed:
        _no_vote(session, actor_id, facts.id, facts.council_id)
    if not facts.member:
        _has_left(session, actor_id, facts.id)
    ranking = choices.parse_choice(facts, choice)
    _no_receipt(facts.id, receipt)
    # INSERT ... ON CONFLICT DO UPDATE: the database's unique (proposal, voter) keeps one
    # row per voter however many ballots race; each one counts one more revision.
    upsert = _UPSERT_BALLOT[session.get_bind().dialect.name]
    params = {"proposal": facts.id, "voter": actor_id, "at": at}
    ballot_id, revision = session.execute(upsert(), params).one()
    if revision > 1:
        session.execute(_DELETE_MARKS, {"ballot": ballot_id})
    session.execute(
        _INSERT_MARK,
        [
            {"ballot_id": ballot_id, "proposal_id": facts.id, "option_id": o, "rank": r}
            for o, r in _marks(facts, ranking)
        ],
    )
    stale = session.identity_map.get(identity_key(Ballot, ballot_id))
    if stale is not None:  # loaded earlier in this session: reload it when next read
        session.expire(stale)
    return CastResult(facts.id, choices.canonical(facts, ranking), revision)


_BALLOTS = cast(Table, Ballot.__table__)
_MARKS = cast(Table, BallotMark.__table__)
_DELETE_MARKS = delete(_MARKS).where(_MARKS.c.ballot_id == bindparam("ballot"))
_INSERT_MARK = insert(_MARKS)


def _upsert_ballot(dialect: Callable[[Table], SqliteInsert | PgInsert]) -> ReturningInsert[Any]:
    """The voter's ballot inserted, or its revision counted up; returns its id and revision."""
    stmt = dialect(_BALLOTS).values(
        proposal_id=bindparam("proposal"),
        voter_id=bindparam("voter"),
        seat_council_id=None,
        cast_at=bindparam("at"),
        changed_at=bindparam("at"),
        revision=1,
    )
    return stmt.on_conflict_do_update(
        index_elements=[_BALLOTS.c.proposal_id, _BALLOTS.c.voter_id],
        set_={
            "revision": _BALLOTS.c.revision + 1,
            "changed_at": stmt.excluded.changed_at,
            "seat_council_id": None,
            "withdrawn_at": None,
            "withdrawn_reason": None,
        },
    ).returning(_BALLOTS.c.id, _BALLOTS.c.revision)


_UPSERT_BALLOT: dict[str, Callable[[], ReturningInsert[Any]]] = {
    "sqlite": cache(lambda: _upsert_ballot(sqlite_insert)),
    "postgresql": cache(lambda: _upsert_ballot(pg_insert)),
}
"""The upsert by dialect, built on first use."""


def _find_ballot(session: Session, proposal_id: int, voter_id: int) -> Ballot | None:
    return session.scalar(
        select(Ballot)
        .where(Ballot.proposal_id == proposal_id, Ballot.voter_id == voter_id)
        .with_for_update()
    )


def _cast_open(
    session: Session,
    elector: Elector,
    proposal: Proposal,
    ranking: choices.Ranking,
    at: datetime,
) -> CastResult:
    ballot = _find_ballot(session, proposal.id, elector.person_id)
    if ballot is None:
        try:
            with session.begin_nested():
                ballot = Ballot(
                    proposal_id=proposal.id,
                    voter_id=elector.person_id,
                    seat_council_id=elector.seat_council_id,
                    cast_at=at,
                    changed_at=at,
                    revision=1,
                )
                session.add(ballot)
                session.flush()
        except IntegrityError:
            # The same voter's ballot went in concurrently: change that one instead.
            ballot = _find_ballot(session, proposal.id, elector.person_id)
            if ballot is None:
                raise
        else:
            _write_marks(session, BallotMark, "ballot_id", ballot.id, proposal, ranking)
            return CastResult(proposal.id, choices.canonical(proposal, ranking), ballot.revision)
    ballot.revision += 1
    ballot.changed_at = at
    ballot.seat_council_id = elector.seat_council_id
    ballot.withdrawn_at = ballot.withdrawn_reason = None
    session.execute(
        delete(BallotMark).where(BallotMark.ballot_id == ballot.id),
        execution_options={"synchronize_session": False},  # no marks are loaded here
    )
    _write_marks(session, BallotMark, "ballot_id", ballot.id, proposal, ranking)
    return CastResult(proposal.id, choices.canonical(proposal, ranking), ballot.revision)


def _write_marks(
    session: Session,
    table: type[BallotMark] | type[SecretMark],
    column: str,
    ballot: object,
    proposal: Proposal,
    ranking: choices.Ranking,
) -> None:
    for option_id, rank in _marks(proposal, ranking):
        session.add(
            table(**{column: ballot}, proposal_id=proposal.id, option_id=option_id, rank=rank)
        )
    session.flush()


def _cast_secret(
    session: Session,
    actor_id: int,
    proposal: Proposal,
    ranking: choices.Ranking,
    receipt: str | None,
) -> CastResult:
    said = choices.canonical(proposal, ranking)
    if receipt is None:
        try:
            with session.begin_nested():
                session.add(Voted(proposal_id=proposal.id, person_id=actor_id))
                session.flush()
        except IntegrityError:
            raise Conflict(
                f"you have already voted on proposal #{proposal.id}; a secret ballot can be "
                "changed only with the receipt you were given when you cast it"
            ) from None
        receipt = secrets.token_urlsafe(32)
        key = receipt_key(proposal.id, receipt)
        session.add(SecretBallot(key=key, proposal_id=proposal.id))
        session.flush()
        _write_marks(session, SecretMark, "ballot_key", key, proposal, ranking)
        return CastResult(proposal.id, said, receipt=receipt)
    if session.get(Voted, (proposal.id, actor_id)) is None:
        raise Forbidden(
            f"you have not voted on proposal #{proposal.id} yet: cast without a receipt"
        )
    key = receipt_key(proposal.id, receipt)
    found = session.scalar(
        select(SecretBallot)
        .where(SecretBallot.proposal_id == proposal.id, SecretBallot.key == key)
        .with_for_update()
    )
    if found is None:
        raise Forbidden(f"this receipt matches no ballot of proposal #{proposal.id}")
    session.execute(delete(SecretMark).where(SecretMark.ballot_key == key))
    _write_marks(session, SecretMark, "ballot_key", key, proposal, ranking)
    return CastResult(proposal.id, said)


def shuffle_secret_ballots(session: Session, proposal: Proposal) -> None:
    """Rewrite a secret vote's ballots in random order, in this (closing) transaction.

    On PostgreSQL the physical position and the writing transaction of a row
    (``ctid``, ``xmin``) follow the order of voting, which the ``voted``
    rows share; rewritten together they carry no order. Old row versions stay
    on disk until VACUUM, and in the write-ahead log.
    """
    rows = session.execute(
        select(SecretMark.ballot_key, SecretMark.option_id, SecretMark.rank).where(
            SecretMark.proposal_id == proposal.id
        )
    ).all()
    keys = list({r.ballot_key for r in rows})
    secrets.SystemRandom().shuffle(keys)
    marks: dict[str, list[tuple[int, int]]] = {}
    for r in rows:
        marks.setdefault(r.ballot_key, []).append((r.option_id, r.rank))
    session.execute(delete(SecretBallot).where(SecretBallot.proposal_id == proposal.id))
    session.flush()
    for key in keys:
        session.add(SecretBallot(key=key, proposal_id=proposal.id))
        session.flush()
        for option_id, rank in marks[key]:
            session.add(
                SecretMark(ballot_key=key, proposal_id=proposal.id, option_id=option_id, rank=rank)
            )
        session.flush()
    session.expire_all()


# --- reading (permission-checked) ------------------------------------------------------------


@dataclass(frozen=True)
class BallotView:
    """A ballot as readers see it: an open ballot's choice; of a secret one only the fact."""

    voter_id: int
    seat_council_id: int | None
    ballot: str | None
    revision: int | None
    withdrawn_reason: str | None


def list_ballots(session: Session, actor_id: int | None, proposal_id: int) -> list[BallotView]:
    """Who voted on a readable proposal and, for open ballots, what they chose."""
    proposal = _readable(session, actor_id, proposal_id)
    if proposal.secret:
        voters = session.scalars(
            select(Voted.person_id)
            .where(Voted.proposal_id == proposal_id)
            .order_by(Voted.person_id)
        )
        return [BallotView(v, None, None, None, None) for v in voters]
    out = []
    for ballot in session.scalars(
        select(Ballot).where(Ballot.proposal_id == proposal_id).order_by(Ballot.voter_id)
    ):
        out.append(
            BallotView(
                ballot.voter_id,
                ballot.seat_council_id,
                choices.canonical(proposal, _open_ranking(session, ballot.id)),
                ballot.revision,
                ballot.withdrawn_reason,
            )
        )
    return out


def my_ballot(
    session: Session, actor_id: int, proposal_id: int, *, receipt: str | None = None
) -> str | None:
    """The actor's current ballot (a secret one only with its receipt), or None."""
    proposal = _readable(session, actor_id, proposal_id)
    if proposal.secret:
        if receipt is None or session.get(Voted, (proposal_id, actor_id)) is None:
            return None
        rows = session.execute(
            select(ProposalOption.label, SecretMark.rank)
            .join(ProposalOption, ProposalOption.id == SecretMark.option_id)
            .where(SecretMark.ballot_key == receipt_key(proposal_id, receipt))
        ).all()
        return choices.canonical(proposal, choices.from_marks(rows)) if rows else None
    ballot = session.scalar(
        select(Ballot).where(Ballot.proposal_id == proposal_id, Ballot.voter_id == actor_id)
    )
    if ballot is None or ballot.withdrawn_at is not None:
        return None
    return choices.canonical(proposal, _open_ranking(session, ballot.id))


def has_voted(session: Session, actor_id: int, proposal_id: int) -> bool:
    """Whether the actor has a counted ballot on the proposal."""
    proposal = _readable(session, actor_id, proposal_id)
    if proposal.secret:
        return session.get(Voted, (proposal_id, actor_id)) is not None
    return (
        session.scalar(
            select(Ballot.id).where(
                Ballot.proposal_id == proposal_id,
                Ballot.voter_id == actor_id,
                Ballot.withdrawn_at.is_(None),
            )
        )
        is not None
    )


def voter_roll(session: Session, proposal: Proposal) -> list[Any]:
    """Who voted, for the closing record: ``[voter id, choice]`` of each counted open ballot,
    only the voter ids of a secret one (by voter id; one query, no permission check)."""
    if proposal.secret:
        return list(
            session.scalars(
                select(Voted.person_id)
                .where(Voted.proposal_id == proposal.id)
                .order_by(Voted.person_id)
            )
        )
    marks: dict[int, list[tuple[str, int]]] = {}
    for voter, label, rank in session.execute(
        select(Ballot.voter_id, ProposalOption.label, BallotMark.rank)
        .join(BallotMark, BallotMark.ballot_id == Ballot.id)
        .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
        .where(Ballot.proposal_id == proposal.id, Ballot.withdrawn_at.is_(None))
    ):
        marks.setdefault(voter, []).append((label, rank))
    return [
        [voter, choices.canonical(proposal, choices.from_marks(marks[voter]))]
        for voter in sorted(marks)
    ]


def anyone_voted(session: Session, proposal: Proposal) -> bool:
    """Whether any ballot, open or secret, counted or withdrawn, was ever cast on the proposal."""
    table = Voted.proposal_id if proposal.secret else Ballot.proposal_id
    return session.scalar(select(table).where(table == proposal.id).limit(1)) is not None


def _open_ranking(session: Session, ballot_id: int) -> choices.Ranking:
    rows = session.execute(
        select(ProposalOption.label, BallotMark.rank)
        .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
        .where(BallotMark.ballot_id == ballot_id)
    ).all()
    return choices.from_marks(rows)


def _readable(session: Session, actor_id: int | None, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    authz.require_read(session, actor_id, proposal.council_id)
    return proposal
