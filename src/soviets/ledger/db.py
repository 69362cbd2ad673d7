"""Database engines and sessions: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from platformdirs import user_data_dir
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_DB_URL = "SOVIETS_DB"


def default_url() -> str:
    """The database URL: ``$SOVIETS_DB`` or a SQLite file in the user's data directory."""
    if os.environ.get(ENV_DB_URL):
        return os.environ[ENV_DB_URL]
    folder = Path(user_data_dir("soviets", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'soviets.sqlite'}"


READ_ONLY = "soviets_read_only"
"""Execution option of a connection that only reads: on SQLite its transaction begins
deferred (no write lock), so it runs beside the one writer (WAL)."""

SQLITE_SYNC_ENV = "SOVIETS_SQLITE_SYNCHRONOUS"
"""``NORMAL`` (default) or ``FULL``: whether each SQLite commit waits for the disk (fsync).

In WAL mode ``NORMAL`` keeps every committed transaction when the process is
killed (the log is in the operating system's hands before the commit
returns); only a power cut or a crash of the operating system may lose the
last commits, never corrupt the file. ``FULL`` keeps them through a power
cut too, at one fsync per commit (several milliseconds on most disks, and
SQLite has one writer at a time: that caps writes per second)."""

BUSY_TIMEOUT_S = 10
"""How long a SQLite writer waits for the write lock before giving up (then 503)."""


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout.

    ``kwargs`` go to :func:`sqlalchemy.create_engine` (e.g. the pool's size).
    """
    url = url or default_url()
    if url.startswith("sqlite"):
        sync = _sqlite_synchronous()
        kwargs.setdefault("connect_args", {"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy manage transactions explicitly (BEGIN IMMEDIATE below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA synchronous={sync}")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Take the write lock at the start: concurrent writers queue instead of
            # failing half-way, which makes every transaction serialisable. Readers
            # that said so (READ_ONLY) begin deferred and never wait for a writer.
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_synchronous() -> str:
    value = (os.environ.get(SQLITE_SYNC_ENV) or "NORMAL").strip().upper()
    if value not in ("NORMAL", "FULL"):
        raise ValueError(f"${SQLITE_SYNC_ENV} must be NORMAL or FULL, not {value!r}")
    return value


def session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit).

    With ``read_only`` its sessions must not write: on SQLite they take no write lock.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def rowcount(result: Result[Any]) -> int:
    """Rows matched by the UPDATE or DELETE that gave ``result`` (always a cursor result)."""
    return cast("CursorResult[Any]", result).rowcount
