"""Secrets: argon2 password hashes, random tokens and their stored digests.

Kept in the governance layer because account actions (sign-up, password
changes, invitations) are governance service functions; the server uses them too.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from soviets.errors import InputError

HASHING_ENV = "SOVIETS_PASSWORD_HASHING"
"""``standard`` (default) or ``light``: the cost of the argon2id password hashes.

``standard`` is argon2-cffi's default (RFC 9106's low-memory choice: 64 MiB, 3
passes, 4 lanes; 0.1-0.2 s of CPU per sign-in). ``light`` (1 MiB, 1 pass, 1
lane) is for test suites only, which sign in thousands of times: a stolen light
hash is that much cheaper to attack. A hash keeps the parameters it was made
with (a sign-in rehashes one made with other parameters than the setting's)."""


@cache
def _hasher() -> PasswordHasher:
    """The password hasher of the setting in ``$SOVIETS_PASSWORD_HASHING``."""
    choice = (os.environ.get(HASHING_ENV) or "standard").strip().lower()
    if choice == "standard":
        return PasswordHasher()
    if choice == "light":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # 1 MiB
    raise ValueError(f"${HASHING_ENV} must be standard or light, not {choice!r}")


MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1000


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; parameters stored in the string)."""
    return _hasher().hash(password)


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so that a wrong
    e-mail address takes as long to refuse as a wrong password."""
    return _hasher().hash(secrets.token_urlsafe(16))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; ``None`` (no password set) never matches."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    """E-mail addresses are compared trimmed and in lower case."""
    return email.strip().lower()


def check_email(email: str, field: str = "email") -> str:
    """A plausible e-mail address (one ``@``, no spaces, at most 320 characters), normalised."""
    address = normalise_email(email)
    local, at, domain = address.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or "@" in domain
        or any(c.isspace() for c in address)
    ):
        raise InputError(f"not an e-mail address: {email!r}", field=field)
    if len(address) > 320:
        raise InputError("an e-mail address has at most 320 characters", field=field)
    return address


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a new password shorter than :data:`MIN_PASSWORD_LENGTH` characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"a password has at most {MAX_PASSWORD_LENGTH} characters", field=field)


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(stored_hash)


def new_secret() -> str:
    """A fresh random secret (256 bits, URL-safe) for a token, session or CSRF value."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a token or session secret is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()
