"""The server's secrets: those of :mod:`soviets.governance.credentials`, and CSRF comparison."""

from __future__ import annotations

import hmac

from soviets.governance.credentials import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    verify_password,
)

__all__ = ["digest", "hash_password", "needs_rehash", "new_secret", "same", "verify_password"]


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (``False`` if either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())
