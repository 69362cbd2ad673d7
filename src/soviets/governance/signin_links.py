"""One-time sign-in links by e-mail: the owner's way in while someone guesses the password.

Password sign-in slows down after failures (``soviets.server.auth``), so a
stranger guessing could keep the owner waiting. The owner instead asks for a
link mailed to the account's address; it signs in without the password, works
once, for :data:`LINK_LIFETIME`, and ends the slow-down of the account (it is
recorded as a successful sign-in). Asking for a link counts against the same
limits as asking for a password-reset mail (``RESET_ACCOUNT_LIMIT`` per
address and ``RESET_CLIENT_LIMIT`` per client in ``RESET_WINDOW``): no one
can use it to flood a mailbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.accounts import (
    Issued,
    issue_mailed_link,
    open_mailed_link,
    use_up_links,
)
from soviets.governance.credentials import normalise_email
from soviets.ledger.models import Person, SignInAttempt, SignInLink

LINK_LIFETIME = timedelta(minutes=15)


def request_link(
    session: Session, email: str, client: str, now: datetime | None = None
) -> tuple[Person, Issued] | None:
    """A sign-in link for the account of ``email``, or ``None`` when there is no such account
    (the caller mails the link and answers the same either way). Raises
    :class:`TooManyRequests` past the mail limits."""
    refusal = "too many e-mails asked for; wait an hour and try again"
    return issue_mailed_link(
        session, SignInLink, email, client, authz.moment(now), LINK_LIFETIME, refusal
    )


def use_link(session: Session, secret: str, client: str, now: datetime | None = None) -> Person:
    """The person a sign-in link is for; the link (and every other open one of theirs) is
    used up, and the sign-in is recorded as a success, which ends the account's slow-down."""
    at = authz.moment(now)
    link = open_mailed_link(session, SignInLink, secret, at, "sign-in", LINK_LIFETIME)
    person = authz.get_person(session, link.person_id)
    use_up_links(session, SignInLink, person.id, at)
    account = normalise_email(person.email or "")[:320]
    session.add(
        SignInAttempt(account=account, client=(client or "unknown")[:100], succeeded=True, at=at)
    )
    session.flush()
    return person
