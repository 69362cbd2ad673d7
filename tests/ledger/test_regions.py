"""Regions keep their workplaces: a council placed in a region (a territorial council of its
federation, by both councils' votes) keeps it as its parent in the ledger's economy, and the
exported economy reads back with the same region -> workplaces structure. The refusals
(a coordinator alone, an outsider, a region that does not consent) are in
tests/governance/test_region_consent.py."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from soviets.formats import read_economy_folder, write_economy_folder
from soviets.governance import ballots, proposals
from soviets.ledger.db import transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.models import Membership

from .conftest import _council
from .test_economy import setup_valley


def _decide(s: Session, council: int, voters: list[int], kind: str, payload: dict) -> int:
    """The council's vote on ``kind``: everyone in ``voters`` votes yes; the proposal's id."""
    p = proposals.create_proposal(s, voters[0], council, kind=kind, title=kind, payload=payload)
    proposals.open_proposal(s, voters[0], p.id)
    for voter in voters:
        ballots.cast_ballot(s, voter, p.id, "yes")
    closed = proposals.close_and_count(s, voters[0], p.id)
    assert closed.outcome == "accepted", closed.result
    return p.id


def _place(s: Session, w, council: int, members: list[int], region: int) -> None:
    """The region's vote admits the council, the council's own vote takes the admission."""
    admitted = _decide(s, region, [w.cat, w.dan], "admit_to_region", {"council_id": council})
    _decide(s, council, members, "join_region", {"admission_id": admitted})


def test_two_regions_round_trip_through_the_economy_reader(factory, world, tmp_path):
    w = world
    with transaction(factory) as s:
        setup_valley(s, w)
        hills = _council(s, "hills", "territorial", w.federation)
        _council(s, "lone", "territorial")  # in no federation
        for person in (w.cat, w.dan):
            s.add(Membership(person_id=person, council_id=hills))
        s.execute(update(Membership).values(role="coordinator"))
        _place(s, w, w.farm, [w.ann], w.village)
        _place(s, w, w.farm2, [w.ann], hills)
        _place(s, w, w.bakery, [w.bob], w.village)
    with transaction(factory) as s:
        eco = build_economy(s, w.period, w.federation)
    expected = {
        "valley": None,
        "farm": "village",
        "farm2": "hills",
        "bakery": "village",
        "village": "valley",
        "hills": "valley",
    }
    parents = {c.name: c.parent for c in eco.councils}
    assert parents == expected
    back = read_economy_folder(write_economy_folder(eco, tmp_path / "eco"))
    assert {c.name: c.parent for c in back.councils} == parents
    assert back.process_names == eco.process_names
    # back directly under the federation, by the council's own vote
    with transaction(factory) as s:
        _decide(s, w.farm2, [w.ann], "leave_region", {})
        again = build_economy(s, w.period, w.federation)
    assert {c.name: c.parent for c in again.councils}["farm2"] == "valley"
