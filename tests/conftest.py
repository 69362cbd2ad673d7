"""Shared fixtures: a fresh database on SQLite and, where reachable, on PostgreSQL.

Tests that take the ``db_url`` fixture run once per backend. PostgreSQL is
reached at ``$SOVIETS_TEST_POSTGRES_URL`` (default: the server on
127.0.0.1:5432 with trust auth). Each test gets its own new, empty database,
dropped afterwards; fixtures that need tables or a filled world make it a copy
of a template built once per session (``databases.seed``, see
``tests/databases.py``). When ``$SOVIETS_REQUIRE_POSTGRES`` is set (CI), an
unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import create_engine, text

import costs
from databases import Databases
from pg import PG_ADMIN_URL
from soviets.governance.credentials import HASHING_ENV

# pytest-xdist gives its workers COLUMNS=80 (and LINES): without it, as in a plain run, the
# CLI's output to a pipe is not cut to a terminal's width.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)
    os.environ.pop("LINES", None)

# The suite signs in thousands of times: light password hashes (tests/governance/
# test_credentials.py checks the standard ones), inherited by the servers it starts.
os.environ.setdefault(HASHING_ENV, "light")

# Hypothesis writes nothing into the source tree: no example database, and its other
# files in the system's temporary folder instead of ./.hypothesis. The folder is one for
# every process and run: its cache of the constants of our modules (named by a hash of
# each module's source) is then read by the other xdist worker and the next run instead of
# parsed again (about 1 s of CPU per process).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "soviets-hypothesis")
settings.register_profile("soviets", database=None)
settings.load_profile("soviets")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The costliest files first (``tests/costs.py``), so that xdist's workers end together."""
    seconds = costs.load()
    items.sort(key=lambda item: -seconds.get(costs.file_of(item.nodeid), costs.UNKNOWN))


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


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """The session's test databases and their templates (dropped at the end)."""
    manager = Databases(tmp_path_factory.mktemp("templates"))
    try:
        yield manager
    finally:
        manager.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_available: bool,
    databases: Databases,
) -> Iterator[str]:
    """A URL of a fresh, empty database (SQLite file or a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    name = databases.fresh()
    try:
        yield databases.pg_url(name)
    finally:
        databases.discard(name)
