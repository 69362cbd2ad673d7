"""Alembic environment of the ledger: online migrations over our own engine.

The URL comes from ``config.attributes["url"]`` (set by
:mod:`soviets.ledger.migrate`); the engine is :func:`soviets.ledger.db.make_engine`'s,
so SQLite gets the same pragmas as the application. SQLite migrations run in
batch mode (copy-and-move tables), the only way it can alter a table.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

import soviets.ledger.models  # noqa: F401  (registers every table)
from soviets.ledger.base import Base
from soviets.ledger.db import make_engine
from soviets.ledger.types import UTCDateTime

config = context.config


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types in revisions."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes["url"])
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("soviets migrations run online only (give a database URL)")
run_migrations()
