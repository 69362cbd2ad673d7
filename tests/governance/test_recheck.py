"""Every action rechecks membership when it happens: leaving ends what membership allowed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from soviets.governance import (
    bookings,
    councils,
    planning_service,
    proposal_rights,
    proposals,
    stock,
)
from soviets.governance.endings import withdraw_proposal
from soviets.governance.errors import Forbidden
from soviets.ledger.models import Booking

from .conftest import LATER, T0, Gov


@pytest.fixture
def mill(gov: Gov) -> tuple[int, list[int]]:
    """A public workplace council of four (so that leavers may still read it): Ann (founder),
    Bob, Cat and Dan."""
    people = gov.people("Ann", "Bob", "Cat", "Dan")
    return gov.council(people[0], "mill", people[1:], public=True), people


def _leave(gov: Gov, person: int, council: int) -> None:
    with gov.tx() as s:
        councils.leave_council(s, person, council, now=LATER)


def test_a_leaver_cannot_change_their_ballot(gov: Gov, mill) -> None:
    council, (ann, bob, cat, dan) = mill
    pid = gov.propose(ann, council)
    gov.open(ann, pid)
    gov.vote(bob, pid, "no")
    _leave(gov, bob, council)
    with pytest.raises(Forbidden, match="left the council"):
        gov.vote(bob, pid, "yes", now=LATER)
    with gov.tx() as s:  # the page offers no ballot either
        assert not proposal_rights.rights(s, bob, gov.get(pid)).may_vote
    for person in (ann, cat, dan):
        gov.vote(person, pid, "yes", now=LATER)
    result = json.loads(gov.close(ann, pid).result)
    # The electorate fixed at opening stays the quorum's base; Bob's ballot, cast while a
    # member, is counted as cast.
    assert result["electorate"] == 4
    assert result["tally"]["tallies"]["no"] == 1


def test_a_leaver_cannot_cast_a_first_ballot(gov: Gov, mill) -> None:
    council, (ann, bob, *_) = mill
    pid = gov.propose(ann, council)
    gov.open(ann, pid)
    _leave(gov, bob, council)
    with pytest.raises(Forbidden, match="left the council"):
        gov.vote(bob, pid, "yes", now=LATER)


def test_a_leaver_loses_every_proposal_action(gov: Gov, mill) -> None:
    council, (ann, bob, *_) = mill
    draft = gov.propose(bob, council)
    to_delete = gov.propose(bob, council)
    opened = gov.propose(bob, council)
    gov.open(bob, opened)
    _leave(gov, bob, council)
    with gov.tx() as s:
        rights = proposal_rights.rights(s, bob, gov.get(opened))
        assert not (rights.may_vote or rights.may_withdraw or rights.may_propose)
    refused = {
        "draft": lambda s: proposals.create_proposal(
            s, bob, council, kind="general", title="x", now=LATER
        ),
        "edit": lambda s: proposals.update_draft(s, bob, draft, title="y", now=LATER),
        "delete": lambda s: proposals.delete_draft(s, bob, to_delete),
        "open": lambda s: proposals.open_proposal(s, bob, draft, now=LATER),
        "withdraw open": lambda s: withdraw_proposal(s, bob, opened, now=LATER),
        "withdraw draft": lambda s: withdraw_proposal(s, bob, draft, now=LATER),
        "leave again": lambda s: councils.leave_council(s, bob, council, now=LATER),
        "need": lambda s: planning_service.register_need(
            s, bob, council, period="2030", good="bread", quantity=1
        ),
    }
    for name, action in refused.items():
        with pytest.raises(Forbidden), gov.tx() as s:
            action(s)
            pytest.fail(f"{name} was allowed after leaving")
    gov.open(ann, draft)  # a coordinator still may: the draft belongs to the council


def test_the_proposer_who_stays_keeps_their_rights(gov: Gov, mill) -> None:
    council, (ann, bob, cat, _) = mill
    pid = gov.propose(bob, council, now=T0)
    _leave(gov, cat, council)
    gov.open(bob, pid, now=LATER)
    with gov.tx() as s:
        assert withdraw_proposal(s, bob, pid, now=LATER).outcome == "abandoned"


def test_leaving_ends_bookings_and_booking(gov: Gov, mill) -> None:
    council, (ann, bob, *_) = mill
    with gov.tx() as s:
        bike = stock.create_resource(s, ann, council, name="bike", kind="shared_good").id
    day, hour = T0 + timedelta(days=2), timedelta(hours=1)
    with gov.tx() as s:
        booked = bookings.book(s, bob, bike, starts_at=day, ends_at=day + hour, now=T0)
        past = bookings.book(s, bob, bike, starts_at=T0 - hour, ends_at=T0, now=T0 - 2 * hour)
        ids = (booked.id, past.id)
    _leave(gov, bob, council)
    with gov.tx() as s:
        cancelled = {b.id: b.cancelled_at for b in s.scalars(select(Booking))}
    assert cancelled[ids[0]] == LATER and cancelled[ids[1]] is None  # one that was over stays
    with pytest.raises(Forbidden), gov.tx() as s:
        bookings.book(s, bob, bike, starts_at=day, ends_at=day + hour, now=LATER)
