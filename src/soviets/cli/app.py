"""The root Typer application and helpers shared by all command modules.

Each area of the project registers its commands in its own module of this
package (``plan.py``, ``ledger.py`` ...) by decorating functions with
``@app.command()`` or by adding a sub-application with ``app.add_typer``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(
    name="soviets",
    help="Plan production for human needs with the least working time, and run the councils.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Plan production for human needs with the least working time, and run the councils."""


def _console(stderr: bool = False) -> Console:
    """A Rich console; piped or redirected output gets no width limit, so tables are never
    cut (a terminal keeps its own width; ``COLUMNS`` still sets one)."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty() or os.environ.get("COLUMNS"):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPE_WIDTH)


#: Width of output that goes to a pipe or file: wide enough for any table.
PIPE_WIDTH = 10_000

console = _console()
err_console = _console(stderr=True)


def print_notes(notes: Iterable[str]) -> None:
    """Print notes as dim lines ``- note`` (taken as plain text, never as Rich markup)."""
    for note in notes:
        console.print(f"- {note}", markup=False, highlight=False, style="dim")


def print_json(data: Any) -> None:
    """Print a JSON document on standard output (no Rich markup)."""
    typer.echo(json.dumps(data, indent=2, sort_keys=False, allow_nan=False))
