"""Proposals: rules frozen once open (Python and database), quorum, methods, times, closing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from soviets.governance import accounts, proposals, rules
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger.models.governance import FROZEN_COLUMNS, governance_ddl

from .conftest import LATER, T0, Gov


@pytest.fixture
def crew(gov: Gov) -> tuple[int, list[int]]:
    """A workplace council of five: the founder (coordinator) and four members."""
    people = gov.people("Ann", "Bob", "Cat", "Dan", "Eve")
    council = gov.council(people[0], "mill", people[1:])
    return council, people


def test_ddl_passes_through_any_driver() -> None:
    for dialect in ("sqlite", "postgresql"):
        for _table, statement in governance_ddl(dialect):
            assert "%" not in statement
            assert not any(":" + c in statement for c in "abcdefghijklmnopqrstuvwxyz")


def test_draft_open_count(gov: Gov, crew) -> None:
    council, (ann, bob, cat, dan, eve) = crew
    pid = gov.propose(bob, council, title="Buy a lathe", quorum=0.6)
    gov.open(bob, pid)
    for person, choice in ((ann, "yes"), (bob, "yes"), (cat, "no"), (dan, "abstain")):
        gov.vote(person, pid, choice)
    p = gov.close(bob, pid)
    assert (p.status, p.outcome, p.winner, p.ballots_counted) == ("closed", "accepted", "yes", 4)
    result = json.loads(p.result)
    assert result["tally"]["tallies"] == {"yes": 2, "no": 1, "abstain": 1}
    assert (result["electorate"], result["quorum_needed"], result["quorum_met"]) == (5, 3, True)


def test_rules_frozen_in_python(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(bob, council, quorum=0.5)
    with gov.tx() as s:  # a draft may change
        proposals.update_draft(s, bob, pid, quorum=0.8, title="better title", now=T0)
    gov.open(bob, pid)
    with pytest.raises(Conflict, match="frozen once voting opens"), gov.tx() as s:
        proposals.update_draft(s, bob, pid, quorum=0.1, now=T0)
    with pytest.raises(Conflict, match="frozen"), gov.tx() as s:
        proposals.delete_draft(s, bob, pid)
    assert gov.get(pid).quorum == 0.8


FROZEN_SQL = [
    "UPDATE proposals SET quorum = 0.01",
    "UPDATE proposals SET method = 'consent'",
    "UPDATE proposals SET payload = '{\"x\": 1}'",
    "UPDATE proposals SET closes_at = NULL",
    "UPDATE proposals SET secret = NOT secret",
    "UPDATE proposals SET title = 'other'",
    "UPDATE proposals SET status = 'draft'",
    "UPDATE proposal_options SET label = 'maybe' WHERE label = 'no'",
    "INSERT INTO proposal_options (proposal_id, label, position, payload) "
    "SELECT id, 'maybe', 9, '{}' FROM proposals",
    "DELETE FROM proposal_options",
    "DELETE FROM proposals",
]


def test_rules_frozen_in_the_database(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(bob, council, closes_at=T0 + timedelta(days=1))
    gov.open(bob, pid)
    for sql in FROZEN_SQL:
        with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
            s.execute(text(sql))
    # The electorate may change while open (delegates), never once closed.
    with gov.tx() as s:
        s.execute(text("UPDATE electorate SET removed_at = NULL"))
        s.execute(
            text(
                "UPDATE proposals SET status = 'closed', outcome = 'rejected', "
                "closed_at = opened_at"
            )
        )
    with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
        s.execute(text("DELETE FROM electorate"))
    assert gov.get(pid).quorum == 0.5


def test_frozen_columns_cover_the_rules() -> None:
    rules_of_a_vote = {"kind", "method", "quorum", "secret", "payload", "opens_at", "closes_at"}
    assert rules_of_a_vote <= set(FROZEN_COLUMNS)


def test_closed_proposal_never_changes(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(bob, council)
    gov.open(bob, pid)
    gov.vote(ann, pid, "yes")
    gov.close(bob, pid)
    for sql in (
        "UPDATE proposals SET outcome = 'rejected'",
        "UPDATE proposals SET result = '{}'",
        "UPDATE ballots SET revision = 7",
        f"INSERT INTO electorate (proposal_id, person_id) VALUES ({pid}, {bob})",
    ):
        with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
            s.execute(text(sql))
    with pytest.raises(Conflict, match="not open"):
        gov.vote(bob, pid, "no")


def test_ballots_only_while_open_in_the_database(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    pid = gov.propose(bob, council)
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(text(f"INSERT INTO electorate (proposal_id, person_id) VALUES ({pid}, {ann})"))
        s.execute(
            text(
                f"INSERT INTO ballots (proposal_id, voter_id, cast_at, changed_at, revision)"
                f" VALUES ({pid}, {ann}, '2030-01-01', '2030-01-01', 1)"
            )
        )


def test_quorum(gov: Gov, crew) -> None:
    council, people = crew
    cases = [(0.6, 3, True), (0.6, 2, False), (1.0, 5, True), (1.0, 4, False), (0.0, 1, True)]
    for quorum, voters, accepted in cases:
        pid = gov.propose(people[0], council, quorum=quorum)
        gov.open(people[0], pid)
        for person in people[:voters]:
            gov.vote(person, pid, "yes")
        p = gov.close(people[0], pid)
        assert p.outcome == ("accepted" if accepted else "rejected"), (quorum, voters)
        if not accepted:
            assert "quorum not met" in json.loads(p.result)["reason"]


def test_abstentions_count_for_quorum_not_for_majority(gov: Gov, crew) -> None:
    council, (ann, bob, cat, dan, eve) = crew
    pid = gov.propose(ann, council, quorum=0.8)
    gov.open(ann, pid)
    gov.vote(ann, pid, "yes")
    for p in (bob, cat, dan):
        gov.vote(p, pid, "abstain")
    assert gov.close(ann, pid).outcome == "accepted"


def test_default_quorum_is_a_council_rule(gov: Gov, crew) -> None:
    council, (ann, bob, cat, dan, eve) = crew
    assert gov.get(gov.propose(ann, council)).quorum == float(rules.DEFAULT_TEXT["proposal.quorum"])
    changed = gov.decide(
        council,
        ann,
        [ann, bob, cat],
        kind="change_rules",
        payload={"rules": {"proposal.quorum": 0.8}},
    )
    assert changed.outcome == "accepted"
    assert gov.get(gov.propose(ann, council)).quorum == 0.8
    # A proposer may raise the council's quorum and floor, never lower them.
    with gov.tx() as s, pytest.raises(InputError, match="never lower it"):
        proposals.create_proposal(s, ann, council, kind="general", title="q", quorum=0.5, now=T0)
    assert gov.get(gov.propose(ann, council, quorum=0.9, floor=0.3)).floor == 0.3


METHOD_CASES = [
    ("majority", ["yes", "yes", "no"], True),
    ("majority", ["yes", "no"], False),  # a tie fails
    ("two-thirds", ["yes", "yes", "no"], True),  # exactly two thirds
    ("two-thirds", ["yes", "yes", "no", "no", "yes"], False),  # 3/5 < 2/3
    ("consent", ["yes", "yes", "abstain", "yes"], True),
    ("consent", ["yes", "yes", "object", "yes"], False),
    ("consent", ["yes", "no", "yes", "yes"], False),  # 'no' is an objection
]


def test_methods(gov: Gov, crew) -> None:
    council, people = crew
    for method, ballots, accepted in METHOD_CASES:
        pid = gov.propose(people[0], council, method=method, quorum=0)
        gov.open(people[0], pid)
        for person, choice in zip(people, ballots, strict=False):
            gov.vote(person, pid, choice)
        p = gov.close(people[0], pid)
        assert p.outcome == ("accepted" if accepted else "rejected"), (method, ballots, p.result)


def test_schulze_wikipedia_example_through_a_proposal(gov: Gov) -> None:
    """Schulze's 45-voter example: winner E, order E > A > C > B > D."""
    groups = [
        ("A>C>B>E>D", 5),
        ("A>D>E>C>B", 5),
        ("B>E>D>A>C", 8),
        ("C>A>B>E>D", 3),
        ("C>A>E>B>D", 7),
        ("C>B>A>D>E", 2),
        ("D>C>E>B>A", 7),
        ("E>B>A>D>C", 8),
    ]
    people = gov.people(*[f"Voter{i}" for i in range(45)])
    council = gov.council(people[0], "assembly", people[1:], kind="territorial")
    pid = gov.propose(
        people[0], council, method="schulze", options=["A", "B", "C", "D", "E"], quorum=1.0
    )
    gov.open(people[0], pid)
    voters = iter(people)
    for ranking, n in groups:
        for _ in range(n):
            gov.vote(next(voters), pid, ranking)
    p = gov.close(people[0], pid)
    result = json.loads(p.result)
    assert (p.outcome, p.winner) == ("accepted", "E")
    assert result["tally"]["order"] == ["E", "A", "C", "B", "D"]
    assert result["tally"]["pairwise"]["A"]["B"] == 20
    assert result["tally"]["pairwise"]["B"]["A"] == 25


def test_ranked_ballot_forms(gov: Gov, crew) -> None:
    council, (ann, bob, cat, *_) = crew
    pid = gov.propose(ann, council, method="schulze", options=["red", "green", "blue"], quorum=0)
    gov.open(ann, pid)
    assert gov.vote(ann, pid, [["green", "red"], "blue"]).ballot == "red=green>blue"
    assert gov.vote(bob, pid, "blue").ballot == "blue"
    with pytest.raises(InputError, match="unknown option 'pink'"):
        gov.vote(cat, pid, "pink>red")
    with pytest.raises(InputError, match="ranked twice"):
        gov.vote(cat, pid, "red>red")


BAD_PROPOSALS = [
    ({"method": "plurality"}, "unknown method"),
    ({"kind": "coup"}, "unknown kind"),
    ({"quorum": 1.5}, "quorum"),
    ({"title": " "}, "title"),
    ({"method": "schulze", "options": ["only"]}, "at least two options"),
    ({"method": "schulze", "options": ["a>b", "c"]}, "without '>'"),
    ({"method": "schulze", "options": ["a", "a"]}, "twice"),
    ({"options": ["a", "b"]}, "fixed options"),
    ({"payload": {"x": 1}}, "payload.x': unknown key"),
    ({"closes_at": T0 - timedelta(seconds=1)}, "at least 24 hours after it opens"),
    ({"closes_at": T0 + timedelta(hours=23)}, "at least 24 hours after it opens"),
    ({"floor": -0.1}, "floor"),
    ({"kind": "admit_member", "payload": {}}, "payload.person_id"),
    ({"kind": "change_rules", "payload": {"rules": {"booking.max_hours": -1}}}, ">= "),
    ({"kind": "change_rules", "payload": {"rules": {"nap.length": 1}}}, "unknown rule"),
]


def test_bad_proposals_refused(gov: Gov, crew) -> None:
    council, (ann, *_) = crew
    for kw, message in BAD_PROPOSALS:
        with pytest.raises(InputError, match=message):
            gov.propose(ann, council, **kw)


def test_times(gov: Gov, crew) -> None:
    council, (ann, bob, *_) = crew
    opens, closes = T0 + timedelta(hours=1), T0 + timedelta(hours=26)
    pid = gov.propose(bob, council, opens_at=opens, closes_at=closes)
    with pytest.raises(Conflict, match="opens at"):
        gov.open(bob, pid, now=T0)
    gov.open(bob, pid, now=opens)
    gov.vote(ann, pid, "yes", now=opens + timedelta(minutes=5))
    with pytest.raises(Conflict, match="open until"):
        gov.close(ann, pid, now=closes - timedelta(minutes=1))
    with pytest.raises(Conflict, match="closed at"):
        gov.vote(bob, pid, "no", now=closes)
    # After the closing time any member may close.
    assert gov.close(ann, pid, now=closes).outcome == "rejected"  # 1 of 5 < quorum 3


def test_who_may_open_and_close(gov: Gov, crew) -> None:
    council, (ann, bob, cat, *_) = crew
    (outsider,) = gov.people("Zed")
    pid = gov.propose(bob, council)
    with pytest.raises(Forbidden, match="proposer or a coordinator"):
        gov.open(cat, pid)
    gov.open(ann, pid)  # Ann founded the council: coordinator
    assert gov.get(pid).closes_at == T0 + timedelta(days=7)  # the default voting time
    for person in (bob, ann, cat):  # not the proposer, not a coordinator, not anyone
        with pytest.raises(Conflict, match="could still change the result"):
            gov.close(person, pid, now=LATER)
    with pytest.raises(Forbidden):
        gov.close(outsider, pid)
    assert gov.close(cat, pid, now=T0 + timedelta(days=7)).status == "closed"


def test_non_member_actions_refused(gov: Gov, crew) -> None:
    council, (ann, *_) = crew
    (zed,) = gov.people("Zed")
    with pytest.raises(Forbidden, match="Zed is not a member of council 'mill'"):
        gov.propose(zed, council)
    pid = gov.propose(ann, council)
    gov.open(ann, pid)
    with pytest.raises(Forbidden, match="Zed has no vote on proposal"):
        gov.vote(zed, pid, "yes")
    with pytest.raises(Forbidden, match="not public"), gov.tx() as s:
        proposals.get_proposal(s, zed, pid)
    with pytest.raises(Forbidden), gov.tx() as s:
        proposals.list_proposals(s, zed, council)
    with pytest.raises(Forbidden), gov.tx() as s:
        proposals.live_tally(s, None, pid)


def test_electorate_is_fixed_when_voting_opens(gov: Gov, crew) -> None:
    council, (ann, bob, cat, *_) = crew
    (newcomer,) = gov.people("Newt")
    pid = gov.propose(ann, council, quorum=0)
    gov.open(ann, pid)
    with gov.tx() as s:  # Newt joins by accepting an invitation, after voting opened
        link = accounts.create_invitation(s, ann, council, now=T0)
        accounts.accept_invitation(s, newcomer, link.secret, now=T0)
    with pytest.raises(Forbidden, match="Newt has no vote"):
        gov.vote(newcomer, pid, "yes")
    with gov.tx() as s:
        assert len(proposals.list_electorate(s, ann, pid)) == 5


def test_public_council_readable_by_anyone(gov: Gov) -> None:
    ann, zed = gov.people("Ann", "Zed")
    council = gov.council(ann, "open-house", public=True)
    pid = gov.propose(ann, council)
    gov.open(ann, pid)
    gov.vote(ann, pid, "yes")
    with gov.tx() as s:
        assert proposals.get_proposal(s, None, pid).id == pid
        assert proposals.live_tally(s, zed, pid)["tally"]["tallies"]["yes"] == 1
    with pytest.raises(Forbidden):
        gov.vote(zed, pid, "no")


def test_close_due(gov: Gov, crew) -> None:
    council, (ann, bob, cat, *_) = crew
    soon = gov.propose(ann, council, closes_at=T0 + timedelta(days=1), quorum=0)
    later = gov.propose(ann, council, closes_at=T0 + timedelta(days=3))
    for pid in (soon, later):
        gov.open(ann, pid)
    gov.vote(bob, soon, "yes")
    with gov.tx() as s:
        report = proposals.close_due(s, now=T0 + timedelta(days=2))
    assert report == {soon: "accepted"}
    assert gov.get(soon).outcome == "accepted"
    assert gov.get(later).status == "open"
