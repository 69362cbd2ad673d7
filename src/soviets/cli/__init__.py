"""The ``soviets`` command.

User mistakes (:class:`soviets.errors.SovietsError`) are printed as one line
on standard error with exit code 2, never as a traceback.
"""

from __future__ import annotations

import sys

from soviets.cli import commands as _commands  # noqa: F401  (registers the commands)
from soviets.cli.app import app, err_console
from soviets.errors import SovietsError


def main() -> None:
    """Entry point of the ``soviets`` console script."""
    try:
        app()
    except SovietsError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)
