"""Test databases: a fresh one per test, filled by copying a template built once.

Migrating a database and filling it through the services takes seconds (tens
of seconds for the server's world on PostgreSQL); copying a finished one takes
a fraction of a second. So a fixture that needs a database with something in
it calls :meth:`Databases.seed` with a builder: the first call of each builder
on each backend builds a template (a SQLite file, or a PostgreSQL database),
every call makes the test's empty database a copy of it (a file copy, or
``CREATE DATABASE ... TEMPLATE``) and returns what the builder returned.

Names of PostgreSQL databases carry the pytest-xdist worker's id and a random
part, so parallel workers (and parallel test runs on one server) never share
one. ``DROP DATABASE`` forces an immediate checkpoint (PostgreSQL 15 writes
and syncs every dirty buffer of the whole server, seconds on a busy one, and
every page changed after it is written whole into the log again): one drop
per test kept the server checkpointing all the time, and every test waited on
it. So the databases of finished tests are dropped in batches of
``DROP_BATCH``, all of a batch at the same time by background threads, so that
one checkpoint serves the whole batch; the session's end drops the rest the
same way and waits for them. A template's next copy is made in the background
while a test runs (``CREATE DATABASE`` mostly waits for the log to be written),
and the next test that wants one gets it renamed. An empty database that a fixture replaced by a
template's copy is kept as the next test's fresh one.
"""

from __future__ import annotations

import copy
import os
import shutil
import threading
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from pg import PG_ADMIN_URL

T = TypeVar("T")

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
PREFIX = f"soviets_test_{WORKER}_"
FAST_COMMIT = {"options": "-c synchronous_commit=off"}
"""``synchronous_commit = off`` on the test databases' sessions: a commit returns before
the server's write-ahead log reaches the disk (a one-row commit: 4.4 ms with the flush,
0.26 ms without, on the development machine; the suite commits thousands of times).
Only a crash of the PostgreSQL server itself could lose the last commits; no test
crashes it (``test_fault`` kills the app server, on a database of its own with the
server's default)."""
DROP_BATCH = 12
"""Finished databases dropped together (at most 12 x 11 MB on disk per worker; one
connection each while they drop, so two workers stay well under 100 connections)."""


def create_tables(url: str) -> None:
    """Every table and trigger of the ledger (``create_all``), as the ledger tests use."""
    import soviets.ledger.models  # noqa: F401  (registers every table)
    from soviets.ledger.base import Base
    from soviets.ledger.db import make_engine

    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
    finally:
        engine.dispose()


def pg_test_url(name: str) -> str:
    """The URL of PostgreSQL test database ``name`` on the tests' server; its sessions
    commit without waiting for the server's log flush (``FAST_COMMIT``)."""
    url = make_url(PG_ADMIN_URL).set(database=name).update_query_dict(FAST_COMMIT)
    return url.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///PATH`` URL."""
    database = make_url(url).database
    assert database, f"not a SQLite file URL: {url}"
    return Path(database)


class Databases:
    """The session's databases and templates (one per builder and backend)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._admin: Engine | None = None
        self._templates: dict[tuple[Callable[[str], Any], str], tuple[str, Any]] = {}
        self._doomed: list[str] = []  # finished databases, not yet dropped
        self._droppers: list[threading.Thread] = []
        self._spare: list[str] = []  # empty databases, never used by a test
        self._copier = ThreadPoolExecutor(1, thread_name_prefix="copy-template")
        self._ready: dict[str, Future[str]] = {}  # a template's next copy, being made

    @property
    def admin(self) -> Engine:
        """An autocommit connection pool to the PostgreSQL server's admin database."""
        if self._admin is None:
            self._admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def pg_url(self, name: str) -> str:
        """The URL of test database ``name`` (:func:`pg_test_url`)."""
        return pg_test_url(name)

    def fresh(self) -> str:
        """A new, empty PostgreSQL database (a spare one renamed, or a new one); its name."""
        if not self._spare:
            return self.create()
        name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
        self._rename(self._spare.pop(), name)
        return name

    def _rename(self, old: str, new: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{old}" RENAME TO "{new}"'))

    def create(self, template: str | None = None, name: str | None = None) -> str:
        """Create a PostgreSQL database (empty, or a copy of ``template``); its name."""
        name = name or f"{PREFIX}{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return name

    def discard(self, name: str) -> None:
        """Drop a PostgreSQL database soon: with the next ``DROP_BATCH`` - 1 others."""
        self._doomed.append(name)
        if len(self._doomed) >= DROP_BATCH:
            self._drop_batch()

    def _drop_batch(self) -> None:
        """Drop the finished databases in the background, all at once (one checkpoint)."""
        batch, self._doomed = self._doomed, []
        self._droppers = [t for t in self._droppers if t.is_alive()]
        for name in batch:
            thread = threading.Thread(target=self._drop_quietly, args=(name,), daemon=True)
            thread.start()
            self._droppers.append(thread)

    def _drop_quietly(self, name: str) -> None:
        # Its own connection (not the pool's): a batch's drops run side by side.
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # noqa: BLE001 - a leftover database fails no test
            warnings.warn(f"test database {name} not dropped: {exc}", stacklevel=1)
        finally:
            engine.dispose()

    def seed(self, url: str, build: Callable[[str], T]) -> T:
        """Make the empty database at ``url`` a copy of ``build``'s template; what it returned.

        The template is ``build(template_url)`` run once per session and backend,
        so every test of a session sees the same ids (and the same tokens); each
        gets its own copy of what ``build`` returned.
        """
        backend = "sqlite" if is_sqlite(url) else "postgresql"
        template, value = self.template(build, backend)
        if backend == "sqlite":
            shutil.copyfile(template, sqlite_path(url))
        else:
            name = make_url(url).database
            assert name and name.startswith(PREFIX), f"not a test database: {url}"
            self.drop_connections(name)
            spare = f"{PREFIX}{uuid.uuid4().hex[:12]}"
            self._rename(name, spare)
            self._spare.append(spare)
            self._rename(self._next_copy(template), name)
        return copy.deepcopy(value)

    def _next_copy(self, template: str) -> str:
        """A copy of ``template`` made while the previous test ran (now if there was
        none), and the next one started in the background."""
        ready = self._ready.pop(template, None)
        name = ready.result() if ready is not None else self.create(template=template)
        self._ready[template] = self._copier.submit(self.create, template)
        return name

    def template(self, build: Callable[[str], T], backend: str) -> tuple[str, T]:
        """``build``'s template on ``backend`` (a SQLite file's path or a PostgreSQL
        database's name) and what ``build`` returned, built on first use."""
        key = (build, backend)
        if key not in self._templates:
            self._templates[key] = self._build(build, backend)
        return self._templates[key]  # type: ignore[return-value]

    def _build(self, build: Callable[[str], Any], backend: str) -> tuple[str, Any]:
        if backend == "sqlite":
            path = self.folder / f"template-{len(self._templates)}.sqlite"
            return str(path), build(f"sqlite:///{path}")
        name = self.create()
        value = build(self.pg_url(name))
        self.drop_connections(name)
        return name, value

    def drop_connections(self, name: str) -> None:
        """End every session on database ``name`` (a template must have none to be copied)."""
        with self.admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )

    def close(self) -> None:
        """Drop what is left (the finished and spare databases, the PostgreSQL templates),
        all at once, and wait for every drop."""
        self._doomed += [ready.result() for ready in self._ready.values()]
        self._ready.clear()
        self._copier.shutdown()
        self._doomed += self._spare
        self._doomed += [name for (_, backend), (name, _) in self._templates.items()
                         if backend == "postgresql"]  # fmt: skip
        self._spare.clear()
        self._templates.clear()
        self._drop_batch()
        for thread in self._droppers:
            thread.join()
        self._droppers = []
        if self._admin is not None:
            self._admin.dispose()
