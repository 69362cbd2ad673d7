"""Sign-in and sign-out pages (session cookie, CSRF-checked forms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from soviets.ledger.models import Person
from soviets.server import auth, links
from soviets.server.deps import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    Db,
    FormActor,
    PageSession,
    client_of,
)
from soviets.server.problems import Problem
from soviets.server.security import new_secret, same
from soviets.server.templating import N_, Msg, render

router = APIRouter()
EXPIRED_FORM = N_("The form expired; please try again.")


def _safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no other site, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def signed_out_form(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    """A form for signed-out visitors with a pre-session CSRF token (double-submit cookie):
    the template gets it as ``form_token``; :func:`form_is_ours` checks it on the post."""
    token = request.cookies.get(PRESESSION_COOKIE) or new_secret()
    response = render(request, template, {**context, "form_token": token}, status=status)
    response.set_cookie(
        PRESESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )
    return response


def mail_link_form(
    request: Request,
    db: Session,
    later: BackgroundTasks,
    email: str,
    csrf_token: str,
    *,
    form: Callable[..., Response],
    mailing: tuple[links.IssueLink, links.SendLink],
    sent: Msg,
) -> Response:
    """The answer to a signed-out form that asks for a link by e-mail: ``form(request,
    status, error)`` again if the form expired or the service cannot send mail, else the
    link issued and mailed (:func:`soviets.server.links.mail_link`) and ``form`` saying
    ``sent``, the same whether or not the address has an account."""
    if not form_is_ours(request, csrf_token):
        return form(request, 403, EXPIRED_FORM)
    if not links.settings(request).enabled:
        return form(request, 503, links.NO_MAIL)
    links.mail_link(request, db, later, email, *mailing)
    return form(request, sent=sent)


def form_is_ours(request: Request, csrf_token: str) -> bool:
    """Whether a signed-out form post carries the token of its pre-session cookie."""
    return same(request.cookies.get(PRESESSION_COOKIE), csrf_token)


def signed_in_redirect(request: Request, db: Session, person: Person, target: str) -> Response:
    """Open a web session for ``person``, set its cookie and go to ``target`` (a local path)."""
    secret, _session = auth.open_session(db, person)
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    return response


def _form(
    request: Request, status: int = 200, error: str = "", email: str = "", nxt: str = "/"
) -> Response:
    """The sign-in form."""
    context = {"error": error, "email": email, "next": _safe_next(nxt)}
    return signed_out_form(request, "signin.html", context, status)


@router.get("/signin")
def signin_form(request: Request, found: PageSession, next: str = "/") -> Response:
    """The sign-in form (or straight on, if already signed in)."""
    if found is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form(request, nxt=next)


@router.post("/signin")
def signin(
    request: Request,
    db: Db,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password (rate-limited), open a session and set its cookie."""
    if not form_is_ours(request, csrf_token):
        return _form(request, 403, N_("The form expired; please sign in again."), email, next)
    client = client_of(request)
    try:
        person = auth.check_password(db, email, password, client)
    except Problem as exc:
        return _form(request, exc.status, exc.detail, email, next)
    target = _safe_next(next)
    target += ("&" if "?" in target else "?") + "notice=signed-in"
    return signed_in_redirect(request, db, person, target)


@router.post("/signout")
def signout(found: FormActor) -> Response:
    """End the session: its cookie stops working at once."""
    auth.close_session_row(found[0])
    response = RedirectResponse("/signin?notice=signed-out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
