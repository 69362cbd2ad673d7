"""Accounts: joining a council by consent, passwords, and signing out everywhere.

Membership needs the person's own act, and the council's decision:

* an **invitation** is a single-use link that expires after
  :data:`INVITATION_LIFETIME`; the invited person signs up through it
  (:func:`sign_up`) or, already having an account, accepts or declines it
  (:func:`accept_invitation`, :func:`decline_invitation`). Under the council's
  ``membership.invite`` rule ``vote`` (the default) any member may invite, and
  accepting opens an ``admit_member`` proposal for the invitee, who joins when
  the council accepts it; under ``member`` or ``coordinator`` (which only a
  ``change_rules`` vote sets) those members' invitations admit at once;
* in a public council whose rule is ``vote``, a person **applies**
  (:func:`apply_for_membership`): an ``admit_member`` proposal for themselves,
  opened at once for the members to vote on.

So no member, coordinator or minority of members adds anyone to a council
unless its majority chose to let them.

Passwords change only with the old one (:func:`change_password`) or through a
single-use reset link sent by e-mail that lives :data:`RESET_LIFETIME`
(:func:`request_password_reset`, :func:`reset_password`); both end the
person's other web sessions and API tokens. Secrets are returned once to the
caller (to show or to mail) and stored only as digests.

Service functions never commit: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from soviets.errors import SovietsError
from soviets.governance import authz, notices, proposals, rules
from soviets.governance.credentials import (
    check_email,
    check_new_password,
    digest,
    hash_password,
    new_secret,
    normalise_email,
    verify_password,
)
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.ledger.models import (
    ApiToken,
    Council,
    Invitation,
    MailedLink,
    Membership,
    PasswordReset,
    Person,
    Proposal,
    ResetRequest,
    WebSession,
)

INVITATION_LIFETIME = timedelta(days=14)
RESET_LIFETIME = timedelta(minutes=30)
RESET_WINDOW = timedelta(hours=1)
RESET_ACCOUNT_LIMIT = 3
"""Reset e-mails per address in :data:`RESET_WINDOW`."""
RESET_CLIENT_LIMIT = 10
"""Reset requests per client address in :data:`RESET_WINDOW`."""
_Link = TypeVar("_Link", bound=MailedLink)


class LinkUnusable(Conflict):
    """An invitation or reset link that was used, has expired or was revoked."""


class TooManyRequests(SovietsError):  # noqa: N818
    """Too many password-reset requests for this address or from this client."""


@dataclass(frozen=True)
class Issued:
    """A new link's row id, its secret (shown or mailed once, never stored) and its expiry."""

    id: int
    secret: str
    expires_at: datetime
    council_name: str = ""


# --- invitations ---------------------------------------------------------------------------


def _plain_council(session: Session, council_id: int) -> Council:
    council = authz.get_council(session, council_id)
    if council.kind == "federation":
        raise Forbidden(
            f"the members of federation '{council.name}' are councils: they join by its "
            "admit_member vote, not by invitation"
        )
    return council


def require_inviter(session: Session, actor_id: int, council_id: int) -> Membership:
    """The actor's membership, if the council's ``membership.invite`` rule lets them invite
    (any member under ``vote`` and ``member``, a coordinator under ``coordinator``)."""
    _plain_council(session, council_id)
    if rules.invite_mode(session, council_id) == "coordinator":
        return authz.require_coordinator(session, actor_id, council_id)
    return authz.require_member(session, actor_id, council_id)


def create_invitation(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    email: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """Invite someone into the council (by those its ``membership.invite`` rule names)."""
    council = require_inviter(session, actor_id, council_id).council
    at = authz.moment(now)
    address = check_email(email) if email else None
    secret = new_secret()
    row = Invitation(
        council_id=council_id,
        created_by=actor_id,
        token_hash=digest(secret),
        email=address,
        created_at=at,
        expires_at=at + INVITATION_LIFETIME,
    )
    session.add(row)
    session.flush()
    invitee = session.scalar(select(Person.id).where(Person.email == address)) if address else None
    if invitee is not None:
        notices.on_invited(session, invitee, council, actor_id, at, "the link is in your e-mail")
    return Issued(row.id, secret, row.expires_at, council.name)


def list_invitations(session: Session, actor_id: int, council_id: int) -> list[Invitation]:
    """The council's invitation links, newest first (for its members; founding invitations,
    which have no link, are :func:`soviets.governance.founding.pending` to their invitees)."""
    _plain_council(session, council_id)
    authz.require_member(session, actor_id, council_id)
    stmt = select(Invitation).where(
        Invitation.council_id == council_id, Invitation.invitee_id.is_(None)
    )
    return list(session.scalars(stmt.order_by(Invitation.id.desc())))


def invitation_state(invitation: Invitation, now: datetime | None = None) -> str:
    """``open``, ``accepted``, ``declined``, ``revoked`` or ``expired``."""
    if invitation.outcome is not None:
        return invitation.outcome
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= authz.moment(now):
        return "expired"
    return "open"


def revoke_invitation(
    session: Session, actor_id: int, invitation_id: int, now: datetime | None = None
) -> Invitation:
    """Revoke an open invitation (by the member who made it, or a coordinator)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound(f"no invitation #{invitation_id}")
    membership = authz.require_member(session, actor_id, invitation.council_id)
    if invitation.created_by != actor_id and membership.role != "coordinator":
        raise Forbidden(
            f"only the member who made invitation #{invitation_id} or a coordinator may revoke it"
        )
    state = invitation_state(invitation, now)
    if state != "open":
        raise Conflict(f"invitation #{invitation_id} is {state}: only an open one can be revoked")
    invitation.revoked_at = authz.moment(now)
    session.flush()
    return invitation


def open_invitation(session: Session, secret: str, now: datetime | None = None) -> Invitation:
    """The invitation behind a link, if it may still be used; else a clear refusal."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(secret)).with_for_update()
    )
    if invitation is None:
        raise NotFound("this invitation link is not valid: check that it was copied whole")
    state = invitation_state(invitation, now)
    if state in ("accepted", "declined"):
        raise LinkUnusable(
            f"this invitation was already used ({state}); each link works once: "
            "ask the council for a new one"
        )
    if state == "revoked":
        raise LinkUnusable("this invitation was revoked by the council")
    if state == "expired":
        raise LinkUnusable(
            f"this invitation expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC: "
            "ask the council for a new one"
        )
    return invitation


@dataclass(frozen=True)
class InviteStanding:
    """Whether a member may invite into a council now (and why not), for the invitations page."""

    may_invite: bool
    why_not: str
    coordinator: bool
    by_vote: bool
    """Whether the council votes on each invitee's admission (rule ``vote``)."""


def invite_standing(session: Session, actor_id: int, council_id: int) -> InviteStanding:
    """What the council's rules let the actor do with invitations (a member of the council)."""
    membership = authz.require_member(session, actor_id, council_id)
    coordinator = membership.role == "coordinator"
    by_vote = rules.invite_mode(session, council_id) == "vote"
    try:
        require_inviter(session, actor_id, council_id)
    except SovietsError as exc:
        return InviteStanding(False, str(exc), coordinator, by_vote)
    return InviteStanding(True, "", coordinator, by_vote)


@dataclass(frozen=True)
class InvitationView:
    """What an invitation link shows before it is used."""

    invitation: Invitation
    council: Council
    inviter: str
    member: bool
    """Whether the viewer is a member of the council already."""
    by_vote: bool
    """Whether accepting opens a vote on the invitee's admission (rule ``vote``)."""


def view_invitation(
    session: Session, secret: str, viewer_id: int | None, now: datetime | None = None
) -> InvitationView:
    """The usable invitation behind a link, its council and inviter (the link is the proof
    of access), and whether the viewer (None: signed out) belongs to the council already."""
    invitation = open_invitation(session, secret, now)
    council = authz.get_council(session, invitation.council_id)
    inviter = authz.get_person(session, invitation.created_by).name
    member = (
        viewer_id is not None and authz.open_membership(session, viewer_id, council.id) is not None
    )
    by_vote = rules.invite_mode(session, council.id) == "vote"
    return InvitationView(invitation, council, inviter, member, by_vote)


def _use(invitation: Invitation, person_id: int, outcome: str, at: datetime) -> None:
    invitation.used_at, invitation.used_by, invitation.outcome = at, person_id, outcome


@dataclass(frozen=True)
class Joining:
    """What accepting an invitation did: a ``membership`` at once (rule ``member`` or
    ``coordinator``), or an admission ``proposal`` opened for the council's vote (rule ``vote``)."""

    council_id: int
    membership: Membership | None = None
    proposal: Proposal | None = None


def may_read_council(session: Session, person_id: int, council_id: int) -> bool:
    """Whether the person may read the council (and so follow their admission vote there)."""
    return authz.can_read(session, person_id, authz.get_council(session, council_id))


def accept_invitation(
    session: Session, actor_id: int, secret: str, now: datetime | None = None
) -> Joining:
    """The signed-in actor accepts an invitation: under the council's rule ``vote`` an
    ``admit_member`` proposal for them opens (they join if it is accepted); under ``member``
    or ``coordinator``, which the council chose by vote, they are a member at once."""
    person = authz.get_person(session, actor_id)
    invitation = open_invitation(session, secret, now)
    council = authz.get_council(session, invitation.council_id)
    if authz.open_membership(session, actor_id, council.id) is not None:
        raise Conflict(f"{person.name} is already a member of council '{council.name}'")
    at = authz.moment(now)
    if rules.invite_mode(session, council.id) == "vote":
        inviter = authz.get_person(session, invitation.created_by).name
        body = f"{person.name} accepts {inviter}'s invitation to join '{council.name}'."
        proposal = _open_admission(session, council, person, at, body)
        _use(invitation, actor_id, "accepted", at)
        session.flush()
        return Joining(council.id, proposal=proposal)
    _use(invitation, actor_id, "accepted", at)
    membership = Membership(person_id=actor_id, council_id=council.id, role="member", joined_at=at)
    session.add(membership)
    session.flush()
    return Joining(council.id, membership=membership)


def decline_invitation(
    session: Session, actor_id: int, secret: str, now: datetime | None = None
) -> Invitation:
    """The signed-in actor declines an invitation; the link stops working."""
    authz.get_person(session, actor_id)
    invitation = open_invitation(session, secret, now)
    _use(invitation, actor_id, "declined", authz.moment(now))
    session.flush()
    return invitation


def sign_up(
    session: Session,
    secret: str,
    *,
    name: str,
    email: str,
    password: str,
    now: datetime | None = None,
) -> tuple[Person, Joining]:
    """A new person opens an account through an invitation and accepts it
    (see :func:`accept_invitation`)."""
    open_invitation(session, secret, now)
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a name of 1 to 200 characters is needed", field="name")
    address = check_email(email)
    check_new_password(password)
    taken = session.scalar(select(Person.id).where(func.lower(Person.email) == address))
    if taken is not None:
        raise Conflict(
            "an account with this e-mail address exists: sign in and accept the invitation"
        )
    person = Person(
        name=name,
        email=address,
        password_hash=hash_password(password),
        created_at=authz.moment(now),
    )
    session.add(person)
    session.flush()
    return person, accept_invitation(session, person.id, secret, now)


# --- admission by vote ---------------------------------------------------------------------


def apply_for_membership(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> Proposal:
    """Apply to join a council whose rule is ``vote``: an ``admit_member`` proposal for the
    actor, opened at once. The council must be readable to the actor (public)."""
    person = authz.get_person(session, actor_id)
    council = _plain_council(session, council_id)
    if authz.open_membership(session, actor_id, council_id) is not None:
        raise Conflict(f"{person.name} is already a member of council '{council.name}'")
    authz.require_read(session, actor_id, council_id)
    if rules.invite_mode(session, council_id) != "vote":
        raise Conflict(
            f"council '{council.name}' admits new members by invitation: ask one of its members"
        )
    body = f"{person.name} applies to join '{council.name}'."
    return _open_admission(session, council, person, authz.moment(now), body)


def _open_admission(
    session: Session, council: Council, person: Person, at: datetime, body: str
) -> Proposal:
    """An ``admit_member`` proposal for ``person``, proposed by them and opened at once."""
    pending = session.scalar(
        select(Proposal.id).where(
            Proposal.council_id == council.id,
            Proposal.kind == "admit_member",
            Proposal.created_by == person.id,
            Proposal.status.in_(("draft", "open")),
        )
    )
    if pending is not None:
        raise Conflict(f"your admission to '{council.name}' is already proposal #{pending}")
    proposal = proposals.draft_for(
        session,
        council,
        person.id,
        at,
        kind="admit_member",
        title=f"Admit {person.name}"[:200],
        body=body,
        payload={"person_id": person.id},
    )
    return proposals.open_proposal(session, person.id, proposal.id, at)


# --- passwords and sessions ----------------------------------------------------------------


def _end_sessions(
    session: Session,
    person_id: int,
    at: datetime,
    *,
    keep_session: int | None = None,
    keep_token: int | None = None,
) -> tuple[int, int]:
    sessions = update(WebSession).where(
        WebSession.person_id == person_id, WebSession.revoked_at.is_(None)
    )
    if keep_session is not None:
        sessions = sessions.where(WebSession.id != keep_session)
    tokens = update(ApiToken).where(ApiToken.person_id == person_id, ApiToken.revoked_at.is_(None))
    if keep_token is not None:
        tokens = tokens.where(ApiToken.id != keep_token)
    ended = cast(CursorResult[Any], session.execute(sessions.values(revoked_at=at))).rowcount
    revoked = cast(CursorResult[Any], session.execute(tokens.values(revoked_at=at))).rowcount
    return int(ended or 0), int(revoked or 0)


def sign_out_everywhere(
    session: Session, actor_id: int, now: datetime | None = None
) -> tuple[int, int]:
    """End every web session and revoke every API token of the actor; the counts ended."""
    authz.get_person(session, actor_id)
    return _end_sessions(session, actor_id, authz.moment(now))


def change_password(
    session: Session,
    actor_id: int,
    *,
    old_password: str,
    new_password: str,
    keep_session: int | None = None,
    keep_token: int | None = None,
    now: datetime | None = None,
) -> None:
    """Set a new password (the old one required); the actor's other sessions and tokens end.

    ``keep_session`` / ``keep_token``: the web session or API token the change
    was made from, which stays signed in.
    """
    person = authz.get_person(session, actor_id)
    if not verify_password(person.password_hash, old_password):
        raise InputError("the current password is wrong", field="old_password")
    check_new_password(new_password, field="new_password")
    person.password_hash = hash_password(new_password)
    _end_sessions(
        session, actor_id, authz.moment(now), keep_session=keep_session, keep_token=keep_token
    )


def _recent(session: Session, column: Any, value: str, since: datetime) -> int:
    stmt = select(func.count(ResetRequest.id)).where(column == value, ResetRequest.at >= since)
    return int(session.scalar(stmt) or 0)


def count_mail_request(
    session: Session, email: str, client: str, at: datetime, refusal: str
) -> Person | None:
    """Record a request for a mailed link (password reset or sign-in) and return the account's
    person, or ``None`` when there is no such account.

    Every kind of mailed link shares one limit: :data:`RESET_ACCOUNT_LIMIT` requests for the
    address and :data:`RESET_CLIENT_LIMIT` from the client in :data:`RESET_WINDOW`; past it,
    :class:`TooManyRequests` with ``refusal``.
    """
    account = normalise_email(email)[:320]
    client = (client or "unknown")[:100]
    since = at - RESET_WINDOW
    if (
        _recent(session, ResetRequest.account, account, since) >= RESET_ACCOUNT_LIMIT
        or _recent(session, ResetRequest.client, client, since) >= RESET_CLIENT_LIMIT
    ):
        raise TooManyRequests(refusal)
    session.add(ResetRequest(account=account, client=client, at=at))
    session.flush()
    return session.scalar(select(Person).where(func.lower(Person.email) == account))


def issue_mailed_link(
    session: Session,
    model: type[_Link],
    email: str,
    client: str,
    at: datetime,
    lifetime: timedelta,
    refusal: str,
) -> tuple[Person, Issued] | None:
    """A new link of ``model`` (a password reset or a sign-in link) for the account of
    ``email`` that lives ``lifetime``, or ``None`` when there is no such account. Raises
    :class:`TooManyRequests` with ``refusal`` past the mail limits
    (:func:`count_mail_request`)."""
    person = count_mail_request(session, email, client, at, refusal)
    if person is None:
        return None
    secret = new_secret()
    row = model(
        person_id=person.id,
        token_hash=digest(secret),
        created_at=at,
        expires_at=at + lifetime,
    )
    session.add(row)
    session.flush()
    return person, Issued(row.id, secret, row.expires_at)


def open_mailed_link(
    session: Session, model: type[_Link], secret: str, at: datetime, what: str, lifetime: timedelta
) -> _Link:
    """The link of ``model`` behind ``secret`` (locked), if it may still be used at ``at``;
    else a refusal that names the ``what`` link."""
    link = session.scalar(select(model).where(model.token_hash == digest(secret)).with_for_update())
    if link is None:
        raise NotFound(f"this {what} link is not valid: check that it was copied whole")
    if link.used_at is not None:
        raise LinkUnusable(f"this {what} link was already used: ask for a new one")
    if link.expires_at <= at:
        raise LinkUnusable(
            f"this {what} link expired (links last {lifetime.seconds // 60} minutes): "
            "ask for a new one"
        )
    return link


def use_up_links(session: Session, model: type[MailedLink], person_id: int, at: datetime) -> None:
    """Mark every open link of ``model`` of the person used (at ``at``)."""
    session.execute(
        update(model)
        .where(model.person_id == person_id, model.used_at.is_(None))
        .values(used_at=at)
    )


def request_password_reset(
    session: Session, email: str, client: str, now: datetime | None = None
) -> tuple[Person, Issued] | None:
    """A reset link for the account of ``email``, or ``None`` when there is no such account.

    The caller mails the link and answers the same either way. Raises
    :class:`TooManyRequests` past the mail limits (:func:`count_mail_request`).
    """
    refusal = "too many password-reset requests; wait an hour and try again"
    return issue_mailed_link(
        session, PasswordReset, email, client, authz.moment(now), RESET_LIFETIME, refusal
    )


def open_reset(session: Session, secret: str, now: datetime | None = None) -> PasswordReset:
    """The reset behind a link, if it may still be used; else a clear refusal."""
    at = authz.moment(now)
    return open_mailed_link(session, PasswordReset, secret, at, "password-reset", RESET_LIFETIME)


def reset_password(
    session: Session, secret: str, new_password: str, now: datetime | None = None
) -> Person:
    """Set a new password through a reset link; every session, token and other link ends."""
    reset = open_reset(session, secret, now)
    check_new_password(new_password, field="new_password")
    at = authz.moment(now)
    person = authz.get_person(session, reset.person_id)
    person.password_hash = hash_password(new_password)
    use_up_links(session, PasswordReset, person.id, at)
    _end_sessions(session, person.id, at)
    return person
