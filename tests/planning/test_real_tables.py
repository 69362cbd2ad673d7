"""Published tables reproduced from the bundled data (read here with the csv module)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from soviets.formats import load_economy, read_io_tables
from soviets.planning import compute_values, leontief_inverse, plan

DATA = Path(__file__).resolve().parents[2] / "data"
ONS = DATA / "ons-uk-2010"
WIOD_YEARS = range(2000, 2015)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _matrix(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][1:] == [r[0] for r in rows[1:]]
    return [r[0] for r in rows[1:]], np.array([[float(v) for v in r[1:]] for r in rows[1:]])


def test_ons_leontief_inverse_matches_published():
    codes, published = _matrix(ONS / "leontief_inverse.csv")
    eco = load_economy(ONS)
    assert eco.good_names == codes
    assert np.abs(leontief_inverse(eco) - published).max() < 1e-12


def test_ons_multipliers_and_employment_cost_effects_match_published():
    published = _rows(ONS / "multipliers.csv")
    assert len(published) == 127
    pub = {
        k: np.array([float(r[k]) for r in published])
        for k in (
            "output_multiplier",
            "employment_cost_effects",
            "employment_cost_multiplier",
            "gva_effects",
            "gva_multiplier",
        )
    }
    eco = load_economy(ONS, labour="compensation")
    assert eco.good_names == [r["code"] for r in published]
    v = compute_values(eco)
    assert np.abs(v.output_multipliers - pub["output_multiplier"]).max() < 1e-12
    assert np.abs(v.labour_values - pub["employment_cost_effects"]).max() < 1e-12
    # the multiplier is effects / direct; ONS prints 0 where there is no direct effect
    direct = v.direct_labour > 0
    assert direct.sum() == 126 and eco.good_names[int(np.flatnonzero(~direct)[0])] == "68-2IMP"
    assert np.all(pub["employment_cost_multiplier"][~direct] == 0)
    assert np.isnan(v.labour_multipliers[~direct]).all()
    err = np.abs(v.labour_multipliers[direct] - pub["employment_cost_multiplier"][direct]).max()
    assert err < 1e-12
    gva = compute_values(load_economy(ONS, labour="value_added"))
    assert np.abs(gva.labour_values - pub["gva_effects"]).max() < 1e-12
    assert np.abs(gva.labour_multipliers - pub["gva_multiplier"]).max() < 1e-12


@pytest.mark.parametrize("year", WIOD_YEARS)
def test_wiod_usa_labour_embodied_in_final_demand_is_total_hours(year):
    folder = DATA / "wiod2016-usa" / str(year)
    industries = _rows(folder / "industries.csv")
    total_hours = sum(float(r["hours_employees"]) for r in industries) * 1e6
    gross_output = np.array([float(r["gross_output"]) for r in industries])
    final = np.array(
        [
            sum(float(v) for k, v in r.items() if k != "code")
            for r in _rows(folder / "final_demand.csv")
        ]
    )
    eco = load_economy(folder)
    v = compute_values(eco).labour_values
    idle = np.isnan(v)  # industries with no output have no value, and nobody demands them
    assert np.array_equal(idle, gross_output <= 0) and not final[idle].any()
    assert float(v[~idle] @ final[~idle]) == pytest.approx(total_hours, rel=1e-9)
    for solver in ("fast", "highs"):
        p = plan(eco, solver=solver)
        assert p.status == "optimal" and p.solver == solver
        assert p.objective_hours == pytest.approx(total_hours, rel=1e-9)
        np.testing.assert_allclose(p.activity, gross_output, rtol=1e-9, atol=1e-6)
        assert p.certificate.gap < 1e-9


def test_bea_plans_with_highs_and_reproduces_output():
    """BEA's 'Used' row has negative coefficients (by-products), so HiGHS plans it."""
    folder = DATA / "bea-2017-summary"
    eco = load_economy(folder)
    table = read_io_tables(folder)
    p = plan(eco)
    assert p.solver == "highs" and p.status == "optimal"
    assert p.certificate.gap < 1e-9
    # the published rows miss Z 1 + f = x by a few USD million (rounded cells)
    np.testing.assert_allclose(p.activity, table.gross_output, rtol=1e-3, atol=10)


def test_ons_fast_equals_highs():
    eco = load_economy(ONS)
    fast, ref = plan(eco, solver="fast"), plan(eco, solver="highs")
    assert fast.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)
    np.testing.assert_allclose(fast.activity, read_io_tables(ONS).gross_output, rtol=1e-9)
    np.testing.assert_allclose(ref.activity, fast.activity, rtol=1e-6, atol=1e-6)


@pytest.mark.slow
def test_world_table_fast_equals_highs():
    folder = DATA / "wiod2013-world-2011"
    eco = load_economy(folder)
    fast, ref = plan(eco, solver="fast"), plan(eco, solver="highs")
    assert fast.solver == "fast" and ref.solver == "highs"
    assert fast.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)
    assert fast.certificate.gap < 1e-9 and ref.certificate.gap < 1e-9
    np.testing.assert_allclose(ref.activity, fast.activity, rtol=1e-6, atol=1e-3)
    # value added as "labour": the plan of final demand costs the world's value added
    table = read_io_tables(folder)
    assert fast.objective_hours == pytest.approx(
        float(table.gross_output.sum() - table.intermediate.sum()), rel=1e-3
    )
