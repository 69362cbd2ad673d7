"""Councils, founding members, admission by vote, leaving, federations and visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from soviets.governance import accounts, councils, delegates, founding
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger.models import CouncilLink, Membership

from .conftest import T0, TERM, Gov


def test_founder_is_coordinator_and_adds_founding_members(gov: Gov) -> None:
    ann, bob, cat = gov.people("Ann", "Bob", "Cat")
    farm = gov.council(ann, "farm", [bob])
    with gov.tx() as s:
        roles = {m.person_id: m.role for m in councils.list_members(s, bob, farm)}
        assert roles == {ann: "coordinator", bob: "member"}
    with (
        pytest.raises(Forbidden, match="Bob is not a coordinator of council 'farm'"),
        gov.tx() as s,
    ):
        founding.invite_founder(s, bob, farm, cat)
    with pytest.raises(Conflict, match="already a member"), gov.tx() as s:
        founding.invite_founder(s, ann, farm, bob)
    with pytest.raises(Conflict, match="already exists"):
        gov.council(cat, "farm")
    with pytest.raises(InputError, match="create_federation"):
        gov.council(cat, "league", kind="federation")


def test_after_the_first_vote_members_join_only_by_their_own_consent(gov: Gov) -> None:
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    farm = gov.council(ann, "farm", [bob], public=True)
    gov.open(ann, gov.propose(ann, farm))
    with pytest.raises(Conflict, match="admit_member proposal"), gov.tx() as s:
        founding.invite_founder(s, ann, farm, cat)
    with pytest.raises(Forbidden, match="nobody can propose to admit someone else"):
        gov.propose(ann, farm, kind="admit_member", payload={"person_id": cat})
    with pytest.raises(Forbidden, match="nobody can propose"):  # nor as a ranked option
        gov.propose(
            ann, farm, kind="admit_member", method="schulze",
            options=[{"label": "Cat", "payload": {"person_id": cat}},
                     {"label": "Dan", "payload": {"person_id": dan}}],
        )  # fmt: skip
    with gov.tx() as s:  # the default rule: admission by vote
        applied = accounts.apply_for_membership(s, cat, farm, now=T0).id
    for person in (ann, bob):
        gov.vote(person, applied, "yes")
    p = gov.close(ann, applied)
    assert (p.outcome, p.executed_at) == ("accepted", p.closed_at)
    with gov.tx() as s:
        assert cat in {m.person_id for m in councils.list_members(s, ann, farm)}
    with pytest.raises(Conflict, match="Cat is already a member"), gov.tx() as s:
        accounts.apply_for_membership(s, cat, farm, now=T0)
    with gov.tx() as s:
        rejected = accounts.apply_for_membership(s, dan, farm, now=T0).id
    for person, choice in ((ann, "yes"), (bob, "no"), (cat, "no")):
        gov.vote(person, rejected, choice)
    assert gov.close(ann, rejected).outcome == "rejected"
    with gov.tx() as s:
        assert councils.my_councils(s, dan) == []
    gov.decide(farm, ann, [ann, bob, cat], kind="change_rules",
               payload={"rules": {"membership.invite": "coordinator"}})  # fmt: skip
    with pytest.raises(Conflict, match="admits new members by invitation"), gov.tx() as s:
        accounts.apply_for_membership(s, dan, farm, now=T0)


def test_an_invitation_admits_only_by_the_councils_choice(gov: Gov) -> None:
    """By default any member invites and the invitee's acceptance opens a vote on their
    admission; only after a ``change_rules`` vote does a coordinator's invitation admit."""
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    farm = gov.council(ann, "farm", [bob])
    gov.open(ann, gov.propose(ann, farm))
    with gov.tx() as s:
        link = accounts.create_invitation(s, bob, farm, now=T0)
    with gov.tx() as s:
        joining = accounts.accept_invitation(s, cat, link.secret, now=T0)
        assert joining.membership is None and joining.proposal is not None
        admission = joining.proposal.id
        assert (joining.proposal.created_by, joining.proposal.status) == (cat, "open")
        assert councils.my_councils(s, cat) == []
    for person in (ann, bob):
        gov.vote(person, admission, "yes")
    assert gov.close(ann, admission).outcome == "accepted"
    with gov.tx() as s:
        assert [c.name for c in councils.my_councils(s, cat)] == ["farm"]
    gov.decide(farm, ann, [ann, bob, cat], kind="change_rules",
               payload={"rules": {"membership.invite": "coordinator"}})  # fmt: skip
    with pytest.raises(Forbidden), gov.tx() as s:
        accounts.create_invitation(s, bob, farm, now=T0)
    with gov.tx() as s:
        link = accounts.create_invitation(s, ann, farm, now=T0)
    with gov.tx() as s:
        joining = accounts.accept_invitation(s, dan, link.secret, now=T0)
        assert joining.proposal is None and joining.membership is not None
        assert [c.name for c in councils.my_councils(s, dan)] == ["farm"]


def test_one_open_membership_per_person_in_the_database(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    farm = gov.council(ann, "farm", [bob])
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(
            text(
                "INSERT INTO memberships (person_id, council_id, role, joined_at) "
                f"VALUES ({bob}, {farm}, 'member', '2030-01-02')"
            )
        )


def test_leaving_keeps_history(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    farm = gov.council(ann, "farm", [bob])
    with gov.tx() as s:
        councils.leave_council(s, bob, farm, now=T0)
    with gov.tx() as s:
        assert [m.person_id for m in councils.list_members(s, ann, farm)] == [ann]
        history = councils.list_members(s, ann, farm, include_past=True)
        assert [(m.person_id, m.left_at) for m in history] == [(ann, None), (bob, T0)]
        with pytest.raises(Forbidden, match="Bob is not a member"):
            councils.leave_council(s, bob, farm, now=T0)


def test_visibility(gov: Gov) -> None:
    ann, bob, zed = gov.people("Ann", "Bob", "Zed")
    farm = gov.council(ann, "farm", [bob])
    square = gov.council(zed, "square", public=True, kind="territorial")
    with gov.tx() as s:
        assert [c.name for c in councils.list_councils(s, zed)] == ["square"]
        assert [c.name for c in councils.list_councils(s, bob)] == ["farm", "square"]
        assert [c.name for c in councils.list_councils(s, None)] == ["square"]
        with pytest.raises(Forbidden, match="council 'farm' is not public"):
            councils.list_members(s, zed, farm)
        with pytest.raises(Forbidden):
            councils.read_council(s, None, farm)
        assert councils.read_council(s, bob, square).name == "square"
        assert [c.name for c in councils.my_councils(s, bob)] == ["farm"]


def test_federation_founding_and_admission(gov: Gov) -> None:
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    farm = gov.council(ann, "farm", [bob])
    bakery = gov.council(cat, "bakery")
    mill = gov.council(dan, "mill")
    with pytest.raises(Forbidden, match="Ann is not a member of council 'bakery'"):
        gov.federation(ann, "valley", [farm, bakery])
    fed = gov.federation(ann, "valley", [farm])
    with gov.tx() as s:
        assert [c.name for c in councils.list_member_councils(s, bob, fed)] == ["farm"]
        assert [c.name for c in councils.list_federations(s, bob, farm)] == ["valley"]
        with pytest.raises(Forbidden):  # Dan's mill is not (yet) in the valley
            councils.list_member_councils(s, dan, fed)
        with pytest.raises(Forbidden, match="members of federation 'valley' are councils"):
            councils.leave_council(s, ann, fed)
    gov.elect(farm, [ann, bob], bob, fed)
    p = gov.decide(fed, bob, [bob], kind="admit_member", payload={"council_id": mill})
    assert p.outcome == "accepted"
    with gov.tx() as s:  # admitted, not yet joined: the mill decides by its own vote
        assert s.scalar(select(CouncilLink).where(CouncilLink.member_id == mill)) is None
    joined = gov.decide(mill, dan, [dan], kind="join_federation", payload={"admission_id": p.id})
    assert joined.outcome == "accepted", joined.result
    with gov.tx() as s:
        link = s.scalar(select(CouncilLink).where(CouncilLink.member_id == mill))
        assert (link.federation_id, link.left_at) == (fed, None)
        assert [c.name for c in councils.list_member_councils(s, dan, fed)] == ["farm", "mill"]
    # The new member council sends its own delegate, who has a vote from then on.
    gov.elect(mill, [dan], dan, fed)
    with gov.tx() as s:
        assert {d.person_id for d in delegates.list_delegates(s, dan, fed)} == {bob, dan}
        assert [c.name for c in councils.my_councils(s, dan)] == ["mill", "valley"]
    with pytest.raises(Conflict, match="already a member"):
        gov.propose(bob, fed, kind="admit_member", payload={"council_id": mill})
    with pytest.raises(InputError, match="payload.person_id|unknown key"):
        gov.propose(bob, fed, kind="admit_member", payload={"person_id": cat})


def test_elect_needs_the_council_in_the_federation(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    farm = gov.council(ann, "farm")
    other = gov.council(bob, "other")
    fed = gov.federation(bob, "league", [other])
    with pytest.raises(Conflict, match="'farm' is not a member of 'league'"):
        gov.propose(
            ann,
            farm,
            kind="elect_delegate",
            payload={"person_id": ann, "federation_id": fed, "term_ends_at": TERM},
        )
    with gov.tx() as s:
        assert s.scalar(select(Membership.role).where(Membership.person_id == bob)) == "coordinator"


def test_a_council_enters_a_new_federation_only_by_its_own_decision(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    farm = gov.council(ann, "farm", [bob])
    # Ann coordinates the farm, but its rules keep joining a federation for its vote.
    with pytest.raises(Conflict, match=r"federation.join = vote"), gov.tx() as s:
        councils.create_federation(s, ann, name="valley", member_council_ids=[farm], now=T0)
    with gov.tx() as s:
        assert s.scalar(select(CouncilLink).where(CouncilLink.member_id == farm)) is None
    voted = gov.decide(
        farm, ann, [ann, bob], kind="change_rules",
        payload={"rules": {"federation.join": "coordinator"}},
    )  # fmt: skip
    assert voted.outcome == "accepted", voted.result
    with gov.tx() as s:
        fed = councils.create_federation(s, ann, name="valley", member_council_ids=[farm], now=T0)
        assert [c.name for c in councils.list_federations(s, bob, farm)] == ["valley"]
        assert fed.kind == "federation"
