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
one. ``DROP DATABASE`` waits for a checkpoint (seconds on a busy server), so
the databases of finished tests are dropped by background threads while the
next tests run (drops at the same time share a checkpoint); the session's end
waits for the last of them. An empty database that a fixture replaced by a
template's copy is kept as the next test's fresh one.
"""

from __future__ import annotations

import copy
import os
import queue
import shutil
import threading
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pg import PG_ADMIN_URL

T = TypeVar("T")

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
PREFIX = f"soviets_test_{WORKER}_"
DROPPERS = 4
"""Threads that drop finished databases (each waits for a checkpoint; theirs are shared)."""


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
        self._doomed: queue.Queue[str | None] = queue.Queue()
        self._droppers: list[threading.Thread] = []
        self._spare: list[str] = []  # empty databases, never used by a test

    @property
    def admin(self) -> Engine:
        """An autocommit connection pool to the PostgreSQL server's admin database."""
        if self._admin is None:
            self._admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def pg_url(self, name: str) -> str:
        return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"

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

    def drop(self, name: str) -> None:
        """Drop a PostgreSQL database, closing what is still connected to it."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def discard(self, name: str) -> None:
        """Drop a PostgreSQL database soon, in the background."""
        if not self._droppers:
            self._droppers = [
                threading.Thread(target=self._drop_all, name=f"drop-databases-{i}", daemon=True)
                for i in range(DROPPERS)
            ]
            for thread in self._droppers:
                thread.start()
        self._doomed.put(name)

    def _drop_all(self) -> None:
        while (name := self._doomed.get()) is not None:
            try:
                self.drop(name)
            except Exception as exc:  # noqa: BLE001 - a leftover database fails no test
                warnings.warn(f"test database {name} not dropped: {exc}", stacklevel=1)

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
            self.create(template=template, name=name)
        return copy.deepcopy(value)

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
        """Drop what is left: the databases still to drop, and the PostgreSQL templates."""
        for name in self._spare:
            self.discard(name)
        self._spare.clear()
        for _ in self._droppers:
            self._doomed.put(None)
        for thread in self._droppers:
            thread.join()
        self._droppers = []
        for (_, backend), (template, _) in self._templates.items():
            if backend == "postgresql":
                self.drop(template)
        self._templates.clear()
        if self._admin is not None:
            self._admin.dispose()
