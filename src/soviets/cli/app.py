"""The root Typer application and helpers shared by all command modules.

Each area of the project registers its commands in its own module of this
package (``plan.py``, ``ledger.py`` ...) by decorating functions with
``@app.command()`` or by adding a sub-application with ``app.add_typer``.
"""

from __future__ import annotations

import json
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


console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    """Print a JSON document on standard output (no Rich markup)."""
    typer.echo(json.dumps(data, indent=2, sort_keys=False, allow_nan=False))
