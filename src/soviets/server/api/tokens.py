"""API tokens: sign in with e-mail and password to get one; list and revoke your own."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from soviets.server import auth
from soviets.server.api.common import STANDARD, problems
from soviets.server.deps import ApiActor, Db, client_of
from soviets.server.problems import Problem
from soviets.server.schemas import SignIn, TokenInfo, TokenOut

router = APIRouter(tags=["tokens"])


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenOut,
    responses=problems(400, 401, 422, 429),
    summary="Sign in: exchange e-mail and password for a bearer token",
)
def create_token(body: SignIn, request: Request, db: Db) -> TokenOut:
    """Rate-limited per account and per client address (see ``docs/service.md``, sign-in limits)."""
    client = client_of(request)
    person = auth.check_password(db, body.email, body.password, client)
    issued = auth.issue_token(db, person, body.name)
    return TokenOut(
        id=issued.id, name=issued.name, token=issued.secret, created_at=issued.created_at
    )


@router.get("/tokens", response_model=list[TokenInfo], responses=STANDARD)
def list_tokens(actor: ApiActor, db: Db) -> list[TokenInfo]:
    """Your tokens (the secrets are never shown again)."""
    return [TokenInfo.model_validate(t) for t in auth.tokens_of(db, actor)]


@router.delete("/tokens/{token_id}", status_code=204, responses=STANDARD)
def revoke_token(token_id: int, actor: ApiActor, db: Db) -> Response:
    """Revoke one of your tokens; it stops working at once."""
    if not auth.revoke_token(db, actor, token_id):
        raise Problem(404, f"You have no live token {token_id}.")
    return Response(status_code=204)
