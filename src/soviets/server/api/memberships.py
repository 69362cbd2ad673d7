"""Memberships: who belongs to a council (with history), applying to join, leaving.

Nobody is made a member by someone else: people join by accepting an invitation
(see the accounts router) or by their own application in councils that vote.
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import accounts, councils
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import MembershipOut, ProposalOut

router = APIRouter(tags=["memberships"], responses=STANDARD)


@router.get("/councils/{council_id}/memberships", response_model=list[MembershipOut])
def memberships(
    council_id: PathId, actor: ApiActor, db: Db, include_past: bool = False
) -> list[MembershipOut]:
    """Current members (and with ``include_past``, everyone who has left, with dates)."""
    rows = councils.list_members(db, actor.id, council_id, include_past=include_past)
    return [present.membership(m) for m in rows]


@router.post(
    "/councils/{council_id}/applications",
    status_code=201,
    response_model=ProposalOut,
    responses=WRITE,
)
def apply(council_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """Apply to join a (public) council that admits members by vote: an ``admit_member``
    proposal for you, opened at once. Councils that admit by invitation refuse (409)."""
    return present.proposal(db, actor.id, accounts.apply_for_membership(db, actor.id, council_id))


@router.delete(
    "/councils/{council_id}/memberships/me", response_model=MembershipOut, responses=WRITE
)
def leave(council_id: PathId, actor: ApiActor, db: Db) -> MembershipOut:
    """Leave the council now (your delegations from it end too)."""
    return present.membership(councils.leave_council(db, actor.id, council_id))
