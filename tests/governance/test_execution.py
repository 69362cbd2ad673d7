"""Carrying out accepted proposals, atomically with their closing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from soviets.errors import SovietsError
from soviets.governance import execution, rules
from soviets.governance.errors import InputError
from soviets.ledger import bookings, inventory, needs, processes
from soviets.ledger.models import Delegate, LedgerEvent, Membership, Need, Resource

from .conftest import TERM, Gov


@pytest.fixture
def two(gov: Gov) -> tuple[int, int, list[int]]:
    """A farm (Ann, Bob, Cat) and a bakery (Dan)."""
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    return gov.council(ann, "farm", [bob, cat]), gov.council(dan, "bakery"), [ann, bob, cat, dan]


def test_change_rules_read_by_the_ledger(gov: Gov, two) -> None:
    farm, _, (ann, bob, cat, _) = two
    p = gov.decide(
        farm,
        ann,
        [ann, bob],
        kind="change_rules",
        payload={
            "rules": {"booking.max_hours": 4, "booking.max_active": 1, "council.public": True}
        },
    )
    assert p.outcome == "accepted"
    with gov.tx() as s:
        assert bookings.booking_rules(s, farm) == bookings.BookingRules(4.0, 1)
        assert rules.council_rules(s, None, farm) == {
            "booking.max_active": "1",
            "booking.max_hours": "4",
            "council.public": "true",
        }
    gov.decide(
        farm, ann, [ann, bob], kind="change_rules", payload={"rules": {"booking.max_hours": None}}
    )
    with gov.tx() as s:
        assert bookings.booking_rules(s, farm).max_hours == bookings.DEFAULT_MAX_HOURS


def test_rejected_proposal_changes_nothing(gov: Gov, two) -> None:
    farm, _, (ann, bob, cat, _) = two
    pid = gov.propose(ann, farm, kind="change_rules", payload={"rules": {"booking.max_active": 9}})
    gov.open(ann, pid)
    gov.vote(ann, pid, "yes")
    gov.vote(bob, pid, "no")
    assert gov.close(ann, pid).outcome == "rejected"
    with gov.tx() as s:
        assert rules.get_rule(s, farm, "booking.max_active") is None


def test_failing_executor_leaves_nothing_and_closes_as_failed(gov: Gov, two, monkeypatch) -> None:
    farm, _, (ann, bob, cat, _) = two
    (zed,) = gov.people("Zed")

    def half_then_fail(session, proposal, payload, now) -> None:  # type: ignore[no-untyped-def]
        session.add(Membership(person_id=zed, council_id=proposal.council_id, joined_at=now))
        session.flush()  # the half that must not survive
        raise SovietsError("the ledger refused")

    monkeypatch.setitem(execution._HANDLERS, "general", execution.KindHandler(half_then_fail, None))
    pid = gov.propose(ann, farm)
    gov.open(ann, pid)
    gov.vote(ann, pid, "yes")
    gov.vote(bob, pid, "yes")
    p = gov.close(ann, pid)
    assert (p.status, p.outcome, p.executed_at) == ("closed", "failed", None)
    assert p.result_data["failure"] == "the ledger refused"
    with gov.tx() as s:
        assert s.scalar(select(func.count()).where(Membership.person_id == zed)) == 0


def test_inventory_transfer_through_the_ledger(gov: Gov, two) -> None:
    farm, bakery, (ann, bob, cat, dan) = two
    with gov.tx() as s:
        grain = inventory.create_resource(
            s, name="grain", kind="consumer_good", holder_council_id=farm, unit="t"
        ).id
        inventory.record(
            s, "raise", resource_id=grain, quantity=10, actor_id=ann, mandate="harvest"
        )
    payload = {"resource_id": grain, "quantity": 4, "to_council_id": bakery}
    p = gov.decide(farm, bob, [ann, bob], kind="inventory_transfer", payload=payload)
    assert p.outcome == "accepted" and p.executed_at is not None
    taken = gov.decide(bakery, dan, [dan], kind="accept_custody", payload={"transfer_id": p.id})
    assert taken.outcome == "accepted", taken.result
    with gov.tx() as s:
        event = s.scalar(select(LedgerEvent).where(LedgerEvent.action == "transfer"))
        assert (event.proposal_id, event.actor_id, event.quantity) == (p.id, bob, 4)
        held = dict(s.execute(select(Resource.holder_council_id, Resource.quantity)).all())
        assert held == {farm: 6, bakery: 4}
    # Too much: the ledger refuses at execution, and the proposal closes as failed.
    too_much = gov.propose(
        ann, farm, kind="inventory_transfer", payload={**payload, "quantity": 100}
    )
    gov.open(ann, too_much)
    gov.vote(ann, too_much, "yes")
    gov.vote(cat, too_much, "yes")
    failed = gov.close(ann, too_much)
    assert failed.outcome == "failed"
    assert "holds 6 t of 'grain', not 100" in failed.result_data["failure"]
    with gov.tx() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEvent)) == 2


def test_transfer_payload_checked_when_drafted(gov: Gov, two) -> None:
    farm, bakery, (ann, _, _, dan) = two
    with gov.tx() as s:
        tools = inventory.create_resource(
            s, name="tools", kind="consumer_good", holder_council_id=bakery
        ).id
    with pytest.raises(SovietsError, match="not held by council 'farm'"):
        gov.propose(
            ann,
            farm,
            kind="inventory_transfer",
            payload={"resource_id": tools, "quantity": 1, "to_council_id": bakery},
        )
    with pytest.raises(InputError, match="payload.quantity"):
        gov.propose(
            dan,
            bakery,
            kind="inventory_transfer",
            payload={"resource_id": tools, "quantity": -1, "to_council_id": farm},
        )


def test_approve_needs_through_the_ledger(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    village = gov.council(ann, "village", [bob], kind="territorial")
    with gov.tx() as s:
        needs.create_period(s, name="2030", starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31))
        processes.add_good(s, name="bread", unit="t")
        needs.register_need(
            s, council_id=village, period="2030", good="bread", quantity=3, person_id=bob
        )
    with pytest.raises(InputError, match="no period named '2031'"):
        gov.propose(ann, village, kind="approve_needs", payload={"period": "2031"})
    p = gov.decide(village, ann, [ann, bob], kind="approve_needs", payload={"period": "2030"})
    assert p.outcome == "accepted"
    with gov.tx() as s:
        need = s.scalar(select(Need))
        assert (need.status, need.proposal_id) == ("approved", p.id)


def test_ledger_kinds_check_their_targets(gov: Gov, two) -> None:
    farm, _, (ann, *_) = two
    with pytest.raises(InputError, match="no plan #99"):
        gov.propose(ann, farm, kind="adopt_plan", payload={"plan_id": 99})
    with pytest.raises(InputError, match="no agreement #99"):
        gov.propose(ann, farm, kind="approve_agreement", payload={"agreement_id": 99})
    with pytest.raises(SovietsError, match="only a territorial council"):
        gov.propose(ann, farm, kind="approve_needs", payload={"period": "2030"})


def test_ranked_election_carries_out_the_winning_option(gov: Gov) -> None:
    """Electing a delegate among candidates by Schulze: each option carries its payload."""
    ann, bob, cat, dan, eve = gov.people("Ann", "Bob", "Cat", "Dan", "Eve")
    farm = gov.council(ann, "farm", [bob, cat, dan, eve])
    fed = gov.federation(ann, "valley", [farm])
    pid = gov.propose(
        ann,
        farm,
        kind="elect_delegate",
        method="schulze",
        payload={"federation_id": fed, "term_ends_at": TERM},
        options=[
            {"label": n, "payload": {"person_id": p}} for n, p in (("Bob", bob), ("Cat", cat))
        ],
    )
    gov.open(ann, pid)
    for voter, ranking in ((ann, "Cat>Bob"), (bob, "Bob>Cat"), (cat, "Cat>Bob"), (dan, "Cat")):
        gov.vote(voter, pid, ranking)
    p = gov.close(ann, pid)
    assert (p.outcome, p.winner) == ("accepted", "Cat")
    with gov.tx() as s:
        assert s.scalar(select(Delegate.person_id).where(Delegate.elected_by == pid)) == cat
    with pytest.raises(InputError, match="option 'Zed'"):
        gov.propose(
            ann,
            farm,
            kind="elect_delegate",
            method="schulze",
            payload={"federation_id": fed, "term_ends_at": TERM},
            options=[{"label": "Bob", "payload": {"person_id": bob}}, "Zed"],
        )
