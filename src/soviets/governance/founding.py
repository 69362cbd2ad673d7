"""Founding members: named by the founder, members only once they confirm.

Before a council's first vote its coordinator may name founding members
(:func:`invite_founder`). Each gets a *founding invitation* naming them and
the role they are to take; until they confirm it themselves (:func:`confirm`)
they are not members: not listed, without a vote, and shown nothing of the
council beyond the invitation (:func:`pending`: its name and who invited
them). They may decline it (:func:`decline`), the inviter or a coordinator
may revoke it (:func:`soviets.governance.accounts.revoke_invitation`), and it
lapses when it expires or once the council has voted: from then on people
join by an ordinary invitation or their own application, as the council's
``membership.invite`` rule says.

Service functions never commit: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, notices
from soviets.governance.accounts import INVITATION_LIFETIME, invitation_state
from soviets.governance.councils import ROLES
from soviets.governance.credentials import digest, new_secret
from soviets.governance.errors import Conflict, InputError, NotFound
from soviets.ledger.models import Council, Invitation, Membership, Proposal


def has_voted(session: Session, council_id: int) -> bool:
    """Whether the council has opened a vote (its founding is over)."""
    stmt = select(Proposal.id).where(
        Proposal.council_id == council_id, Proposal.status.in_(("open", "closed"))
    )
    return session.scalar(stmt.limit(1)) is not None


def _open_for(session: Session, person_id: int, council_id: int, at: datetime) -> Invitation | None:
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.council_id == council_id, Invitation.invitee_id == person_id)
        .order_by(Invitation.id.desc())
        .with_for_update()
    )
    return next((row for row in rows if invitation_state(row, at) == "open"), None)


def invite_founder(
    session: Session,
    actor_id: int,
    council_id: int,
    person_id: int,
    *,
    role: str = "member",
    now: datetime | None = None,
) -> Invitation:
    """Name a founding member (by a coordinator, before the council's first vote); they
    become a member only when they confirm."""
    authz.require_coordinator(session, actor_id, council_id)
    council = authz.get_council(session, council_id)
    person = authz.get_person(session, person_id)
    if role not in ROLES:
        raise InputError("role must be member or coordinator", field="role")
    if has_voted(session, council_id):
        raise Conflict(
            f"council '{council.name}' has already voted: new members join by accepting "
            "an invitation or by their own application (an admit_member proposal)"
        )
    if authz.open_membership(session, person_id, council_id) is not None:
        raise Conflict(f"{person.name} is already a member of council '{council.name}'")
    at = authz.moment(now)
    if _open_for(session, person_id, council_id, at) is not None:
        raise Conflict(f"{person.name} is already invited to found council '{council.name}'")
    row = Invitation(
        council_id=council_id,
        created_by=actor_id,
        token_hash=digest(new_secret()),  # no link: the invitee confirms from their account
        invitee_id=person_id,
        role=role,
        created_at=at,
        expires_at=at + INVITATION_LIFETIME,
    )
    session.add(row)
    session.flush()
    notices.on_invited(session, person_id, council, actor_id, at, "answer on your account page")
    return row


@dataclass(frozen=True)
class FoundingInvitation:
    """What a founding invitation shows its invitee before they confirm."""

    invitation_id: int
    council_id: int
    council_name: str
    inviter: str
    role: str
    expires_at: datetime


def pending(
    session: Session, actor_id: int, now: datetime | None = None
) -> list[FoundingInvitation]:
    """The actor's open founding invitations to councils that have not voted yet."""
    authz.get_person(session, actor_id)
    rows = session.scalars(
        select(Invitation).where(Invitation.invitee_id == actor_id).order_by(Invitation.id)
    )
    out = []
    for row in rows:
        if invitation_state(row, now) != "open" or has_voted(session, row.council_id):
            continue
        council = authz.get_council(session, row.council_id)
        inviter = authz.get_person(session, row.created_by).name
        out.append(
            FoundingInvitation(
                row.id, council.id, council.name, inviter, row.role or "member", row.expires_at
            )
        )
    return out


def _usable(session: Session, actor_id: int, council_id: int, now: datetime) -> Invitation:
    council: Council = authz.get_council(session, council_id)
    invitation = _open_for(session, actor_id, council_id, now)
    if invitation is None:
        raise NotFound(f"you have no open founding invitation to council '{council.name}'")
    if has_voted(session, council_id):
        raise Conflict(
            f"council '{council.name}' has voted since it invited you to found it: "
            "ask its members for an ordinary invitation"
        )
    return invitation


def confirm(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> Membership:
    """The invitee confirms their founding invitation and becomes a member in its role."""
    at = authz.moment(now)
    person = authz.get_person(session, actor_id)
    invitation = _usable(session, actor_id, council_id, at)
    if authz.open_membership(session, actor_id, council_id) is not None:
        raise Conflict(f"{person.name} is already a member of council #{council_id}")
    invitation.used_at, invitation.used_by, invitation.outcome = at, actor_id, "accepted"
    membership = Membership(
        person_id=actor_id, council_id=council_id, role=invitation.role, joined_at=at
    )
    session.add(membership)
    session.flush()
    return membership


def decline(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> Invitation:
    """The invitee declines their founding invitation."""
    at = authz.moment(now)
    authz.get_person(session, actor_id)
    invitation = _open_for(session, actor_id, council_id, at)
    if invitation is None:
        council = authz.get_council(session, council_id)
        raise NotFound(f"you have no open founding invitation to council '{council.name}'")
    invitation.used_at, invitation.used_by, invitation.outcome = at, actor_id, "declined"
    session.flush()
    return invitation
