"""Errors of the ledger: each names the user's mistake in one line (CLI exit code 2)."""

from __future__ import annotations

from soviets.errors import SovietsError


class LedgerError(SovietsError):
    """A ledger action refused because of what the user asked."""


class NotFound(LedgerError):
    """A named or numbered thing does not exist."""


class NotAllowed(LedgerError):
    """The actor may not do this (not a member, wrong council, no authorisation)."""


class InsufficientQuantity(LedgerError):
    """A council does not hold enough of a resource for the change asked."""


class BookingRefused(LedgerError):
    """A booking overlaps another one or breaks the council's booking rules."""


class Conflict(LedgerError):
    """The action clashes with the state of the ledger (already done, wrong status)."""
