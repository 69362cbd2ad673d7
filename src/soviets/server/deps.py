"""Request dependencies: the database session, the signed-in person, the CSRF check.

The JSON API authenticates with ``Authorization: Bearer <token>`` only, pages
with the session cookie only; so a browser's cookie can never be used to call
the API from another site, and every page form carries a CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from soviets.governance import briefing
from soviets.ledger.models import Person, WebSession
from soviets.server import auth
from soviets.server.problems import Problem, SignInRequired
from soviets.server.security import same

T = TypeVar("T")

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
        raise _unauthorized()
    return person


ApiActor = Annotated[Person, Depends(api_actor, scope="function")]

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def as_actor(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, int], T],
) -> T:
    """Run ``work(session, person_id)`` for the token's owner in one worker thread, one transaction.

        The hot path's alternative to ``ApiActor`` and ``Db``: the token check, the
        handler's work and the commit happen in the same thread, so the connection
        (on SQLite, the write lock) is never held while the request waits for
        another thread. ``work`` gets the same session the token was checked in, and only
    the owner's id (no person object is loaded).
    """
    secret = credentials.credentials if credentials else None
    if not secret:
        raise _unauthorized()
    factory = request.app.state.sessions

    def run() -> T:
        with factory() as db:
            person_id = auth.person_id_for_token(db, secret)
            if person_id is None:
                raise _unauthorized()
            result = work(db, person_id)
            db.commit()
            return result

    return await run_in_threadpool(run)


def _unauthorized() -> Problem:
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


def page_actor(request: Request, found: PageSession, db: Db) -> tuple[WebSession, Person]:
    """The signed-in browser's session and person; signed-out browsers go to the sign-in form."""
    if found is None:
        raise SignInRequired()
    session, person = found
    unread = briefing.unread_count(db, person.id)
    request.state.viewer = Viewer(person.id, person.name, session.csrf_token, unread)
    return found


PageActor = Annotated[tuple[WebSession, Person], Depends(page_actor, scope="function")]


async def csrf_checked(request: Request, found: PageActor) -> tuple[WebSession, Person]:
    """A signed-in form post whose ``csrf_token`` field matches the session's token."""
    form = await request.form()
    token = form.get("csrf_token")
    if not same(found[0].csrf_token, token if isinstance(token, str) else None):
        raise Problem(403, "The form is out of date or came from another site; reload the page.")
    request.state.form = form
    return found


FormActor = Annotated[tuple[WebSession, Person], Depends(csrf_checked, scope="function")]
