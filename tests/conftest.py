"""Shared fixtures: a fresh database on SQLite and, where reachable, on PostgreSQL.

Tests that take the ``db_url`` fixture run once per backend. PostgreSQL is
reached at ``$SOVIETS_TEST_POSTGRES_URL`` (default: the server on
127.0.0.1:5432 with trust auth). Each test gets its own new database, dropped
afterwards. When ``$SOVIETS_REQUIRE_POSTGRES`` is set (CI), an unreachable
server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from pg import PG_ADMIN_URL


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    ok = _postgres_reachable()
    if not ok and os.environ.get("SOVIETS_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL required but not reachable at {PG_ADMIN_URL}")
    return ok


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path, postgres_available: bool) -> Iterator[str]:
    """A URL of a fresh, empty database (SQLite file or a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    name = f"soviets_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
