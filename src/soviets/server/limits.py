"""A limit on the size of request bodies, enforced before the body is read.

:class:`BodyLimit` is ASGI middleware. A request whose ``Content-Length`` is
over the limit is answered 413 at once, without reading a byte of its body; a
body sent without a length (chunked) is counted as it streams in and answered
413 as soon as it passes the limit, so at most the limit is ever held in memory.
The limit is :data:`DEFAULT_MAX_BYTES` (1 MiB) unless ``$SOVIETS_MAX_BODY_BYTES``
or the ``max_bytes`` argument says otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from soviets.errors import InputError
from soviets.server.problems import PROBLEM_JSON, problem_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BYTES = 1024 * 1024
ENV_MAX_BYTES = "SOVIETS_MAX_BODY_BYTES"


def configured_max_bytes(environ: MutableMapping[str, str] | None = None) -> int:
    """The limit from ``$SOVIETS_MAX_BODY_BYTES``, else :data:`DEFAULT_MAX_BYTES`."""
    text = (os.environ if environ is None else environ).get(ENV_MAX_BYTES, "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    if not text.isdigit() or int(text) < 1:
        raise InputError(
            f"must be a whole number of bytes, got {text!r}",
            file="environment",
            field=ENV_MAX_BYTES,
        )
    return int(text)


def _declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` of the request (None when absent or not a number)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with a 413 problem, before reading them."""

    def __init__(self, app: ASGIApp, max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = configured_max_bytes() if max_bytes is None else max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, watching the size of its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        state = {"read": 0, "started": False, "refused": False}

        async def counting_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > self.max_bytes:
                    state["refused"] = True
                    if not state["started"]:
                        state["started"] = True
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 went out already; the app's own answer is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            problem_body(
                413,
                f"The request body is larger than this service accepts ({self.max_bytes} bytes).",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
