"""Errors of the ledger: each names the user's mistake in one line (CLI exit code 2).

Each is a :class:`LedgerError` and also one of the kinds of
:mod:`soviets.errors`, which fixes its HTTP status: a plain
:class:`LedgerError` or :class:`BookingRefused` is refused input or a broken
council rule (422); :class:`NotAllowed` is :class:`~soviets.errors.Forbidden`
(403); :class:`NotFound` 404; :class:`Conflict`,
:class:`InsufficientQuantity` and :class:`SlotTaken` clash with the state of
the ledger (409).
"""

from __future__ import annotations

from soviets import errors


class LedgerError(errors.SovietsError):
    """A ledger action refused because of what the user asked."""


class NotFound(LedgerError, errors.NotFound):
    """A named or numbered thing does not exist."""


class NotAllowed(LedgerError, errors.Forbidden):
    """The actor may not do this (not a member, wrong council, no authorisation)."""


class Conflict(LedgerError, errors.Conflict):
    """The action clashes with the state of the ledger (already done, wrong status)."""


class InsufficientQuantity(LedgerError, errors.Conflict):
    """A council does not hold enough of a resource for the change asked."""


class BookingRefused(LedgerError):
    """A booking breaks the council's booking rules or has impossible times."""


class SlotTaken(BookingRefused, errors.Conflict):
    """A booking overlaps another booking of the same good."""
