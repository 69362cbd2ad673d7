"""A member's open ballot takes a fixed, small number of SQL statements, whatever the council."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from soviets.governance import ballots
from soviets.ledger.models import Ballot

from .conftest import T0, Gov


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def vote(gov: Gov) -> tuple[int, list[int]]:
    people = gov.people(*(f"P{i}" for i in range(12)))
    council = gov.council(people[0], "bakery", people[1:])
    pid = gov.propose(people[0], council, method="schulze", options=["rye", "spelt", "oat"])
    gov.open(people[0], pid)
    return pid, people


def test_first_and_changed_ballot_in_three_and_four_statements(
    gov: Gov, engine: Engine, vote: tuple[int, list[int]]
) -> None:
    pid, people = vote
    with statements(engine) as first:
        assert gov.vote(people[3], pid, "spelt>rye=oat").revision == 1
    with statements(engine) as changed:
        result = gov.vote(people[3], pid, "oat>spelt")
    assert result.revision == 2
    assert result.ballot == "oat>spelt"
    # one read (proposal, elector, membership, options), the upsert, [old marks out,] the marks
    assert [s for s in first if s != "BEGIN"] == ["SELECT", "INSERT", "INSERT"]
    assert [s for s in changed if s != "BEGIN"] == ["SELECT", "INSERT", "DELETE", "INSERT"]
    with gov.tx() as s:
        assert ballots.my_ballot(s, people[3], pid) == "oat>spelt"


def test_ballot_loaded_earlier_in_the_session_shows_the_change(
    gov: Gov, vote: tuple[int, list[int]]
) -> None:
    pid, people = vote
    gov.vote(people[5], pid, "rye")
    with gov.tx() as s:
        held = s.scalar(select(Ballot).where(Ballot.voter_id == people[5]))
        assert held is not None and held.revision == 1
        ballots.cast_ballot(s, people[5], pid, "oat", now=T0)
        assert held.revision == 2
