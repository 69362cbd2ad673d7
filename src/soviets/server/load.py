"""The service's settings for load: admission, connection pool, answers when overloaded.

One worker process lets ``limit`` requests in at once (:mod:`soviets.server.admission`);
its pool holds a connection for each of them and two more (the deadline clock,
a request's exit), so no admitted request ever waits for a connection, and
the threads (40) outnumber the admitted requests, so none waits for a thread
while it holds a connection. Settings, from the environment:

* ``SOVIETS_MAX_REQUESTS``: requests inside at once (default 8 on SQLite, whose
  writers take turns anyway, 16 on PostgreSQL; at most 32);
* ``SOVIETS_QUEUE``: requests that may wait for a place (default 1000);
* ``SOVIETS_QUEUE_WAIT``: seconds one may wait (default 20).

Beyond those the answer is 503 with ``Retry-After``; so is a pool or lock wait
that times out (which the admission makes rare).
"""

from __future__ import annotations

import logging
import os

from fastapi import FastAPI, Request
from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import JSONResponse, Response

from soviets.server.admission import Admission, AdmissionMiddleware
from soviets.server.problems import PROBLEM_JSON, problem_body

log = logging.getLogger(__name__)

MAX_LIMIT = 32
"""Below the worker threads (40), so an admitted request always finds a thread."""
POOL_TIMEOUT_S = 10


def _number(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"${name} must be between {low:g} and {high:g}, not {raw}")
    return value


def admission_from_env(url: str) -> Admission:
    """The admission settings of a worker on the database at ``url``."""
    default = 8 if url.startswith("sqlite") else 16
    return Admission(
        limit=int(_number("SOVIETS_MAX_REQUESTS", default, 1, MAX_LIMIT)),
        queue=int(_number("SOVIETS_QUEUE", 1000, 0, 100_000)),
        wait=_number("SOVIETS_QUEUE_WAIT", 20, 0.1, 600),
    )


def pool_settings(url: str, admission: Admission) -> dict[str, object]:
    """Engine keywords: a pool with a connection for each admitted request, and two more."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        return {}  # an in-memory database has one connection per thread, no pool to size
    return {
        "pool_size": admission.limit + 2,
        "max_overflow": admission.limit,
        "pool_timeout": POOL_TIMEOUT_S,
    }


def install(app: FastAPI, admission: Admission) -> None:
    """Put the admission in front of ``app`` and answer a pool timeout with 503."""
    app.add_middleware(AdmissionMiddleware, settings=admission)

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(request: Request, exc: PoolTimeout) -> Response:
        log.warning("no database connection for %s %s: %s", request.method, request.url.path, exc)
        body = problem_body(503, "The database is busy; try again in a moment.", "overloaded")
        return JSONResponse(
            body, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "1"}
        )
