"""Federations, delegates, imperative mandates and recall."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from soviets.governance import ballots, councils, delegates, proposals
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger.models import Ballot, CouncilLink, Delegate

from .conftest import LATER, T0, TERM, Gov


@dataclass
class Valley:
    """Federation 'valley' of farm, bakery and village; Ann coordinates all three."""

    fed: int
    farm: int
    bakery: int
    village: int
    ann: int
    bob: int
    cat: int
    dan: int
    eve: int
    fay: int
    gus: int


@pytest.fixture
def valley(gov: Gov) -> Valley:
    ann, bob, cat, dan, eve, fay, gus = gov.people("Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus")
    farm = gov.council(ann, "farm", [bob, cat])
    bakery = gov.council(ann, "bakery", [dan, eve])
    village = gov.council(ann, "village", [fay, gus], kind="territorial")
    fed = gov.federation(ann, "valley", [farm, bakery, village])
    return Valley(fed, farm, bakery, village, ann, bob, cat, dan, eve, fay, gus)


def seat_all(gov: Gov, v: Valley, farm_mandates: list | None = None) -> int:
    """Bob for the farm, Dan for the bakery, Fay for the village; Bob's delegate id."""
    bob = gov.elect(v.farm, [v.ann, v.bob, v.cat], v.bob, v.fed, farm_mandates)
    gov.elect(v.bakery, [v.ann, v.dan, v.eve], v.dan, v.fed)
    gov.elect(v.village, [v.ann, v.fay, v.gus], v.fay, v.fed)
    return bob


def test_federation_votes_by_seated_delegates(gov: Gov, valley: Valley) -> None:
    v = valley
    with pytest.raises(Forbidden, match="not a delegate in federation 'valley'"):
        gov.propose(v.ann, v.fed)
    seat_all(gov, v)
    pid = gov.propose(v.bob, v.fed, title="Share the tractor")
    with pytest.raises(InputError, match="delegates vote openly"):
        gov.propose(v.bob, v.fed, secret=True)
    gov.open(v.bob, pid)
    with gov.tx() as s:
        electorate = proposals.list_electorate(s, v.ann, pid)  # members of members may read
        assert {(e.person_id, e.seat_council_id) for e in electorate} == {
            (v.bob, v.farm),
            (v.dan, v.bakery),
            (v.fay, v.village),
        }
    with pytest.raises(Forbidden, match="Ann has no vote"):
        gov.vote(v.ann, pid, "yes")
    gov.vote(v.bob, pid, "yes")
    gov.vote(v.dan, pid, "yes")
    p = gov.close(v.bob, pid)
    assert (p.outcome, p.electorate_size, p.ballots_counted) == ("accepted", 3, 2)


def test_member_council_without_delegate_counts_for_quorum(gov: Gov, valley: Valley) -> None:
    v = valley
    gov.elect(v.farm, [v.ann, v.bob, v.cat], v.bob, v.fed)
    pid = gov.propose(v.bob, v.fed, quorum=0.5)
    gov.open(v.bob, pid)
    gov.vote(v.bob, pid, "yes")
    p = gov.close(v.bob, pid)
    assert (p.electorate_size, p.outcome) == (3, "rejected")  # 1 of 3 seats < 2


def test_one_seat_per_council_and_per_person(gov: Gov, valley: Valley) -> None:
    v = valley
    gov.elect(v.farm, [v.ann, v.bob, v.cat], v.ann, v.fed)
    with pytest.raises(Conflict, match="one person, one vote"):
        gov.propose(
            v.ann,
            v.bakery,
            kind="elect_delegate",
            payload={"person_id": v.ann, "federation_id": v.fed, "term_ends_at": TERM},
        )
    with pytest.raises(IntegrityError), gov.tx() as s:
        s.execute(
            text(
                "INSERT INTO delegates (person_id, council_id, federation_id, term_ends_at, "
                f"status, started_at) VALUES ({v.cat}, {v.farm}, {v.fed}, '2031-01-01', "
                "'active', '2030-01-01')"
            )
        )


def test_election_replaces_the_sitting_delegate(gov: Gov, valley: Valley) -> None:
    v = valley
    first = gov.elect(v.farm, [v.ann, v.bob, v.cat], v.bob, v.fed)
    second = gov.elect(v.farm, [v.ann, v.bob, v.cat], v.cat, v.fed)
    with gov.tx() as s:
        assert s.get(Delegate, first).status == "replaced"
        assert s.get(Delegate, second).status == "active"
        assert [d.person_id for d in delegates.list_delegates(s, v.bob, v.farm)] == [v.cat]


def test_elect_refuses_non_members(gov: Gov, valley: Valley) -> None:
    v = valley
    with pytest.raises(Conflict, match="Dan has no vote in council 'farm'"):
        gov.propose(
            v.ann,
            v.farm,
            kind="elect_delegate",
            payload={"person_id": v.dan, "federation_id": v.fed, "term_ends_at": TERM},
        )


def test_mandate_by_kind_refuses_a_contradicting_ballot(gov: Gov, valley: Valley) -> None:
    v = valley
    seat_all(gov, v, [{"proposal_kind": "general", "vote": "yes"}])
    pid = gov.propose(v.dan, v.fed)
    gov.open(v.dan, pid)
    with pytest.raises(Forbidden, match=r"imperative mandate of council 'farm' .* requires 'yes'"):
        gov.vote(v.bob, pid, "no")
    with pytest.raises(Forbidden, match="mandate"):
        gov.vote(v.bob, pid, "abstain")
    gov.vote(v.bob, pid, "yes")
    gov.vote(v.dan, pid, "no")  # Dan has no mandate: free


def test_mandate_for_one_proposal_overrides_and_withdraws(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v, [{"proposal_kind": "general", "vote": "yes"}])
    pid = gov.propose(v.dan, v.fed, method="consent")
    gov.open(v.dan, pid)
    gov.vote(v.bob, pid, "yes")
    instruct = gov.decide(
        v.farm,
        v.ann,
        [v.ann, v.bob, v.cat],
        kind="instruct_delegate",
        payload={"delegate_id": bob, "mandates": [{"proposal_id": pid, "vote": "no"}]},
    )
    assert instruct.outcome == "accepted", instruct.result
    with gov.tx() as s:
        ballot = s.scalar(select(Ballot).where(Ballot.voter_id == v.bob, Ballot.proposal_id == pid))
        assert ballot.withdrawn_reason == f"contradicts the mandate set by proposal #{instruct.id}"
        assert ballots.my_ballot(s, v.bob, pid) is None
    with pytest.raises(Forbidden, match=f"set by proposal #{instruct.id}.*requires 'object'"):
        gov.vote(v.bob, pid, "yes")
    gov.vote(v.bob, pid, "no")  # consent: 'no' is the objection the mandate asks for
    assert gov.close(v.dan, pid).outcome == "rejected"


def test_ranked_mandate(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v, [{"proposal_kind": "adopt_plan", "vote": "yes"}])
    pid = gov.propose(v.dan, v.fed, method="schulze", options=["wind", "sun", "water"], quorum=0)
    instruct = gov.decide(
        v.farm,
        v.ann,
        [v.ann, v.bob, v.cat],
        kind="instruct_delegate",
        payload={
            "delegate_id": bob,
            "mandates": [{"proposal_id": pid, "vote": "ranking", "ranking": "sun>wind=water"}],
        },
    )
    assert instruct.outcome == "accepted", instruct.result
    gov.open(v.dan, pid)
    with pytest.raises(Forbidden, match="requires 'sun>wind=water'; the ballot says 'sun>wind'"):
        gov.vote(v.bob, pid, "sun>wind")
    assert gov.vote(v.bob, pid, "sun > water = wind").ballot == "sun>wind=water"


def test_yes_no_mandate_cannot_bind_a_ranked_vote(gov: Gov, valley: Valley) -> None:
    v = valley
    seat_all(gov, v, [{"proposal_kind": "general", "vote": "no"}])
    pid = gov.propose(v.dan, v.fed, method="schulze", options=["a", "b"])
    gov.open(v.dan, pid)
    with pytest.raises(Forbidden, match="cannot express"):
        gov.vote(v.bob, pid, "a>b")


def test_recall_is_immediate_and_withdraws_open_votes(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v)
    open_ids = [gov.propose(v.dan, v.fed, title=f"question {i}", quorum=0) for i in range(2)]
    for pid in open_ids:
        gov.open(v.dan, pid)
        gov.vote(v.bob, pid, "yes")
        gov.vote(v.dan, pid, "no")
    recall = gov.decide(
        v.farm, v.ann, [v.ann, v.cat], kind="recall_delegate", payload={"delegate_id": bob}
    )
    assert recall.outcome == "accepted"
    with gov.tx() as s:
        d = s.get(Delegate, bob)
        assert (d.status, d.ended_by, d.ended_at) == ("recalled", recall.id, recall.closed_at)
        withdrawn = s.scalars(
            select(Ballot).where(Ballot.voter_id == v.bob, Ballot.proposal_id.in_(open_ids))
        ).all()
        assert {b.withdrawn_reason for b in withdrawn} == {f"recalled by proposal #{recall.id}"}
        assert proposals.live_tally(s, v.ann, open_ids[0])["tally"]["tallies"]["yes"] == 0
    with pytest.raises(Forbidden):
        gov.vote(v.bob, open_ids[0], "yes")
    with pytest.raises(Forbidden, match="not a delegate"):
        gov.propose(v.bob, v.fed)
    # The farm's seat passes to the successor, who may vote on the open proposals.
    gov.elect(v.farm, [v.ann, v.bob, v.cat], v.cat, v.fed)
    gov.vote(v.cat, open_ids[0], "yes")
    p = gov.close(v.dan, open_ids[0])
    assert json.loads(p.result)["tally"]["tallies"] == {"yes": 1, "no": 1, "abstain": 0}
    assert p.ballots_counted == 2


def test_recall_only_by_the_sending_council(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v)
    with pytest.raises(InputError, match="no delegate .* of council 'bakery'"):
        gov.propose(v.dan, v.bakery, kind="recall_delegate", payload={"delegate_id": bob})


def test_leaving_the_council_ends_the_delegation(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v)
    pid = gov.propose(v.dan, v.fed)
    gov.open(v.dan, pid)
    gov.vote(v.bob, pid, "yes")
    with gov.tx() as s:
        councils.leave_council(s, v.bob, v.farm, now=T0)
        assert s.get(Delegate, bob).status == "ended"
    with pytest.raises(Forbidden):
        gov.vote(v.bob, pid, "no")


def test_term_end(gov: Gov, valley: Valley) -> None:
    v = valley
    seat_all(gov, v)
    pid = gov.propose(v.dan, v.fed, closes_at=T0 + timedelta(days=400))
    gov.open(v.dan, pid)
    with pytest.raises(Forbidden, match="no longer a delegate"):
        gov.vote(v.bob, pid, "yes", now=T0 + timedelta(days=366))


def test_mandates_are_visible_to_both_sides(gov: Gov, valley: Valley) -> None:
    v = valley
    bob = seat_all(gov, v, [{"proposal_kind": "adopt_plan", "vote": "yes"}])
    (zed,) = gov.people("Zed")
    with gov.tx() as s:
        assert [(m.proposal_kind, m.vote) for m in delegates.list_mandates(s, v.cat, bob)] == [
            ("adopt_plan", "yes")
        ]
        assert delegates.list_mandates(s, v.eve, bob)  # bakery member reads the federation
        with pytest.raises(Forbidden):
            delegates.list_mandates(s, zed, bob)


# --- the end of a term: ballots cast in office stay valid ----------------------------------

YEAR = timedelta(days=365)
AFTER_TERM = T0 + YEAR + timedelta(days=1)


def _decide_at(gov: Gov, council: int, voters: list[int], when, **kw) -> int:  # type: ignore[no-untyped-def]
    """Draft, open, all vote yes and close at ``when``; the accepted proposal's id."""
    pid = gov.propose(voters[0], council, now=when, **kw)
    gov.open(voters[0], pid, now=when)
    for voter in voters:
        gov.vote(voter, pid, "yes", now=when)
    p = gov.close(voters[0], pid, now=when + timedelta(minutes=1))
    assert p.outcome == "accepted", p.result
    return pid


def test_ballot_cast_in_term_counts_after_the_term(gov: Gov, valley: Valley) -> None:
    v = valley
    seat_all(gov, v)  # terms end at T0 + 365 days
    pid = gov.propose(v.dan, v.fed, closes_at=T0 + timedelta(days=400))
    gov.open(v.dan, pid)
    gov.vote(v.bob, pid, "yes")
    gov.vote(v.dan, pid, "no")
    gov.vote(v.fay, pid, "yes")
    with pytest.raises(Forbidden, match="no longer a delegate"):
        gov.vote(v.bob, pid, "no", now=AFTER_TERM)  # out of office: no change any more
    later = gov.propose(v.dan, v.fed, now=T0)
    gov.open(v.dan, later, now=AFTER_TERM)  # opened after the terms: no seat for anyone
    with gov.tx() as s:
        assert proposals.list_electorate(s, v.ann, later) == []
    assert gov.get(later).electorate_size == 3
    p = gov.close(v.dan, pid, now=T0 + timedelta(days=401))
    assert (p.outcome, p.ballots_counted) == ("accepted", 3)
    assert json.loads(p.result)["tally"]["tallies"] == {"yes": 2, "no": 1, "abstain": 0}


def test_council_recalls_or_replaces_a_delegate_after_the_term(gov: Gov, valley: Valley) -> None:
    """The sending council keeps control of a ballot cast in office: recall withdraws it, a
    successor replaces it and takes the seat."""
    v = valley
    bob = seat_all(gov, v)
    first = gov.propose(v.dan, v.fed, closes_at=T0 + timedelta(days=400), quorum=0)
    second = gov.propose(v.dan, v.fed, closes_at=T0 + timedelta(days=400), quorum=0)
    for pid in (first, second):
        gov.open(v.dan, pid)
        gov.vote(v.bob, pid, "yes")
        gov.vote(v.fay, pid, "no")
    recall = _decide_at(
        gov, v.farm, [v.ann, v.cat], AFTER_TERM, kind="recall_delegate",
        payload={"delegate_id": bob},
    )  # fmt: skip
    with gov.tx() as s:
        assert s.get(Delegate, bob).status == "recalled"
        withdrawn = s.scalars(
            select(Ballot.withdrawn_reason).where(
                Ballot.voter_id == v.bob, Ballot.proposal_id.in_((first, second))
            )
        )
        assert set(withdrawn) == {f"recalled by proposal #{recall}"}
    term = (AFTER_TERM + YEAR).isoformat()
    fay = gov.propose(v.ann, v.village, now=AFTER_TERM)  # the village replaces Fay instead
    with gov.tx() as s:
        proposals.update_draft(
            s, v.ann, fay, kind="elect_delegate", now=AFTER_TERM,
            payload={"person_id": v.gus, "federation_id": v.fed, "term_ends_at": term},
        )  # fmt: skip
    gov.open(v.ann, fay, now=AFTER_TERM)
    for voter in (v.ann, v.fay, v.gus):
        gov.vote(voter, fay, "yes", now=AFTER_TERM)
    assert gov.close(v.ann, fay, now=AFTER_TERM).outcome == "accepted"
    gov.vote(v.gus, first, "yes", now=AFTER_TERM)  # the successor's seat on the open vote
    p = gov.close(v.dan, first, now=T0 + timedelta(days=401))
    assert json.loads(p.result)["tally"]["tallies"] == {"yes": 1, "no": 0, "abstain": 0}


def test_seat_held_after_the_term_until_the_council_acts(gov: Gov, valley: Valley) -> None:
    """An out-of-term delegate still holds the seat (their ballots count), so another council
    cannot elect them in the same federation: refused when drafted, never stuck at closing."""
    v = valley
    gov.elect(v.farm, [v.ann, v.bob, v.cat], v.ann, v.fed)
    payload = {"person_id": v.ann, "federation_id": v.fed,
               "term_ends_at": (AFTER_TERM + YEAR).isoformat()}  # fmt: skip
    with pytest.raises(Conflict, match="one person, one vote"):
        gov.propose(v.ann, v.bakery, kind="elect_delegate", payload=payload, now=AFTER_TERM)


# --- leaving a federation by the member council's vote ----------------------------------------


def test_council_leaves_the_federation_and_its_delegate_is_recalled(
    gov: Gov, valley: Valley
) -> None:
    v = valley
    bob = seat_all(gov, v)
    pid = gov.propose(v.dan, v.fed, quorum=0)
    gov.open(v.dan, pid)
    gov.vote(v.bob, pid, "yes")
    gov.vote(v.dan, pid, "no")
    leave = gov.decide(
        v.farm, v.cat, [v.ann, v.bob, v.cat], kind="leave_federation",
        payload={"federation_id": v.fed}, title="Leave the valley federation",
    )  # fmt: skip
    assert leave.outcome == "accepted", leave.result
    with gov.tx() as s:
        link = s.scalar(select(CouncilLink).where(CouncilLink.member_id == v.farm))
        assert link.left_at == leave.closed_at
        d = s.get(Delegate, bob)
        assert (d.status, d.ended_by, d.ended_at) == ("recalled", leave.id, leave.closed_at)
        ballot = s.scalar(select(Ballot).where(Ballot.voter_id == v.bob, Ballot.proposal_id == pid))
        assert ballot.withdrawn_reason == (
            f"recalled: the council left the federation by proposal #{leave.id}"
        )
        assert [c.id for c in councils.list_member_councils(s, v.dan, v.fed)] == [
            v.bakery,
            v.village,
        ]
        assert councils.list_federations(s, v.cat, v.farm) == []
        with pytest.raises(Forbidden):  # the farm's members no longer read the federation
            proposals.get_proposal(s, v.cat, pid)
    with pytest.raises(Forbidden):
        gov.vote(v.bob, pid, "yes")
    with pytest.raises(Conflict, match="not a member of 'valley'"):
        gov.propose(
            v.ann, v.farm, kind="elect_delegate",
            payload={"person_id": v.cat, "federation_id": v.fed, "term_ends_at": TERM},
        )  # fmt: skip
    p = gov.close(v.dan, pid)
    assert (p.electorate_size, p.ballots_counted, p.outcome) == (3, 1, "rejected")


def test_leave_federation_payload_checked(gov: Gov, valley: Valley) -> None:
    v = valley
    with pytest.raises(InputError, match="no federation"):
        gov.propose(v.ann, v.farm, kind="leave_federation", payload={"federation_id": v.bakery})
    other = gov.federation(v.ann, "hills", [v.bakery])
    with pytest.raises(Conflict, match="'farm' is not a member of 'hills'"):
        gov.propose(v.ann, v.farm, kind="leave_federation", payload={"federation_id": other})


def test_council_rejoins_by_the_federation_vote(gov: Gov, valley: Valley) -> None:
    v = valley
    seat_all(gov, v)
    gov.decide(v.farm, v.ann, [v.ann, v.bob], kind="leave_federation",
               payload={"federation_id": v.fed})  # fmt: skip
    later = LATER + timedelta(hours=1)
    back = gov.propose(v.dan, v.fed, kind="admit_member", payload={"council_id": v.farm})
    gov.open(v.dan, back)
    gov.vote(v.dan, back, "yes")
    gov.vote(v.fay, back, "yes")
    assert gov.close(v.dan, back, now=later).outcome == "accepted"
    rejoin = gov.propose(v.ann, v.farm, kind="join_federation", payload={"admission_id": back})
    gov.open(v.ann, rejoin)
    gov.vote(v.ann, rejoin, "yes")
    gov.vote(v.bob, rejoin, "yes")
    assert gov.close(v.ann, rejoin, now=later).outcome == "accepted"
    with gov.tx() as s:
        links = s.scalars(
            select(CouncilLink).where(CouncilLink.member_id == v.farm).order_by(CouncilLink.id)
        ).all()
        assert [(lk.left_at is None) for lk in links] == [False, True]
