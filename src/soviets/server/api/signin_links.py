"""One-time sign-in links by e-mail: a way in for the owner while password sign-in is slowed."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request

from soviets.governance import accounts, signin_links
from soviets.server import auth, links
from soviets.server.api.common import problems
from soviets.server.deps import Db
from soviets.server.problems import Problem
from soviets.server.schemas import TokenOut
from soviets.server.schemas_accounts import Accepted, ResetRequestIn, SignInLinkUse

router = APIRouter(tags=["tokens"])


def client_of(request: Request) -> str:
    """The client's address as the rate limits see it."""
    return request.client.host if request.client else "unknown"


@router.post("/sign-in-links", status_code=202, responses=problems(400, 422, 429, 503))
def request_link(
    body: ResetRequestIn, request: Request, db: Db, later: BackgroundTasks
) -> Accepted:
    """Mail a one-time sign-in link to the account's address. The answer is the same whether
    or not the address has an account; limited like password-reset mails (429)."""
    if not links.settings(request).enabled:
        raise Problem(503, "This service cannot send e-mail; ask a coordinator for help.")
    try:
        found = signin_links.request_link(db, body.email, client_of(request))
    except accounts.TooManyRequests as exc:
        raise Problem(
            429, str(exc), kind="too-many-attempts", headers={"Retry-After": "3600"}
        ) from None
    db.commit()
    if found is not None:
        person, issued = found
        later.add_task(links.send_sign_in_link, request, person.email or body.email, issued.secret)
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
