"""Councils: the ones you may read, found a council or a federation, and council rules."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import councils, rules
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import CouncilIn, CouncilOut, FederationIn

router = APIRouter(tags=["councils"], responses=STANDARD)


@router.get("/councils", response_model=list[CouncilOut])
def list_councils(actor: ApiActor, db: Db) -> list[CouncilOut]:
    """Every council you may read: yours, the federations they belong to, and public ones."""
    return [CouncilOut.model_validate(c) for c in councils.list_councils(db, actor.id)]


@router.post("/councils", status_code=201, response_model=CouncilOut, responses=WRITE)
def create_council(body: CouncilIn, actor: ApiActor, db: Db) -> CouncilOut:
    """Found a workplace or territorial council; you become its coordinator."""
    made = councils.create_council(db, actor.id, name=body.name, kind=body.kind, public=body.public)
    return CouncilOut.model_validate(made)


@router.post("/federations", status_code=201, response_model=CouncilOut, responses=WRITE)
def create_federation(body: FederationIn, actor: ApiActor, db: Db) -> CouncilOut:
    """Found a federation of councils you coordinate."""
    made = councils.create_federation(
        db, actor.id, name=body.name, member_council_ids=body.member_council_ids, public=body.public
    )
    return CouncilOut.model_validate(made)


@router.get("/councils/{council_id}", response_model=CouncilOut)
def get_council(council_id: PathId, actor: ApiActor, db: Db) -> CouncilOut:
    """One council, if you may read it."""
    return CouncilOut.model_validate(councils.read_council(db, actor.id, council_id))


@router.get("/councils/{council_id}/federations", response_model=list[CouncilOut])
def federations(council_id: PathId, actor: ApiActor, db: Db) -> list[CouncilOut]:
    """The federations the council belongs to."""
    found = councils.list_federations(db, actor.id, council_id)
    return [CouncilOut.model_validate(c) for c in found]


@router.get("/councils/{council_id}/member-councils", response_model=list[CouncilOut])
def member_councils(council_id: PathId, actor: ApiActor, db: Db) -> list[CouncilOut]:
    """The member councils of a federation."""
    found = councils.list_member_councils(db, actor.id, council_id)
    return [CouncilOut.model_validate(c) for c in found]


@router.get("/councils/{council_id}/rules", response_model=dict[str, str])
def council_rules(council_id: PathId, actor: ApiActor, db: Db) -> dict[str, str]:
    """The council's rules set by its votes (booking limits, default quorum, public)."""
    return rules.council_rules(db, actor.id, council_id)
