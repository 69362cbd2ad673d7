"""The hours-needs frontier (planning/frontier.py) and ``soviets frontier``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from clirun import soviets
from soviets.errors import InputError
from soviets.formats import load_economy
from soviets.planning import central
from soviets.planning import frontier as fr

from .economies import random_economy

ROOT = Path(__file__).resolve().parents[2]
TWO = ROOT / "examples" / "two-regions"


@pytest.fixture(scope="module")
def two():
    return load_economy(TWO)


@pytest.fixture(scope="module")
def two_frontier(two):
    return fr.compute(two, points=9)


def _series(f: fr.Frontier, name: str) -> np.ndarray:
    return np.array([getattr(p.total, name) or 0.0 for p in f.points])


def test_frontier_is_monotone(two_frontier):
    offers = [p.offered for p in two_frontier.points]
    assert offers == sorted(offers)
    for name in ("essential_count", "essential_value", "normal_count", "normal_value"):
        s = _series(two_frontier, name)
        assert np.all(np.diff(s) >= -1e-9), (name, s)
    # it does climb: nothing at zero hours, everything at the end
    assert _series(two_frontier, "essential_count")[0] == 0.0
    assert _series(two_frontier, "normal_count")[-1] == pytest.approx(1.0)


def test_end_point_is_the_least_labour_plan(two, two_frontier):
    least = central.solve(fr.with_offer(two, {}), "min-labour")
    last = two_frontier.points[-1]
    assert last.total.worked == pytest.approx(least.hours_per_member_week(), rel=1e-9)
    assert two_frontier.least_labour_week == pytest.approx(least.hours_per_member_week())
    assert last.total.essential_count == 1.0 and last.total.normal_count == pytest.approx(1.0)


def test_full_offer_is_the_least_that_meets_every_need(two, two_frontier):
    full = two_frontier.full
    assert full is not None and full > 0
    terr = fr.territorial(two)
    above = central.solve(fr.with_offer(two, {i: full * (1 + 1e-6) for i in terr}), "labour-budget")
    below = central.solve(fr.with_offer(two, {i: full * 0.99 for i in terr}), "labour-budget")
    assert above.share_of_needs_met() == pytest.approx(1.0, abs=1e-7)
    assert below.share_of_needs_met() < 1.0 - 1e-4


def _agree(eco, f_warm: fr.Frontier, f_cold: fr.Frontier) -> None:
    assert len(f_warm.points) == len(f_cold.points)
    for w, c in zip(f_warm.points, f_cold.points, strict=True):
        assert w.offered == c.offered
        assert w.essential_all_met == c.essential_all_met
        assert w.hours == pytest.approx(c.hours, rel=1e-6, abs=1e-6)
        for name in ("essential_count", "essential_value", "normal_count", "normal_value"):
            assert getattr(w.total, name) == pytest.approx(getattr(c.total, name), abs=1e-6)


def test_warm_sweep_agrees_with_single_highs_solves(two):
    for council in (None, "uplands"):
        warm = fr.compute(two, council=council, points=7, warm=True)
        cold = fr.compute(two, council=council, points=7, warm=False)
        _agree(two, warm, cold)


@pytest.mark.parametrize("seed", [3, 11])
def test_warm_sweep_agrees_on_random_economies(seed):
    eco = random_economy(seed, n_goods=8, capacities=0.3, normal=0.5, n_regions=3)
    warm = fr.compute(eco, points=6, warm=True)
    cold = fr.compute(eco, points=6, warm=False)
    _agree(eco, warm, cold)
    assert np.all(np.diff(_series(warm, "normal_count")) >= -1e-9)


def test_council_frontier_varies_one_council(two):
    f = fr.compute(two, council="uplands", points=5)
    assert f.scope == "uplands" and f.members == 3000
    worked = [p.councils["uplands"].worked for p in f.points]
    for p, w in zip(f.points, worked, strict=True):
        assert w <= p.offered * (1 + 1e-9) + 1e-12  # uplands never works more than it offers
    with pytest.raises(InputError, match="not a territorial council"):
        fr.compute(two, council="up-farm")


def test_current_choice_is_marked(two):
    terr = fr.territorial(two)
    eco = fr.with_offer(two, {terr[0]: 0.5, terr[1]: 0.5})
    f = fr.compute(eco, points=5)
    assert f.current == pytest.approx(0.5)
    assert any(p.offered == pytest.approx(0.5) for p in f.points)


def test_cli_writes_table_and_plot_with_units(tmp_path):
    res = soviets("frontier", TWO, "--out", tmp_path, "--points", "5", "--regime", "all")
    assert res.returncode == 0, res.stderr
    assert "no labour-budget mode" in res.stdout or "federation" in res.stdout
    rows = list(csv.DictReader((tmp_path / "frontier.csv").open()))
    header = list(rows[0])
    assert "hours offered per member per week (h)" in header
    assert "planned work (hours)" in header
    assert "essential needs met by count (%)" in header
    assert {r["regime"] for r in rows} >= {"central", "autarky"}
    assert {r["scope"] for r in rows} >= {"federation", "uplands", "lowlands"}
    png = (tmp_path / "frontier.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "frontier-uplands.png").is_file()


def test_cli_json_on_an_io_table_uses_the_tables_persons():
    res = soviets("frontier", "data/wiod2016-usa/2014", "--json", "--points", "4")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["per"] == "employee"
    f = data["frontiers"]["central"]
    # 262.6 bn hours of employees / 145.95 million employees / 52 weeks
    assert f["full"] == pytest.approx(262_614_229_000 / 145_950_866 / 52, rel=1e-6)
    assert f["points"][-1]["essential_count"] == 1.0


def test_cli_refuses_persons_for_an_economy_folder():
    res = soviets("frontier", TWO, "--persons", "employees")
    assert res.returncode == 2
    assert "input-output" in res.stderr
