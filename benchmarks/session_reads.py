"""``soviets demo`` with and without councils and people kept in the session: statements, CPU.

    python -m benchmarks.session_reads [--rounds 2] [--db sqlite|postgres]

Runs the demo on the two-regions example into a fresh database ``rounds``
times each way, alternating in one process: without :mod:`soviets.ledger.kept`
(its listeners removed, the peer: a session's weak identity map) and with it.
Counts the statements sent and the process's CPU seconds; prints the load
average beside each run, and the ratios of the last round (the first pays
lazy imports).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from benchmarks.faultkit import PG_ADMIN_URL
from soviets.cli.demo import run_demo
from soviets.ledger import kept

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "two-regions"
HOOKS: list[tuple[str, Callable[[Session, object], None]]] = [
    ("loaded_as_persistent", kept._keep),
    ("pending_to_persistent", kept._keep),
    ("detached_to_persistent", kept._keep),
    ("persistent_to_detached", kept._release),
    ("persistent_to_deleted", kept._release),
    ("persistent_to_transient", kept._release),
]


def keep(on: bool) -> None:
    """Switch :mod:`soviets.ledger.kept`'s listeners on or off."""
    for name, hook in HOOKS:
        if on and not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
        if not on and event.contains(Session, name, hook):
            event.remove(Session, name, hook)


def fresh_url(db: str, folder: Path) -> tuple[str, Callable[[], None]]:
    """A new empty database and the function that removes it."""
    if db == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite'}", lambda: None
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"soviets_reads_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    table = Table(title=f"soviets demo (two-regions) on {args.db}")
    for column in ("round", "councils and people kept", "statements", "CPU s", "wall s", "load"):
        table.add_column(column, justify="right")
    last: dict[bool, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="soviets-reads-") as tmp:
        for k in range(args.rounds):
            for on in (False, True):
                keep(on)
                url, drop = fresh_url(args.db, Path(tmp))
                sent[0] = 0
                cpu, wall = time.process_time(), time.monotonic()
                try:
                    run_demo(url, EXAMPLE, lambda _: None)
                finally:
                    drop()
                cpu, wall = time.process_time() - cpu, time.monotonic() - wall
                last[on] = (sent[0], cpu)
                load = os.getloadavg()[0]
                table.add_row(str(k + 1), "yes" if on else "no", f"{sent[0]:,}",
                              f"{cpu:.2f}", f"{wall:.1f}", f"{load:.1f}")  # fmt: skip
    keep(True)
    console = Console(width=110)
    console.print(table)
    (n0, c0), (n1, c1) = last[False], last[True]
    console.print(f"last round, kept / not kept: statements {n1 / n0:.3f}, CPU {c1 / c0:.3f}")


if __name__ == "__main__":
    main()
