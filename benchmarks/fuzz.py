"""Fuzz every endpoint of a running council service, signed in and out: is any answer a 5xx?

    python -m benchmarks.fuzz [--requests 10000] [--db sqlite|postgres] [--seed 0]

Prepares a fresh database with ``soviets demo``, starts ``soviets serve`` on a
free loopback port and sends, over real HTTP:

* requests that schemathesis generates from ``/openapi.json`` for every
  operation, valid and invalid (positive and negative generation), half with
  a demo coordinator's bearer token and half without one, in rounds until
  ``--requests`` have been sent;
* hand-made bad requests to every operation: malformed JSON, bodies that are
  not objects, each field of the body replaced by a huge number, a NUL byte,
  a long string or a value of the wrong type, and path ids that are huge,
  negative, fractional or not numbers.

Prints the count of answers per status and every 5xx with the request that
caused it (exit code 1 when there is one).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import requests
import schemathesis
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from schemathesis import GenerationMode
from sqlalchemy import select

from benchmarks.faultkit import Server, free_port, fresh_database, prepare_demo
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Person
from soviets.server import auth

EMAIL = "rosa@demo.example"
"""A demo member who coordinates a council and is its delegate: she may do the most."""
BAD_VALUES: list[Any] = [1e308, -1e308, 10**40, -(10**40), "\x00", "a\x00b", "x" * 100_000,
                         [], {}, True, None, 0.5, ""]  # fmt: skip
BAD_BODIES = [b"", b"{", b"null", b"[]", b"42", b'"text"', b'{"a": "\x00"}', b"\xff\xfe", b"{}"]
BAD_IDS = ["0", "-1", "1.5", "9" * 30, str(2**63), "abc", "%00", "1e3"]
SIGNED_IN_SHARE = 0.5


@dataclass
class Tally:
    """Answers per status (and who was asking), and the requests that got a 5xx."""

    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def note(self, status: int, signed_in: bool, request: Callable[[], str]) -> None:
        self.statuses[f"{status} {'signed in' if signed_in else 'signed out'}"] += 1
        if status >= 500:
            self.server_errors.append(f"{status}: {request()}")


class Fuzzer:
    """The requests of one run against the server at ``base``."""

    def __init__(self, base: str, url: str, seed: int) -> None:
        self.base = base
        self.url = url
        self.seed = seed
        self.tally = Tally()
        self.http = httpx.Client(base_url=base, timeout=60)
        self.session = requests.Session()
        self.document: dict[str, Any] = self.http.get("/openapi.json").json()
        self.token = ""
        self.sign_in()

    def sign_in(self) -> None:
        """A new token (fuzzed requests may revoke the old one or sign out everywhere).

        Issued in the database: fuzzed sign-ins with wrong passwords soon make the
        service refuse sign-ins from this client for a while (429), as it should.
        """
        engine = make_engine(self.url)
        try:
            with transaction(session_factory(engine)) as db:
                person = db.scalars(select(Person).where(Person.email == EMAIL)).one()
                self.token = auth.issue_token(db, person, "fuzz").secret
        finally:
            engine.dispose()

    def headers(self, signed_in: bool) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if signed_in else {}

    def operations(self) -> list[tuple[str, str]]:
        return [(m.upper(), p) for p, ops in self.document["paths"].items() for m in ops]

    def generated(self, total: int) -> None:
        """Schemathesis cases for every operation, in rounds until ``total`` were sent."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schema = schemathesis.openapi.from_dict(self.document)
        operations = self.operations()
        target = self.tally.requests + total
        each = max(1, total // (len(operations) * 4))
        rounds = 0
        while self.tally.requests < target:
            before = self.tally.requests
            for method, path in operations:
                for signed_in in (True, False):
                    if self.tally.requests >= target:
                        return
                    self._cases(schema[path][method], signed_in, each, self.seed + rounds)
            rounds += 1
            if self.tally.requests == before:
                return

    def _cases(self, operation: Any, signed_in: bool, examples: int, seed: int) -> None:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @hypothesis_seed(seed)
        @given(case=strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def send(case: Any) -> None:
            try:
                answer = case.call(
                    base_url=self.base, session=self.session, headers=self.headers(signed_in)
                )
            except requests.RequestException as exc:
                self.tally.server_errors.append(f"no answer ({exc}): {case.as_curl_command()}")
                return
            self.tally.note(answer.status_code, signed_in, case.as_curl_command)
            if signed_in and answer.status_code == 401:
                self.sign_in()

        send()

    def malformed(self, limit: int) -> None:
        """Up to ``limit`` hand-made bad requests (a random choice of them), signed in and out."""
        bad = list(self._bad_requests())
        if len(bad) * 2 > limit:
            bad = random.Random(self.seed).sample(bad, limit // 2)
        for method, path, content in bad:
            for signed_in in (True, False):
                headers = self.headers(signed_in) | {"Content-Type": "application/json"}
                answer = self.http.request(method, path, content=content, headers=headers)
                shown = content[:200].decode("utf-8", "backslashreplace") if content else ""
                self.tally.note(answer.status_code, signed_in, f"{method} {path} {shown}".strip)
                if signed_in and answer.status_code == 401:
                    self.sign_in()

    def _bad_requests(self) -> Iterator[tuple[str, str, bytes | None]]:
        rng = random.Random(self.seed)
        for method, path in self.operations():
            operation = self.document["paths"][path][method.lower()]
            real = _fill(path, lambda: "1")
            if "{" in path:
                for bad in BAD_IDS:
                    yield method, _fill(path, lambda b=bad: b), None
            fields = self._fields(operation)
            if fields is None:
                continue
            for body in BAD_BODIES:
                yield method, real, body
            for name in fields:
                value = rng.choice(BAD_VALUES)
                yield method, real, json.dumps({name: value}).encode()
                for bad in BAD_VALUES:
                    yield method, real, json.dumps(dict.fromkeys(fields, bad)).encode()

    def _fields(self, operation: dict[str, Any]) -> list[str] | None:
        """The property names of an operation's JSON body, or None when it takes none."""
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            return None
        ref = body["schema"].get("$ref", "")
        schema = self.document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        return list(schema.get("properties", {}))


class _Sink:
    """An SMTP server that accepts every mail and keeps none (so reset mails can be sent)."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 accepted"


def _fill(path: str, value: Any) -> str:
    """``path`` with every ``{parameter}`` replaced by ``value()``."""
    out, rest = [], path
    while "{" in rest:
        head, _, tail = rest.partition("{")
        out.append(head + value())
        rest = tail.partition("}")[2]
    return "".join(out) + rest


def run(
    kind: str,
    total: int,
    folder: Path,
    *,
    seed: int = 0,
    prepare: Callable[[str], None] = prepare_demo,
) -> tuple[Tally, float]:
    """Fuzz a fresh demo service of ``kind`` with about ``total`` generated requests.

    ``prepare`` fills the new, empty database at a URL with the demo (default:
    ``soviets demo``; the test copies a demo built once per session)."""
    began = time.monotonic()
    port = free_port()
    mail = {"SOVIETS_SMTP_HOST": "127.0.0.1", "SOVIETS_SMTP_PORT": str(port),
            "SOVIETS_SMTP_STARTTLS": "false"}  # fmt: skip
    sink = Controller(_Sink(), hostname="127.0.0.1", port=port)
    sink.start()
    with fresh_database(kind, folder) as url:
        prepare(url)
        server = Server(url, folder / "serve.log", env=mail)
        server.start()
        try:
            fuzzer = Fuzzer(server.base, url, seed)
            fuzzer.malformed(total // 2)
            fuzzer.generated(max(0, total - fuzzer.tally.requests))
            if server.process is None or server.process.poll() is not None:
                fuzzer.tally.server_errors.append("the server died during the run")
        finally:
            server.stop()
            sink.stop()
    return fuzzer.tally, time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    console = Console(width=110)
    with tempfile.TemporaryDirectory(prefix="soviets-fuzz-") as tmp:
        tally, seconds = run(args.db, args.requests, Path(tmp), seed=args.seed)
    table = Table(
        title=f"fuzzing the service ({args.db}): {tally.requests} requests, {seconds:.0f} s"
    )
    table.add_column("status")
    table.add_column("answers", justify="right")
    for status, count in sorted(tally.statuses.items()):
        table.add_row(status, str(count))
    console.print(table)
    console.print(f"server errors (5xx): {len(tally.server_errors)}")
    for line in tally.server_errors[:50]:
        console.print(line, markup=False, soft_wrap=True)
    raise SystemExit(1 if tally.server_errors else 0)


if __name__ == "__main__":
    main()
