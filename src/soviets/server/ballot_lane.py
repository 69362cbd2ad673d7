"""The ballot's lane: ``PUT /api/proposals/{id}/ballot`` answered in plain ASGI.

A well-formed ballot (a bearer token, a JSON body that :class:`BallotIn`
accepts) goes straight to the worker's :class:`BallotWriter`, past the
admission, routing, dependency injection and response validation of the app:
the writer's bounded queue is its admission (503 with ``Retry-After`` when
full). Everything else on that path (no token, a malformed or oversized body,
another content type) passes on to the app's documented route, unchanged, so
its answers (401, 413, 422) are the app's own. Both end in the same writer.
"""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from soviets.errors import InputError, SovietsError
from soviets.server.ballot_writer import BallotWriter, Overloaded, Unauthorized
from soviets.server.deps import unauthorized
from soviets.server.problems import PROBLEM_JSON, error_status, problem_body
from soviets.server.schemas import BallotIn

log = logging.getLogger("soviets.server")

PATH = re.compile(r"/api/proposals/([1-9][0-9]{0,9})/ballot")
LARGEST_ID = 2_147_483_647
MAX_BODY = 16 * 1024
"""Larger ballot bodies go to the app (a ranking of 2,000 characters, JSON-escaped, fits)."""

JSON = b"application/json"


class BallotLane:
    """ASGI middleware: ballots with a token and a valid body go to ``writer`` directly."""

    def __init__(self, app: ASGIApp, writer: BallotWriter) -> None:
        self.app = app
        self.writer = writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        found = PATH.fullmatch(scope["path"])
        secret = _bearer(scope) if found else None
        if found is None or secret is None or int(found[1]) > LARGEST_ID:
            await self.app(scope, receive, send)
            return
        body, whole = await _small_body(receive)
        ballot = _ballot(body) if whole else None
        if ballot is None:  # the app reads the same body again and gives its own answer
            await self.app(scope, _replay(body, whole, receive), send)
            return
        status, answer, headers = await self._cast(secret, int(found[1]), ballot)
        await _send_json(send, status, answer, headers)

    async def _cast(
        self, secret: str, proposal_id: int, ballot: BallotIn
    ) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
        """Status, JSON body and extra headers of the answer."""
        try:
            result = await self.writer.cast(secret, proposal_id, ballot.choice, ballot.receipt)
        except SovietsError as exc:
            status, kind = error_status(exc)
            extra = {}
            if isinstance(exc, InputError) and exc.field:
                extra = {"errors": [{"field": exc.field, "message": exc.detail}]}
            detail = str(exc) or HTTPStatus(status).phrase
            return status, problem_body(status, detail, kind, **extra), []
        except Unauthorized:
            problem = unauthorized()  # the app's own 401
            headers = [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
            return (
                problem.status,
                problem_body(problem.status, problem.detail, problem.kind),
                headers,
            )
        except (Overloaded, OperationalError, PoolTimeout) as exc:
            if not isinstance(exc, Overloaded):
                log.warning("ballot on proposal #%d: database busy: %s", proposal_id, exc)
            detail = "The service is overloaded; try again in a moment."
            return 503, problem_body(503, detail, "overloaded"), [(b"retry-after", b"1")]
        except Exception:
            log.exception("unexpected error on a ballot on proposal #%d", proposal_id)
            detail = "An unexpected error occurred; it has been logged."
            return 500, problem_body(500, detail), []
        return (
            200,
            {
                "proposal_id": result.proposal_id,
                "ballot": result.ballot,
                "revision": result.revision,
                "receipt": result.receipt,
            },
            [],
        )


def _bearer(scope: Scope) -> str | None:
    """The bearer token of a small JSON request (None: no token, not JSON, or a large body)."""
    token = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").partition(" ")
            token = rest.strip() if scheme.lower() == "bearer" and rest.strip() else None
        elif name == b"content-type":
            if value.split(b";")[0].strip().lower() != JSON:
                return None
        elif name == b"content-length" and (not value.isdigit() or int(value) > MAX_BODY):
            return None
    return token


async def _small_body(receive: Receive) -> tuple[bytes, bool]:
    """The body read so far, and whether that is all of it (not past :data:`MAX_BODY`)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _ballot(body: bytes) -> BallotIn | None:
    try:
        return BallotIn.model_validate_json(body)
    except ValidationError:
        return None


def _replay(body: bytes, whole: bool, receive: Receive) -> Receive:
    """A ``receive`` that gives what was read first, then whatever the client still sends."""
    pending = [body]

    async def again() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": not whole}
        return await receive()

    return again


async def _send_json(
    send: Send, status: int, answer: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
    kind = JSON if status == 200 else PROBLEM_JSON.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
