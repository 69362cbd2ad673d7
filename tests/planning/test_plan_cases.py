"""The central plan on small economies checked by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.errors import ModelError
from soviets.planning import plan


def bakery(
    *,
    needs: list[Need],
    hours: float | None = None,
    oven: float | None = None,
    stocks: dict[str, float] | None = None,
) -> Economy:
    """Bread at 2 hours a loaf (oven, optional capacity) or 3 hours (by hand)."""
    return Economy.from_records(
        goods=[Good("bread", "loaf")],
        councils=[
            Council("town", "territorial", members=5),
            Council("village", "territorial", members=5),
            Council("bakers", "workplace", parent="town", hours_available=hours),
        ],
        processes=[
            Process("oven", "bakers", 2.0, {"bread": 1.0}, capacity=oven),
            Process("by-hand", "bakers", 3.0, {"bread": 1.0}),
        ],
        needs=needs,
        stocks=stocks,
    )


@pytest.mark.parametrize("solver", ["auto", "highs"])
def test_min_labour_uses_cheap_process_up_to_capacity(solver):
    eco = bakery(needs=[Need("town", "bread", 50.0)], oven=30.0)
    p = plan(eco, solver=solver)
    assert p.status == "optimal" and p.solver == "highs"
    np.testing.assert_allclose(p.activity, [30.0, 20.0])
    assert p.objective_hours == pytest.approx(120.0)
    assert p.labour_values[0] == pytest.approx(3.0)  # the marginal loaf is made by hand
    assert p.binding == [
        {
            "kind": "capacity",
            "process": "oven",
            "council": "bakers",
            "capacity": 30.0,
            "shadow_price": pytest.approx(1.0),
            "objective": "hours",
        }
    ]
    assert p.certificate.gap < 1e-12


def test_stocks_reduce_what_is_made():
    eco = bakery(needs=[Need("town", "bread", 50.0)], stocks={"bread": 12.0})
    for solver in ("fast", "highs"):
        p = plan(eco, solver=solver)
        assert p.objective_hours == pytest.approx(76.0)
        assert p.need_met.tolist() == [50.0]


def test_labour_budget_serves_the_worst_off_first():
    # 100 hours = 50 loaves at 2 h: 10 essential, then 40 for 80 normal asked -> t = 0.5
    eco = bakery(
        needs=[
            Need("town", "bread", 10.0, "essential"),
            Need("town", "bread", 20.0, "normal"),
            Need("village", "bread", 60.0, "normal"),
        ],
        hours=100.0,
    )
    p = plan(eco, mode="labour-budget")
    assert p.status == "optimal"
    assert p.fulfilment == pytest.approx(0.5, abs=1e-12)
    assert p.objective_hours == pytest.approx(100.0, rel=1e-8)
    np.testing.assert_allclose(p.need_met, [10.0, 10.0, 30.0], rtol=1e-8)
    assert p.needs_met_by_council()["village"]["bread"] == pytest.approx(30.0, rel=1e-8)
    hours = [b for b in p.binding if b["kind"] == "hours"]
    assert hours[0]["council"] == "bakers" and hours[0]["objective"] == "fulfilment"
    assert hours[0]["shadow_price"] == pytest.approx(1 / 160)  # 1 h = 0.5 loaf = 1/160 of t


def test_labour_budget_with_enough_hours_meets_everything_with_least_labour():
    eco = bakery(
        needs=[Need("town", "bread", 10.0), Need("village", "bread", 5.0, "normal")],
        hours=1000.0,
        oven=12.0,
    )
    p = plan(eco, mode="labour-budget")
    assert p.fulfilment == 1.0
    assert p.objective_hours == pytest.approx(12 * 2 + 3 * 3)
    assert p.share_of_needs_met() == 1.0


def test_labour_budget_hours_of_a_territory_bound_its_workplaces():
    eco = Economy.from_records(
        goods=[Good("bread")],
        councils=[
            Council("region", "territorial", hours_available=30.0),
            Council("a", "workplace", parent="region"),
            Council("b", "workplace", parent="region"),
        ],
        processes=[
            Process("pa", "a", 1.0, {"bread": 1.0}, capacity=20.0),
            Process("pb", "b", 1.0, {"bread": 1.0}),
        ],
        needs=[Need("region", "bread", 60.0, "normal")],
    )
    p = plan(eco, mode="labour-budget")
    assert p.fulfilment == pytest.approx(0.5)
    assert p.objective_hours == pytest.approx(30.0, rel=1e-8)
    assert [b["council"] for b in p.binding if b["kind"] == "hours"] == ["region"]


def test_infeasible_essential_needs_within_hours_are_named():
    eco = bakery(
        needs=[Need("town", "bread", 40.0), Need("village", "bread", 20.0, "normal")],
        hours=60.0,
    )
    p = plan(eco, mode="labour-budget")
    assert p.status == "infeasible"
    assert p.unmet == [
        {
            "council": "town",
            "good": "bread",
            "priority": "essential",
            "asked": 40.0,
            "can_deliver": pytest.approx(30.0),
        }
    ]
    assert [(b["kind"], b["council"]) for b in p.binding] == [("hours", "bakers")]
    d = p.to_dict()
    assert d["status"] == "infeasible" and d["objective_hours"] is None
    assert d["infeasibility"]["dual_bound"] > 0  # proof that no plan exists


def test_infeasible_capacity_names_the_process():
    eco = Economy.from_records(
        goods=[Good("flour"), Good("bread")],
        councils=[
            Council("mill", "workplace"),
            Council("bakers", "workplace"),
            Council("town", "territorial"),
        ],
        processes=[
            Process("grind", "mill", 1.0, {"flour": 1.0}, capacity=10.0),
            Process("bake", "bakers", 1.0, {"bread": 1.0, "flour": -0.5}),
        ],
        needs=[Need("town", "bread", 30.0), Need("town", "flour", 2.0)],
    )
    for solver in ("auto", "highs"):
        p = plan(eco, solver=solver)
        assert p.status == "infeasible"
        unmet = {u["good"]: u for u in p.unmet}
        assert set(unmet) == {"bread"}  # flour first goes to its own need...
        assert unmet["bread"]["can_deliver"] == pytest.approx(16.0)  # ...then 8 t make 16 loaves
        assert p.binding[0]["kind"] == "capacity" and p.binding[0]["process"] == "grind"


def test_infeasible_limit_and_missing_good_are_named():
    eco = Economy.from_records(
        goods=[Good("steel"), Good("antique"), Good("ore", kind="primary", limit=10.0)],
        councils=[Council("works", "workplace"), Council("town", "territorial")],
        processes=[Process("smelt", "works", 3.0, {"steel": 1.0, "ore": -1.0})],
        needs=[Need("town", "steel", 15.0), Need("town", "antique", 5.0)],
        stocks={"antique": 2.0},
    )
    p = plan(eco)
    assert p.status == "infeasible"
    assert {u["good"]: u["can_deliver"] for u in p.unmet} == {
        "steel": pytest.approx(10.0),
        "antique": pytest.approx(2.0),
    }
    kinds = {(b["kind"], b["good"]) for b in p.binding}
    assert kinds == {("limit", "ore"), ("stock", "antique")}


def test_fast_solver_refuses_what_it_cannot_do():
    eco = bakery(needs=[Need("town", "bread", 5.0)], oven=3.0)
    with pytest.raises(ModelError, match="'oven' has a capacity"):
        plan(eco, solver="fast")
    with pytest.raises(ModelError, match="labour-budget"):
        plan(eco, mode="labour-budget", solver="fast")
    with pytest.raises(ModelError, match="unknown mode"):
        plan(eco, mode="max-profit")


def test_primary_limits_price_in_hours():
    eco = Economy.from_records(
        goods=[Good("heat"), Good("co2", kind="primary", limit=10.0)],
        councils=[Council("plant", "workplace"), Council("town", "territorial")],
        processes=[
            Process("gas", "plant", 1.0, {"heat": 1.0, "co2": -1.0}),
            Process("heat-pump", "plant", 4.0, {"heat": 1.0}),
        ],
        needs=[Need("town", "heat", 25.0)],
    )
    p = plan(eco)
    np.testing.assert_allclose(p.activity, [10.0, 15.0])
    assert p.binding[0] | {"shadow_price": round(p.binding[0]["shadow_price"], 9)} == {
        "kind": "limit",
        "good": "co2",
        "limit": 10.0,
        "shadow_price": 3.0,
        "objective": "hours",
    }
    assert p.labour_values[0] == pytest.approx(4.0)
    assert p.labour_values[1] == pytest.approx(3.0)  # hours saved per tonne more allowed


def test_zero_capacity_process_is_left_out_by_the_fast_path():
    eco = bakery(needs=[Need("town", "bread", 5.0)], oven=0.0)
    p = plan(eco)
    assert p.solver == "fast" and p.objective_hours == pytest.approx(15.0)
    assert p.activity.tolist() == [0.0, 5.0]


def test_stock_mixing_hands_over_to_highs():
    """A surplus stock makes a second process cheaper for part of the output only."""
    eco = Economy.from_records(
        goods=[Good("wood"), Good("chair")],
        councils=[Council("shop", "workplace"), Council("town", "territorial")],
        processes=[
            Process("fell", "shop", 5.0, {"wood": 1.0}),
            Process("carve", "shop", 1.0, {"chair": 1.0, "wood": -1.0}),  # 6 h with new wood
            Process("weld", "shop", 4.0, {"chair": 1.0}),
        ],
        needs=[Need("town", "chair", 10.0)],
        stocks={"wood": 4.0},
    )
    p = plan(eco)
    assert p.status == "optimal"
    np.testing.assert_allclose(p.activity, [0.0, 4.0, 6.0], atol=1e-9)
    assert p.objective_hours == pytest.approx(28.0)
    assert p.solver == "highs" and "handover" in p.extra
    h = plan(eco, solver="highs")
    assert h.objective_hours == pytest.approx(p.objective_hours, rel=1e-12)


def test_plan_json_schema():
    eco = dataclasses.replace(bakery(needs=[Need("town", "bread", 5.0)]), name="bakery")
    d = plan(eco).to_dict()
    for key in (
        "status",
        "objective_hours",
        "activity",
        "labour_values",
        "needs_met",
        "council_hours",
        "certificate",
        "unmet",
        "binding",
    ):
        assert key in d
    assert d["activity"] == {"oven": 5.0, "by-hand": 0.0}
    assert d["needs_met"] == {"town": {"bread": 5.0}}
    assert d["council_hours"] == {"bakers": 10.0}
    assert d["certificate"] == {"primal": 10.0, "dual": 10.0, "gap": 0.0}
    assert d["hours_per_member_week"] == pytest.approx(10.0 / 10 / 52)


@pytest.mark.parametrize("solver", ["auto", "highs"])
def test_economies_without_processes(solver):
    empty = Economy.from_records(goods=[], councils=[], processes=[])
    assert plan(empty, solver=solver).objective_hours == 0.0
    only_stock = Economy.from_records(
        goods=[Good("salt")],
        councils=[Council("t", "territorial")],
        processes=[],
        needs=[Need("t", "salt", 2.0)],
        stocks={"salt": 3.0},
    )
    p = plan(only_stock, solver=solver)
    assert p.status == "optimal" and p.objective_hours == 0.0 and p.need_met.tolist() == [2.0]
    short = dataclasses.replace(only_stock, stocks=np.array([1.0]))
    p = plan(short, solver=solver)
    assert p.status == "infeasible"
    assert p.unmet[0]["can_deliver"] == 1.0
    assert p.binding == [
        {
            "kind": "stock",
            "good": "salt",
            "stock": 1.0,
            "shadow_price": None,
            "objective": "shortfall",
        }
    ]
