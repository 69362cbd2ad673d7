"""Refusals of the governance layer, each a one-line :class:`SovietsError`.

The server maps them to HTTP statuses: :class:`Forbidden` 403,
:class:`NotFound` 404, :class:`Conflict` 409; an :class:`InputError` (a
malformed payload or ballot) 422.
"""

from __future__ import annotations

from soviets.errors import InputError, SovietsError

__all__ = ["Conflict", "Forbidden", "InputError", "NotFound"]


class Forbidden(SovietsError):
    """The actor may not do this: not a member, not a delegate, or against a mandate."""


class NotFound(SovietsError):
    """No such person, council, proposal or delegate."""


class Conflict(SovietsError):
    """The action does not fit the present state (e.g. the vote is already closed)."""
