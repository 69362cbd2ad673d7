"""One-time sign-in links by e-mail: a way in for the owner while password sign-in is slowed."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from soviets.governance import signin_links
from soviets.server import auth, links
from soviets.server.api.common import problems
from soviets.server.deps import Db, client_of
from soviets.server.schemas import TokenOut
from soviets.server.schemas_accounts import Accepted, ResetRequestIn, SignInLinkUse

router = APIRouter(tags=["tokens"])


@router.post("/sign-in-links", status_code=202, responses=problems(400, 422, 429, 503))
def request_link(
    body: ResetRequestIn, request: Request, db: Db, later: BackgroundTasks
) -> Accepted:
    """Mail a one-time sign-in link to the account's address. The answer is the same whether
    or not the address has an account; limited like password-reset mails (429)."""
    issue, send = signin_links.request_link, links.send_sign_in_link
    links.mail_link(request, db, later, body.email, issue, send, kind="too-many-attempts")
    return Accepted(detail=links.SIGN_IN_ANSWER)


@router.post(
    "/sign-in-links/confirm",
    status_code=201,
    response_model=TokenOut,
    responses=problems(400, 404, 409, 422),
)
def use_link(body: SignInLinkUse, request: Request, db: Db) -> TokenOut:
    """Exchange a sign-in link's secret for a bearer token; the link works once."""
    person = signin_links.use_link(db, body.token, client_of(request))
    issued = auth.issue_token(db, person, body.name)
    return TokenOut(
        id=issued.id, name=issued.name, token=issued.secret, created_at=issued.created_at
    )
