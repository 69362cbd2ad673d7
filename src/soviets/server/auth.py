"""Sign-in: passwords checked with rate limits, web sessions with CSRF tokens, API tokens.

Rate limits (kept in the database, so they hold across workers and restarts)
slow guessing down instead of locking anyone out:

- per account: after ``ACCOUNT_LIMIT`` (5) failures since the account's last
  successful sign-in (within ``WINDOW``, an hour), each further password check
  waits ``FIRST_WAIT`` (30 s) after the last failure, doubling with each
  failure up to ``LONGEST_WAIT`` (10 minutes);
- per client address, separately: the same after ``CLIENT_LIMIT`` (20)
  failures in ``WINDOW``, whatever the accounts tried.

An attempt made too early is answered 429 with ``Retry-After`` and is neither
checked nor recorded, so it neither extends the wait nor counts. Checks of one
account (and of one address) are serialised: on PostgreSQL by transaction-level
advisory locks taken before the counts are read, on SQLite by the write lock
every transaction takes at its start; 30 parallel guesses get at most the
limit checked. While someone guesses, the owner signs in with a one-time link
sent by e-mail (:mod:`soviets.governance.signin_links`), which also ends the
slow-down of the account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from soviets.governance.credentials import normalise_email
from soviets.ledger.db import rowcount
from soviets.ledger.models import ApiToken, Person, SignInAttempt, WebSession
from soviets.server.problems import Problem
from soviets.server.security import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    verify_password,
)

WINDOW = timedelta(hours=1)
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 20
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(days=14)


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def _serialise(db: Session, *keys: str) -> None:
    """Hold a lock per key until the transaction ends (PostgreSQL; SQLite already
    serialises transactions), so that checks of one account or address queue up."""
    if db.get_bind().dialect.name == "postgresql":
        for key in keys:
            db.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )


def wait_over(failures: int, limit: int) -> timedelta:
    """How long after the last failure the next check waits, with ``failures`` so far."""
    if failures < limit:
        return timedelta(0)
    return min(FIRST_WAIT * (1 << min(failures - limit, 20)), LONGEST_WAIT)


def _retry_at(db: Session, column: Any, value: str, since: datetime, limit: int) -> datetime | None:
    """When the next check for ``value`` may run (None: now)."""
    stmt = select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
        column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since
    )
    failures, last = db.execute(stmt).one()
    wait = wait_over(int(failures or 0), limit)
    return last + wait if last is not None and wait else None


def _last_success(db: Session, account: str) -> datetime | None:
    stmt = select(func.max(SignInAttempt.at)).where(
        SignInAttempt.account == account, SignInAttempt.succeeded.is_(True)
    )
    return db.scalar(stmt)


def _too_early(retry_at: datetime, start: datetime) -> Problem:
    seconds = max(1, math.ceil((retry_at - start).total_seconds()))
    return Problem(
        429,
        f"Too many failed sign-in attempts; try again in {seconds} seconds, "
        "or ask for a sign-in link by e-mail.",
        kind="too-many-attempts",
        headers={"Retry-After": str(seconds)},
    )


def check_password(db: Session, email: str, password: str, client: str) -> Person:
    """The person whose e-mail and password these are; records the attempt and commits it.

    Raises a 429 problem when the account or the address must wait (see the
    module's documentation) and a 401 problem when the credentials do not match
    (the same message whether the account exists or not).
    """
    account = normalise_email(email)[:320]
    client = (client or "unknown")[:100]
    _serialise(db, f"sign-in account {account}", f"sign-in client {client}")
    start = now()
    since = start - WINDOW
    succeeded = _last_success(db, account)
    account_since = max(since, succeeded) if succeeded else since
    for retry_at in (
        _retry_at(db, SignInAttempt.account, account, account_since, ACCOUNT_LIMIT),
        _retry_at(db, SignInAttempt.client, client, since, CLIENT_LIMIT),
    ):
        if retry_at is not None and retry_at > start:
            db.rollback()
            raise _too_early(retry_at, start)
    person = db.scalar(select(Person).where(func.lower(Person.email) == account))
    ok = verify_password(person.password_hash if person else None, password)
    if not ok:
        person = None
    elif person is not None and needs_rehash(person.password_hash or ""):
        person.password_hash = hash_password(password)
    db.add(SignInAttempt(account=account, client=client, succeeded=person is not None, at=start))
    db.commit()
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


def person_id_for_token(db: Session, secret: str) -> int | None:
    """The id of a valid (not revoked) API token's owner, or ``None``: one indexed lookup."""
    stmt = select(ApiToken.person_id).where(
        ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_(None)
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
    return bool(rowcount(result))


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
