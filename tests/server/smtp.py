"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default

from aiosmtpd.controller import Controller

from server.live import free_port
from soviets.server.mail import MailSettings


@dataclass
class Inbox:
    """Messages the server accepted, oldest first."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, timeout_s: float = 120) -> Message:
        """The newest message to ``to``, waiting up to ``timeout_s`` seconds for it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for message in reversed(self.messages):
                if message["To"] == to:
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} arrived in {timeout_s} s")


def link_in(message: Message) -> str:
    """The first http(s) link in a plain-text message."""
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, MailSettings]]:
    """An SMTP server on a free loopback port, and the settings that send to it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            inbox,
            MailSettings(host="127.0.0.1", port=port, sender="council@example.org", starttls=False),
        )
    finally:
        controller.stop()
