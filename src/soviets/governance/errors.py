"""Refusals of the governance layer: the project's error classes under their governance names.

They are the classes of :mod:`soviets.errors` (one hierarchy, one status
table in the server): :class:`Forbidden` 403, :class:`NotFound` 404,
:class:`Conflict` 409, :class:`InputError` (a malformed payload or ballot) 422.
"""

from __future__ import annotations

from soviets.errors import Conflict, Forbidden, InputError, NotFound

__all__ = ["Conflict", "Forbidden", "InputError", "NotFound"]
