"""Which solver ``plan`` uses, and the constrained solver through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from soviets.economy.generate import generate_economy
from soviets.errors import ModelError
from soviets.formats import load_economy
from soviets.planning import AUTO_LARGE, SOLVERS, default_gap, plan

ROOT = Path(__file__).resolve().parents[2]


def _uncapped(goods: int):
    return generate_economy(goods=goods, techs=3, inputs=8, capacity_share=0, primary=0, seed=0)


def test_auto_uses_the_fast_path_for_a_small_economy():
    eco = _uncapped(300)
    assert eco.single_output and eco.n_processes <= AUTO_LARGE
    assert plan(eco).solver == "fast"


def test_auto_uses_highs_for_a_small_constrained_economy():
    eco = generate_economy(goods=100, techs=3, inputs=4, seed=1)
    assert plan(eco).solver == "highs"


def test_auto_uses_the_constrained_solver_for_a_large_economy():
    eco = _uncapped(8000)
    assert eco.single_output and eco.n_processes > AUTO_LARGE
    p = plan(eco)
    assert p.solver == "constrained" and p.status == "optimal"
    assert p.certificate.gap <= default_gap(eco, "min-labour") == 1e-9
    assert "constrained" in p.extra


def test_constrained_on_the_village_matches_highs():
    eco = load_economy(ROOT / "examples" / "village.toml")
    reference = plan(eco, solver="highs")
    p = plan(eco, solver="constrained")
    assert p.status == reference.status == "optimal"
    assert p.solver == "constrained" or "handover" in p.extra  # the dairies make two goods
    assert p.objective_hours == pytest.approx(reference.objective_hours, rel=1e-6)


def test_constrained_with_capacities_and_limits_matches_highs():
    eco = generate_economy(goods=200, techs=3, inputs=4, seed=2)
    reference = plan(eco, solver="highs")
    checks: list[dict] = []
    p = plan(eco, solver="constrained", gap=1e-7, progress=checks.append)
    assert p.solver == "constrained" and p.status == "optimal" and p.certificate.gap <= 1e-7
    assert p.objective_hours == pytest.approx(reference.objective_hours, rel=1e-6)
    assert checks and {"primal", "dual", "gap"} <= set(checks[-1])


def test_default_gap_rule():
    assert default_gap(_uncapped(50), "min-labour") == 1e-9
    assert default_gap(_uncapped(50), "labour-budget") == 1e-6
    capped = generate_economy(goods=50, techs=3, inputs=4, capacity_share=0.3, primary=0, seed=0)
    assert default_gap(capped, "min-labour") == 1e-6
    limited = generate_economy(goods=50, techs=3, inputs=4, capacity_share=0, primary=1, seed=0)
    assert default_gap(limited, "min-labour") == 1e-6


def test_unknown_solver_and_mode_are_model_errors():
    eco = _uncapped(50)
    assert "constrained" in SOLVERS
    with pytest.raises(ModelError, match="unknown solver 'simplex'"):
        plan(eco, solver="simplex")
    with pytest.raises(ModelError, match="unknown mode"):
        plan(eco, mode="max-profit")  # type: ignore[arg-type]
