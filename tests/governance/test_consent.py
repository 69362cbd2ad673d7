"""Membership needs the person's consent: founding members confirm, and people are seen
only by those who share a council with them."""

from __future__ import annotations

import pytest

from soviets.governance import access, accounts, councils, founding, stock
from soviets.governance.errors import Conflict, Forbidden, NotFound

from .conftest import T0, Gov


def _members(gov: Gov, actor: int, council: int) -> set[int]:
    with gov.tx() as s:
        return {m.person_id for m in councils.list_members(s, actor, council)}


def test_named_founders_are_not_members_until_they_confirm(gov: Gov) -> None:
    ann, *named = gov.people("Ann", *(f"P{i}" for i in range(37)))
    club = gov.council(ann, "club", public=True)
    with gov.tx() as s:
        for person in named:
            founding.invite_founder(s, ann, club, person, now=T0)
    assert _members(gov, ann, club) == {ann}  # 37 named, none a member
    for person in named[:3]:
        with pytest.raises(Forbidden, match="shares no council"), gov.tx() as s:
            access.person(s, ann, person)
        with pytest.raises(Forbidden), gov.tx() as s:  # no vote, no proposal
            gov.propose(person, club)
    with gov.tx() as s:  # what the invitation shows its invitee: the council and the inviter
        (shown,) = founding.pending(s, named[0], now=T0)
        assert (shown.council_name, shown.inviter, shown.role) == ("club", "Ann", "member")
    with gov.tx() as s:
        founding.confirm(s, named[0], club, now=T0)
        founding.decline(s, named[1], club, now=T0)
    assert _members(gov, ann, club) == {ann, named[0]}
    with gov.tx() as s:
        assert access.person(s, ann, named[0]).name == "P0"
        assert founding.pending(s, named[1], now=T0) == []
    with pytest.raises(NotFound, match="no open founding invitation"), gov.tx() as s:
        founding.confirm(s, named[1], club, now=T0)  # declined is final
    with pytest.raises(Conflict, match="already invited"), gov.tx() as s:
        founding.invite_founder(s, ann, club, named[2], now=T0)


def test_founding_invitations_lapse_once_the_council_votes(gov: Gov) -> None:
    ann, bob, cat = gov.people("Ann", "Bob", "Cat")
    farm = gov.council(ann, "farm", [bob])
    with gov.tx() as s:
        founding.invite_founder(s, ann, farm, cat, role="coordinator", now=T0)
    gov.open(ann, gov.propose(ann, farm))
    with gov.tx() as s:
        assert founding.pending(s, cat, now=T0) == []
    with pytest.raises(Conflict, match="ordinary invitation"), gov.tx() as s:
        founding.confirm(s, cat, farm, now=T0)
    assert _members(gov, ann, farm) == {ann, bob}


def test_only_the_invitee_confirms_and_a_coordinator_may_revoke(gov: Gov) -> None:
    ann, bob, cat = gov.people("Ann", "Bob", "Cat")
    farm = gov.council(ann, "farm")
    with gov.tx() as s:
        invitation = founding.invite_founder(s, ann, farm, bob, now=T0).id
    with pytest.raises(NotFound), gov.tx() as s:
        founding.confirm(s, cat, farm, now=T0)
    with gov.tx() as s:
        accounts.revoke_invitation(s, ann, invitation, now=T0)
    with pytest.raises(NotFound), gov.tx() as s:
        founding.confirm(s, bob, farm, now=T0)


def test_confirmed_founders_take_their_role(gov: Gov) -> None:
    ann, bob = gov.people("Ann", "Bob")
    farm = gov.council(ann, "farm")
    with gov.tx() as s:
        founding.invite_founder(s, ann, farm, bob, role="coordinator", now=T0)
        assert founding.confirm(s, bob, farm, now=T0).role == "coordinator"


def test_people_are_seen_only_through_a_shared_council(gov: Gov) -> None:
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    square = gov.council(ann, "square", [bob], public=True)
    gov.council(cat, "forge", [dan])
    with gov.tx() as s:
        assert access.person(s, bob, ann).name == "Ann"  # shared council
        assert access.person(s, cat, cat).name == "Cat"  # oneself
        # The square is public: Cat may read its members' list, which its members chose
        # by making it public, but that shares no council with them.
        assert {m.person_id for m in councils.list_members(s, cat, square)} == {ann, bob}
    for actor, other in ((cat, ann), (ann, dan), (dan, bob)):
        with pytest.raises(Forbidden, match="shares no council"), gov.tx() as s:
            access.person(s, actor, other)


def test_custody_for_another_council_needs_its_consent(gov: Gov) -> None:
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    mill = gov.council(ann, "mill", [bob])
    barn = gov.council(cat, "barn", [dan])
    with gov.tx() as s:
        store = stock.create_resource(s, ann, mill, name="grain store", kind="consumer_good").id
    custody = {"action": "transfer-custody", "quantity": 0.0, "to_council_id": barn}
    with pytest.raises(Forbidden, match="needs its consent"), gov.tx() as s:
        stock.record_event(s, ann, store, reason="lent for the winter", **custody)
    own = gov.decide(mill, ann, [ann, bob], title="Lend the store")
    with pytest.raises(Forbidden, match="needs its consent"), gov.tx() as s:  # not the barn's
        stock.record_event(s, ann, store, proposal_id=own.id, reason="lent", **custody)
    consent = gov.decide(
        barn, cat, [cat, dan], kind="accept_custody", title="Take the mill's grain store",
        payload={"resource_id": store},
    )  # fmt: skip
    assert consent.outcome == "accepted", consent.result
    with gov.tx() as s:
        event = stock.record_event(
            s, ann, store, proposal_id=consent.id, reason="lent for the winter", **custody
        )
        assert (event.to_council_id, event.proposal_id) == (barn, consent.id)
        assert "lent for the winter" in (event.mandate or "")
    with pytest.raises(Conflict, match="used once"), gov.tx() as s:
        stock.record_event(s, ann, store, proposal_id=consent.id, reason="again", **custody)
    with pytest.raises(Conflict, match="holds 'grain store' itself"):
        gov.propose(ann, mill, kind="accept_custody", payload={"resource_id": store})
