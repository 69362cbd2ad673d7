"""Admission control: at most ``limit`` requests inside the app at once, a bounded queue before.

Every request of the app runs its database work in worker threads and holds a
database connection between them. With more requests inside than threads or
connections, those holding a connection (on SQLite: the write lock) wait for
a thread that requests waiting for the connection hold, until a timeout
breaks the freeze. So requests are let in ``limit`` at a time, first come
first served; up to ``queue`` more wait at most ``wait`` seconds each, and
beyond that the service answers 503 with ``Retry-After`` at once: a full
queue is the only sign of true overload.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from soviets.server.problems import PROBLEM_JSON, problem_body


@dataclass(frozen=True)
class Admission:
    """How many requests run at once, how many may wait, and for how long (seconds)."""

    limit: int = 8
    queue: int = 1000
    wait: float = 20.0


class AdmissionMiddleware:
    """Let HTTP requests in ``limit`` at a time, FIFO; 503 + ``Retry-After`` when overloaded."""

    def __init__(self, app: ASGIApp, settings: Admission) -> None:
        self.app = app
        self.settings = settings
        self.inside = 0
        self.waiting: deque[asyncio.Future[None]] = deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not await self._enter():
            await _overloaded(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()

    async def _enter(self) -> bool:
        """Wait for a place inside; ``False`` when the queue is full or the wait too long."""
        if self.inside < self.settings.limit and not self.waiting:
            self.inside += 1
            return True
        if len(self.waiting) >= self.settings.queue:
            return False
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.settings.wait)
        except TimeoutError:
            return not self._withdraw(turn)  # granted at the last moment: go in
        except asyncio.CancelledError:
            if not self._withdraw(turn):
                self._leave()  # granted, but the client is gone: pass the place on
            raise
        return True  # ``_leave`` handed its place to this turn: ``inside`` counts it already

    def _withdraw(self, turn: asyncio.Future[None]) -> bool:
        """Take a waiting turn out of the queue; ``False`` when it was granted already."""
        if turn.done():
            return False
        turn.cancel()
        self.waiting.remove(turn)
        return True

    def _leave(self) -> None:
        """Hand the place to the first waiting request, or free it."""
        if self.waiting:
            self.waiting.popleft().set_result(None)
        else:
            self.inside -= 1


async def _overloaded(scope: Scope, send: Send) -> None:
    """A 503 problem (JSON for every path: the queue is full before any page is rendered)."""
    body = json.dumps(
        problem_body(503, "The service is overloaded; try again in a moment.", "overloaded")
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", b"1"),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
