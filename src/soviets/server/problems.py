"""Errors as RFC 9457 problem details, and the handlers that turn exceptions into them.

Every error the API returns is ``application/problem+json`` with ``type``,
``title``, ``status`` and ``detail``. Pages get the same facts as a small HTML
page. An unexpected exception is logged with its traceback on the server and
answered with a plain 500 problem: the client never sees a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from soviets.errors import Conflict, Forbidden, InputError, NotFound, SovietsError
from soviets.server.i18n import N_

log = logging.getLogger("soviets.server")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://soviets.invalid/problems/"


class Problem(Exception):
    """An error to answer with a problem document (raised by the server's own code)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or _slug(status)
        self.headers = headers or {}
        self.extra = extra or {}


def _in_body(loc: tuple[object, ...]) -> tuple[object, ...]:
    """A validation error's location without the leading ``body`` (a field may be called so)."""
    return loc[1:] if loc[:1] == ("body",) else loc


class SignInRequired(Exception):
    """A page needs a signed-in person: the browser is sent to the sign-in form."""


def _slug(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def problem_body(status: int, detail: str, kind: str | None = None, **extra: Any) -> dict[str, Any]:
    """The JSON body of a problem document."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or _slug(status)),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return body


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path == "/openapi.json"


def _respond(
    request: Request,
    status: int,
    detail: str,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    if _is_api(request):
        return JSONResponse(
            problem_body(status, detail, kind, **(extra or {})),
            status_code=status,
            media_type=PROBLEM_JSON,
            headers=headers,
        )
    from soviets.server.templating import render_error  # pages only

    return render_error(request, status, detail, headers=headers)


STATUSES: tuple[tuple[type[SovietsError], int, str], ...] = (
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (InputError, 422, "invalid-request"),
    (SovietsError, 422, "refused"),
)
"""HTTP status and problem kind of each kind of error, the first that matches by ``isinstance``."""


def error_status(exc: SovietsError) -> tuple[int, str]:
    """HTTP status and problem kind of a refused action (see :data:`STATUSES`)."""
    return next((status, kind) for cls, status, kind in STATUSES if isinstance(exc, cls))


def install_handlers(app: FastAPI) -> None:
    """Register the exception handlers that produce problem details."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return _respond(request, exc.status, exc.detail, exc.kind, exc.headers, exc.extra)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(SovietsError)
    async def _refused(request: Request, exc: SovietsError) -> Response:
        status, kind = error_status(exc)
        extra = None
        if isinstance(exc, InputError) and exc.field:
            extra = {"errors": [{"field": exc.field, "message": exc.detail}]}
        return _respond(request, status, str(exc) or HTTPStatus(status).phrase, kind, extra=extra)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.info("integrity error on %s %s: %s", request.method, request.url.path, exc.orig)
        return _respond(
            request,
            409,
            N_("The change conflicts with existing records and was not made."),
            "conflict",
        )

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: Exception) -> Response:
        log.info("value out of range on %s %s: %s", request.method, request.url.path, exc)
        return _respond(request, 422, "A value is out of range or malformed.", "invalid-request")

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> Response:
        if isinstance(exc.orig, OverflowError | ValueError):
            return await _out_of_range(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> Response:
        log.exception("database error on %s %s", request.method, request.url.path)
        return _respond(request, 503, N_("The database is busy or unavailable; try again."))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in _in_body(tuple(err.get("loc", ())))),
                "message": err.get("msg", "invalid"),
            }
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return _respond(request, 422, detail, "invalid-request", extra={"errors": errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return _respond(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return _respond(request, 500, N_("An unexpected error occurred; it has been logged."))
