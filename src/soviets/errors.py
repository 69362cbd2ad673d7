"""Errors that describe a user's mistake or a refused action in one clear line.

Every error a user can cause (a malformed file, an unknown name, an action
the rules refuse) is a :class:`SovietsError`. The command line prints its
message on one line and exits with code 2; it never shows a traceback. The
council service answers each kind with one HTTP status, chosen by
``isinstance`` in the single table :data:`soviets.server.problems.STATUSES`:
:class:`Forbidden` 403 (the actor may not do this), :class:`NotFound` 404,
:class:`Conflict` 409 (clashes with the present state), and every other
error, :class:`InputError` included, 422 (invalid input, or refused by the
council's rules). Not being signed in (401) and too many sign-in attempts
(429) are the server's own answers, not errors of the services.
"""

from __future__ import annotations


class SovietsError(Exception):
    """Base class of every error caused by user input or by a refused action.

    Raised as such, it means "refused by the rules" (HTTP 422).
    """


class InputError(SovietsError):
    """A problem in an input file, table or request, located by file, row and field.

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


class Forbidden(SovietsError):
    """The actor may not do this: not a member, not a delegate, or against a mandate."""


class NotFound(SovietsError):
    """No such person, council, proposal, resource or other numbered or named thing."""


class Conflict(SovietsError):
    """The action does not fit the present state (vote closed, slot taken, name in use)."""


class ModelError(SovietsError):
    """The economy is well formed but cannot be planned as asked."""


class SolverLimitError(SovietsError):
    """A solver stopped at its time or iteration limit before it found any plan to report."""
