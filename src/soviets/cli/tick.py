"""``soviets tick``: close the votes whose deadline has passed (for cron deployments)."""

from __future__ import annotations

import typer

from soviets.cli.app import app, console, print_json
from soviets.cli.ledger import DB_HELP


@app.command()
def tick(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print what was closed as JSON."),
) -> None:
    """Close every vote whose deadline has passed, count it and carry out its result."""
    from soviets.ledger.db import default_url, make_engine, session_factory
    from soviets.server.deadlines import tick as close_overdue

    engine = make_engine(db or default_url())
    try:
        closed = close_overdue(session_factory(engine))
    finally:
        engine.dispose()
    if as_json:
        print_json({"closed": [{"proposal_id": k, "outcome": v} for k, v in closed.items()]})
        return
    if not closed:
        console.print("no vote was past its deadline", highlight=False)
    for proposal_id, outcome in closed.items():
        console.print(f"proposal #{proposal_id}: {outcome}", highlight=False, markup=False)
