"""The application factory: ``create_app(db_url)`` gives the JSON API and the pages."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from soviets.ledger.db import default_url, make_engine, session_factory
from soviets.server import deadlines, limits, load
from soviets.server.admission import Admission
from soviets.server.api import ROUTERS as API_ROUTERS
from soviets.server.ballot_lane import BallotLane
from soviets.server.ballot_writer import BallotWriter
from soviets.server.mail import MailSettings, load_settings
from soviets.server.pages import ROUTERS as PAGE_ROUTERS
from soviets.server.problems import install_handlers
from soviets.server.schemas import ProblemOut

DESCRIPTION = """The council service of `soviets`: members, councils, delegates,
proposals and ballots, the common inventory, needs, processes, plans,
agreements and bookings of shared goods.

Authenticate with `POST /api/tokens` (e-mail and password) and send the token
as `Authorization: Bearer <token>`. Every endpoint checks that the caller is a
member of the council concerned (or of a member council, for a federation's
plans and agreements). Errors are RFC 9457 problem details
(`application/problem+json`)."""

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP answer that does not set them itself.

    Plain ASGI: the answer passes straight through, no task or stream per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.raw if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    db_url: str | None = None,
    *,
    mail: MailSettings | None = None,
    tick_seconds: float | None = None,
    admission: Admission | None = None,
) -> FastAPI:
    """The FastAPI application on the database at ``db_url`` (default: the user's SQLite file).

    The schema must exist already (``soviets db upgrade`` or ``soviets serve``,
    which upgrades it first). ``mail``: how to send mail (default: from
    ``$SOVIETS_CONFIG`` and ``$SOVIETS_SMTP_*``, see :mod:`soviets.server.mail`). With
    ``tick_seconds`` a background task closes the votes whose deadline has passed
    that often (:mod:`soviets.server.deadlines`). ``admission``: how many requests run
    at once and how many wait (default: from ``$SOVIETS_MAX_REQUESTS`` and friends, see
    :mod:`soviets.server.load`).
    """
    app = FastAPI(
        lifespan=_lifespan(tick_seconds),
        title="soviets council service",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # ours is pages/docs.py: Swagger UI from local files, no CDN
        redoc_url=None,
    )
    url = db_url or default_url()
    admission = admission or load.admission_from_env(url)
    engine = make_engine(url, **load.pool_settings(url, admission))
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.readers = session_factory(engine, read_only=True)
    app.state.ballots = BallotWriter(app.state.sessions, waiting=admission.queue)
    app.state.mail = mail if mail is not None else load_settings()

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    install_handlers(app)
    load.install(app, admission)
    app.add_middleware(limits.BodyLimit)  # outside the admission: a huge body never queues
    app.add_middleware(BallotLane, writer=app.state.ballots)  # its own queue: the writer's
    app.add_middleware(SecurityHeaders)  # outermost: on the admission's 503 answers too
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    return app


def _lifespan(tick_seconds: float | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The deadline clock's lifespan; at its end the ballot writer commits its queue and stops."""
    clock = deadlines.lifespan(tick_seconds)

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        async with clock(app):
            try:
                yield
            finally:
                await asyncio.to_thread(app.state.ballots.close)

    return run


ENV_TICK = "SOVIETS_TICK_SECONDS"


def app_from_env() -> FastAPI:
    """The app of one worker of ``soviets serve --workers N``: database from ``$SOVIETS_DB``,
    the deadline clock from ``$SOVIETS_TICK_SECONDS`` (0 or unset: none)."""
    tick = float(os.environ.get(ENV_TICK) or 0)
    return create_app(default_url(), tick_seconds=tick or None)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the problem-details schema that error responses refer to."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        problem = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.setdefault("components", {}).setdefault("schemas", {})["ProblemOut"] = problem
        app.openapi_schema = schema
    return app.openapi_schema
