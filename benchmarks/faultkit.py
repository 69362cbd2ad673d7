"""Pieces of the kill -9 suite: a fresh demo database, the server as a subprocess, a journal.

Used by ``benchmarks.fault`` (the long form) and ``tests/server/test_fault.py``
(the short form). Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get(
    "SOVIETS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT = 90.0
"""Seconds a (re)started server may take to answer; generous for a busy machine."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def soviets(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the ``soviets`` command line in a subprocess (output captured)."""
    return subprocess.run(
        [sys.executable, "-m", "soviets", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in ``folder`` or a new PostgreSQL one."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'fault.sqlite'}"
        return
    name = f"soviets_fault_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_demo(url: str) -> None:
    """Fill the database with ``soviets demo`` (a federation, stocks, a car to book)."""
    done = soviets("demo", "--db", url, "--json")
    if done.returncode != 0:
        raise RuntimeError(f"soviets demo failed: {done.stderr.strip() or done.stdout[-2000:]}")


class Server:
    """``soviets serve`` on a free loopback port, which can be killed with SIGKILL and restarted."""

    def __init__(self, url: str, log: Path, env: dict[str, str] | None = None) -> None:
        self.url = url
        self.env = os.environ | (env or {})
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start the server and wait until it answers; the seconds that took."""
        began = time.monotonic()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "soviets", "serve", "--db", self.url,
                 "--port", str(self.port), "--tick", "0"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
            )  # fmt: skip
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"soviets serve exited; see {self.log}")
            try:
                if httpx.get(f"{self.base}/signin", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            if time.monotonic() - began > START_TIMEOUT:
                raise RuntimeError(f"soviets serve did not answer in {START_TIMEOUT:.0f} s")
            time.sleep(0.1)

    def kill(self) -> None:
        """``kill -9`` the server and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """Stop the server politely (SIGINT), or kill it when it does not stop."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


@dataclass(frozen=True)
class Write:
    """An acknowledged write: what it was and the row that must now exist."""

    kind: str
    key: tuple[int, ...]
    check: str
    """A SQL query over ``:a``, ``:b`` that returns a row when the write is in the database."""


@dataclass
class Journal:
    """The clients' record of every request: acknowledged writes, refusals, server errors."""

    acknowledged: list[Write] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def ack(self, write: Write) -> None:
        with self.lock:
            self.acknowledged.append(write)
            self.counts["acknowledged"] = self.counts.get("acknowledged", 0) + 1

    def server_error(self, line: str) -> None:
        with self.lock:
            self.server_errors.append(line)
            self.counts["5xx"] = self.counts.get("5xx", 0) + 1

    def missing(self, url: str) -> list[Write]:
        """The acknowledged writes that the database does not hold."""
        engine = create_engine(url)
        lost = []
        try:
            with engine.connect() as conn:
                for w in list(self.acknowledged):
                    params = {"a": w.key[0], "b": w.key[1] if len(w.key) > 1 else None}
                    if conn.execute(text(w.check), params).first() is None:
                        lost.append(w)
        finally:
            engine.dispose()
        return lost
