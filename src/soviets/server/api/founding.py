"""Founding invitations: a coordinator names founding members before the council's first
vote; each becomes a member only by confirming (see :mod:`soviets.governance.founding`)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from soviets.governance import founding
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import MembershipOut
from soviets.server.schemas_founding import FounderIn, FounderOut, FoundingInvitationOut

router = APIRouter(tags=["memberships"], responses=STANDARD)


@router.post(
    "/councils/{council_id}/founders", status_code=201, response_model=FounderOut, responses=WRITE
)
def name_founder(council_id: PathId, body: FounderIn, actor: ApiActor, db: Db) -> FounderOut:
    """Invite a founding member (coordinators, before the council's first vote); they are
    not a member until they confirm."""
    made = founding.invite_founder(db, actor.id, council_id, body.person_id, role=body.role)
    return FounderOut.model_validate(made)


@router.get("/members/me/founding-invitations", response_model=list[FoundingInvitationOut])
def my_founding_invitations(actor: ApiActor, db: Db) -> list[FoundingInvitationOut]:
    """Your open founding invitations, to confirm or decline."""
    return [FoundingInvitationOut.model_validate(i) for i in founding.pending(db, actor.id)]


@router.post(
    "/councils/{council_id}/founding-invitation/confirm",
    status_code=201,
    response_model=MembershipOut,
    responses=WRITE,
)
def confirm(council_id: PathId, actor: ApiActor, db: Db) -> MembershipOut:
    """Confirm your founding invitation: you become a member in its role."""
    return present.membership(founding.confirm(db, actor.id, council_id))


@router.post("/councils/{council_id}/founding-invitation/decline", status_code=204, responses=WRITE)
def decline(council_id: PathId, actor: ApiActor, db: Db) -> Response:
    """Decline your founding invitation."""
    founding.decline(db, actor.id, council_id)
    return Response(status_code=204)
