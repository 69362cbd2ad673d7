"""Plans: allocation to agreements, adoption, consent of both councils, delivery, progress."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
import scipy.sparse as sp

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.ledger import agreements, chain, needs, plans
from soviets.ledger.db import transaction
from soviets.ledger.errors import Conflict, NotAllowed
from soviets.ledger.models import Agreement
from soviets.ledger.processes import add_good, get_good

from .conftest import stock
from .test_economy import proposal, setup_valley


def test_allocate_shares_supply_in_proportion():
    """Two farms make 3 and 1 t of grain; two bakeries use 2 t each: each gets 3/4 from A."""
    eco = Economy.from_records(
        goods=[Good("grain"), Good("bread")],
        councils=[
            Council("A", "workplace"),
            Council("B", "workplace"),
            Council("P", "workplace"),
            Council("Q", "workplace"),
            Council("V", "territorial"),
        ],  # fmt: skip
        processes=[
            Process("a", "A", 1.0, {"grain": 1.0}),
            Process("b", "B", 1.0, {"grain": 1.0}),
            Process("p", "P", 1.0, {"bread": 1.0, "grain": -0.5}),
            Process("q", "Q", 1.0, {"bread": 1.0, "grain": -0.5}),
        ],
        needs=[Need("V", "bread", 8.0)],
    )
    got = plans.allocate(eco, np.array([3.0, 1.0, 4.0, 4.0]), np.array([8.0]))
    table = {(r["supplier"], r["receiver"], r["good"]): r["quantity"] for r in got}
    assert table == pytest.approx(
        {
            ("P", "V", "bread"): 4.0,
            ("Q", "V", "bread"): 4.0,
            ("A", "P", "grain"): 1.5,
            ("A", "Q", "grain"): 1.5,
            ("B", "P", "grain"): 0.5,
            ("B", "Q", "grain"): 0.5,
        }
    )
    # A council's use of its own output needs no agreement; stocks supply like makers.
    held = sp.csr_matrix(([4.0], ([0], [3])), shape=(2, 5))  # Q holds 4 t of grain
    got = plans.allocate(eco, np.array([0.0, 0.0, 4.0, 4.0]), np.array([8.0]), held)
    table = {(r["supplier"], r["receiver"], r["good"]): r["quantity"] for r in got}
    assert table == pytest.approx(
        {("P", "V", "bread"): 4.0, ("Q", "V", "bread"): 4.0, ("Q", "P", "grain"): 2.0}
    )


@pytest.fixture
def adopted(factory, world):
    """The valley's plan run, stored and adopted: returns the agreements' ids."""
    with transaction(factory) as s:
        setup_valley(s, world)
    with transaction(factory) as s:
        record = plans.run_plan(s, world.period, world.federation, solver="highs")
        assert record.status == "proposed" and record.plan_status == "optimal"
        assert record.objective_hours == pytest.approx(19.0)
        assert record.certificate["gap"] == pytest.approx(0.0, abs=1e-9)
        assert record.council_hours == pytest.approx({"farm": 6.0, "farm2": 3.0, "bakery": 10.0})
        plan_id = record.id
    with transaction(factory) as s:
        made = plans.adopt_plan(
            s, plan_id=plan_id, proposal_id=proposal(s, world.federation, world.ann, "adopt_plan")
        )
        return plan_id, [a.id for a in made]


def test_adoption_creates_agreements(factory, world, adopted):
    plan_id, ids = adopted
    with transaction(factory) as s:
        rows = {
            (a.supplier_council_id, a.receiver_council_id, a.good.name): (a.quantity, a.status)
            for a in (s.get(Agreement, i) for i in ids)
        }
        assert rows == {
            (world.bakery, world.village, "bread"): (pytest.approx(10.0), "proposed"),
            (world.farm, world.bakery, "grain"): (pytest.approx(3.0), "proposed"),
            (world.farm2, world.bakery, "grain"): (pytest.approx(2.0), "proposed"),
        }
        with pytest.raises(Conflict, match="already adopted"):
            plans.adopt_plan(s, plan_id=plan_id, proposal_id=1)


def test_a_second_plan_cannot_be_adopted_for_the_same_period(factory, world, adopted):
    with transaction(factory) as s:
        other = plans.run_plan(s, world.period, world.federation).id
    with (
        pytest.raises(Conflict, match="already adopted for this federation"),
        transaction(factory) as s,
    ):
        plans.adopt_plan(s, plan_id=other, proposal_id=1)


def test_consent_delivery_and_progress(factory, world, adopted):
    _, ids = adopted
    with transaction(factory) as s:
        bread = next(i for i in ids if s.get(Agreement, i).good.name == "bread")
        with pytest.raises(NotAllowed, match="not a party"):
            agreements.accept(s, bread, world.farm, world.ann)
        agreements.accept(s, bread, world.bakery, world.bob)
        assert s.get(Agreement, bread).status == "proposed"
        with pytest.raises(Conflict, match="not accepted by both"):
            agreements.deliver(s, agreement_id=bread, quantity=1.0, actor_id=world.bob)
        with pytest.raises(Conflict, match="already accepted"):
            agreements.accept(s, bread, world.bakery, world.bob)
    with transaction(factory) as s:
        vote = proposal(s, world.village, world.cat, "approve_agreement")
        agreements.approve(s, agreement_id=bread, council_id=world.village, proposal_id=vote)
        assert s.get(Agreement, bread).status == "accepted"
        loaves = stock(s, world.bakery, "bread", 12.0, good_id=get_good(s, "bread").id)
        agreements.deliver(s, agreement_id=bread, quantity=6.0, actor_id=world.bob)
        with pytest.raises(Conflict, match="only 4 left"):
            agreements.deliver(s, agreement_id=bread, quantity=5.0, actor_id=world.bob)
    with transaction(factory) as s:
        late = {r.good: r for r in agreements.progress(s, world.period, today=date(2031, 1, 1))}
        assert (late["bread"].agreed, late["bread"].delivered) == pytest.approx((10.0, 6.0))
        assert late["bread"].late and late["grain"].late
        early = agreements.progress(s, world.period, today=date(2030, 6, 1))
        assert not any(r.late for r in early)
        event = agreements.deliver(
            s, agreement_id=bread, quantity=4.0, actor_id=world.bob, resource_id=loaves
        )
        assert event.mandate == f"supply agreement {bread}" and event.agreement_id == bread
        assert s.get(Agreement, bread).status == "fulfilled"
        with pytest.raises(Conflict, match="already fulfilled"):
            agreements.deliver(s, agreement_id=bread, quantity=1.0, actor_id=world.bob)
    with transaction(factory) as s:
        done = {r.good: r for r in agreements.progress(s, world.period, today=date(2031, 1, 1))}
        assert done["bread"].status == "fulfilled" and not done["bread"].late
        assert chain.verify(s).ok


def test_an_infeasible_plan_is_stored_but_cannot_be_adopted(factory, world):
    with transaction(factory) as s:
        setup_valley(s, world)
        add_good(s, name="cake", unit="t")  # nobody bakes cake
        needs.register_need(s, council_id=world.village, period=world.period, good="cake",
                            quantity=1.0)  # fmt: skip
        needs.approve_needs(
            s, council_id=world.village, period=world.period,
            proposal_id=proposal(s, world.village, world.cat),
        )  # fmt: skip
        record = plans.run_plan(s, world.period, world.federation)
        assert record.plan_status == "infeasible" and record.allocation == []
        assert record.result["unmet"], "the plan says which need cannot be met"
        with pytest.raises(Conflict, match="infeasible"):
            plans.adopt_plan(s, plan_id=record.id, proposal_id=None)
        with pytest.raises(NotAllowed, match="not a federation"):
            plans.run_plan(s, world.period, world.village)
