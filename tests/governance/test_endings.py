"""Proposals that end without being carried out: withdrawn drafts, failed and abandoned votes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from soviets.governance import founding, proposals
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger import inventory
from soviets.ledger.models import LedgerEvent, Proposal, Resource

from .conftest import LATER, T0, Gov

DAY = timedelta(days=1)


@pytest.fixture
def farm(gov: Gov) -> tuple[int, int, int, list[int]]:
    """A farm (Ann coordinates; Bob, Cat members) holding 10 t of grain; a bakery (Dan)."""
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    farm = gov.council(ann, "farm", [bob, cat])
    bakery = gov.council(dan, "bakery")
    with gov.tx() as s:
        grain = inventory.create_resource(
            s, name="grain", kind="consumer_good", holder_council_id=farm, unit="t"
        ).id
        inventory.record(
            s, "raise", resource_id=grain, quantity=10, actor_id=ann, mandate="harvest"
        )
    return farm, bakery, grain, [ann, bob, cat, dan]


def _accepted_transfer(gov: Gov, farm, quantity: float, **kw) -> int:  # type: ignore[no-untyped-def]
    """An open transfer proposal closing in a day, voted yes by all three farmers."""
    council, bakery, grain, (ann, bob, cat, _) = farm
    payload = {"resource_id": grain, "quantity": quantity, "to_council_id": bakery}
    pid = gov.propose(
        bob, council, kind="inventory_transfer", payload=payload, closes_at=T0 + DAY, **kw
    )
    gov.open(bob, pid)
    for voter in (ann, bob, cat):
        gov.vote(voter, pid, "yes")
    return pid


def _stock(gov: Gov) -> dict[int, float]:
    with gov.tx() as s:
        return dict(s.execute(select(Resource.holder_council_id, Resource.quantity)).all())


# --- withdrawn drafts ---------------------------------------------------------------------


def test_proposer_withdraws_a_draft(gov: Gov, farm) -> None:
    council, _, _, (ann, bob, *_) = farm
    pid = gov.propose(bob, council, title="Buy a second tractor")
    with pytest.raises(Forbidden, match="only the proposer"), gov.tx() as s:
        proposals.withdraw_proposal(s, ann, pid, now=T0)  # not even a coordinator
    with gov.tx() as s:
        withdrawn = proposals.withdraw_proposal(s, bob, pid, now=LATER)
        assert (withdrawn.status, withdrawn.closed_at, withdrawn.outcome) == (
            "withdrawn",
            LATER,
            None,
        )
        assert proposals.live_tally(s, ann, pid) == {"status": "withdrawn"}
        assert [p.id for p in proposals.list_proposals(s, ann, council, status="withdrawn")] == [
            pid
        ]
    with pytest.raises(Conflict, match="already withdrawn"):
        gov.open(bob, pid)
    with pytest.raises(Conflict, match="withdrawn by its proposer"), gov.tx() as s:
        proposals.update_draft(s, bob, pid, title="Buy three", now=T0)
    with pytest.raises(Conflict, match="withdrawn by its proposer"), gov.tx() as s:
        proposals.delete_draft(s, bob, pid)
    with pytest.raises(Conflict, match="is withdrawn: it can no longer"), gov.tx() as s:
        proposals.withdraw_proposal(s, bob, pid)


def test_an_open_vote_is_withdrawn_only_while_nobody_has_voted(gov: Gov, farm) -> None:
    council, _, _, (ann, bob, *_) = farm
    quiet = gov.propose(bob, council)
    gov.open(bob, quiet)
    with pytest.raises(Forbidden, match="only the proposer"), gov.tx() as s:
        proposals.withdraw_proposal(s, ann, quiet, now=LATER)
    with gov.tx() as s:
        ended = proposals.withdraw_proposal(s, bob, quiet, now=LATER)
        assert (ended.status, ended.outcome, ended.executed_at) == ("closed", "abandoned", None)
        assert ended.result_data["reason"] == "withdrawn by its proposer before anyone voted"
    voted = gov.propose(bob, council)
    gov.open(bob, voted)
    gov.vote(ann, voted, "abstain")
    with pytest.raises(Conflict, match="someone has voted"), gov.tx() as s:
        proposals.withdraw_proposal(s, bob, voted, now=LATER)
    assert gov.get(voted).status == "open"


def test_a_withdrawn_draft_is_not_a_vote(gov: Gov) -> None:
    """Founding members may still be added after a withdrawn draft: nobody has voted yet."""
    ann, bob, cat = gov.people("Ann", "Bob", "Cat")
    council = gov.council(ann, "workshop", [bob])
    pid = gov.propose(bob, council)
    with gov.tx() as s:
        proposals.withdraw_proposal(s, bob, pid)
    with gov.tx() as s:
        founding.invite_founder(s, ann, council, cat)


WITHDRAWN_SQL = [
    "UPDATE proposals SET title = 'other'",
    "UPDATE proposals SET status = 'draft', closed_at = NULL",
    "UPDATE proposals SET status = 'open', closed_at = NULL, opened_at = created_at, "
    "electorate_size = 3",
    "INSERT INTO proposal_options (proposal_id, label, position, payload) "
    "SELECT id, 'maybe', 9, '{}' FROM proposals",
    "DELETE FROM proposals",
]


def test_withdrawn_is_final_in_the_database(gov: Gov, farm) -> None:
    council, _, _, (ann, bob, *_) = farm
    pid = gov.propose(bob, council)
    with gov.tx() as s:
        proposals.withdraw_proposal(s, bob, pid)
    for sql in WITHDRAWN_SQL:
        with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
            s.execute(text(sql))
    assert gov.get(pid).title == "a question"


def test_open_vote_can_close_as_failed_but_not_be_withdrawn_in_the_database(gov: Gov, farm) -> None:
    """The triggers let an open proposal close with any outcome (failed included), never
    become withdrawn; the CHECKs keep failed and abandoned proposals unexecuted."""
    council, _, _, (ann, bob, *_) = farm
    pid = gov.propose(bob, council)
    gov.open(bob, pid)
    with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
        s.execute(text("UPDATE proposals SET status = 'withdrawn', closed_at = opened_at"))
    with pytest.raises(IntegrityError), gov.tx() as s:  # CHECK: only accepted is executed
        s.execute(
            text(
                "UPDATE proposals SET status = 'closed', outcome = 'failed', "
                "closed_at = opened_at, executed_at = opened_at"
            )
        )
    with pytest.raises(IntegrityError), gov.tx() as s:  # CHECK: a known outcome
        s.execute(
            text("UPDATE proposals SET status = 'closed', outcome = 'lost', closed_at = opened_at")
        )
    with gov.tx() as s:
        s.execute(
            text(
                "UPDATE proposals SET status = 'closed', outcome = 'failed', closed_at = opened_at"
            )
        )
    assert gov.get(pid).outcome == "failed"


# --- failed: accepted, but carrying it out is impossible ------------------------------------


def test_accepted_but_impossible_closes_as_failed(gov: Gov, farm) -> None:
    """No vote stays open for ever: when carrying it out fails, it closes as failed."""
    council, bakery, grain, (ann, bob, cat, dan) = farm
    pid = _accepted_transfer(gov, farm, 100)
    after = T0 + 2 * DAY
    with pytest.raises(Forbidden, match="not public"):
        gov.close(dan, pid, now=after)  # not a reader of the farm
    closed = gov.close(cat, pid, now=after)  # any reader, not only the proposer
    assert (closed.status, closed.outcome, closed.winner, closed.ballots_counted) == (
        "closed",
        "failed",
        "yes",
        3,
    )
    assert (closed.closed_at, closed.executed_at) == (after, None)
    result = json.loads(closed.result)
    assert result["outcome"] == "failed"
    assert "holds 10 t of 'grain', not 100" in result["failure"]
    assert result["reason"].startswith("passed by majority, but carrying it out failed: ")
    assert result["tally"]["tallies"] == {"yes": 3, "no": 0, "abstain": 0}
    assert result["effect_text"] == [
        "'farm' offers 100 t of 'grain' (#1) (it holds 10 t) to 'bakery'; it moves when that "
        "council accepts it by its own vote."
    ]
    assert _stock(gov) == {council: 10}
    with gov.tx() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEvent)) == 1  # only the raise
    with pytest.raises(Conflict, match="is closed, not open"):
        gov.close(ann, pid, now=after)
    with pytest.raises(IntegrityError, match="soviets: "), gov.tx() as s:
        s.execute(text(f"UPDATE proposals SET outcome = 'accepted' WHERE id = {pid}"))


def test_secret_vote_closes_as_failed(gov: Gov, farm) -> None:
    council, _, _, (ann, *_) = farm
    pid = _accepted_transfer(gov, farm, 50, secret=True)
    with gov.tx() as s:
        assert proposals.close_due(s, now=T0 + 2 * DAY) == {pid: "failed"}
        assert proposals.live_tally(s, ann, pid)["tally"]["tallies"]["yes"] == 3
        assert s.get(Proposal, pid).ballots_counted == 3


# --- abandoned by the council's vote -------------------------------------------------------


def test_council_abandons_an_open_proposal_by_vote(gov: Gov, farm) -> None:
    council, bakery, grain, (ann, bob, cat, _) = farm
    stuck = _accepted_transfer(gov, farm, 100)
    gov.vote(cat, stuck, "no")  # still running: the council may drop it all the same
    abandon = gov.propose(
        cat, council, kind="abandon_proposal", payload={"proposal_id": stuck},
        title="Drop the grain transfer: the harvest failed",
    )  # fmt: skip
    gov.open(cat, abandon)
    for voter in (ann, cat):
        gov.vote(voter, abandon, "yes")
    abandon = gov.close(bob, abandon, now=LATER)  # 2 of 3 yes: Bob alone cannot change it
    assert (abandon.outcome, abandon.executed_at) == ("accepted", LATER)
    target = gov.get(stuck)
    assert (target.status, target.outcome, target.winner, target.executed_at) == (
        "closed",
        "abandoned",
        None,
        None,
    )
    result = json.loads(target.result)
    assert result["abandoned_by"] == abandon.id and result["winner"] is None
    assert result["reason"] == f"abandoned by the council's vote on proposal #{abandon.id}"
    assert result["tally"]["tallies"] == {"yes": 2, "no": 1, "abstain": 0}  # kept for the record
    assert target.ballots_counted == 3
    assert _stock(gov) == {council: 10}  # nothing carried out
    with pytest.raises(Conflict, match="not open"):
        gov.vote(ann, stuck, "no")


def test_abandon_payload_is_checked(gov: Gov, farm) -> None:
    council, bakery, _, (ann, bob, _, dan) = farm
    draft = gov.propose(bob, council)
    with pytest.raises(Conflict, match="is draft: only an open proposal"):
        gov.propose(ann, council, kind="abandon_proposal", payload={"proposal_id": draft})
    elsewhere = gov.propose(dan, bakery)
    gov.open(dan, elsewhere)
    with pytest.raises(InputError, match="no proposal #.* of council 'farm'"):
        gov.propose(ann, council, kind="abandon_proposal", payload={"proposal_id": elsewhere})
    with pytest.raises(InputError, match="payload"):
        gov.propose(ann, council, kind="abandon_proposal", payload={"proposal_id": draft, "x": 1})


def test_abandoning_a_vote_closed_meanwhile_changes_nothing(gov: Gov, farm) -> None:
    council, _, _, (ann, bob, cat, _) = farm
    target = gov.propose(bob, council)
    gov.open(bob, target)
    abandon = gov.propose(ann, council, kind="abandon_proposal", payload={"proposal_id": target})
    gov.open(ann, abandon)
    gov.vote(bob, target, "yes")
    gov.vote(ann, target, "yes")
    assert gov.close(bob, target).outcome == "accepted"
    for voter in (ann, bob):
        gov.vote(voter, abandon, "yes")
    assert gov.close(ann, abandon).outcome == "accepted"
    assert gov.get(target).outcome == "accepted"


def test_federation_abandons_by_its_delegates_vote(gov: Gov) -> None:
    ann, bob, cat = gov.people("Ann", "Bob", "Cat")
    farm = gov.council(ann, "farm", [bob])
    mill = gov.council(ann, "mill", [cat])
    fed = gov.federation(ann, "valley", [farm, mill])
    gov.elect(farm, [ann, bob], bob, fed)
    gov.elect(mill, [ann, cat], cat, fed)
    pid = gov.propose(bob, fed, title="Build a dam")
    gov.open(bob, pid)
    gov.vote(bob, pid, "yes")
    abandon = gov.decide(
        fed, cat, [bob, cat], kind="abandon_proposal", payload={"proposal_id": pid}
    )
    assert abandon.outcome == "accepted"
    assert gov.get(pid).outcome == "abandoned"
