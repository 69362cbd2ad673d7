"""The constrained solver against HiGHS: same plans within the certified gap, valid certificates."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from scale.checks import assert_feasible, small_economies
from soviets.economy import Council, Economy, Good, Need, Process
from soviets.economy.generate import generate_economy
from soviets.errors import SolverLimitError
from soviets.planning import central, constrained, constrained_polish, fast

GAP = 1e-6
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _agree(eco: Economy, mode: str, gap: float = GAP) -> None:
    """Both solvers find the same plan status; ours is feasible and certified around HiGHS's."""
    ref = central.solve(eco, mode)
    ours = constrained.solve(eco, mode, gap=gap)
    if ref.status == "infeasible":
        assert ours.status == "infeasible"
        assert ours.unmet and ours.binding  # both name what cannot be met and what binds
        assert ref.unmet and ref.binding
        return
    assert ours.status == "optimal", ours.extra
    cert = ours.certificate
    assert cert.gap <= gap
    slack = 1e-9 * max(1.0, ref.objective_hours)
    assert cert.dual <= ref.objective_hours + slack
    assert ref.objective_hours <= cert.primal + slack
    assert ours.objective_hours == pytest.approx(cert.primal, rel=1e-12)
    assert_feasible(eco, ours, mode)
    if ours.fulfilment is not None:
        assert ours.fulfilment == pytest.approx(ref.fulfilment, abs=1e-9)


@SETTINGS
@given(small_economies())
def test_min_labour_agrees_with_highs(eco):
    _agree(eco, "min-labour")


@SETTINGS
@given(small_economies(hours=True))
def test_labour_budget_agrees_with_highs(eco):
    _agree(eco, "labour-budget")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("mode", ["min-labour", "labour-budget"])
def test_generated_medium_economies(seed, mode, monkeypatch):
    monkeypatch.setattr(constrained_polish, "POLISH_MAX", 0)  # the first-order path
    eco = generate_economy(
        goods=400,
        techs=3,
        inputs=6,
        capacity_share=0.3,
        primary=2,
        regions=3,
        councils=8,
        seed=seed,
        hour_budgets=True,
        stock_share=0.05,
    )
    _agree(eco, mode, gap=1e-5)


def test_uncapacitated_plan_is_exact_and_matches_fast_path():
    eco = generate_economy(goods=2000, techs=3, inputs=8, capacity_share=0.0, primary=0, seed=4)
    ours = constrained.solve(eco, gap=1e-9)
    ref = fast.solve(eco)
    assert ours.status == "optimal"
    assert ours.certificate.gap <= 1e-9
    assert ours.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)
    produced = ~eco.good_primary
    assert np.allclose(ours.labour_values[produced], ref.labour_values[produced], rtol=1e-9)
    assert ours.extra["constrained"]["iterations"] == 0  # no first-order iterations needed


def test_binding_summary_names_capacities_limits_and_hours():
    eco = generate_economy(
        goods=500,
        techs=3,
        inputs=6,
        capacity_share=0.3,
        primary=1,
        councils=8,
        seed=1,
        hour_budgets=True,
    )
    ours = constrained.solve(eco, "labour-budget", gap=1e-6)
    ref = central.solve(eco, "labour-budget")
    assert {"capacity", "limit", "hours"} <= {b["kind"] for b in ours.binding}
    prices = [b["shadow_price"] for b in ours.binding]
    assert prices == sorted(prices, reverse=True)

    def scarce(plan):
        return {
            (b["kind"], b.get("good") or b.get("council")): b["shadow_price"]
            for b in plan.binding
            if b["kind"] != "capacity"
        }

    assert scarce(ours).keys() == scarce(ref).keys()
    for key, price in scarce(ref).items():
        assert scarce(ours)[key] == pytest.approx(price, rel=1e-3)

    def capacities(plan, significant: bool):
        top = max(b["shadow_price"] for b in plan.binding)
        return {
            b["process"]
            for b in plan.binding
            if b["kind"] == "capacity" and (not significant or b["shadow_price"] > 1e-3 * top)
        }

    assert capacities(ref, True) <= capacities(ours, False)
    assert capacities(ours, True) <= capacities(ref, False)


def _one_good(capacity: float, limit: float | None, need: float) -> Economy:
    return Economy.from_records(
        goods=[Good("bread", "t"), Good("co2", "t", "primary", limit)],
        councils=[
            Council("bakery", "workplace"),
            Council("oven", "workplace"),
            Council("town", "territorial", members=5),
        ],
        processes=[
            Process("bake", "bakery", 1.0, {"bread": 1.0, "co2": -1.0}, capacity=capacity),
            Process("wood-oven", "oven", 3.0, {"bread": 1.0, "co2": -2.0}, capacity=capacity),
        ],
        needs=[Need("town", "bread", need)],
    )


def test_infeasible_capacity_is_reported_by_both():
    eco = _one_good(capacity=2.0, limit=None, need=10.0)
    for plan in (central.solve(eco), constrained.solve(eco)):
        assert plan.status == "infeasible"
        assert {u["good"] for u in plan.unmet} == {"bread"}
        named = {b.get("process") for b in plan.binding if b["kind"] == "capacity"}
        assert named == {"bake", "wood-oven"}


def test_infeasible_limit_is_reported_by_both():
    eco = _one_good(capacity=100.0, limit=4.0, need=10.0)
    ours = constrained.solve(eco)
    ref = central.solve(eco)
    for plan in (ref, ours):
        assert plan.status == "infeasible"
        assert any(b["kind"] == "limit" and b["good"] == "co2" for b in plan.binding)
    proof = ours.extra["infeasibility"]
    assert proof["dual_bound"] > 0  # a positive bound on the least shortfall proves it


def test_joint_production_is_handed_to_highs():
    eco = Economy.from_records(
        goods=[Good("wool", "kg"), Good("meat", "kg")],
        councils=[Council("farm", "workplace"), Council("town", "territorial")],
        processes=[Process("sheep", "farm", 2.0, {"wool": 1.0, "meat": 3.0})],
        needs=[Need("town", "wool", 4.0)],
    )
    plan = constrained.solve(eco)
    assert plan.solver == "highs"
    assert "joint production" in plan.extra["handover"]
    assert plan.objective_hours == pytest.approx(8.0)


def test_progress_callback_and_time_limit():
    eco = generate_economy(
        goods=300,
        techs=3,
        inputs=6,
        capacity_share=0.3,
        primary=1,
        regions=2,
        councils=6,
        seed=7,
        hour_budgets=True,
    )
    seen = []
    try:
        plan = constrained.solve(
            eco, "labour-budget", gap=1e-12, time_limit=0.5, progress=seen.append
        )
    except SolverLimitError as exc:  # a slow machine: no plan yet when the time ran out
        assert "time limit" in str(exc) and seen
        return
    ref = central.solve(eco, "labour-budget")
    assert seen and {"iteration", "sweeps", "primal", "dual", "gap", "seconds"} <= set(seen[0])
    json.dumps(plan.to_dict(), allow_nan=False)  # history entries before a plan hold no inf
    assert plan.status in ("optimal", "feasible")
    assert plan.extra["constrained"]["stopped"] in ("time limit", "gap reached")
    cert = plan.certificate
    assert math.isfinite(cert.gap)
    slack = 1e-9 * ref.objective_hours  # both plans are optimal to rounding at small sizes
    assert cert.dual <= ref.objective_hours + slack
    assert ref.objective_hours <= cert.primal + slack
    assert_feasible(eco, plan, "labour-budget")


def test_rich_progress_display_runs(capsys):
    eco = generate_economy(goods=100, techs=3, inputs=4, capacity_share=0.3, seed=8)
    plan = constrained.solve(eco, gap=1e-4, progress=True)
    assert plan.status == "optimal"
    assert "planning" in capsys.readouterr().err


def test_json_schema_of_a_constrained_plan():
    eco = generate_economy(goods=50, techs=2, inputs=3, capacity_share=0.3, seed=9)
    data = constrained.solve(eco, gap=1e-6).to_dict()
    json.dumps(data, allow_nan=False)
    assert data["solver"] == "constrained"
    assert set(data["certificate"]) == {"primal", "dual", "gap"}
    info = data["constrained"]
    assert {"iterations", "sweeps", "seconds", "stopped", "warm_start"} <= set(info)
