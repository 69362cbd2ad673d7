"""Schema migrations: bring a database to the newest schema with Alembic.

Alembic is configured here in code (no ``alembic.ini``); the scripts live in
the package (``soviets/ledger/migrations``), so an installed ``soviets`` can
migrate any SQLite file or PostgreSQL database by URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import soviets.ledger.models  # noqa: F401  (registers every table)
from soviets.ledger.base import Base
from soviets.ledger.db import default_url, make_engine
from soviets.ledger.errors import LedgerError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the database at ``url`` (default: :func:`default_url`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url or default_url()
    return config


def upgrade(url: str | None = None, revision: str = "head") -> str:
    """Migrate the database to ``revision`` (default: the newest); returns the revision reached."""
    config = alembic_config(url)
    command.upgrade(config, revision)
    return current(config.attributes["url"]) or "base"


def head() -> str:
    """The newest revision shipped with this version of soviets."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or "base"


def current(url: str | None = None) -> str | None:
    """The revision the database is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def differences(url: str | None = None) -> list[Any]:
    """What differs between the database's schema and the models (empty: none)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def require_current(url: str | None = None) -> None:
    """Refuse to work on a database that is not at the newest schema."""
    at, newest = current(url), head()
    if at != newest:
        state = "is empty" if at is None else f"is at revision {at}, not {newest}"
        raise LedgerError(f"the database {state}: run `soviets db upgrade` first")
