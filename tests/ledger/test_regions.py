"""Regions keep their workplaces: a council placed in a region (a territorial council of its
federation) keeps it as its parent in the ledger's economy, and the exported economy reads
back with the same region -> workplaces structure."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from soviets.formats import read_economy_folder, write_economy_folder
from soviets.governance import councils
from soviets.governance.errors import Forbidden, InputError
from soviets.ledger.db import transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.models import Membership

from .conftest import _council
from .test_economy import setup_valley


def test_two_regions_round_trip_through_the_economy_reader(factory, world, tmp_path):
    w = world
    with transaction(factory) as s:
        setup_valley(s, w)
        hills = _council(s, "hills", "territorial", w.federation)
        lone = _council(s, "lone", "territorial")  # in no federation
        s.execute(update(Membership).values(role="coordinator"))
        with pytest.raises(Forbidden):  # Bob does not coordinate the farm
            councils.set_region(s, w.bob, w.farm, w.village)
        with pytest.raises(InputError, match="not a territorial"):
            councils.set_region(s, w.ann, w.farm, w.bakery)
        with pytest.raises(InputError, match="share no federation"):
            councils.set_region(s, w.ann, w.farm, lone)
        councils.set_region(s, w.ann, w.farm, w.village)
        councils.set_region(s, w.ann, w.farm2, hills)
        councils.set_region(s, w.bob, w.bakery, w.village)
        with pytest.raises(InputError, match="own region"):  # no cycle of regions
            councils.set_region(s, w.cat, w.village, w.village)
    with transaction(factory) as s:
        eco = build_economy(s, w.period, w.federation)
    expected = {
        "valley": None,
        "farm": "village",
        "farm2": "hills",
        "bakery": "village",
        "village": "valley",
        "hills": "valley",
        "lone": None,
    }
    parents = {c.name: c.parent for c in eco.councils}
    assert parents == {k: v for k, v in expected.items() if k != "lone"}
    back = read_economy_folder(write_economy_folder(eco, tmp_path / "eco"))
    assert {c.name: c.parent for c in back.councils} == parents
    assert back.process_names == eco.process_names
    # back directly under the federation
    with transaction(factory) as s:
        councils.set_region(s, w.ann, w.farm2, None)
        again = build_economy(s, w.period, w.federation)
    assert {c.name: c.parent for c in again.councils}["farm2"] == "valley"
