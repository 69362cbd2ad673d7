"""Roles change only by the council's vote (``set_role``), carried out with the count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from soviets.governance import councils
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger.models import Membership

from .conftest import T0, Gov


@pytest.fixture
def mill(gov: Gov) -> tuple[int, list[int]]:
    """A workplace council: Ann (founder, coordinator), Bob and Cat."""
    people = gov.people("Ann", "Bob", "Cat")
    return gov.council(people[0], "mill", people[1:]), people


def _roles(gov: Gov, council: int) -> dict[int, str]:
    with gov.tx() as s:
        rows = s.execute(
            select(Membership.person_id, Membership.role).where(
                Membership.council_id == council, Membership.left_at.is_(None)
            )
        ).all()
    return dict(rows)


def test_the_council_hands_the_coordinator_role_on(gov: Gov, mill) -> None:
    council, (ann, bob, cat) = mill
    draft = gov.propose(cat, council)
    with pytest.raises(Forbidden, match="proposer or a coordinator"):
        gov.open(bob, draft)
    made = gov.decide(
        council, cat, [ann, bob, cat], kind="set_role",
        payload={"person_id": bob, "role": "coordinator"},
    )  # fmt: skip
    assert (made.outcome, made.executed_at is not None) == ("accepted", True)
    assert _roles(gov, council) == {ann: "coordinator", bob: "coordinator", cat: "member"}
    gov.open(bob, draft)  # Bob may now open another member's draft
    gov.close(bob, draft)
    demoted = gov.decide(
        council, bob, [bob, cat], kind="set_role", payload={"person_id": ann, "role": "member"}
    )
    assert demoted.outcome == "accepted"
    assert _roles(gov, council) == {ann: "member", bob: "coordinator", cat: "member"}
    with pytest.raises(Forbidden, match="proposer or a coordinator"):
        gov.open(ann, gov.propose(cat, council))


def test_a_rejected_vote_changes_no_role(gov: Gov, mill) -> None:
    council, (ann, bob, cat) = mill
    pid = gov.propose(
        bob, council, kind="set_role", payload={"person_id": bob, "role": "coordinator"}
    )
    gov.open(bob, pid)
    gov.vote(bob, pid, "yes")
    gov.vote(ann, pid, "no")
    assert gov.close(bob, pid).outcome == "rejected"
    assert _roles(gov, council)[bob] == "member"


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        ({"person_id": -1, "role": "member"}, InputError, "payload.person_id"),
        ({"person_id": "BOB", "role": "king"}, InputError, "payload.role': Input should be"),
        ({"person_id": "BOB", "role": "member"}, Conflict, "Bob is already a member"),
        ({"person_id": "ANN", "role": "coordinator"}, Conflict, "Ann is already a coordinator"),
        ({"person_id": "ZED", "role": "coordinator"}, Conflict, "Zed is not a member"),
        ({"person_id": "BOB"}, InputError, "payload.role"),
        ({"person_id": "BOB", "role": "member", "since": 1}, InputError, "unknown key"),
    ],
)
def test_set_role_payload_checked(gov: Gov, mill, payload, error, message) -> None:  # type: ignore[no-untyped-def]
    council, (ann, bob, _) = mill
    (zed,) = gov.people("Zed")
    ids = {"ANN": ann, "BOB": bob, "ZED": zed}
    given = {k: ids.get(v, v) if k == "person_id" else v for k, v in payload.items()}
    with pytest.raises(error, match=message):
        gov.propose(ann, council, kind="set_role", payload=given)


def test_federations_have_no_roles(gov: Gov, mill) -> None:
    council, (ann, bob, _) = mill
    fed = gov.federation(ann, "valley", [council])
    gov.elect(council, [ann, bob], bob, fed)
    with pytest.raises(Conflict, match="it has no roles"):
        gov.propose(bob, fed, kind="set_role", payload={"person_id": bob, "role": "coordinator"})


def test_member_who_left_meanwhile(gov: Gov, mill) -> None:
    """The vote passes; there is nothing left to change (as for other kinds)."""
    council, (ann, bob, cat) = mill
    pid = gov.propose(
        ann, council, kind="set_role", payload={"person_id": cat, "role": "coordinator"}
    )
    gov.open(ann, pid)
    gov.vote(ann, pid, "yes")
    gov.vote(bob, pid, "yes")
    with gov.tx() as s:
        councils.leave_council(s, cat, council, now=T0)
    assert gov.close(ann, pid).outcome == "accepted"
    assert _roles(gov, council) == {ann: "coordinator", bob: "member"}
