"""Votes close at their deadline without anyone asking: ``soviets tick`` (cron) and the
clock inside ``soviets serve``; on both databases."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from fastapi.testclient import TestClient

from clirun import soviets, soviets_process
from databases import Databases
from soviets.governance import ballots, councils, proposals
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.migrate import upgrade
from soviets.ledger.models import Person, Proposal
from soviets.ledger.types import utcnow
from soviets.server import create_app


def _overdue_vote(url: str, databases: Databases) -> int:
    """A council of one whose yes vote passed its deadline an hour ago (real time), in
    the database at ``url`` (migrated: a copy of the session's migrated template)."""
    databases.seed(url, upgrade)
    engine = make_engine(url)
    start = utcnow() - timedelta(days=2)
    try:
        with transaction(session_factory(engine)) as s:
            ann = Person(name="Ann", email="ann@example.org")
            s.add(ann)
            s.flush()
            council = councils.create_council(s, ann.id, name="mill", kind="workplace", now=start)
            pid = proposals.create_proposal(
                s, ann.id, council.id, kind="general", title="Paint the mill",
                closes_at=utcnow() - timedelta(hours=1), now=start,
            ).id  # fmt: skip
            proposals.open_proposal(s, ann.id, pid, now=start)
            ballots.cast_ballot(s, ann.id, pid, "yes", now=start)
        return pid
    finally:
        engine.dispose()


def _status(url: str, pid: int) -> tuple[str, str | None]:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            p = s.get(Proposal, pid)
            assert p is not None
            return p.status, p.outcome
    finally:
        engine.dispose()


def _tick(url: str, *extra: str, process: bool = False) -> str:
    """``soviets tick`` in this process, or as a real process (as cron runs it)."""
    done = (soviets_process if process else soviets)("tick", "--db", url, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_tick_closes_overdue_votes(db_url: str, databases: Databases) -> None:
    pid = _overdue_vote(db_url, databases)
    assert _status(db_url, pid) == ("open", None)
    assert json.loads(_tick(db_url, "--json", process=True)) == {
        "closed": [{"proposal_id": pid, "outcome": "accepted"}],
        "revised": [],  # no adopted plan
        "mailed": {"notices": 0, "digests": 0, "failed": 0},  # no mail server configured
    }
    assert _status(db_url, pid) == ("closed", "accepted")
    assert "no vote was past its deadline" in _tick(db_url)


def test_the_service_clock_closes_overdue_votes(db_url: str, databases: Databases) -> None:
    pid = _overdue_vote(db_url, databases)
    with TestClient(create_app(db_url, tick_seconds=0.2)):
        deadline = time.monotonic() + 120
        while _status(db_url, pid)[0] == "open":
            assert time.monotonic() < deadline, "the clock did not close the vote in 120 s"
            time.sleep(0.1)
    assert _status(db_url, pid) == ("closed", "accepted")


def test_no_clock_unless_asked(db_url: str, databases: Databases) -> None:
    pid = _overdue_vote(db_url, databases)
    with TestClient(create_app(db_url)):
        time.sleep(0.5)
    assert _status(db_url, pid) == ("open", None)
