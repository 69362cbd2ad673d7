"""``soviets serve``: run the council service (JSON API and pages) on this machine."""

from __future__ import annotations

import os
from typing import Any

import typer

from soviets.cli.app import app, err_console

KEEP_ALIVE_S = 30
"""How long an idle HTTP connection stays open."""


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
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Worker processes (one per core is a good start; each has its own connection pool).",
    ),
) -> None:
    """Serve the councils' pages and JSON API (OpenAPI at /openapi.json) until Ctrl-C."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from soviets.ledger.db import ENV_DB_URL, default_url, make_engine
    from soviets.ledger.migrate import upgrade
    from soviets.server import create_app
    from soviets.server.app import ENV_TICK
    from soviets.server.load import admission_from_env
    from soviets.server.mail import load_settings

    url = db or default_url()
    mail = load_settings()  # a bad setting stops here, with one line naming it
    try:  # so do bad load settings (SOVIETS_MAX_REQUESTS, SOVIETS_SQLITE_SYNCHRONOUS, ...)
        admission_from_env(url)
        make_engine(url).dispose()
    except ValueError as exc:
        err_console.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
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
    err_console.print(
        f"mail: via {mail.host}:{mail.port}"
        if mail.enabled
        else "mail: off (set SOVIETS_SMTP_HOST to send invitations and password resets)",
        markup=False,
    )
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": False,
        # A client that reuses its connection after a pause must not race the server's
        # close of it (uvicorn's default is 5 s; a busy client pauses longer).
        "timeout_keep_alive": KEEP_ALIVE_S,
    }
    if workers == 1:
        app = create_app(url, mail=mail, tick_seconds=tick or None)
        uvicorn.run(app, **options)
        return
    # Each worker process builds its own app (and engine) from the environment.
    os.environ[ENV_DB_URL] = url
    os.environ[ENV_TICK] = str(tick)
    uvicorn.run("soviets.server.app:app_from_env", factory=True, workers=workers, **options)
