"""``soviets tick``: close the votes whose deadline has passed, tell councils of deliveries
due, re-plan the rest of a period whose deliveries are overdue and short, and mail members
their notices and daily digests (for cron deployments)."""

from __future__ import annotations

import typer

from soviets.cli.app import app, console, print_json
from soviets.cli.ledger import DB_HELP


@app.command()
def tick(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print what was closed as JSON."),
) -> None:
    """Close every vote whose deadline has passed, count it and carry out its result;
    re-plan the rest of the period of each adopted plan whose deliveries are overdue and
    short (the federation then votes on the revision); then mail the notices and daily
    digests that are due (SMTP settings: see docs/briefing.md)."""
    from soviets.governance.replanning import describe
    from soviets.ledger.db import default_url, make_engine, session_factory
    from soviets.server.briefing_mail import send_due
    from soviets.server.deadlines import replan
    from soviets.server.deadlines import tick as close_overdue
    from soviets.server.mail import load_settings

    settings = load_settings()
    engine = make_engine(db or default_url())
    try:
        sessions = session_factory(engine)
        closed = close_overdue(sessions)
        revised = replan(sessions)
        mailed = send_due(sessions, settings)
    finally:
        engine.dispose()
    if as_json:
        print_json(
            {
                "closed": [{"proposal_id": k, "outcome": v} for k, v in closed.items()],
                "revised": [r.__dict__ for r in revised],
                "mailed": {
                    "notices": mailed.notices,
                    "digests": mailed.digests,
                    "failed": mailed.failed,
                },
            }
        )
        return
    if not closed:
        console.print("no vote was past its deadline", highlight=False)
    for proposal_id, outcome in closed.items():
        console.print(f"proposal #{proposal_id}: {outcome}", highlight=False, markup=False)
    for r in revised:
        line = f"plan #{r.plan_id} overdue and short: {describe(r)}"
        console.print(line, highlight=False, markup=False)
    if settings.enabled:
        console.print(
            f"mailed {mailed.notices} notices and {mailed.digests} digests"
            f" ({mailed.failed} failed)",
            highlight=False,
        )
