"""``kill -9`` of the council service under a mixed write load: is any acknowledged write lost?

    python -m benchmarks.fault --db sqlite|postgres [--kills 50] [--seed 0]

Prepares a fresh database with ``soviets demo``, starts ``soviets serve`` on a
free loopback port and runs writers on several threads, each signed in as a
demo member with its own token: stock events (raise/lower by the coordinators
of three stocks), bookings of the uplands car, needs of lowlands members,
proposals (drafted, then opened) and ballots on the opened ones. At a random
moment the server is killed with SIGKILL and restarted; every write the
clients saw acknowledged (2xx) is then looked up in the database. At the end:
``soviets ledger verify``, no negative stock, no overlapping bookings, and the
stocks equal to their starting quantity plus the events recorded since.
Prints one table of figures.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from benchmarks.faultkit import Journal, Server, Write, fresh_database, prepare_demo, soviets

PASSWORD = "demo"
"""The demo members' password (``soviets demo``)."""
STOCKS = ("grain", "timber", "bread")


@dataclass
class Demo:
    """What the load needs from the demo database: councils, people, stocks, the car."""

    uplands: int
    lowlands: int
    period: str
    car: int
    people: dict[str, int]
    """Person id by e-mail."""
    uplanders: list[str]
    lowlanders: list[str]
    stocks: dict[int, str]
    """Coordinator's e-mail by the id of a stock they may change."""
    start_quantity: dict[int, float]
    last_event: int
    goods: list[str]
    tokens: dict[str, str] = field(default_factory=dict)


def read_demo(url: str) -> Demo:
    """Read the ids the load uses from a database just filled by ``soviets demo``."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            council: dict[str, int] = {
                str(name): int(cid)
                for name, cid in c.execute(text("SELECT name, id FROM councils")).all()
            }
            members = c.execute(
                text(
                    "SELECT m.council_id, p.email, p.id, m.role FROM memberships m "
                    "JOIN people p ON p.id = m.person_id WHERE m.left_at IS NULL"
                )
            ).all()
            coordinators = {cid: email for cid, email, _, role in members if role == "coordinator"}
            stocks = c.execute(
                text(
                    "SELECT id, holder_council_id, quantity FROM resources "
                    "WHERE kind = 'consumer_good' AND quantity > 0 ORDER BY id"
                )
            ).all()
            return Demo(
                uplands=council["uplands"],
                lowlands=council["lowlands"],
                period=str(c.execute(text("SELECT name FROM periods")).scalar_one()),
                car=int(
                    c.execute(text("SELECT id FROM resources WHERE name = 'car'")).scalar_one()
                ),
                people={email: pid for _, email, pid, _ in members},
                uplanders=sorted({e for cid, e, _, _ in members if cid == council["uplands"]}),
                lowlanders=sorted({e for cid, e, _, _ in members if cid == council["lowlands"]}),
                stocks={rid: coordinators[holder] for rid, holder, _ in stocks},
                start_quantity={rid: float(q) for rid, _, q in stocks},
                last_event=int(c.execute(text("SELECT max(id) FROM ledger_events")).scalar_one()),
                goods=[
                    str(g)
                    for g in c.execute(
                        text(
                            "SELECT DISTINCT g.name FROM needs n JOIN goods g ON g.id = n.good_id "
                            "ORDER BY g.name"
                        )
                    ).scalars()
                ],
            )
    finally:
        engine.dispose()


def sign_in(base: str, demo: Demo) -> None:
    """One API token per demo member (tokens are stored, so they outlive restarts)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        for email in demo.people:
            answer = client.post("/api/tokens", json={"email": email, "password": PASSWORD})
            answer.raise_for_status()
            demo.tokens[email] = answer.json()["token"]


def allow_bookings(base: str, demo: Demo) -> None:
    """Uplands votes (through the API) to let a member hold any number of bookings, so the
    bookers are refused only for overlaps (the default rule allows 2 at once)."""
    first = demo.uplanders[0]

    def call(email: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {demo.tokens[email]}"}
        answer = httpx.request(method, base + path, json=body, headers=headers, timeout=60)
        answer.raise_for_status()
        return dict(answer.json())

    rules = {"rules": {"booking.max_active": 1000}}
    draft = {"kind": "change_rules", "title": "Book the car freely", "payload": rules}
    pid = call(first, "POST", f"/api/councils/{demo.uplands}/proposals", draft)["id"]
    call(first, "POST", f"/api/proposals/{pid}/open")
    for email in demo.uplanders:
        call(email, "PUT", f"/api/proposals/{pid}/ballot", {"choice": "yes"})
    closed = call(first, "POST", f"/api/proposals/{pid}/close")
    if closed.get("outcome") != "accepted":
        raise RuntimeError(f"uplands did not change its booking rule: {closed}")


class Load:
    """The writers of one round; each stops at its first transport error (the kill)."""

    def __init__(self, base: str, demo: Demo, journal: Journal, rng: random.Random) -> None:
        self.base, self.demo, self.journal = base, demo, journal
        self.seed = rng.randrange(2**32)
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, opened: list[int], voted: set[tuple[str, int]]) -> None:
        d = self.demo
        jobs: list[tuple[str, Callable[[random.Random], tuple[str, str, dict[str, Any], Any]]]]
        jobs = [(email, self._stock(rid)) for rid, email in d.stocks.items()]
        jobs += [(email, self._booking) for email in d.uplanders[1:4]]
        jobs += [(email, self._need) for email in d.lowlanders[:3]]
        jobs += [(d.uplanders[0], self._proposal(opened))]
        jobs += [(email, self._ballot(email, opened, voted)) for email in d.uplanders[4:8]]
        for k, (email, job) in enumerate(jobs):
            rng = random.Random(self.seed + k)
            thread = threading.Thread(target=self._run, args=(email, job, rng), daemon=True)
            self.threads.append(thread)
            thread.start()

    def wait_for_ack(self, before: int, limit: float = 60) -> None:
        """Wait until this round's writers have had a first write acknowledged (at most
        ``limit`` seconds), so that every round has something to lose."""
        deadline = time.monotonic() + limit
        while self.journal.counts.get("acknowledged", 0) <= before and time.monotonic() < deadline:
            time.sleep(0.02)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _run(self, email: str, job: Callable[..., Any], rng: random.Random) -> None:
        headers = {"Authorization": f"Bearer {self.demo.tokens[email]}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=60) as client:
            while not self.stop.is_set():
                step = job(rng)
                if step is None:
                    time.sleep(0.02)
                    continue
                method, path, body, on_ack = step
                try:
                    answer = client.request(method, path, json=body)
                except httpx.TransportError:
                    self.journal.count("in flight at the kill")
                    return
                self.journal.count("requests")
                if answer.status_code >= 500:
                    self.journal.server_error(f"{method} {path} {body} -> {answer.status_code}")
                elif answer.status_code >= 400:
                    self.journal.count(f"refused {answer.status_code}")
                else:
                    on_ack(answer.json())

    def _stock(self, rid: int) -> Callable[[random.Random], Any]:
        def step(rng: random.Random) -> Any:
            body = {
                "action": rng.choice(["raise", "lower"]),
                "quantity": float(rng.randint(1, 40)),
                "mandate": "fault suite",
            }
            check = "SELECT 1 FROM ledger_events WHERE id = :a"
            return "POST", f"/api/resources/{rid}/events", body, self._acked("stock event", check)

        return step

    def _booking(self, rng: random.Random) -> Any:
        day = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        starts = day + timedelta(hours=rng.randrange(24 * 30))
        body = {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=rng.randint(1, 3))).isoformat(),
        }
        check = "SELECT 1 FROM bookings WHERE id = :a AND cancelled_at IS NULL"
        path = f"/api/resources/{self.demo.car}/bookings"
        return "POST", path, body, self._acked("booking", check)

    def _need(self, rng: random.Random) -> Any:
        body = {
            "period": self.demo.period,
            "good": rng.choice(self.demo.goods),
            "quantity": float(rng.randint(1, 9)),
            "priority": rng.choice(["essential", "normal"]),
        }
        check = "SELECT 1 FROM needs WHERE id = :a"
        path = f"/api/councils/{self.demo.lowlands}/needs"
        return "POST", path, body, self._acked("need", check)

    def _proposal(self, opened: list[int]) -> Callable[[random.Random], Any]:
        drafts: list[int] = []

        def drafted(answer: dict[str, Any]) -> None:
            self._acked("proposal", "SELECT 1 FROM proposals WHERE id = :a")(answer)
            drafts.append(int(answer["id"]))

        def was_opened(answer: dict[str, Any]) -> None:
            pid = int(answer["id"])
            check = "SELECT 1 FROM proposals WHERE id = :a AND status = 'open'"
            self.journal.ack(Write("opening", (pid,), check))
            opened.append(pid)

        def step(rng: random.Random) -> Any:
            if drafts:
                return "POST", f"/api/proposals/{drafts.pop()}/open", None, was_opened
            body = {"title": f"Fault suite proposal {rng.randrange(10**6)}"}
            return "POST", f"/api/councils/{self.demo.uplands}/proposals", body, drafted

        return step

    def _ballot(
        self, email: str, opened: list[int], voted: set[tuple[str, int]]
    ) -> Callable[[random.Random], Any]:
        voter = self.demo.people[email]

        def step(rng: random.Random) -> Any:
            todo = [p for p in opened if (email, p) not in voted]
            if not todo:
                return None
            pid = rng.choice(todo)
            voted.add((email, pid))  # once only, acknowledged or not

            def cast(_: dict[str, Any]) -> None:
                check = "SELECT 1 FROM ballots WHERE proposal_id = :a AND voter_id = :b"
                self.journal.ack(Write("ballot", (pid, voter), check))

            body = {"choice": rng.choice(["yes", "no", "abstain"])}
            return "PUT", f"/api/proposals/{pid}/ballot", body, cast

        return step

    def _acked(self, kind: str, check: str) -> Callable[[dict[str, Any]], None]:
        def record(answer: dict[str, Any]) -> None:
            self.journal.ack(Write(kind, (int(answer["id"]),), check))

        return record


INVARIANTS = {
    "negative stocks": "SELECT count(*) FROM resources WHERE quantity < 0",
    "overlapping bookings": (
        "SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id "
        "AND a.id < b.id AND a.cancelled_at IS NULL AND b.cancelled_at IS NULL "
        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
    ),
}


def invariants(url: str, demo: Demo) -> dict[str, int]:
    """Counts of broken invariants (all should be 0), the stocks' quantities against events."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            found = {
                name: int(c.execute(text(sql)).scalar_one()) for name, sql in INVARIANTS.items()
            }
            off = 0
            for rid, start in demo.start_quantity.items():
                now = float(
                    c.execute(text("SELECT quantity FROM resources WHERE id = :r"), {"r": rid})
                    .scalar_one()
                )  # fmt: skip
                moved = c.execute(
                    text(
                        "SELECT coalesce(sum(CASE WHEN action = 'raise' THEN quantity "
                        "ELSE -quantity END), 0) FROM ledger_events "
                        "WHERE resource_id = :r AND id > :e"
                    ),
                    {"r": rid, "e": demo.last_event},
                ).scalar_one()
                off += abs(now - (start + float(moved))) > 1e-6
            found["stocks not equal to their events"] = off
            return found
    finally:
        engine.dispose()


@dataclass
class Figures:
    """What one run measured."""

    db: str
    kills: int
    journal: Journal
    lost: list[Write]
    restart_seconds: list[float]
    broken: dict[str, int]
    verify_ok: bool
    verify_line: str
    seconds: float

    def rows(self) -> list[tuple[str, str]]:
        counts = self.journal.counts
        by_kind: dict[str, int] = {}
        for w in self.journal.acknowledged:
            by_kind[w.kind] = by_kind.get(w.kind, 0) + 1
        rows = [
            ("database", self.db),
            ("kill -9 of the server", str(self.kills)),
            ("requests answered", str(counts.get("requests", 0))),
            ("writes acknowledged (2xx)", str(counts.get("acknowledged", 0))),
            ("  of which", ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()))),
            ("requests in flight at a kill", str(counts.get("in flight at the kill", 0))),
        ]
        rows += [(k, str(v)) for k, v in sorted(counts.items()) if k.startswith("refused")]
        rows += [
            ("server errors (5xx)", str(counts.get("5xx", 0))),
            ("acknowledged writes lost", str(len(self.lost))),
            ("soviets ledger verify", self.verify_line),
        ]
        rows += [(k, str(v)) for k, v in self.broken.items()]
        if self.restart_seconds:
            rows.append(
                (
                    "restart to first answer, s (median / max)",
                    f"{median(self.restart_seconds):.2f} / {max(self.restart_seconds):.2f}",
                )
            )
        rows.append(("wall time, s", f"{self.seconds:.0f}"))
        return rows

    @property
    def ok(self) -> bool:
        return (
            not self.lost
            and not self.journal.server_errors
            and self.verify_ok
            and not any(self.broken.values())
        )


def run(
    kind: str,
    kills: int,
    folder: Path,
    *,
    seed: int = 0,
    window: tuple[float, float] = (0.1, 1.5),
    say: Callable[[str], None] = lambda _: None,
    prepare: Callable[[str], None] = prepare_demo,
) -> Figures:
    """Prepare a demo database of ``kind``, kill the loaded server ``kills`` times, check.

    ``prepare`` fills the new, empty database at a URL with the demo (default:
    ``soviets demo``; the tests copy a demo built once per session)."""
    began = time.monotonic()
    rng = random.Random(seed)
    journal = Journal()
    lost: list[Write] = []
    restarts: list[float] = []
    with fresh_database(kind, folder) as url:
        prepare(url)
        demo = read_demo(url)
        server = Server(url, folder / "serve.log")
        server.start()
        opened: list[int] = []
        voted: set[tuple[str, int]] = set()
        try:
            sign_in(server.base, demo)
            allow_bookings(server.base, demo)
            for k in range(kills):
                load = Load(server.base, demo, journal, rng)
                load.start(opened, voted)
                load.wait_for_ack(before=journal.counts.get("acknowledged", 0))
                time.sleep(rng.uniform(*window))
                server.kill()
                load.finish()
                restarts.append(server.start())
                missing = journal.missing(url)
                lost += [w for w in missing if w not in lost]
                say(
                    f"kill {k + 1}/{kills}: {journal.counts.get('acknowledged', 0)} acknowledged "
                    f"so far, {len(missing)} missing, restarted in {restarts[-1]:.1f} s"
                )
        finally:
            server.stop()
        verified = soviets("ledger", "verify", "--db", url)
        broken = invariants(url, demo)
    return Figures(
        db=kind,
        kills=kills,
        journal=journal,
        lost=lost,
        restart_seconds=restarts,
        broken=broken,
        verify_ok=verified.returncode == 0,
        verify_line="passes" if verified.returncode == 0 else verified.stdout.strip()[:200],
        seconds=time.monotonic() - began,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    console = Console(width=110)
    with tempfile.TemporaryDirectory(prefix="soviets-fault-") as tmp:
        figures = run(args.db, args.kills, Path(tmp), seed=args.seed, say=console.print)
    table = Table(title=f"kill -9 under mixed load ({args.db})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.rows():
        table.add_row(name, value)
    console.print(table)
    for line in figures.journal.server_errors[:20]:
        console.print(f"5xx: {line}", markup=False)
    for w in figures.lost[:20]:
        console.print(f"lost: {w.kind} {w.key}", markup=False)
    raise SystemExit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
