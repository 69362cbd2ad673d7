"""One member never decides alone: quorum and floor come from the council's rules, a vote
closes early only when its outcome is settled, and abandoning another's proposal is the
council's decision."""

from __future__ import annotations

import json

import pytest

from soviets.governance import accounts, proposals, stock
from soviets.governance.endings import withdraw_proposal
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger import inventory

from .conftest import LATER, T0, Gov

MEMBERS = 30


@pytest.fixture
def hall(gov: Gov) -> tuple[int, list[int]]:
    """A public council of 30: the founder (coordinator) and 29 members."""
    people = gov.people(*(f"M{i}" for i in range(MEMBERS)))
    return gov.council(people[0], "hall", people[1:], public=True), people


def _alone(gov: Gov, proposer: int, council: int, **kw) -> int:  # type: ignore[no-untyped-def]
    """Draft (the council's quorum), open, vote yes alone; the proposal's id."""
    pid = gov.propose(proposer, council, **kw)
    gov.open(proposer, pid)
    gov.vote(proposer, pid, "yes")
    return pid


def test_a_proposer_cannot_lower_the_quorum_or_the_floor(gov: Gov, hall) -> None:
    council, people = hall
    gov.set_rule(council, "proposal.floor", "0.3")
    for share in ("quorum", "floor"):
        with pytest.raises(InputError, match="never lower it"), gov.tx() as s:
            proposals.create_proposal(
                s, people[5], council, kind="general", title="x", now=T0, **{share: 0.0}
            )
    pid = gov.propose(people[5], council, floor=0.4)
    gov.open(people[5], pid)
    assert (gov.get(pid).quorum, gov.get(pid).floor) == (0.5, 0.4)


def test_one_ballot_decides_nothing(gov: Gov, hall) -> None:
    council, (founder, lone, other, *_) = hall
    outsider = gov.people("Outsider")[0]
    with gov.tx() as s:
        application = accounts.apply_for_membership(s, outsider, council, now=T0).id
    gov.vote(lone, application, "yes")
    demote = _alone(
        gov, lone, council, kind="set_role", payload={"person_id": founder, "role": "member"}
    )
    target = gov.propose(other, council)
    gov.open(other, target)
    gov.vote(other, target, "yes")
    abandon = _alone(gov, lone, council, kind="abandon_proposal", payload={"proposal_id": target})
    with pytest.raises(Forbidden, match="only the proposer"), gov.tx() as s:
        withdraw_proposal(s, lone, target, now=T0)
    for pid in (application, demote, abandon):
        with pytest.raises(Conflict, match="could still change the result"):
            gov.close(lone, pid, now=LATER)
        closed = gov.close(lone, pid)  # at the deadline: the quorum was not met
        result = json.loads(closed.result)
        assert (closed.outcome, result["quorum_met"]) == ("rejected", False), pid
    assert gov.get(target).status == "open"


def test_one_member_cannot_move_the_store(gov: Gov, hall) -> None:
    council, (founder, lone, *_) = hall
    other = gov.council(lone, "my own council")
    with gov.tx() as s:
        store = stock.create_resource(s, founder, council, name="ore", kind="consumer_good").id
        inventory.record(
            s, "raise", resource_id=store, quantity=1_000_000, actor_id=founder, mandate="test"
        )
    pid = _alone(
        gov, lone, council, kind="inventory_transfer",
        payload={"resource_id": store, "quantity": 1_000_000, "to_council_id": other},
    )  # fmt: skip
    with pytest.raises(Conflict, match="could still change the result"):
        gov.close(lone, pid, now=LATER)
    assert gov.close(lone, pid).outcome == "rejected"
    with gov.tx() as s:
        assert inventory.get_resource(s, store).quantity == 1_000_000


def test_a_vote_closes_early_once_settled(gov: Gov, hall) -> None:
    council, people = hall
    pid = gov.propose(people[1], council)
    gov.open(people[1], pid)
    for person in people[:16]:  # a majority of all 30 electors: no ballot left can change it
        gov.vote(person, pid, "yes")
    assert gov.close(people[1], pid, now=LATER).outcome == "accepted"
