"""Issue 19: the merit-order cycle, tight shared caps and hour budgets, the simplex polish."""

from __future__ import annotations

import numpy as np
import pytest

from scale.checks import assert_feasible
from soviets.economy import Council, Economy, Good, Need, Process
from soviets.economy.generate import generate_economy
from soviets.planning import central, constrained, constrained_polish
from soviets.planning import constrained_oracle as oracle


def _cycle_economy() -> Economy:
    """Cheap steel is capped at 10 t; 20 cars are needed, by steel (1 t each) or by hand.

    At the price of cheap steel (1 h/t) the steel car (1 h + 1 t) beats the
    hand-made one (2.5 h), which asks for 20 t; then dear steel (3 h/t) is
    marginal and the hand-made car wins, which asks for none: merit orders
    alternate. The optimum splits the cars so that cheap steel is used up:
    10 steel cars, 10 hand-made ones, 10 h + 10 h + 25 h = 45 h.
    """
    return Economy.from_records(
        goods=[Good("steel", "t"), Good("car", "unit")],
        councils=[
            Council("mill", "workplace"),
            Council("works", "workplace"),
            Council("town", "territorial", members=20),
        ],
        processes=[
            Process("cheap-steel", "mill", 1.0, {"steel": 1.0}, capacity=10.0),
            Process("dear-steel", "mill", 3.0, {"steel": 1.0}),
            Process("steel-car", "works", 1.0, {"car": 1.0, "steel": -1.0}),
            Process("hand-car", "works", 2.5, {"car": 1.0}),
        ],
        needs=[Need("town", "car", 20.0)],
    )


def test_merit_orders_alternate_on_the_cycle_case():
    eco = _cycle_economy()
    lay = oracle.layout(eco)
    demand = eco.demand[~eco.good_primary]
    cars = [eco.process_names.index(name) for name in ("steel-car", "hand-car")]
    plans = [oracle.merit_plan(lay, lay.labour, demand, rounds=r).x[cars] for r in (1, 2, 3)]
    assert not np.allclose(plans[0], plans[1])  # one state, then the other ...
    assert np.allclose(plans[0], plans[2])  # ... and back: a cycle


def test_the_cycle_case_converges_to_the_certified_optimum():
    eco = _cycle_economy()
    ours = constrained.solve(eco, gap=1e-9)
    ref = central.solve(eco)
    assert ours.status == "optimal"
    assert ref.objective_hours == pytest.approx(45.0, rel=1e-9)
    assert ours.certificate.dual <= 45.0 * (1 + 1e-9) <= ours.certificate.primal * (1 + 2e-9)
    assert ours.certificate.gap <= 1e-9
    assert_feasible(eco, ours, "min-labour")


@pytest.mark.parametrize("polish", [True, False])
@pytest.mark.parametrize("seed", [3, 4])
def test_tight_shared_cap_and_hour_budgets_agree_with_highs(seed, polish, monkeypatch):
    if not polish:
        monkeypatch.setattr(constrained_polish, "POLISH_MAX", 0)  # the first-order path
    eco = generate_economy(
        goods=300,
        techs=3,
        inputs=6,
        capacity_share=0.5,
        primary=2,
        regions=2,
        councils=12,
        seed=seed,
        emission_cap=0.8,
        hour_budgets=True,
    )
    ref = central.solve(eco, "labour-budget")
    ours = constrained.solve(eco, "labour-budget", gap=1e-5)
    if ref.status == "infeasible":
        assert ours.status == "infeasible"
        return
    cert = ours.certificate
    assert ours.status == "optimal" and cert.gap <= 1e-5
    assert ours.extra["constrained"].get("polished", False) == polish
    slack = 1e-9 * ref.objective_hours
    assert cert.dual <= ref.objective_hours + slack <= cert.primal + 2 * slack
    assert_feasible(eco, ours, "labour-budget")
    assert any(b["kind"] == "limit" for b in ref.binding)  # the shared cap binds
    assert any(b["kind"] == "hours" for b in ref.binding)  # and some hour budgets do


def test_the_polish_of_a_small_plan_is_exact_and_certified_by_our_bound():
    eco = generate_economy(goods=250, capacity_share=0.3, councils=5, seed=8, hour_budgets=True)
    ours = constrained.solve(eco, "labour-budget", gap=1e-9)
    ref = central.solve(eco, "labour-budget")
    assert ours.extra["constrained"]["polished"] is True
    assert ours.extra["constrained"]["iterations"] == 0  # no first-order iteration was needed
    assert ours.certificate.gap <= 1e-9
    assert ours.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)
    assert_feasible(eco, ours, "labour-budget")
