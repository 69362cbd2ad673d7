"""The account mails the service sends, with links back to its pages.

Links use the configured public address (``SOVIETS_PUBLIC_URL``) when there is
one, so that a forged ``Host`` header cannot put another site in a mail.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import BackgroundTasks, Request
from sqlalchemy.orm import Session

from soviets.governance.accounts import (
    INVITATION_LIFETIME,
    RESET_LIFETIME,
    Issued,
    TooManyRequests,
)
from soviets.governance.signin_links import LINK_LIFETIME
from soviets.ledger.models import Person
from soviets.server import mail
from soviets.server.deps import client_of
from soviets.server.i18n import N_
from soviets.server.problems import Problem

RESET_MINUTES = RESET_LIFETIME.seconds // 60
RESET_TEXT = N_(
    "If an account has this address, a link to set a new password is on its way; "
    "it works once, for %(minutes)s minutes."
)
RESET_ANSWER = RESET_TEXT % {"minutes": RESET_MINUTES}

LINK_MINUTES = LINK_LIFETIME.seconds // 60
SIGN_IN_TEXT = N_(
    "If an account has this address, a sign-in link is on its way; "
    "it works once, for %(minutes)s minutes."
)
SIGN_IN_ANSWER = SIGN_IN_TEXT % {"minutes": LINK_MINUTES}


NO_MAIL = N_("This service cannot send e-mail; ask a coordinator for help.")

#: A service function that issues a mailed link: (session, e-mail, client) -> the
#: account's person and the link, or None when the address has no account.
IssueLink = Callable[[Session, str, str], tuple[Person, Issued] | None]
#: A function that mails a link: (request, to, secret) -> None when sent, else why not.
SendLink = Callable[[Request, str, str], str | None]


def mail_link(
    request: Request,
    db: Session,
    later: BackgroundTasks,
    email: str,
    issue: IssueLink,
    send: SendLink,
    kind: str | None = None,
) -> None:
    """Issue a link for ``email`` and commit; mail it after the answer (so the answer's
    timing tells nothing of whether the address has an account). A 503 problem when the
    service cannot send mail; past the mail limits, a 429 problem (of ``kind``) that asks
    to retry in an hour."""
    if not settings(request).enabled:
        raise Problem(503, NO_MAIL)
    try:
        found = issue(db, email, client_of(request))
    except TooManyRequests as exc:
        raise Problem(429, str(exc), kind=kind, headers={"Retry-After": "3600"}) from None
    db.commit()
    if found is not None:
        person, issued = found
        later.add_task(send, request, person.email or email, issued.secret)


def settings(request: Request) -> mail.MailSettings:
    """The app's mail settings."""
    settings: mail.MailSettings = request.app.state.mail
    return settings


def link(request: Request, path: str) -> str:
    """An absolute link to ``path`` on this site."""
    base = settings(request).public_url or str(request.base_url).rstrip("/")
    return base + path


def invitation_link(request: Request, secret: str) -> str:
    """The page where an invitation is taken up."""
    return link(request, f"/invite/{secret}")


def send_invitation(request: Request, to: str, council: str, inviter: str, url: str) -> str | None:
    """Mail an invitation; ``None`` when sent, else why not."""
    days = INVITATION_LIFETIME.days
    body = (
        f"{inviter} invites you to join the council '{council}'.\n\n"
        f"Open this link to accept (or decline); it works once, for {days} days:\n\n{url}\n"
    )
    return mail.send(settings(request), to, f"Invitation to join {council}", body)


def send_reset(request: Request, to: str, secret: str) -> str | None:
    """Mail a password-reset link; ``None`` when sent, else why not."""
    url = link(request, f"/reset/{secret}")
    minutes = RESET_LIFETIME.seconds // 60
    body = (
        "Someone (we hope you) asked to set a new password for your account.\n\n"
        f"Open this link to choose one; it works once, for {minutes} minutes:\n\n{url}\n\n"
        "If you did not ask, ignore this mail: your password stays as it is.\n"
    )
    return mail.send(settings(request), to, "Set a new password", body)


def send_sign_in_link(request: Request, to: str, secret: str) -> str | None:
    """Mail a one-time sign-in link; ``None`` when sent, else why not."""
    url = link(request, f"/signin/link/{secret}")
    minutes = LINK_LIFETIME.seconds // 60
    body = (
        "Someone (we hope you) asked for a link to sign in without the password.\n\n"
        f"Open this link to sign in; it works once, for {minutes} minutes:\n\n{url}\n\n"
        "If you did not ask, ignore this mail. If password sign-in is slowed down for your\n"
        "account, someone may be guessing your password: choose a long one.\n"
    )
    return mail.send(settings(request), to, "Your sign-in link", body)
