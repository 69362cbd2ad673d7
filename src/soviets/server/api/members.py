"""Members: the signed-in person, and people one may see through shared councils."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.security import HTTPAuthorizationCredentials

from soviets.governance import access, accounts, councils
from soviets.server import auth
from soviets.server.api.common import STANDARD, PathId
from soviets.server.deps import ApiActor, Db, bearer_scheme
from soviets.server.schemas import CouncilOut, MeOut, PersonOut
from soviets.server.schemas_accounts import PasswordChangeIn, SignedOut

router = APIRouter(tags=["members"], responses=STANDARD)


@router.get("/members/me", response_model=MeOut)
def me(actor: ApiActor) -> MeOut:
    """The person the token belongs to."""
    return MeOut.model_validate(actor)


@router.get("/members/me/councils", response_model=list[CouncilOut])
def my_councils(actor: ApiActor, db: Db) -> list[CouncilOut]:
    """Councils where you have a vote now (as a member, or as a seated delegate)."""
    return [CouncilOut.model_validate(c) for c in councils.my_councils(db, actor.id)]


@router.post("/members/me/password", status_code=204)
def change_password(
    body: PasswordChangeIn,
    actor: ApiActor,
    db: Db,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> Response:
    """Change your password (the current one required); your web sessions and your other
    API tokens end, the token of this request keeps working."""
    token = auth.token_of(db, credentials.credentials) if credentials else None
    accounts.change_password(
        db,
        actor.id,
        old_password=body.old_password,
        new_password=body.new_password,
        keep_token=token.id if token else None,
    )
    return Response(status_code=204)


@router.post("/members/me/sign-out-everywhere", response_model=SignedOut)
def sign_out_everywhere(actor: ApiActor, db: Db) -> SignedOut:
    """End all your web sessions and revoke all your API tokens, this one included."""
    sessions, tokens = accounts.sign_out_everywhere(db, actor.id)
    return SignedOut(sessions=sessions, tokens=tokens)


@router.get("/members/{person_id}", response_model=PersonOut)
def person(person_id: PathId, actor: ApiActor, db: Db) -> PersonOut:
    """A person who belongs to a council you may read (names only; e-mail stays private)."""
    return PersonOut.model_validate(access.person(db, actor.id, person_id))
