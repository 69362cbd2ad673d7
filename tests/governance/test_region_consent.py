"""A council enters a region only by two votes: the region's ``admit_to_region`` consents,
the council's own ``join_region`` takes it. Neither a coordinator alone, nor an outsider,
nor one of the two councils without the other places a council in a region."""

from __future__ import annotations

from datetime import timedelta

import pytest

from soviets.governance import regions
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.governance.transfers import OFFER_LAPSES
from soviets.ledger.models import Council, CouncilLink

from .conftest import OVER, T0, Gov


@pytest.fixture
def world(gov: Gov) -> dict[str, int]:
    """Federation valley: farm (Ann coordinates, Bob) and the village (Cat coordinates,
    Dan), a territorial council; Eve coordinates 'lone', a territorial council of no
    federation."""
    ann, bob, cat, dan, eve = gov.people("Ann", "Bob", "Cat", "Dan", "Eve")
    farm = gov.council(ann, "farm", [bob])
    village = gov.council(cat, "village", [dan], kind="territorial")
    lone = gov.council(eve, "lone", kind="territorial")
    fed = gov.federation(cat, "valley", [village])
    with gov.tx() as s:
        s.add(CouncilLink(member_id=farm, federation_id=fed, joined_at=T0))
    return {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "eve": eve, "farm": farm,
            "village": village, "lone": lone, "fed": fed}  # fmt: skip


def _region(gov: Gov, council: int) -> int | None:
    with gov.tx() as s:
        return s.get(Council, council).parent_id  # type: ignore[union-attr]


def _admit(gov: Gov, w: dict[str, int]) -> int:
    admitted = gov.decide(
        w["village"], w["cat"], [w["cat"], w["dan"]], kind="admit_to_region",
        payload={"council_id": w["farm"]},
    )  # fmt: skip
    assert admitted.outcome == "accepted", admitted.result
    return admitted.id


def _vote(gov: Gov, council: int, proposer: int, ballots: dict[int, str], **kw) -> str:
    pid = gov.propose(proposer, council, **kw)
    gov.open(proposer, pid)
    for voter, choice in ballots.items():
        gov.vote(voter, pid, choice)
    return str(gov.close(proposer, pid).outcome)


def test_both_votes_place_the_council_and_its_own_vote_takes_it_out(gov: Gov, world) -> None:
    w = world
    admission = _admit(gov, w)
    assert _region(gov, w["farm"]) is None  # the region's consent alone places nobody
    with gov.tx() as s:
        found = regions.admissions_to(s, s.get(Council, w["farm"]), OVER)
        assert [p.id for p in found] == [admission]
    joined = gov.decide(
        w["farm"], w["ann"], [w["ann"], w["bob"]], kind="join_region",
        payload={"admission_id": admission},
    )  # fmt: skip
    assert joined.outcome == "accepted", joined.result
    assert "hours of work per member per week" in " ".join(joined.result_data["effect_text"])
    assert _region(gov, w["farm"]) == w["village"]
    with pytest.raises(Conflict, match="already taken"):
        gov.propose(w["ann"], w["farm"], kind="join_region", payload={"admission_id": admission})
    left = gov.decide(w["farm"], w["ann"], [w["ann"], w["bob"]], kind="leave_region", payload={})
    assert left.outcome == "accepted", left.result
    assert _region(gov, w["farm"]) is None
    with pytest.raises(Conflict, match="in no region"):
        gov.propose(w["ann"], w["farm"], kind="leave_region", payload={})


def test_a_coordinator_or_an_outsider_places_nothing(gov: Gov, world) -> None:
    w = world
    # No region consented: the coordinator has nothing to take.
    with pytest.raises(InputError, match="no proposal #9999"):
        gov.propose(w["ann"], w["farm"], kind="join_region", payload={"admission_id": 9999})
    unrelated = gov.propose(w["ann"], w["farm"], title="a question")
    with pytest.raises(Conflict, match="no region's accepted admission"):
        gov.propose(w["ann"], w["farm"], kind="join_region", payload={"admission_id": unrelated})
    # Nobody proposes in a council where they have no vote.
    with pytest.raises(Forbidden):  # Ann coordinates the farm, not the village
        gov.propose(w["ann"], w["village"], kind="admit_to_region",
                    payload={"council_id": w["farm"]})  # fmt: skip
    admission = _admit(gov, w)
    with pytest.raises(Forbidden):  # Eve is no member of the farm
        gov.propose(w["eve"], w["farm"], kind="join_region", payload={"admission_id": admission})
    # The coordinator's yes is not the council's decision: its members refuse.
    outcome = _vote(gov, w["farm"], w["ann"], {w["ann"]: "yes", w["bob"]: "no"},
                    kind="join_region", payload={"admission_id": admission})  # fmt: skip
    assert outcome != "accepted"
    assert _region(gov, w["farm"]) is None


def test_a_region_that_does_not_consent_holds_nobody(gov: Gov, world) -> None:
    w = world
    outcome = _vote(gov, w["village"], w["cat"], {w["cat"]: "no", w["dan"]: "no"},
                    kind="admit_to_region", payload={"council_id": w["farm"]})  # fmt: skip
    assert outcome == "rejected"
    with gov.tx() as s:
        assert regions.admissions_to(s, s.get(Council, w["farm"]), OVER) == []
    refused = gov.propose(w["cat"], w["village"], title="x")  # any id that is no admission
    with pytest.raises(Conflict, match="no region's accepted admission"):
        gov.propose(w["ann"], w["farm"], kind="join_region", payload={"admission_id": refused})
    # An admission untaken for 30 days lapses: a join closed after that fails.
    admission = _admit(gov, w)
    late = gov.propose(w["ann"], w["farm"], kind="join_region",
                       payload={"admission_id": admission})  # fmt: skip
    gov.open(w["ann"], late)
    for voter in (w["ann"], w["bob"]):
        gov.vote(voter, late, "yes")
    closed = gov.close(w["ann"], late, now=OVER + OFFER_LAPSES + timedelta(days=1))
    assert closed.outcome == "failed"
    assert "lapsed 30 days after its vote" in closed.result_data["failure"]
    assert _region(gov, w["farm"]) is None


def test_only_a_territorial_council_of_the_same_federation_admits(gov: Gov, world) -> None:
    w = world
    with pytest.raises(Conflict, match="only a territorial council admits"):
        gov.propose(w["ann"], w["farm"], kind="admit_to_region",
                    payload={"council_id": w["village"]})  # fmt: skip
    with pytest.raises(InputError, match="share no federation"):
        gov.propose(w["eve"], w["lone"], kind="admit_to_region",
                    payload={"council_id": w["farm"]})  # fmt: skip
    with pytest.raises(InputError, match="own region"):
        gov.propose(w["cat"], w["village"], kind="admit_to_region",
                    payload={"council_id": w["village"]})  # fmt: skip
    with pytest.raises(InputError, match="a federation"):
        gov.propose(w["cat"], w["village"], kind="admit_to_region",
                    payload={"council_id": w["fed"]})  # fmt: skip
