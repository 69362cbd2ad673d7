"""Sign-in: passwords checked with a rate limit, web sessions with CSRF tokens, API tokens.

Rate limit (stored in the database, so it holds across workers and restarts):
a sign-in is refused with 429 when, in the last ``WINDOW`` (15 minutes), the
account has had ``ACCOUNT_LIMIT`` (5) failed attempts, or the client address
has had ``CLIENT_LIMIT`` (20). Refused attempts are recorded too, so guessing
faster only extends the wait. Successful attempts are recorded but not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from soviets.governance.credentials import normalise_email
from soviets.ledger.models import ApiToken, Person, SignInAttempt, WebSession
from soviets.server.problems import Problem
from soviets.server.security import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    verify_password,
)

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
SESSION_LIFETIME = timedelta(days=14)


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _failures(db: Session, column, value: str, since: datetime) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count(SignInAttempt.id)).where(
        column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since
    )
    return int(db.scalar(stmt) or 0)


def check_password(db: Session, email: str, password: str, client: str) -> Person:
    """The person whose e-mail and password these are; records the attempt and commits it.

    Raises a 429 problem when the account or the address is over its limit and
    a 401 problem when the credentials do not match (the same message whether
    the account exists or not).
    """
    account = normalise_email(email)[:320]
    client = (client or "unknown")[:100]
    start = now()
    since = start - WINDOW
    limited = (
        _failures(db, SignInAttempt.account, account, since) >= ACCOUNT_LIMIT
        or _failures(db, SignInAttempt.client, client, since) >= CLIENT_LIMIT
    )
    person = None
    if not limited:
        person = db.scalar(select(Person).where(func.lower(Person.email) == account))
        ok = verify_password(person.password_hash if person else None, password)
        if not ok:
            person = None
        elif person is not None and needs_rehash(person.password_hash or ""):
            person.password_hash = hash_password(password)
    db.add(SignInAttempt(account=account, client=client, succeeded=person is not None, at=start))
    db.commit()
    if limited:
        raise Problem(
            429,
            "Too many failed sign-in attempts; wait 15 minutes and try again.",
            kind="too-many-attempts",
            headers={"Retry-After": str(int(WINDOW.total_seconds()))},
        )
    if person is None:
        raise Problem(
            401,
            "E-mail address or password is wrong.",
            kind="bad-credentials",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return person


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: ``secret`` is shown once and never stored."""

    id: int
    name: str
    secret: str
    created_at: datetime


def issue_token(db: Session, person: Person, name: str = "api") -> IssuedToken:
    """Create an API token for ``person`` (stored as a digest)."""
    secret = "sov_" + new_secret()
    row = ApiToken(person_id=person.id, name=name, token_hash=digest(secret), created_at=now())
    db.add(row)
    db.flush()
    return IssuedToken(row.id, row.name, secret, row.created_at)


def person_for_token(db: Session, secret: str) -> Person | None:
    """The owner of a valid (not revoked) API token, or ``None``."""
    stmt = (
        select(Person)
        .join(ApiToken, ApiToken.person_id == Person.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )
    return db.scalar(stmt)


def token_of(db: Session, secret: str) -> ApiToken | None:
    """The live API token with this secret, or ``None``."""
    return db.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None))
    )


def revoke_token(db: Session, person: Person, token_id: int) -> bool:
    """Revoke one of ``person``'s tokens; ``False`` if there is no such live token."""
    result = db.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.person_id == person.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now())
    )
    return bool(result.rowcount)


def tokens_of(db: Session, person: Person) -> list[ApiToken]:
    """``person``'s tokens, newest first (revoked ones included, marked)."""
    stmt = select(ApiToken).where(ApiToken.person_id == person.id).order_by(ApiToken.id.desc())
    return list(db.scalars(stmt))


def open_session(db: Session, person: Person) -> tuple[str, WebSession]:
    """Start a web session for ``person``: returns the cookie secret and the row."""
    secret = new_secret()
    start = now()
    row = WebSession(
        person_id=person.id,
        session_hash=digest(secret),
        csrf_token=new_secret(),
        created_at=start,
        expires_at=start + SESSION_LIFETIME,
    )
    db.add(row)
    db.flush()
    return secret, row


def find_session(db: Session, secret: str) -> tuple[WebSession, Person] | None:
    """The live session for a cookie secret and its person, or ``None``."""
    stmt = (
        select(WebSession, Person)
        .join(Person, Person.id == WebSession.person_id)
        .where(
            WebSession.session_hash == digest(secret),
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now(),
        )
    )
    row = db.execute(stmt).first()
    return (row[0], row[1]) if row else None


def close_session_row(session: WebSession) -> None:
    """Sign a browser out: the session can never be used again."""
    session.revoked_at = now()
