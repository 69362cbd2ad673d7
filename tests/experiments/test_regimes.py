"""Regimes compared: autarky, federation, central; the report and ``soviets compare``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from soviets.cli.app import app
from soviets.economy import Council, Economy, Good, Need, Process
from soviets.experiments.regimes import compare, plan_autarky, region_economy

ROOT = Path(__file__).resolve().parents[2]


def two_region_table() -> Economy:
    """A two-region table in the layout of the WIOD import: goods ``R.sector``."""
    goods = [Good(f"{r}.{s}") for r in ("A", "B") for s in ("food", "tools")]
    councils = [
        Council("world", "federation"),
        Council("A", "territorial", parent="world", members=10),
        Council("B", "territorial", parent="world", members=30),
    ]
    councils += [
        Council(f"ws:{r}.{s}", "workplace", parent=r) for r in ("A", "B") for s in ("food", "tools")
    ]
    procs = [
        Process("A.food", "ws:A.food", 1.0, {"A.food": 1.0, "B.tools": -0.2}),
        Process("A.tools", "ws:A.tools", 3.0, {"A.tools": 1.0, "A.food": -0.1}),
        Process("B.food", "ws:B.food", 2.0, {"B.food": 1.0, "B.tools": -0.1}),
        Process("B.tools", "ws:B.tools", 0.5, {"B.tools": 1.0, "A.food": -0.3}),
    ]
    needs = [
        Need("A", "A.food", 10.0),
        Need("A", "B.tools", 4.0),
        Need("B", "A.food", 5.0),
        Need("B", "B.food", 20.0),
        Need("B", "B.tools", 8.0),
    ]
    return Economy.from_records(
        goods=goods, councils=councils, processes=procs, needs=needs, name="toy-world"
    )


def test_autarky_makes_its_own_product_of_each_sector():
    eco = two_region_table()
    sub = region_economy(eco, "A")
    assert sorted(sub.process_names) == ["A.food", "A.tools"]
    recipe = {p.name: p.flows for p in sub.process_records()}
    assert recipe["A.food"] == {"A.food": 1.0, "A.tools": -0.2}  # B.tools -> A.tools
    needs = {(n.good, n.quantity) for n in sub.need_records()}
    assert needs == {("A.food", 10.0), ("A.tools", 4.0)}
    aut = plan_autarky(eco)
    assert aut.essential_met == pytest.approx(1.0)


def test_compare_two_regions():
    from soviets.formats import load_economy

    eco = load_economy(ROOT / "examples" / "two-regions")
    result = compare(eco)
    rows = {r["regime"]: r for r in result["regimes"]}
    assert abs(result["federation_gap_to_central"]) <= 1e-3
    assert rows["federation"]["essential_met"] == pytest.approx(1.0)
    assert rows["central"]["essential_met"] == pytest.approx(1.0)
    # alone, the uplands have no fertile fields: some needs stay unmet
    assert rows["autarky"]["essential_met"] < 1.0
    assert rows["federation"]["rounds"] > 0 and rows["federation"]["bytes"] > 0
    fail = {r["regime"]: r for r in result["failure"]["regimes"]}
    assert fail["federation"]["hours"] == pytest.approx(fail["central"]["hours"], rel=1e-3)
    assert fail["federation"]["essential_met"] == pytest.approx(
        fail["central"]["essential_met"], abs=1e-6
    )


def test_cli_compare_writes_report(tmp_path):
    out = tmp_path / "report"
    res = CliRunner().invoke(
        app, ["compare", str(ROOT / "examples" / "village.toml"), "--json", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [r["regime"] for r in data["regimes"]] == ["autarky", "federation", "central"]
    assert "failure" in data
    text = (out / "report.md").read_text()
    assert "| federation |" in text
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert len(pngs) == 3
    for p in out.glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_compare_bad_path(tmp_path):
    res = CliRunner().invoke(app, ["compare", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "no such file" in res.output
    assert "Traceback" not in res.output


def test_regions_of_toy_world_in_network():
    from soviets.experiments.report import region_flows
    from soviets.federation import plan_federated

    eco = two_region_table()
    names, flows = region_flows(eco, plan_federated(eco))
    assert names == ["A", "B"]
    assert flows[0, 1] > 0 and flows[1, 0] > 0  # trade both ways
    assert np.all(flows >= 0)
