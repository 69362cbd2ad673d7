"""Fixtures of the server tests: the Valley world on a database, an app and a client."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from databases import Databases, sqlite_path
from server.round_world import NEXT, build_round_world
from server.world import World, build_world

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from soviets.server import create_app
from soviets.server.mail import MailSettings


@dataclass
class Served:
    """A world, the database URL it lives in, and a client of an app on it."""

    url: str
    world: World
    client: TestClient

    def auth(self, person: str | None) -> dict[str, str]:
        """Headers that sign in as ``person`` (None: signed out)."""
        if person is None:
            return {}
        return {"Authorization": f"Bearer {self.world.tokens[person]}"}


@pytest.fixture(scope="session")
def world_template(databases: Databases) -> tuple[Path, World]:
    """The Valley world built once into a SQLite file, copied by each test that needs it."""
    path, world = databases.template(build_world, "sqlite")
    return Path(path), world


def copy_world(template: tuple[Path, World], folder: Path) -> tuple[str, World]:
    """A fresh copy of the template world in ``folder``; its URL and ids."""
    source, world = template
    target = folder / f"world-{len(list(folder.glob('world-*.sqlite')))}.sqlite"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}", world


def restore_copy(engine: Engine, template: Path, url: str) -> None:
    """Make the SQLite file at ``url``, which an app's ``engine`` uses, a fresh copy of
    ``template`` again.

    The engine's connections are closed first, and the file's write-ahead log and
    shared-memory index removed, so that the next request opens the copy as it is. A
    new app on a new copy would do the same, but costs far more than a request: FastAPI
    prepares every route of a new app on its first requests."""
    engine.dispose()
    path = sqlite_path(url)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    shutil.copyfile(template, path)


def client_for(url: str, mail: MailSettings | None = None) -> TestClient:
    """A test client of a new app on ``url`` (server errors become 500 answers)."""
    return TestClient(create_app(url, mail=mail or MailSettings()), raise_server_exceptions=False)


@pytest.fixture
def served(world_template: tuple[Path, World], tmp_path: Path) -> Iterator[Served]:
    """The Valley world on a fresh SQLite copy, with a client."""
    url, world = copy_world(world_template, tmp_path)
    with client_for(url) as client:
        yield Served(url, world, client)
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@contextmanager
def serve_world(
    db_url: str, databases: Databases, build: Callable[[str], World]
) -> Iterator[Served]:
    """The world ``build`` makes (built once per session and backend, then copied) on
    ``db_url``, with a client of an app on it."""
    world = databases.seed(db_url, build)
    with client_for(db_url) as client:
        yield Served(db_url, world, client)
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def ok(r: object, *codes: int) -> dict:
    """The JSON of an answer whose status is one of ``codes`` (default 200 or 201)."""
    assert r.status_code in (codes or (200, 201)), r.text  # type: ignore[attr-defined]
    return r.json()  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def served_any(db_url: str, databases: Databases) -> Iterator[Served]:
    """The Valley world on each backend (SQLite and PostgreSQL), with a client; a copy of
    the world built once per session and backend."""
    with serve_world(db_url, databases, build_world) as served:
        yield served


@pytest.fixture
def round_any(db_url: str, databases: Databases) -> Iterator[Served]:
    """The Valley world with a federated round to run (:mod:`server.round_world`) on each
    backend, with a client."""
    with serve_world(db_url, databases, build_round_world) as served:
        yield served


def start_round(s: Served) -> dict:
    """Alice, the Valley's delegate, starts a federated round of the period ``next``."""
    r = s.client.post(
        f"/api/councils/{s.world.ids['valley']}/plans",
        json={"period": NEXT, "regime": "federated"},
        headers=s.auth("alice"),
    )
    assert r.status_code == 201, r.text
    return r.json()
