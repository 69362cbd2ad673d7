"""Errors that describe a user's mistake in one clear line.

Every error a user can cause (a malformed file, an unknown name, an action
the rules refuse) is a :class:`SovietsError`. The command line prints its
message on one line and exits with code 2; it never shows a traceback.
"""

from __future__ import annotations


class SovietsError(Exception):
    """Base class of every error caused by user input or by a refused action."""


class InputError(SovietsError):
    """A problem in an input file or table, located by file, row and field.

    ``row`` counts data rows from 1 in the order they appear (for CSV the
    header is line 1, so data row 1 is line 2 of the file).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.field = field
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.detail}" if prefix else self.detail


class ModelError(SovietsError):
    """The economy is well formed but cannot be planned as asked."""


class SolverLimitError(SovietsError):
    """A solver stopped at its time or iteration limit before it found any plan to report."""
