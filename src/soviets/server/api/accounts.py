"""Accounts: invitations into councils, sign-up through one, and password resets."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response

from soviets.governance import accounts
from soviets.ledger.models import Invitation
from soviets.server import links, present
from soviets.server.api.common import STANDARD, WRITE, PathId, problems
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas_accounts import (
    Accepted,
    InvitationIn,
    InvitationMade,
    InvitationOut,
    InvitationUse,
    ResetIn,
    ResetRequestIn,
    SignedUp,
    SignUpIn,
)

router = APIRouter(tags=["accounts"])
PUBLIC = problems(400, 404, 409, 422)


def invitation_out(row: Invitation) -> InvitationOut:
    """An invitation with its present state."""
    return InvitationOut(
        id=row.id,
        council_id=row.council_id,
        created_by=row.created_by,
        email=row.email,
        created_at=row.created_at,
        expires_at=row.expires_at,
        state=accounts.invitation_state(row),
    )


def signed_up(person_id: int, made: accounts.Joining) -> SignedUp:
    """What taking up an invitation did, for the API."""
    return SignedUp(
        person_id=person_id,
        council_id=made.council_id,
        membership=present.membership(made.membership) if made.membership else None,
        admission_proposal_id=made.proposal.id if made.proposal else None,
    )


@router.post(
    "/councils/{council_id}/invitations",
    status_code=201,
    response_model=InvitationMade,
    responses=WRITE,
)
def invite(
    council_id: PathId, body: InvitationIn, request: Request, actor: ApiActor, db: Db
) -> InvitationMade:
    """Make a single-use invitation link (mailed when an e-mail address is given).

    Who may invite is the council's ``membership.invite`` rule: any member under
    ``vote`` (the default: the council then votes on each invitee's admission) and
    ``member``, coordinators under ``coordinator``.
    """
    issued = accounts.create_invitation(db, actor.id, council_id, email=body.email)
    db.commit()  # the invitation stands whether or not the mail goes out
    row = db.get(Invitation, issued.id)
    assert row is not None
    url = links.invitation_link(request, issued.secret)
    error = None
    if row.email:
        error = links.send_invitation(request, row.email, issued.council_name, actor.name, url)
    return InvitationMade(
        invitation=invitation_out(row),
        url=url,
        token=issued.secret,
        mail_sent=bool(row.email) and error is None,
        mail_error=error,
    )


@router.get(
    "/councils/{council_id}/invitations", response_model=list[InvitationOut], responses=STANDARD
)
def invitations(council_id: PathId, actor: ApiActor, db: Db) -> list[InvitationOut]:
    """The council's invitations, newest first (for its members; links are never shown again)."""
    return [invitation_out(i) for i in accounts.list_invitations(db, actor.id, council_id)]


@router.delete("/invitations/{invitation_id}", status_code=204, responses=WRITE)
def revoke(invitation_id: PathId, actor: ApiActor, db: Db) -> Response:
    """Revoke an open invitation (its maker or a coordinator): the link stops working."""
    accounts.revoke_invitation(db, actor.id, invitation_id)
    return Response(status_code=204)


@router.post("/invitations/accept", status_code=201, responses=WRITE)
def accept(body: InvitationUse, actor: ApiActor, db: Db) -> SignedUp:
    """Accept an invitation as the signed-in person: the council votes on your admission
    (rule ``vote``), or you are a member at once (rule ``member`` or ``coordinator``)."""
    return signed_up(actor.id, accounts.accept_invitation(db, actor.id, body.token))


@router.post("/invitations/decline", status_code=204, responses=WRITE)
def decline(body: InvitationUse, actor: ApiActor, db: Db) -> Response:
    """Decline an invitation: the link stops working."""
    accounts.decline_invitation(db, actor.id, body.token)
    return Response(status_code=204)


@router.post("/accounts", status_code=201, responses=PUBLIC)
def sign_up(body: SignUpIn, db: Db) -> SignedUp:
    """Open an account through an invitation and accept it (no sign-in needed): the council
    votes on your admission (rule ``vote``), or you are a member at once."""
    person, made = accounts.sign_up(
        db, body.token, name=body.name, email=body.email, password=body.password
    )
    return signed_up(person.id, made)


@router.post(
    "/password-resets",
    status_code=202,
    responses=problems(400, 422, 429, 503),
)
def request_reset(
    body: ResetRequestIn, request: Request, db: Db, later: BackgroundTasks
) -> Accepted:
    """Mail a password-reset link. The answer is the same whether or not the address has an
    account (the mail goes out after the answer, so its timing tells nothing either);
    rate-limited per address and per client (429)."""
    issue, send = accounts.request_password_reset, links.send_reset
    links.mail_link(request, db, later, body.email, issue, send, kind="too-many-attempts")
    return Accepted(detail=links.RESET_ANSWER)


@router.post("/password-resets/confirm", status_code=204, responses=PUBLIC)
def reset(body: ResetIn, db: Db) -> Response:
    """Set a new password with a reset link's secret; every session and token of the account
    ends."""
    accounts.reset_password(db, body.token, body.new_password)
    return Response(status_code=204)
