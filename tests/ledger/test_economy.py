"""Needs, processes and the ledger -> economy export (through the planner and back)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from soviets.errors import SovietsError
from soviets.formats import read_economy_folder, write_economy_folder
from soviets.ledger import needs, processes
from soviets.ledger.db import transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.errors import NotAllowed
from soviets.ledger.models import Proposal
from soviets.planning import plan

from .conftest import stock


def proposal(s, council: int, person: int, kind: str = "approve_needs") -> int:
    """A proposal row standing for an accepted vote (its counting is governance's job)."""
    p = Proposal(
        council_id=council, kind=kind, title=kind, method="majority", quorum=0.0, created_by=person
    )
    s.add(p)
    s.flush()
    return p.id


def setup_valley(s, w) -> None:
    """grow (farm, 2 h/t), grow2 (farm2, 1.5 h/t, capacity 2 from a tractor), bake (bakery).

    The village needs 10 t of bread (essential, approved) and 4 t more (normal, not approved).
    Least labour: bake 10 (10 h), grain 5 t: 2 t from farm2 (3 h), 3 t from farm (6 h) = 19 h.
    """
    processes.register_process(s, name="grow", council_id=w.farm, labour=2.0, flows={"grain": 1})
    grow2 = processes.register_process(
        s, name="grow2", council_id=w.farm2, labour=1.5, flows={"grain": 1.0}
    )
    stock(s, w.farm2, "tractor", 1.0, kind="means_of_production", process_id=grow2.id,
          capacity_per_unit=2.0)  # fmt: skip
    processes.register_process(
        s, name="bake", council_id=w.bakery, labour=1.0, flows={"bread": 1.0, "grain": -0.5}
    )
    needs.register_need(s, council_id=w.village, period=w.period, good="bread", quantity=6.0,
                        person_id=w.cat)  # fmt: skip
    needs.register_need(s, council_id=w.village, period=w.period, good="bread", quantity=4.0,
                        person_id=w.dan)  # fmt: skip
    approved = needs.approve_needs(
        s, council_id=w.village, period=w.period, proposal_id=proposal(s, w.village, w.cat)
    )
    assert approved == 2
    needs.register_need(s, council_id=w.village, period=w.period, good="bread", quantity=4.0,
                        priority="normal")  # fmt: skip


def test_economy_from_the_ledger(factory, world):
    with transaction(factory) as s:
        setup_valley(s, world)
    with transaction(factory) as s:
        eco = build_economy(s, world.period)
    assert eco.good_names == ["grain", "bread", "land"]
    assert [(c.name, c.kind, c.parent, c.members) for c in eco.councils] == [
        ("valley", "federation", None, 0),
        ("farm", "workplace", "valley", 1),
        ("farm2", "workplace", "valley", 1),
        ("bakery", "workplace", "valley", 1),
        ("village", "territorial", "valley", 2),
    ]
    assert eco.process_names == ["grow", "grow2", "bake"]
    assert list(eco.capacity) == [math.inf, 2.0, math.inf]  # grow2: 1 tractor x 2 per tractor
    assert [(n.council, n.good, n.quantity, n.priority) for n in eco.need_records()] == [
        ("village", "bread", 10.0, "essential")  # the normal need is not approved yet
    ]
    assert eco.good_limit[2] == 1000.0 and eco.good_primary[2]


def test_explicit_capacity_wins_and_more_means_more_capacity(factory, world):
    with transaction(factory) as s:
        setup_valley(s, world)
        tractor = stock(s, world.farm2, "tractor-b", 3.0, kind="means_of_production",
                        process_id=2, capacity_per_unit=1.5)  # fmt: skip
        assert tractor
        assert processes.capacities(s)[2] == 2.0 + 4.5
        processes.register_process(s, name="grow3", council_id=world.farm, labour=3.0,
                                   flows={"grain": 1.0}, capacity=7.0)  # fmt: skip
        assert processes.capacities(s)[4] == 7.0


def test_only_approved_needs_count_and_only_territorial_councils_need(factory, world):
    with transaction(factory) as s:
        with pytest.raises(NotAllowed, match="not a territorial council"):
            needs.register_need(s, council_id=world.farm, period=world.period, good="bread",
                                quantity=1.0)  # fmt: skip
        with pytest.raises(NotAllowed, match="not a member"):
            needs.register_need(s, council_id=world.village, period=world.period, good="bread",
                                quantity=1.0, person_id=world.ann)  # fmt: skip
        with pytest.raises(SovietsError, match="primary input"):
            needs.register_need(s, council_id=world.village, period=world.period, good="land",
                                quantity=1.0)  # fmt: skip
        with pytest.raises(SovietsError, match="no period named '1999'"):
            needs.register_need(s, council_id=world.village, period="1999", good="bread",
                                quantity=1.0)  # fmt: skip


def test_export_round_trips_through_the_planner(factory, world, tmp_path):
    with transaction(factory) as s:
        setup_valley(s, world)
    with transaction(factory) as s:
        eco = build_economy(s, world.period)
    write_economy_folder(eco, tmp_path / "valley")
    back = read_economy_folder(tmp_path / "valley")
    for solver in ("highs", "auto"):
        p1, p2 = plan(eco, solver=solver), plan(back, solver=solver)
        assert p1.status == p2.status == "optimal"
        assert p1.objective_hours == pytest.approx(19.0)
        assert p2.objective_hours == pytest.approx(19.0)
        np.testing.assert_allclose(p1.activity, [3.0, 2.0, 10.0], atol=1e-9)
        np.testing.assert_allclose(p2.activity, [3.0, 2.0, 10.0], atol=1e-9)
    assert back.process_names == eco.process_names
    assert [c.name for c in back.councils] == [c.name for c in eco.councils]


def test_stocks_come_from_what_councils_hold(factory, world):
    with transaction(factory) as s:
        setup_valley(s, world)
        grain = processes.get_good(s, "grain")
        stock(s, world.bakery, "grain", 1.0, good_id=grain.id)
    with transaction(factory) as s:
        eco = build_economy(s, world.period)
    assert list(eco.stocks) == [1.0, 0.0, 0.0]
    # one tonne of grain less to grow, taken from the expensive farm: 19 - 2 = 17 hours
    assert plan(eco, solver="highs").objective_hours == pytest.approx(17.0)
