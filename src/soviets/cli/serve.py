"""``soviets serve``: run the council service (JSON API and pages) on this machine."""

from __future__ import annotations

import typer

from soviets.cli.app import app, err_console


@app.command()
def serve(
    db: str | None = typer.Option(
        None,
        "--db",
        help="Database URL (default: $SOVIETS_DB or the SQLite file of `soviets demo`).",
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (loopback by default)."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    tick: float = typer.Option(
        60,
        "--tick",
        min=0,
        help="Close votes whose deadline has passed every so many seconds (0: never; then "
        "run `soviets tick` from cron).",
    ),
) -> None:
    """Serve the councils' pages and JSON API (OpenAPI at /openapi.json) until Ctrl-C."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from soviets.ledger.db import default_url
    from soviets.ledger.migrate import upgrade
    from soviets.server import create_app

    url = db or default_url()
    upgrade(url)
    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(
            f"warning: listening on {host}, reachable from other machines; put it behind HTTPS.",
            markup=False,
        )
    shown = make_url(url).render_as_string(hide_password=True)
    err_console.print(
        f"council service on http://{host}:{port}/  (database: {shown})", markup=False
    )
    app = create_app(url, tick_seconds=tick or None)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
