"""The application factory: ``create_app(db_url)`` gives the JSON API and the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from swagger_ui_bundle import swagger_ui_path

from soviets.ledger.db import make_engine, session_factory
from soviets.server import deadlines, limits
from soviets.server.api import ROUTERS as API_ROUTERS
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


def create_app(
    db_url: str | None = None,
    *,
    mail: MailSettings | None = None,
    tick_seconds: float | None = None,
) -> FastAPI:
    """The FastAPI application on the database at ``db_url`` (default: the user's SQLite file).

    The schema must exist already (``soviets db upgrade`` or ``soviets serve``,
    which upgrades it first). ``mail``: how to send mail (default: from
    ``$SOVIETS_CONFIG`` and ``$SOVIETS_SMTP_*``, see :mod:`soviets.server.mail`). With
    ``tick_seconds`` a background task closes the votes whose deadline has passed
    that often (:mod:`soviets.server.deadlines`).
    """
    app = FastAPI(
        lifespan=deadlines.lifespan(tick_seconds),
        title="soviets council service",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # ours is pages/docs.py: Swagger UI from local files, no CDN
        redoc_url=None,
    )
    engine = make_engine(db_url)
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.mail = mail if mail is not None else load_settings()

    @app.middleware("http")
    async def _security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(limits.BodyLimit)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.mount("/docs/assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    return app


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
