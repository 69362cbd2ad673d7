"""Ballots: one member one vote in the database, the last ballot counts, secret ballots."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from soviets.governance import ballots, proposals
from soviets.governance.errors import Conflict, Forbidden
from soviets.ledger.models import Ballot, SecretBallot, Voted

from .conftest import T0, Gov


@pytest.fixture
def crew(gov: Gov) -> tuple[int, list[int]]:
    people = gov.people("Ann", "Bob", "Cat", "Dan")
    return gov.council(people[0], "dairy", people[1:]), people


def test_second_ballot_row_refused_by_the_database(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(ann, council)
    gov.open(ann, pid)
    gov.vote(bob, pid, "yes")
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(
            text(
                "INSERT INTO ballots (proposal_id, voter_id, cast_at, changed_at, revision) "
                f"VALUES ({pid}, {bob}, '2030-01-01', '2030-01-01', 1)"
            )
        )
    # ... and a ballot from outside the electorate (foreign key to the electorate).
    (zed,) = gov.people("Zed")
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(
            text(
                "INSERT INTO ballots (proposal_id, voter_id, cast_at, changed_at, revision) "
                f"VALUES ({pid}, {zed}, '2030-01-01', '2030-01-01', 1)"
            )
        )


def test_second_voted_row_refused_by_the_database(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(ann, council, secret=True)
    gov.open(ann, pid)
    gov.vote(bob, pid, "yes")
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(text(f"INSERT INTO voted (proposal_id, person_id) VALUES ({pid}, {bob})"))


def test_mark_must_name_an_option_of_the_same_proposal(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    first = gov.propose(ann, council)
    other = gov.propose(ann, council)
    for pid in (first, other):
        gov.open(ann, pid)
    gov.vote(bob, first, "yes")
    with gov.tx() as s:
        ballot = s.scalar(select(Ballot.id).where(Ballot.proposal_id == first))
        option = s.execute(
            text(f"SELECT id FROM proposal_options WHERE proposal_id = {other} LIMIT 1")
        ).scalar()
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(
            text(
                "INSERT INTO ballot_marks (ballot_id, option_id, proposal_id, rank) "
                f"VALUES ({ballot}, {option}, {first}, 2)"
            )
        )


def test_changed_ballot_only_last_counts(gov: Gov, crew) -> None:
    council, (ann, bob, cat, dan) = crew
    pid = gov.propose(ann, council, quorum=0)
    gov.open(ann, pid)
    assert gov.vote(bob, pid, "yes").revision == 1
    assert gov.vote(bob, pid, "no").revision == 2
    assert gov.vote(bob, pid, "abstain").revision == 3
    gov.vote(cat, pid, "no")
    with gov.tx() as s:
        assert s.scalar(select(func.count()).where(Ballot.voter_id == bob)) == 1
        assert ballots.my_ballot(s, bob, pid) == "abstain"
    p = gov.close(ann, pid)
    tallies = json.loads(p.result)["tally"]["tallies"]
    assert tallies == {"yes": 0, "no": 1, "abstain": 1}
    assert p.ballots_counted == 2


def test_secret_ballot_stores_no_link_to_the_voter(gov: Gov, crew, engine) -> None:
    # The schema: the choice tables have no voter, no time, no sequence; on SQLite no rowid.
    insp = inspect(engine)
    assert {c["name"] for c in insp.get_columns("secret_ballots")} == {"key", "proposal_id"}
    assert {c["name"] for c in insp.get_columns("secret_marks")} == {
        "ballot_key",
        "option_id",
        "proposal_id",
        "rank",
    }
    assert {c["name"] for c in insp.get_columns("voted")} == {"proposal_id", "person_id"}
    for table in ("secret_ballots", "secret_marks"):
        referred = {fk["referred_table"] for fk in insp.get_foreign_keys(table)}
        assert referred <= {"proposals", "proposal_options", "secret_ballots"}
    # The data: three secret ballots; what the tables hold names nobody.
    council, (ann, bob, cat, dan) = crew
    pid = gov.propose(ann, council, secret=True, quorum=0)
    gov.open(ann, pid)
    receipts = {
        p: gov.vote(p, pid, c).receipt for p, c in ((ann, "yes"), (bob, "no"), (cat, "yes"))
    }
    assert all(r and len(r) >= 40 for r in receipts.values())
    with gov.tx() as s:
        assert sorted(s.scalars(select(Voted.person_id))) == [ann, bob, cat]
        assert s.scalar(select(func.count()).select_from(SecretBallot)) == 3
        stored = {
            str(v)
            for table in ("secret_ballots", "secret_marks", "voted")
            for row in s.execute(text(f"SELECT * FROM {table}"))
            for v in row
        }
        assert not any(r in stored for r in receipts.values())
        assert s.scalar(select(func.count()).select_from(Ballot)) == 0
        if engine.dialect.name == "sqlite":
            with pytest.raises(Exception, match="rowid"):
                s.execute(text("SELECT rowid FROM secret_ballots")).all()
        # Readers see who voted, never what they chose.
        views = ballots.list_ballots(s, dan, pid)
        assert [(v.voter_id, v.ballot) for v in views] == [(ann, None), (bob, None), (cat, None)]
        # While open, only the turnout is shown: a running tally would reveal the last voter.
        assert proposals.live_tally(s, dan, pid) == {
            "status": "open",
            "electorate": 4,
            "ballots": 3,
        }
    p = gov.close(ann, pid)
    assert json.loads(p.result)["tally"]["tallies"] == {"yes": 2, "no": 1, "abstain": 0}
    with gov.tx() as s:  # closing rewrote the rows; the counts stand
        assert s.scalar(select(func.count()).select_from(SecretBallot)) == 3


def test_secret_ballot_changed_with_its_receipt(gov: Gov, crew) -> None:
    council, (ann, bob, cat, dan) = crew
    pid = gov.propose(ann, council, secret=True, quorum=0)
    gov.open(ann, pid)
    receipt = gov.vote(bob, pid, "yes").receipt
    other = gov.vote(cat, pid, "yes").receipt
    with pytest.raises(Conflict, match="receipt"):
        gov.vote(bob, pid, "no")  # a second ballot without the receipt
    with pytest.raises(Forbidden, match="matches no ballot"):
        gov.vote(bob, pid, "no", receipt="not-a-receipt")
    with pytest.raises(Forbidden, match="not voted"):
        gov.vote(dan, pid, "no", receipt=receipt)
    changed = gov.vote(bob, pid, "no", receipt=receipt)
    assert changed.receipt is None
    with gov.tx() as s:
        assert ballots.my_ballot(s, bob, pid, receipt=receipt) == "no"
        assert ballots.my_ballot(s, bob, pid) is None
        assert ballots.has_voted(s, bob, pid)
    p = gov.close(ann, pid)
    assert json.loads(p.result)["tally"]["tallies"] == {"yes": 1, "no": 1, "abstain": 0}
    assert other


def test_cast_refused_outside_an_open_vote(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(ann, council)
    with pytest.raises(Conflict, match="not open"):
        gov.vote(bob, pid, "yes")
    gov.open(ann, pid)
    with pytest.raises(Conflict, match="open ballot"):
        gov.vote(bob, pid, "yes", receipt="x")
    gov.vote(bob, pid, "yes", now=T0)


def test_member_who_left_loses_the_vote_they_had_at_opening(gov: Gov, crew) -> None:
    from soviets.governance import councils

    council, (ann, bob, cat, dan) = crew
    pid = gov.propose(ann, council, quorum=0)
    gov.open(ann, pid)
    with gov.tx() as s:
        councils.leave_council(s, dan, council, now=T0)
    with pytest.raises(Forbidden, match="left the council"):  # rechecked at every ballot
        gov.vote(dan, pid, "yes")
    with pytest.raises(Forbidden, match="not a member"):
        gov.propose(dan, council)
