"""Memberships: who belongs to a council (with history), founding members, leaving."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import councils
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import FoundingMemberIn, MembershipOut

router = APIRouter(tags=["memberships"], responses=STANDARD)


@router.get("/councils/{council_id}/memberships", response_model=list[MembershipOut])
def memberships(
    council_id: PathId, actor: ApiActor, db: Db, include_past: bool = False
) -> list[MembershipOut]:
    """Current members (and with ``include_past``, everyone who has left, with dates)."""
    rows = councils.list_members(db, actor.id, council_id, include_past=include_past)
    return [present.membership(m) for m in rows]


@router.post(
    "/councils/{council_id}/memberships",
    status_code=201,
    response_model=MembershipOut,
    responses=WRITE,
)
def add_founding_member(
    council_id: PathId, body: FoundingMemberIn, actor: ApiActor, db: Db
) -> MembershipOut:
    """A coordinator adds a founding member (only before the council's first vote)."""
    made = councils.add_founding_member(db, actor.id, council_id, body.person_id, role=body.role)
    return present.membership(made)


@router.delete(
    "/councils/{council_id}/memberships/me", response_model=MembershipOut, responses=WRITE
)
def leave(council_id: PathId, actor: ApiActor, db: Db) -> MembershipOut:
    """Leave the council now (your delegations from it end too)."""
    return present.membership(councils.leave_council(db, actor.id, council_id))
