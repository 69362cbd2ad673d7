"""The demo federation of ``examples/two-regions`` (``soviets demo``), built once per session
and backend and copied into each test's database (:meth:`databases.Databases.seed`).

The demo runs the whole period (founding, votes, plan, agreements, delivery, booking)
through the services, seconds on SQLite and more on PostgreSQL; the tests that look at
its result (pages, API, a next period) take a copy. ``tests/ledger/test_demo.py`` checks
the run itself: its built-in variant runs the demo end to end on each backend in the test.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from databases import Databases, is_sqlite, sqlite_path
from soviets.cli.demo import DemoResult, run_demo
from soviets.cli.ledger import shown

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "two-regions"


@dataclass
class DemoRun:
    """What the demo returned, and the lines it said while it ran."""

    result: DemoResult
    steps: list[str]


def build_demo(url: str) -> DemoRun:
    """Run the demo of ``examples/two-regions`` on the empty database at ``url``."""
    steps: list[str] = []
    return DemoRun(run_demo(url, EXAMPLE, steps.append), steps)


def demo_on(url: str, databases: Databases) -> DemoRun:
    """Make the empty database at ``url`` a copy of the demo's template; what the demo
    returned (its ``url`` the copy's)."""
    run = databases.seed(url, build_demo)
    run.result = dataclasses.replace(run.result, url=shown(url))
    return run


def demo_preparer(databases: Databases) -> Callable[[str], None]:
    """A ``prepare`` for ``benchmarks.fault.run`` and ``benchmarks.fuzz.run``, which make
    their own empty database: it becomes a copy of the demo's template (a PostgreSQL one
    is dropped and made again from the template under its name)."""

    def prepare(url: str) -> None:
        if is_sqlite(url):
            path, _ = databases.template(build_demo, "sqlite")
            shutil.copyfile(path, sqlite_path(url))
            return
        template, _ = databases.template(build_demo, "postgresql")
        name = make_url(url).database
        assert name, f"no database in {url}"
        databases.drop_connections(name)
        with databases.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        databases.create(template=template, name=name)

    return prepare
