"""Plans over several ledger periods: capital from the ledger, one plan per period, adoption."""

from __future__ import annotations

from datetime import date

import pytest

from soviets.economy import Capital, Council, Economy, Good, MultiYearEconomy, Period, PeriodNeed
from soviets.economy import Process as P
from soviets.ledger import multiyear_plans, needs, plans, processes
from soviets.ledger.db import transaction
from soviets.ledger.errors import Conflict
from soviets.planning.multiyear import solve

from .conftest import stock
from .test_economy import proposal, setup_valley


def _two_years(s, w) -> None:
    """The valley of test_economy plus a tractor farm (1 h/t, one tractor per 2 t of grain a
    year, 1 tractor held), tractors made by the farm (0.5 h each), and 2031 needing 16 t."""
    setup_valley(s, w)
    processes.add_good(s, name="tractor", unit="piece")
    tractor = processes.get_good(s, "tractor").id
    processes.register_process(s, name="build", council_id=w.farm, labour=0.5,
                               flows={"tractor": 1.0})  # fmt: skip
    field = processes.register_process(s, name="plough", council_id=w.farm2, labour=1.0,
                                       flows={"grain": 1.0})  # fmt: skip
    stock(s, w.farm2, "tractor-b", 1.0, kind="means_of_production", process_id=field.id,
          capacity_per_unit=2.0, good_id=tractor)  # fmt: skip
    needs.create_period(s, name="2031", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31))
    needs.register_need(s, council_id=w.village, period="2031", good="bread", quantity=16.0,
                        person_id=w.cat)  # fmt: skip
    needs.approve_needs(s, council_id=w.village, period="2031",
                        proposal_id=proposal(s, w.village, w.cat))  # fmt: skip


def _by_hand() -> float:
    """The same economy written out directly: its least hours over the two years."""
    base = Economy.from_records(
        goods=[
            Good("grain", "t"),
            Good("bread", "t"),
            Good("land", "ha", "primary", 1000.0),
            Good("tractor", "piece"),
        ],  # fmt: skip
        councils=[
            Council("valley", "federation"),
            Council("farm", "workplace", "valley"),
            Council("farm2", "workplace", "valley"),
            Council("bakery", "workplace", "valley"),
            Council("village", "territorial", "valley"),
        ],  # fmt: skip
        processes=[
            P("grow", "farm", 2.0, {"grain": 1.0}),
            P("grow2", "farm2", 1.5, {"grain": 1.0}, capacity=2.0),
            P("bake", "bakery", 1.0, {"bread": 1.0, "grain": -0.5}),
            P("build", "farm", 0.5, {"tractor": 1.0}),
            P("plough", "farm2", 1.0, {"grain": 1.0}),
        ],
    )
    model = MultiYearEconomy.from_records(
        base,
        periods=[Period("2030"), Period("2031")],
        capital=[Capital("plough", "tractor", 0.5, 1.0)],
        needs=[
            PeriodNeed("2030", "village", "bread", 10.0),
            PeriodNeed("2031", "village", "bread", 16.0),
        ],
    )
    return solve(model).certificate.primal


def test_multiyear_plan_from_the_ledger_is_stored_and_adopted(factory, world):
    with transaction(factory) as s:
        _two_years(s, world)
    with transaction(factory) as s:
        model = multiyear_plans.ledger_model(s, ["2030", "2031"], world.federation)
        assert [(c.process, c.good, c.quantity, c.stock) for c in model.capital_records()] == [
            ("plough", "tractor", 0.5, 1.0)
        ]
        records = multiyear_plans.run_multiyear_plan(s, ["2030", "2031"], world.federation)
        ids = [r.id for r in records]
        assert [r.period.name for r in records] == ["2030", "2031"]
        assert all(r.status == "proposed" and r.plan_status == "optimal" for r in records)
        total = sum(r.objective_hours for r in records)
        assert total == pytest.approx(_by_hand(), rel=1e-8)
        # 2030: 10 t bread (10 h), 5 t grain: 2 t plough (2 h), 2 t grow2 (3 h), 1 t grow (2 h);
        # 3 tractors (1.5 h) let the plough make all 8 t of grain in 2031 (8 h) with bread 16 h
        assert total == pytest.approx(17.0 + 1.5 + 24.0, rel=1e-8)
        first = {
            (a["supplier"], a["receiver"], a["good"]): a["quantity"] for a in records[0].allocation
        }
        assert first[("farm", "farm2", "tractor")] == pytest.approx(3.0)
        assert first[("bakery", "village", "bread")] == pytest.approx(10.0)
        second = {
            (a["supplier"], a["receiver"], a["good"]): a["quantity"] for a in records[1].allocation
        }
        assert second == pytest.approx(
            {("bakery", "village", "bread"): 16.0, ("farm2", "bakery", "grain"): 8.0}
        )
        assert records[1].result["period_index"] == 1
        assert records[1].result["certificate"]["gap"] <= 1e-8
    for plan_id in ids:  # adopted one period at a time, as one-period plans are
        with transaction(factory) as s:
            made = plans.adopt_plan(
                s,
                plan_id=plan_id,
                proposal_id=proposal(s, world.federation, world.ann, "adopt_plan"),
            )
            assert made and all(a.status == "proposed" for a in made)


def test_mixed_means_of_production_are_refused(factory, world):
    with transaction(factory) as s:
        _two_years(s, world)
        tractor = processes.get_good(s, "tractor").id
        stock(s, world.farm2, "tractor-c", 1.0, kind="means_of_production", process_id=2,
              capacity_per_unit=1.0, good_id=tractor)  # fmt: skip
    with transaction(factory) as s, pytest.raises(Conflict, match="process 'grow2' runs on"):
        multiyear_plans.ledger_model(s, ["2030", "2031"], world.federation)
