"""``soviets version``."""

from __future__ import annotations

import typer

from soviets import __version__
from soviets.cli.app import app


@app.command()
def version() -> None:
    """Print the version of soviets."""
    typer.echo(__version__)
