"""Briefing: each member's inbox, mail choice, Atom feed tokens, decisions seen, and the
votes of the delegates a council sent.

Notices are written by :func:`soviets.governance.notices.notify` when things happen;
"waiting for your vote" is computed live. The functions without an actor
(:func:`deliveries_due`, :func:`due_mail`, :func:`claim_mail`, :func:`finish_mail`)
are the service's clock, run by ``soviets tick`` and ``soviets serve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.governance import authz, delegates, notices, proposals
from soviets.governance.credentials import digest, new_secret
from soviets.governance.errors import Forbidden, InputError, NotFound
from soviets.ledger.models import (
    Agreement,
    Ballot,
    Council,
    DecisionSeen,
    Delegate,
    DigestSent,
    Elector,
    FeedToken,
    MailChoice,
    Notice,
    Period,
    Person,
    Proposal,
    Voted,
)
from soviets.ledger.models.briefing import MAIL_MODES

DUE_WITHIN = timedelta(days=14)
"""Agreements whose period ends this soon (and are not fulfilled) are deliveries due."""
INBOX_SIZE = 100
"""Notices an inbox shows (newest first); older ones stay stored."""
FEED_SIZE = 50
"""Decisions in a council's Atom feed, newest first."""


@dataclass(frozen=True)
class Waiting:
    """An open vote the person may cast and has not."""

    proposal_id: int
    council_id: int
    council_name: str
    title: str
    closes_at: datetime | None


@dataclass(frozen=True)
class Inbox:
    """What the person is waiting on, and their notices (newest first)."""

    waiting: list[Waiting]
    notices: list[Notice]
    unread: int


def waiting_for_vote(session: Session, actor_id: int, now: datetime | None = None) -> list[Waiting]:
    """The open votes where the actor is an elector and has cast no ballot yet."""
    at = authz.moment(now)
    voted = select(Ballot.proposal_id).where(
        Ballot.voter_id == actor_id, Ballot.withdrawn_at.is_(None)
    )
    secret = select(Voted.proposal_id).where(Voted.person_id == actor_id)
    rows = session.execute(
        select(Proposal, Council.name)
        .join(Elector, Elector.proposal_id == Proposal.id)
        .join(Council, Council.id == Proposal.council_id)
        .where(
            Elector.person_id == actor_id,
            Elector.removed_at.is_(None),
            Proposal.status == "open",
            (Proposal.closes_at.is_(None)) | (Proposal.closes_at > at),
            Proposal.id.not_in(voted),
            Proposal.id.not_in(secret),
        )
        .order_by(Proposal.closes_at, Proposal.id)
    ).all()
    return [Waiting(p.id, p.council_id, name, p.title, p.closes_at) for p, name in rows]


def _unread(session: Session, actor_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(Notice.id)).where(
                Notice.person_id == actor_id, Notice.read_at.is_(None)
            )
        )
        or 0
    )


def unread_count(session: Session, actor_id: int) -> int:
    """The number in the page header: unread notices plus votes waiting for the actor."""
    return _unread(session, actor_id) + len(waiting_for_vote(session, actor_id))


def inbox(session: Session, actor_id: int, limit: int = INBOX_SIZE) -> Inbox:
    """The actor's own inbox: votes waiting for them, then their latest notices."""
    authz.get_person(session, actor_id)
    stmt = select(Notice).where(Notice.person_id == actor_id)
    listed = list(session.scalars(stmt.order_by(Notice.id.desc()).limit(limit)))
    return Inbox(waiting_for_vote(session, actor_id), listed, _unread(session, actor_id))


def _record_seen(session: Session, person_id: int, proposal: Proposal, at: datetime) -> bool:
    if proposal.status != "closed":
        return False
    if session.get(DecisionSeen, (proposal.id, person_id)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DecisionSeen(proposal_id=proposal.id, person_id=person_id, seen_at=at))
    except IntegrityError:  # seen meanwhile in another transaction
        return False
    return True


def mark_read(
    session: Session, actor_id: int, notice_id: int, now: datetime | None = None
) -> Notice:
    """Mark one of the actor's notices read; a decision's notice also counts as seeing it."""
    at = authz.moment(now)
    notice = session.get(Notice, notice_id)
    if notice is None or notice.person_id != actor_id:
        raise NotFound(f"no notice #{notice_id} in your inbox")
    if notice.read_at is None:
        notice.read_at = at
    thing, _, ident = notice.subject.partition(":")
    if thing == "proposal":
        proposal = session.get(Proposal, int(ident))
        if proposal is not None and authz.can_read(
            session, actor_id, authz.get_council(session, proposal.council_id), at
        ):
            _record_seen(session, actor_id, proposal, at)
    session.flush()
    return notice


def mark_all_read(session: Session, actor_id: int, now: datetime | None = None) -> int:
    """Mark every unread notice of the actor read; how many were."""
    at = authz.moment(now)
    authz.get_person(session, actor_id)
    done = session.execute(
        update(Notice)
        .where(Notice.person_id == actor_id, Notice.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(done, "rowcount", 0) or 0)


# --- mail choice -----------------------------------------------------------------------------


def mail_mode(session: Session, actor_id: int) -> str:
    """The actor's mail choice: ``none``, ``each`` or ``digest``."""
    authz.get_person(session, actor_id)
    choice = session.get(MailChoice, actor_id)
    return "none" if choice is None else choice.mode


def set_mail_mode(session: Session, actor_id: int, mode: str, now: datetime | None = None) -> str:
    """Choose how notices are mailed; only notices made after the choice are mailed."""
    at = authz.moment(now)
    person = authz.get_person(session, actor_id)
    if mode not in MAIL_MODES:
        raise InputError(f"must be one of {', '.join(MAIL_MODES)}, got {mode!r}", field="mode")
    if mode != "none" and not person.email:
        raise InputError("your account has no e-mail address to send to", field="mode")
    choice = session.get(MailChoice, actor_id)
    if choice is None:
        session.add(MailChoice(person_id=actor_id, mode=mode, changed_at=at))
    elif choice.mode != mode:
        choice.mode, choice.changed_at = mode, at
    session.flush()
    return mode


# --- decisions seen --------------------------------------------------------------------------


def mark_seen(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> bool:
    """Record that the actor has seen a decision of a council they may read (first time:
    True). Open proposals and drafts are not decisions: nothing is recorded."""
    proposal = proposals.get_proposal(session, actor_id, proposal_id)
    return _record_seen(session, actor_id, proposal, authz.moment(now))


def readers(session: Session, council: Council) -> list[int]:
    """The people a council's decisions are for: its members; a federation's, the members
    of its member councils."""
    if council.kind != "federation":
        return authz.member_ids(session, council.id)
    people: set[int] = set()
    for member_id in authz.member_council_ids(session, council.id):
        people.update(authz.member_ids(session, member_id))
    return sorted(people)


def seen_counts(
    session: Session, actor_id: int | None, council_id: int, proposal_ids: list[int]
) -> tuple[dict[int, int], int]:
    """How many of the council's present readers have seen each of its decisions
    (proposal id -> count; ids of other councils are left out), and how many readers
    there are."""
    council = authz.require_read(session, actor_id, council_id)
    people = readers(session, council)
    if not proposal_ids or not people:
        return {}, len(people)
    rows = session.execute(
        select(DecisionSeen.proposal_id, func.count(DecisionSeen.person_id))
        .join(Proposal, Proposal.id == DecisionSeen.proposal_id)
        .where(
            Proposal.council_id == council_id,
            DecisionSeen.proposal_id.in_(proposal_ids),
            DecisionSeen.person_id.in_(people),
        )
        .group_by(DecisionSeen.proposal_id)
    ).all()
    counts = {pid: 0 for pid in proposal_ids}
    counts.update({pid: int(n) for pid, n in rows})
    own = set(
        session.scalars(
            select(Proposal.id).where(
                Proposal.council_id == council_id, Proposal.id.in_(proposal_ids)
            )
        )
    )
    return {pid: n for pid, n in counts.items() if pid in own}, len(people)


# --- Atom feed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedFeed:
    """A new feed token: the secret is shown once, only its digest is kept."""

    id: int
    council_id: int
    secret: str


def create_feed_token(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> IssuedFeed:
    """A secret feed link to a council's decisions, for one of its insiders."""
    at = authz.moment(now)
    council = authz.get_council(session, council_id)
    if not authz.is_insider(session, actor_id, council, at):
        raise Forbidden(f"only members may have a feed token of council '{council.name}'")
    secret = new_secret()
    row = FeedToken(
        person_id=actor_id, council_id=council_id, token_hash=digest(secret), created_at=at
    )
    session.add(row)
    session.flush()
    return IssuedFeed(row.id, council_id, secret)


def list_feed_tokens(session: Session, actor_id: int) -> list[FeedToken]:
    """The actor's feed tokens that still work, newest first."""
    authz.get_person(session, actor_id)
    return list(
        session.scalars(
            select(FeedToken)
            .where(FeedToken.person_id == actor_id, FeedToken.revoked_at.is_(None))
            .order_by(FeedToken.id.desc())
        )
    )


def revoke_feed_token(
    session: Session, actor_id: int, token_id: int, now: datetime | None = None
) -> FeedToken:
    """Revoke one of the actor's feed tokens: its link stops working."""
    row = session.get(FeedToken, token_id)
    if row is None or row.person_id != actor_id:
        raise NotFound(f"you have no feed token #{token_id}")
    if row.revoked_at is None:
        row.revoked_at = authz.moment(now)
        session.flush()
    return row


def council_feed(
    session: Session, council_id: int, secret: str | None, now: datetime | None = None
) -> tuple[Council, list[Proposal]]:
    """A council and its latest decisions, for its Atom feed: public councils to anyone,
    private ones with a working feed token of someone who may still read it."""
    at = authz.moment(now)
    council = authz.get_council(session, council_id)
    if not council.public:
        row = (
            session.scalar(select(FeedToken).where(FeedToken.token_hash == digest(secret)))
            if secret
            else None
        )
        if (
            row is None
            or row.revoked_at is not None
            or row.council_id != council_id
            or not authz.can_read(session, row.person_id, council, at)
        ):
            raise Forbidden(
                f"council '{council.name}' is not public: its feed needs a member's feed token"
            )
    proposals.close_due(session, at, council_id=council_id)
    listed = session.scalars(
        select(Proposal)
        .where(Proposal.council_id == council_id, Proposal.status == "closed")
        .order_by(Proposal.closed_at.desc(), Proposal.id.desc())
        .limit(FEED_SIZE)
        .execution_options(populate_existing=True)
    )
    return council, list(listed)


# --- delegates' votes ------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegateVote:
    """How a delegate voted on one federation proposal, beside the mandate that bound them."""

    proposal_id: int
    title: str
    status: str
    outcome: str | None
    ballot: str | None
    """The ballot (``yes``, ``A>B``), ``secret ballot``, or None: did not vote."""
    mandate: str | None
    """The mandate for it (``yes``, ``free``, a ranking), or None: no mandate."""


def delegate_votes(session: Session, actor_id: int | None, delegate_id: int) -> list[DelegateVote]:
    """Every federation vote the delegate had a seat in, newest first, with their ballot and
    mandate (for those who may read the sending council or the federation)."""
    delegate: Delegate = delegates.get_delegate(session, actor_id, delegate_id)
    rows = session.scalars(
        select(Proposal)
        .join(Elector, Elector.proposal_id == Proposal.id)
        .where(
            Proposal.council_id == delegate.federation_id,
            Elector.person_id == delegate.person_id,
            Elector.seat_council_id == delegate.council_id,
            Proposal.opened_at >= delegate.started_at,
        )
        .order_by(Proposal.id.desc())
    )
    out = []
    for proposal in rows:
        mandate = delegates.applicable_mandate(session, delegate, proposal)
        said = None if mandate is None else (mandate.ranking or mandate.vote)
        out.append(
            DelegateVote(
                proposal.id,
                proposal.title,
                proposal.status,
                proposal.outcome,
                notices.ballot_text(session, proposal, delegate.person_id),
                said,
            )
        )
    return out


# --- the clock: deliveries due and mail ------------------------------------------------------


def deliveries_due(session: Session, now: datetime | None = None) -> int:
    """Tell both councils of each accepted agreement whose period ends within
    :data:`DUE_WITHIN` (once per agreement and person); how many notices were made."""
    at = authz.moment(now)
    today = at.date()
    due = session.execute(
        select(Agreement, Period.ends_on)
        .join(Period, Period.id == Agreement.period_id)
        .where(
            Agreement.status == "accepted",
            Period.ends_on >= today,
            Period.ends_on <= (at + DUE_WITHIN).date(),
        )
        .order_by(Agreement.id)
    ).all()
    made = 0
    for agreement, ends_on in due:
        ref = f"agreement:{agreement.id}"
        told = set(
            session.scalars(
                select(Notice.person_id).where(Notice.subject == ref, Notice.kind == "delivery_due")
            )
        )
        supplier = authz.get_council(session, agreement.supplier_council_id)
        receiver = authz.get_council(session, agreement.receiver_council_id)
        text = (
            f"Delivery due by {ends_on:%Y-%m-%d}: {supplier.name} delivers "
            f"{agreement.quantity:g} {agreement.good.unit} of {agreement.good.name} "
            f"to {receiver.name} (agreement #{agreement.id})."
        )
        for council in (supplier, receiver):
            people = [p for p in authz.member_ids(session, council.id) if p not in told]
            made += notices.notify(
                session, people, "delivery_due", ref, text, council_id=council.id, now=at
            )
            told.update(people)
    return made


@dataclass(frozen=True)
class Outgoing:
    """One mail to send: a notice (``each``) or a day's digest (``digest``)."""

    person_id: int
    to: str
    subject: str
    lines: list[str]
    notice_ids: list[int]
    day: date | None
    """The digest's day (UTC); None for a single notice."""


def due_mail(session: Session, now: datetime | None = None) -> list[Outgoing]:
    """What is to be mailed now: each unmailed notice of ``each`` members, and one digest a
    day for ``digest`` members who have unmailed notices or votes waiting."""
    at = authz.moment(now)
    out: list[Outgoing] = []
    choices = session.execute(
        select(MailChoice, Person.email)
        .join(Person, Person.id == MailChoice.person_id)
        .where(MailChoice.mode != "none", Person.email.is_not(None))
        .order_by(MailChoice.person_id)
    ).all()
    for choice, email in choices:
        to = str(email)
        pending = list(
            session.scalars(
                select(Notice)
                .where(
                    Notice.person_id == choice.person_id,
                    Notice.mailed_at.is_(None),
                    Notice.read_at.is_(None),
                    Notice.created_at >= choice.changed_at,
                )
                .order_by(Notice.id)
            )
        )
        if choice.mode == "each":
            out.extend(
                Outgoing(choice.person_id, to, notices.KINDS[n.kind], [n.text], [n.id], None)
                for n in pending
            )
            continue
        day = at.date()
        if session.get(DigestSent, (choice.person_id, day)) is not None:
            continue
        waiting = waiting_for_vote(session, choice.person_id, at)
        if not pending and not waiting:
            continue
        lines = [
            f"Waiting for your vote: {w.council_name} #{w.proposal_id} “{w.title}”"
            + (f", until {w.closes_at:%Y-%m-%d %H:%M} UTC" if w.closes_at else "")
            for w in waiting
        ] + [f"{notices.KINDS[n.kind]}: {n.text}" for n in pending]
        subject = f"Your daily briefing for {day:%Y-%m-%d}: {len(lines)} items"
        out.append(Outgoing(choice.person_id, to, subject, lines, [n.id for n in pending], day))
    return out


def claim_mail(session: Session, mail: Outgoing, now: datetime | None = None) -> bool:
    """Claim ``mail`` before sending it (a digest's day, or a notice's ``mailed_at``): False
    if another clock claimed it first. A claim is committed before the mail goes out, so
    nothing is ever mailed twice."""
    at = authz.moment(now)
    if mail.day is None:
        done = session.execute(
            update(Notice)
            .where(Notice.id.in_(mail.notice_ids), Notice.mailed_at.is_(None))
            .values(mailed_at=at)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(done, "rowcount", 0) or 0) == len(mail.notice_ids)
    try:
        with session.begin_nested():
            session.add(DigestSent(person_id=mail.person_id, day=mail.day, claimed_at=at))
    except IntegrityError:
        return False
    return True


def finish_mail(session: Session, mail: Outgoing, sent: bool, now: datetime | None = None) -> None:
    """Record how sending a claimed ``mail`` went: sent, its notices are marked mailed; not
    sent, the claim is given back so that the next tick tries again."""
    at = authz.moment(now)
    if mail.notice_ids:
        session.execute(
            update(Notice)
            .where(Notice.id.in_(mail.notice_ids))
            .values(mailed_at=at if sent else None)
            .execution_options(synchronize_session="fetch")
        )
    if mail.day is not None:
        row = session.get(DigestSent, (mail.person_id, mail.day))
        if row is not None and sent:
            row.sent_at, row.notices = at, len(mail.notice_ids)
        elif row is not None:
            session.delete(row)
    session.flush()
