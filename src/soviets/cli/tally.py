"""``soviets tally``: count paper ballots from a CSV file, for votes and audits."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from soviets.cli.app import app, console, print_json
from soviets.errors import SovietsError
from soviets.governance.counting import METHODS, TallyResult, count_file


@app.command()
def tally(
    ballots: Path = typer.Argument(
        ..., help="CSV with a 'ranking' (A>C=B) or 'choice' column, and 'count'."
    ),
    method: str = typer.Option(
        ..., "--method", "-m", help="majority, two-thirds, consent or schulze."
    ),
    candidates: str | None = typer.Option(
        None, "--candidates", help="Comma-separated candidates or options (majority, schulze)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Count ballots: print the winner(s), the full order and the tallies or pairwise table."""
    if method not in METHODS:
        raise SovietsError(f"unknown method '{method}' (expected one of: {', '.join(METHODS)})")
    names = None if candidates is None else candidates.split(",")
    result = count_file(ballots, method, names)
    if as_json:
        print_json(result.to_dict())
        return
    _print(result)


def _print(result: TallyResult) -> None:
    console.print(f"method: {result.method}", highlight=False)
    console.print(f"winner(s): {', '.join(result.winners)}", highlight=False, markup=False)
    if result.passed is not None:
        console.print(f"passed: {'yes' if result.passed else 'no'}", highlight=False)
    console.print(f"order: {' > '.join(result.order)}", highlight=False, markup=False)
    if result.pairwise is not None and result.strongest_paths is not None:
        console.print(_matrix("Pairwise preferences d[row][column]", result.pairwise, result.order))
        console.print(
            _matrix("Strongest paths p[row][column]", result.strongest_paths, result.order)
        )
    else:
        table = Table(title="Tallies")
        table.add_column("choice")
        table.add_column("votes", justify="right")
        for choice, n in result.tallies.items():
            table.add_row(escape(choice), str(n))
        console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", highlight=False, markup=False)


def _matrix(title: str, m: dict[str, dict[str, int]], order: list[str]) -> Table:
    """A candidates x candidates table; a cell is bold where it beats its mirror cell."""
    table = Table(title=escape(title))
    table.add_column("")
    for b in order:
        table.add_column(escape(b), justify="right")
    for a in order:
        cells = []
        for b in order:
            if a == b:
                cells.append("-")
            else:
                cells.append(f"[bold]{m[a][b]}[/bold]" if m[a][b] > m[b][a] else str(m[a][b]))
        table.add_row(escape(a), *cells)
    return table
