"""Mailing members their notices: one mail per notice, or one digest a day, by their choice.

Run by the service's clock (``soviets serve``) and by ``soviets tick``. Each mail is
claimed in its own transaction before it is sent (see
:func:`soviets.governance.briefing.claim_mail`), so two clocks never send it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from soviets.governance import briefing
from soviets.ledger.db import transaction
from soviets.server import mail


@dataclass(frozen=True)
class MailReport:
    """What one round of mailing did."""

    notices: int
    digests: int
    failed: int


def body(mail_: briefing.Outgoing, base: str) -> str:
    """The plain-text body of a notice mail or digest, with links to the inbox and settings."""
    items = "\n".join(f"- {line}" for line in mail_.lines)
    return (
        f"{items}\n\nYour inbox: {base}/inbox\n"
        f"Change what you are mailed (none, each notice, a daily digest): {base}/account\n"
    )


def send_due(
    sessions: sessionmaker[Session], settings: mail.MailSettings, now: datetime | None = None
) -> MailReport:
    """Send every notice mail and digest that is due; nothing without a mail server."""
    if not settings.enabled:
        return MailReport(0, 0, 0)
    base = settings.public_url or "http://localhost:8000"
    with transaction(sessions) as session:
        outgoing = briefing.due_mail(session, now)
    notices = digests = failed = 0
    for item in outgoing:
        with transaction(sessions) as session:
            claimed = briefing.claim_mail(session, item, now)
        if not claimed:
            continue
        error = mail.send(settings, item.to, item.subject, body(item, base))
        with transaction(sessions) as session:
            briefing.finish_mail(session, item, error is None, now)
        if error is not None:
            failed += 1
        elif item.day is None:
            notices += 1
        else:
            digests += 1
    return MailReport(notices, digests, failed)
