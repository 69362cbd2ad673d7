"""Sign-in records of the council service: API tokens, web sessions, sign-in attempts,
invitations into councils and password resets.

Secrets are never stored: a token or session id is kept only as its SHA-256
digest (both are 256-bit random strings, so a fast digest is enough; passwords,
which people choose, are hashed with argon2 in ``people.password_hash``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from soviets.ledger.base import Base
from soviets.ledger.types import UTCDateTime, utcnow


class ApiToken(Base):
    """A bearer token for the JSON API, revocable by its owner."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="hash_length"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="api")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser: the cookie holds the secret, the row its digest and CSRF token."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint("length(session_hash) = 64", name="hash_length"),
        CheckConstraint("expires_at > created_at", name="expiry"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInAttempt(Base):
    """One password sign-in attempt, kept to rate-limit guessing per account and per address."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_account_at", "account", "at"),
        Index("ix_sign_in_attempts_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(320), nullable=False)
    client: Mapped[str] = mapped_column(String(100), nullable=False)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Invitation(Base):
    """A single-use link inviting someone into a council; only its digest is stored.

    It is *open* until it expires, is revoked, or is used (``used_at`` set,
    ``outcome`` ``accepted`` or ``declined``, ``used_by`` the person who used it).
    A *founding* invitation names its invitee (``invitee_id``) and the ``role``
    they take when they confirm it (see :mod:`soviets.governance.founding`).
    """

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint("length(token_hash) = 64", name="hash_length"),
        CheckConstraint("expires_at > created_at", name="expiry"),
        CheckConstraint("outcome IS NULL OR outcome IN ('accepted', 'declined')", name="outcome"),
        CheckConstraint("(outcome IS NULL) = (used_at IS NULL)", name="used"),
        CheckConstraint("(invitee_id IS NULL) = (role IS NULL)", name="founding"),
        CheckConstraint("role IS NULL OR role IN ('member', 'coordinator')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    invitee_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(20))


class MailedLink(Base):
    """A single-use, short-lived link sent by e-mail to its owner (the columns of
    :class:`PasswordReset` and :class:`SignInLink`; only the secret's digest is stored)."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[CheckConstraint, ...]:
        return (
            CheckConstraint("length(token_hash) = 64", name="hash_length"),
            CheckConstraint("expires_at > created_at", name="expiry"),
        )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasswordReset(MailedLink):
    """A link to set a new password."""

    __tablename__ = "password_resets"


class ResetRequest(Base):
    """One request for a password-reset e-mail, kept to rate-limit them per address and client."""

    __tablename__ = "reset_requests"
    __table_args__ = (
        Index("ix_reset_requests_account_at", "account", "at"),
        Index("ix_reset_requests_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(String(320), nullable=False)
    client: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class SignInLink(MailedLink):
    """A link that signs its owner in without the password, so the owner gets in while
    someone else's guesses slow the account down."""

    __tablename__ = "sign_in_links"
