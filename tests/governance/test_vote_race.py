"""Race: 50 threads cast ballots for the same 10 members at once; no member counts twice."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from soviets.governance import ballots
from soviets.governance.errors import Conflict
from soviets.ledger.db import transaction
from soviets.ledger.models import Ballot, Elector, SecretBallot, Voted

from .conftest import T0, Gov

THREADS = 50
MEMBERS = 10


def _cast(factory: sessionmaker[Session], person: int, pid: int, choice: str):  # type: ignore[no-untyped-def]
    """One voter's attempt in its own session; retried on lock timeouts or deadlocks only."""
    for _ in range(20):
        try:
            with transaction(factory) as s:
                return ballots.cast_ballot(s, person, pid, choice, now=T0)
        except Conflict as exc:
            return exc
        except OperationalError as exc:  # a busy database or a deadlock victim: try again
            last = exc
    raise last


def _race(factory: sessionmaker[Session], members: list[int], pid: int) -> list[tuple]:
    barrier = threading.Barrier(THREADS)

    def worker(i: int) -> tuple:
        person = members[i % MEMBERS]
        choice = ("yes", "no", "abstain")[i % 3]
        barrier.wait()
        return person, choice, _cast(factory, person, pid, choice)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(worker, range(THREADS)))


@pytest.fixture
def assembly(gov: Gov) -> tuple[int, list[int]]:
    members = gov.people(*[f"Member{i}" for i in range(MEMBERS)])
    return gov.council(members[0], "assembly", members[1:]), members


@pytest.mark.slow
def test_open_ballot_race(gov: Gov, factory, assembly) -> None:
    council, members = assembly
    pid = gov.propose(members[0], council, quorum=0)
    gov.open(members[0], pid)
    results = _race(factory, members, pid)
    assert all(not isinstance(r, Exception) for _, _, r in results)
    # Each member's ballot was written 5 times in turn: revisions 1..5, none lost or doubled.
    revisions = Counter()
    final_choice = {}
    for person, choice, r in results:
        revisions[(person, r.revision)] += 1
        if r.revision == THREADS // MEMBERS:
            final_choice[person] = choice
    assert all(n == 1 for n in revisions.values())
    assert len(revisions) == THREADS
    with gov.tx() as s:
        rows = s.scalars(select(Ballot).where(Ballot.proposal_id == pid)).all()
        assert sorted(b.voter_id for b in rows) == sorted(members)
        assert {ballots.my_ballot(s, m, pid) for m in members} <= {"yes", "no", "abstain"}
        # Only the last ballot of each member counts.
        assert {m: ballots.my_ballot(s, m, pid) for m in members} == final_choice
    p = gov.close(members[0], pid)
    assert p.ballots_counted == MEMBERS
    assert sum(p.result_data["tally"]["tallies"].values()) == MEMBERS


@pytest.mark.slow
def test_secret_ballot_race(gov: Gov, factory, assembly) -> None:
    council, members = assembly
    pid = gov.propose(members[0], council, quorum=0, secret=True)
    gov.open(members[0], pid)
    results = _race(factory, members, pid)
    cast = [(person, r) for person, _, r in results if not isinstance(r, Exception)]
    refused = [r for _, _, r in results if isinstance(r, Conflict)]
    assert sorted(person for person, _ in cast) == sorted(members)  # one first ballot each
    assert len(refused) == THREADS - MEMBERS
    assert all("receipt" in str(r) for r in refused)
    with gov.tx() as s:
        assert s.scalar(select(func.count()).where(Voted.proposal_id == pid)) == MEMBERS
        assert s.scalar(select(func.count()).where(SecretBallot.proposal_id == pid)) == MEMBERS
        voters = set(s.scalars(select(Voted.person_id).where(Voted.proposal_id == pid)))
        electorate = set(s.scalars(select(Elector.person_id).where(Elector.proposal_id == pid)))
        assert voters == electorate
    p = gov.close(members[0], pid)
    assert p.ballots_counted == MEMBERS
    assert sum(p.result_data["tally"]["tallies"].values()) == MEMBERS
