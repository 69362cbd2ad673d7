"""Request dependencies: the database session, the signed-in person, the CSRF check.

The JSON API authenticates with ``Authorization: Bearer <token>`` only, pages
with the session cookie only; so a browser's cookie can never be used to call
the API from another site, and every page form carries a CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from soviets.governance import briefing
from soviets.ledger.models import Person, WebSession
from soviets.server import auth
from soviets.server.i18n import N_
from soviets.server.problems import Problem, SignInRequired
from soviets.server.security import same

SESSION_COOKIE = "soviets_session"
PRESESSION_COOKIE = "soviets_presession"


def get_db(request: Request) -> Iterator[Session]:
    """One session per request: committed when the handler succeeds, rolled back otherwise."""
    session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db, scope="function")]


bearer_scheme = HTTPBearer(auto_error=False, description="A token from POST /api/tokens")


def api_actor(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)
) -> Person:
    """The person calling the API, from a valid bearer token; 401 otherwise.

    The token is looked up in a short read-only session of its own, closed before
    the handler runs: no connection (on SQLite, no lock) is held while the request
    waits for the thread that runs its handler.
    """
    secret = credentials.credentials if credentials else None
    person = None
    if secret:
        with request.app.state.readers() as readers:
            person = auth.person_for_token(readers, secret)
    if person is None:
        raise unauthorized()
    return person


ApiActor = Annotated[Person, Depends(api_actor, scope="function")]

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def unauthorized() -> Problem:
    """The 401 problem of a missing, unknown or revoked token."""
    return Problem(
        401,
        "Sign in first: send 'Authorization: Bearer <token>' (POST /api/tokens gives one).",
        kind="unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


def page_session(request: Request, db: Db) -> tuple[WebSession, Person] | None:
    """The browser's live session and person, or ``None`` when signed out."""
    secret = request.cookies.get(SESSION_COOKIE)
    return auth.find_session(db, secret) if secret else None


PageSession = Annotated[tuple[WebSession, Person] | None, Depends(page_session, scope="function")]


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, as plain values that outlive the database session."""

    id: int
    name: str
    csrf_token: str
    unread: int = 0
    """Unread notices plus votes waiting for this person (the header's inbox count)."""
    language: str | None = None
    """The page language the person chose (None: the browser's)."""
    time_zone: str | None = None
    """The IANA zone the person's pages show times in (None: UTC)."""


def page_actor(request: Request, found: PageSession, db: Db) -> tuple[WebSession, Person]:
    """The signed-in browser's session and person; signed-out browsers go to the sign-in form."""
    if found is None:
        raise SignInRequired()
    session, person = found
    unread = briefing.unread_count(db, person.id)
    request.state.viewer = Viewer(
        person.id, person.name, session.csrf_token, unread, person.language, person.time_zone
    )
    return found


PageActor = Annotated[tuple[WebSession, Person], Depends(page_actor, scope="function")]


async def csrf_checked(request: Request, found: PageActor) -> tuple[WebSession, Person]:
    """A signed-in form post whose ``csrf_token`` field matches the session's token."""
    form = await request.form()
    token = form.get("csrf_token")
    if not same(found[0].csrf_token, token if isinstance(token, str) else None):
        raise Problem(
            403, N_("The form is out of date or came from another site; reload the page.")
        )
    request.state.form = form
    return found


FormActor = Annotated[tuple[WebSession, Person], Depends(csrf_checked, scope="function")]


def client_of(request: Request) -> str:
    """The client's address as the rate limits see it."""
    return request.client.host if request.client else "unknown"
