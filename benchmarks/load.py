"""Ballots under load: the real server, many concurrent clients, then an audit of the database.

    python -m benchmarks.load [--db sqlite|postgres] [--levels 8,32,64,200,500]
        [--requests 600] [--members 1000] [--workers 1]

Builds a fresh database (a SQLite file in a temporary folder, or a new
PostgreSQL database at ``$SOVIETS_TEST_POSTGRES_URL``) with one council of
``--members`` members and one open vote, starts ``soviets serve`` on
127.0.0.1 (``--workers`` uvicorn processes), and for each level fires
``--requests`` ballots from that many concurrent clients. Request ``i`` votes
as member ``i mod members`` with a random choice, so with more clients than
members the same member votes several times at once. Prints per level:
acknowledged ballots per second, p50 and p99 latency, and counts of 2xx, 4xx,
5xx (503 apart) and dropped connections, and the server's CPU time per answer
(user and system, all workers: a figure that a busy machine inflates less
than the rates). Afterwards it audits the database
against every acknowledged answer: no voter with two ballots, no
acknowledged ballot lost (each acknowledged change raised the revision by
exactly one, so a voter's stored revision is at least the number of
acknowledgements) and the stored choice is the last acknowledged one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import create_engine, func, select, text

from soviets.governance import councils, founding, proposals
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.migrate import upgrade
from soviets.ledger.models import Ballot, BallotMark, Person
from soviets.server import auth

CHOICES = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Vote:
    """A council with an open vote: its proposal and one API token per member (by person id)."""

    proposal_id: int
    tokens: dict[int, str]


def build_vote(url: str, members: int) -> Vote:
    """Migrate the database at ``url`` and create a council of ``members`` with an open vote."""
    upgrade(url)
    engine = make_engine(url)
    tokens: dict[int, str] = {}
    try:
        with transaction(session_factory(engine)) as s:
            people = [Person(name=f"Member {i}", email=f"m{i}@example.org") for i in range(members)]
            s.add_all(people)
            s.flush()
            for person in people:
                tokens[person.id] = auth.issue_token(s, person, "load").secret
            founder = people[0].id
            council = councils.create_council(s, founder, name="Big Council", kind="workplace")
            for person in people[1:]:  # each named founding member confirms
                founding.invite_founder(s, founder, council.id, person.id)
                founding.confirm(s, person.id, council.id)
            made = proposals.create_proposal(
                s, founder, council.id, kind="general", title="Paint the hall red"
            )
            proposals.open_proposal(s, founder, made.id)
            proposal_id = made.id
    finally:
        engine.dispose()
    return Vote(proposal_id, tokens)


@dataclass
class Level:
    """What the clients of one level saw."""

    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    dropped: int = 0
    acks: list[tuple[int, int, str]] = field(default_factory=list)
    """(voter id, revision, choice) of every acknowledged ballot."""
    retry_after_missing: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    """Why connections dropped: the exception's name and message, and how often."""
    client_cpu: float = 0.0
    """CPU seconds the load client itself used."""

    def count(self, low: int, high: int) -> int:
        return sum(n for status, n in self.statuses.items() if low <= status < high)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def fire(base: str, vote: Vote, clients: int, requests: int, seed: int = 0) -> Level:
    """Send ``requests`` ballots from ``clients`` concurrent clients; what they saw.

    The clients are aiohttp's (one keep-alive connection each): its per-request
    cost is a fraction of httpx's, so that on two cores the server, not the
    client, is what is measured. ``Level.client_cpu`` is the client's CPU time.
    """
    level = Level(clients)
    voters = sorted(vote.tokens)
    rng = random.Random(seed)
    plan = [(voters[i % len(voters)], rng.choice(CHOICES)) for i in range(requests)]
    cursor = iter(plan)
    url = f"{base}/api/proposals/{vote.proposal_id}/ballot"
    bodies = {choice: json.dumps({"choice": choice}).encode() for choice in CHOICES}

    async def client(http: aiohttp.ClientSession) -> None:
        for voter, choice in cursor:
            headers = {
                "Authorization": f"Bearer {vote.tokens[voter]}",
                "Content-Type": "application/json",
            }
            start = time.perf_counter()
            try:
                async with http.put(url, data=bodies[choice], headers=headers) as answer:
                    status = answer.status
                    body = await answer.read()
                    retry_after = "Retry-After" in answer.headers
            except (TimeoutError, aiohttp.ClientError) as exc:
                level.dropped += 1
                why = f"{type(exc).__name__}: {exc}"
                level.errors[why] = level.errors.get(why, 0) + 1
                continue
            level.latencies.append(time.perf_counter() - start)
            level.statuses[status] = level.statuses.get(status, 0) + 1
            if status == 503 and not retry_after:
                level.retry_after_missing += 1
            if status == 200:
                answered = json.loads(body)
                level.acks.append((voter, int(answered["revision"]), answered["ballot"]))

    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120.0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        cpu = time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        level.seconds = time.perf_counter() - start
        level.client_cpu = time.process_time() - cpu
    return level


@dataclass(frozen=True)
class Audit:
    """The database checked against the acknowledged answers."""

    double: int
    """Voters with more than one ballot row, or ballots with other than one mark."""
    lost: int
    """Acknowledged ballots missing from the database."""
    repeated: int
    """Revisions acknowledged twice to the same voter (two writers saw the same row)."""
    wrong_choice: int
    """Voters whose stored choice is not their last acknowledged one."""

    @property
    def ok(self) -> bool:
        return self.double == self.lost == self.repeated == self.wrong_choice == 0


def audit(url: str, proposal_id: int, acks: list[tuple[int, int, str]]) -> Audit:
    """Compare every acknowledged ballot with what the database holds."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Ballot.id, Ballot.voter_id, Ballot.revision).where(
                    Ballot.proposal_id == proposal_id
                )
            ).all()
            marks = dict(
                conn.execute(
                    select(BallotMark.ballot_id, func.count())
                    .where(BallotMark.proposal_id == proposal_id)
                    .group_by(BallotMark.ballot_id)
                ).all()
            )
            chosen: dict[int, str] = dict(
                conn.execute(
                    text(
                        "SELECT b.voter_id, o.label FROM ballots b "
                        "JOIN ballot_marks m ON m.ballot_id = b.id "
                        "JOIN proposal_options o ON o.id = m.option_id "
                        "WHERE b.proposal_id = :p AND m.rank = 1"
                    ),
                    {"p": proposal_id},
                ).all()
            )
    finally:
        engine.dispose()
    per_voter: dict[int, int] = {}
    revision: dict[int, int] = {}
    for _, voter, rev in rows:
        per_voter[voter] = per_voter.get(voter, 0) + 1
        revision[voter] = rev
    double = sum(1 for n in per_voter.values() if n > 1)
    double += sum(1 for ballot_id, _, _ in rows if marks.get(ballot_id, 0) != 1)
    acked: dict[int, list[tuple[int, str]]] = {}
    for voter, rev, choice in acks:
        acked.setdefault(voter, []).append((rev, choice))
    lost = repeated = wrong = 0
    for voter, seen in acked.items():
        revs = [r for r, _ in seen]
        repeated += len(revs) - len(set(revs))
        lost += max(0, len(seen) - revision.get(voter, 0))
        last_rev, last_choice = max(seen)
        if last_rev == revision.get(voter) and chosen.get(voter) != last_choice:
            wrong += 1
    return Audit(double, lost, repeated, wrong)


# --- the server and the databases ---------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of process ``pid`` and its children so far (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


STARTUP_S = 180
"""How long the server may take to answer first (workers import slowly on a busy machine)."""


@contextmanager
def serve(
    url: str, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """Run ``soviets serve`` on the database at ``url``; yields its base URL and pid."""
    port = free_port()
    command = [sys.executable, "-m", "soviets", "serve", "--db", url, "--port", str(port)]
    command += ["--tick", "0", "--workers", str(workers)]
    env = {**os.environ, **(extra_env or {})}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.communicate()[1].decode(errors="replace"))
            try:
                httpx.get(f"{base}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"soviets serve: no answer within {STARTUP_S} s") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of a new, empty database of ``kind`` (dropped or deleted afterwards)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="soviets-load-") as folder:
            yield f"sqlite:///{folder}/load.sqlite"
        return
    admin_url = os.environ.get(
        "SOVIETS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"soviets_load_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
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


# --- the command ------------------------------------------------------------------------------

HEADER = (
    f"{'clients':>7} {'ballots/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>5} {'4xx':>4} "
    f"{'5xx':>4} {'503':>4} {'dropped':>7} {'cpu ms':>6} {'client ms':>9}  audit"
)


def row(level: Level, found: Audit, cpu: float) -> str:
    """One printed line of figures for a level."""
    acked = level.count(200, 300)
    rate = acked / level.seconds if level.seconds else 0.0
    five = level.count(500, 600) - level.statuses.get(503, 0)
    verdict = "ok" if found.ok else str(found)
    return (
        f"{level.clients:>7} {rate:>9.0f} {level.percentile(0.5) * 1e3:>8.1f} "
        f"{level.percentile(0.99) * 1e3:>8.1f} {acked:>5} {level.count(400, 500):>4} "
        f"{five:>4} {level.statuses.get(503, 0):>4} {level.dropped:>7} "
        f"{cpu * 1e3 / max(1, len(level.latencies)):>6.1f} "
        f"{level.client_cpu * 1e3 / max(1, len(level.latencies)):>9.2f}  {verdict}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--levels", default="8,32,64,200,500")
    parser.add_argument("--requests", type=int, default=600, help="ballots per level")
    parser.add_argument("--members", type=int, default=1000, help="members of the council")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    with fresh_database(args.db) as url:
        vote = build_vote(url, args.members)
        print(f"{args.db}, {args.members} members, {args.workers} worker(s), ", end="")
        print(f"{args.requests} ballots per level")
        print(HEADER)
        acks: list[tuple[int, int, str]] = []
        with serve(url, args.workers) as (base, pid):
            for clients in levels:
                used = cpu_seconds(pid)
                level = asyncio.run(fire(base, vote, clients, args.requests, seed=clients))
                used = cpu_seconds(pid) - used
                acks += level.acks
                print(row(level, audit(url, vote.proposal_id, acks), used), flush=True)
                for why, n in level.errors.items():
                    print(f"        dropped {n} x {why}")


if __name__ == "__main__":
    main()
