"""Members: the signed-in person, and people one may see through shared councils."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import access, councils
from soviets.server.api.common import STANDARD, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import CouncilOut, MeOut, PersonOut

router = APIRouter(tags=["members"], responses=STANDARD)


@router.get("/members/me", response_model=MeOut)
def me(actor: ApiActor) -> MeOut:
    """The person the token belongs to."""
    return MeOut.model_validate(actor)


@router.get("/members/me/councils", response_model=list[CouncilOut])
def my_councils(actor: ApiActor, db: Db) -> list[CouncilOut]:
    """Councils where you have a vote now (as a member, or as a seated delegate)."""
    return [CouncilOut.model_validate(c) for c in councils.my_councils(db, actor.id)]


@router.get("/members/{person_id}", response_model=PersonOut)
def person(person_id: PathId, actor: ApiActor, db: Db) -> PersonOut:
    """A person who belongs to a council you may read (names only; e-mail stays private)."""
    return PersonOut.model_validate(access.person(db, actor.id, person_id))
