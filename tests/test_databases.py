"""The test databases' life on PostgreSQL: copies of a template, dropped in batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import databases
from databases import Databases


def _names(manager: Databases) -> set[str]:
    with manager.admin.connect() as conn:
        return set(conn.scalars(text("SELECT datname FROM pg_database")))


def _build(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x integer)"))
            conn.execute(text("INSERT INTO t VALUES (7)"))
    finally:
        engine.dispose()
    return "built"


def test_copies_are_the_template_and_every_database_is_dropped(
    postgres_available: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    monkeypatch.setattr(databases, "DROP_BATCH", 2)
    manager = Databases(tmp_path)
    made: list[str] = []
    try:
        for _ in range(5):  # two full batches dropped while "tests" run, one left to close
            name = manager.fresh()
            made.append(name)
            assert manager.seed(manager.pg_url(name), _build) == "built"
            engine = create_engine(manager.pg_url(name))
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT x FROM t")) == 7
            engine.dispose()
            manager.discard(name)
        made.append(manager.template(_build, "postgresql")[0])
    finally:
        manager.close()
    assert not set(made) & _names(manager)
