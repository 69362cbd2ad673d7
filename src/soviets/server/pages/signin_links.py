"""Pages of the one-time sign-in link: ask for one by e-mail, and use it (once) to sign in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import Response

from soviets.governance import signin_links
from soviets.server import links
from soviets.server.deps import Db, client_of
from soviets.server.pages.signin import (
    EXPIRED_FORM,
    form_is_ours,
    mail_link_form,
    signed_in_redirect,
    signed_out_form,
)
from soviets.server.templating import N_, Msg

router = APIRouter()
Token = Annotated[str, Form(max_length=200)]


def _request_form(
    request: Request, status: int = 200, error: str = "", sent: str | Msg = ""
) -> Response:
    context = {"title": N_("Sign in by e-mail"), "error": error, "sent": sent}
    return signed_out_form(request, "signin_link_request.html", context, status)


@router.get("/signin/link")
def request_page(request: Request) -> Response:
    """Ask for a one-time sign-in link."""
    return _request_form(request)


@router.post("/signin/link")
def request_link(
    request: Request,
    db: Db,
    later: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)],
    csrf_token: Token = "",
) -> Response:
    """Mail a sign-in link if the address has an account; the answer is the same either way."""
    return mail_link_form(
        request,
        db,
        later,
        email,
        csrf_token,
        form=_request_form,
        mailing=(signin_links.request_link, links.send_sign_in_link),
        sent=Msg(links.SIGN_IN_TEXT, minutes=links.LINK_MINUTES),
    )


@router.get("/signin/link/{token}")
def link_page(token: str, request: Request) -> Response:
    """A button that uses the link (a mail scanner that follows links does not use it up)."""
    context = {"title": N_("Sign in"), "token": token}
    return signed_out_form(request, "signin_link.html", context)


@router.post("/signin/link/{token}")
def use_link(token: str, request: Request, db: Db, csrf_token: Token = "") -> Response:
    """Sign in with the link: it works once."""
    if not form_is_ours(request, csrf_token):
        return signed_out_form(
            request, "signin_link.html", {"token": token, "error": EXPIRED_FORM}, 403
        )
    person = signin_links.use_link(db, token, client_of(request))
    return signed_in_redirect(request, db, person, "/?notice=signed-in")
