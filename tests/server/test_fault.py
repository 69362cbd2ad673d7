"""The short form of ``benchmarks.fault``: the loaded server killed 3 times on each database.

No acknowledged write is lost, no request gets a 5xx, ``soviets ledger verify``
passes afterwards, no stock is negative and no bookings overlap. The long form,
with figures, is ``python -m benchmarks.fault --db sqlite|postgres --kills 50``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.fault import run

from databases import Databases
from demo_seed import demo_preparer

KILLS = 3


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_kill_9_loses_no_acknowledged_write(
    kind: str, tmp_path: Path, postgres_available: bool, databases: Databases
) -> None:
    if kind == "postgres" and not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    figures = run(kind, KILLS, tmp_path, seed=14, prepare=demo_preparer(databases))
    assert figures.journal.counts.get("acknowledged", 0) > 0, figures.rows()
    assert figures.lost == [], figures.lost
    assert figures.journal.server_errors == []
    assert figures.verify_ok, figures.verify_line
    assert figures.broken == dict.fromkeys(figures.broken, 0)
