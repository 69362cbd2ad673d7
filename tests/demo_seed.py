"""The demo federation of ``examples/two-regions`` (``soviets demo``), built once per session
and backend and copied into each test's database (:meth:`databases.Databases.seed`).

The demo runs the whole period (founding, votes, plan, agreements, delivery, booking)
through the services, seconds on SQLite and more on PostgreSQL; the tests that look at
its result (pages, API, a next period) take a copy. ``tests/ledger/test_demo.py`` checks
the run itself: its built-in variant runs the demo end to end on each backend in the test.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

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


def demo_on(url: str, databases) -> DemoRun:  # type: ignore[no-untyped-def]
    """Make the empty database at ``url`` a copy of the demo's template; what the demo
    returned (its ``url`` the copy's)."""
    run = databases.seed(url, build_demo)
    run.result = dataclasses.replace(run.result, url=shown(url))
    return run
