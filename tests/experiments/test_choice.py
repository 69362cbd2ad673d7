"""Choice of technique across regions, fair autarky and needs met by value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.economy.techniques import technique_origin, world_with_choice
from soviets.errors import ModelError
from soviets.experiments.regimes import (
    compare_with_choice,
    met_by_value,
    met_shares,
    plan_autarky,
    plan_central,
    primary_owners,
    region_economy,
    value_weights,
)
from soviets.planning import central, plan

ROOT = Path(__file__).resolve().parents[2]


def tiny_world(food_b: float = 1.0, labour_c: float | None = None) -> Economy:
    """Two regions A, B (and optionally C without hours), sectors food and c23 (transport).

    A's food takes 4 h and 0.1 of A's transport; B's food 1 h and 0.2 of B's
    transport (with ``food_b`` < 1, B's food also uses 1 - food_b of itself).
    """
    regions = ["A", "B"] + (["C"] if labour_c is not None else [])
    goods = [Good(f"{r}.{s}") for r in regions for s in ("food", "c23")]
    councils = [Council("world", "federation")]
    councils += [Council(r, "territorial", parent="world", members=10) for r in regions]
    councils += [
        Council(f"ws:{r}.{s}", "workplace", parent=r) for r in regions for s in ("food", "c23")
    ]
    procs = [
        Process("A.food", "ws:A.food", 4.0, {"A.food": 1.0, "A.c23": -0.1}),
        Process("A.c23", "ws:A.c23", 1.0, {"A.c23": 1.0}),
        Process("B.food", "ws:B.food", 1.0, {"B.food": food_b, "B.c23": -0.2}),
        Process("B.c23", "ws:B.c23", 2.0, {"B.c23": 1.0}),
    ]
    if "C" in regions:  # a region with no hours data: its recipes look free
        procs += [
            Process("C.food", "ws:C.food", labour_c, {"C.food": 1.0, "A.c23": -0.1}),
            Process("C.c23", "ws:C.c23", labour_c, {"C.c23": 1.0, "A.c23": -0.1}),
        ]
    needs = [Need("A", "A.food", 10.0), Need("B", "B.food", 5.0)]
    return Economy.from_records(
        goods=goods, councils=councils, processes=procs, needs=needs, name="tiny"
    )


def recipes(eco: Economy) -> dict[str, dict[str, float]]:
    return {p.name: p.flows for p in eco.process_records()}


def test_transform_counts_techniques_and_copies_coefficients():
    eco = tiny_world()
    world = world_with_choice(eco, transport=0.1)
    assert world.n_processes == 8  # 2 techniques for each of 4 goods
    assert world.process_names[:4] == eco.process_names  # the baseline first, unchanged
    r = recipes(world)
    # A makes its food with B's recipe: B's transport bought from B, plus 0.1 of A's
    assert r["A.food@B"] == pytest.approx({"A.food": 1.0, "B.c23": -0.2, "A.c23": -0.1})
    assert r["B.food@A"] == pytest.approx({"B.food": 1.0, "A.c23": -0.1, "B.c23": -0.1})
    assert r["A.c23@B"] == pytest.approx({"A.c23": 0.9})  # its own transport as transfer cost
    labour = dict(zip(world.process_names, world.labour, strict=True))
    assert labour["A.food@B"] == 1.0 and labour["B.food@A"] == 4.0
    council = {
        world.process_names[j]: world.councils[c].name for j, c in enumerate(world.process_council)
    }
    assert council["A.food@B"] == "ws:A.food"  # run by the destination's workplace
    assert technique_origin("A.food@B") == "B" and technique_origin("A.food") is None


def test_transfer_cost_in_hours_and_own_input_of_a_table_diagonal():
    eco = tiny_world(food_b=0.8)
    world = world_with_choice(eco, transport=0.5, transport_sector=None)
    r = recipes(world)
    # net own output 0.8: one unit gross, 0.2 of B's own food used, still bought from B
    assert r["A.food@B"] == pytest.approx({"A.food": 1.0, "B.food": -0.2, "B.c23": -0.2})
    labour = dict(zip(world.process_names, world.labour, strict=True))
    assert labour["A.food@B"] == pytest.approx(1.5)  # 1 h x (1 + 0.5)


def test_a_region_without_hours_lends_no_technique():
    world = world_with_choice(tiny_world(labour_c=0.0), transport=0.1)
    origins = {technique_origin(p) for p in world.process_names}
    assert "C" not in origins
    assert "C.food@A" in world.process_names  # it may borrow
    with pytest.raises(ModelError, match="transport must be"):
        world_with_choice(tiny_world(), transport=-1.0)
    with pytest.raises(ModelError, match="already has borrowed"):
        world_with_choice(world)


def hand_plan() -> tuple[float, float]:
    """Baseline and choice hours of ``tiny_world`` (transport 0.1), by hand."""
    v_a_c23, v_b_c23 = 1.0, 2.0
    baseline = 10 * (4.0 + 0.1 * v_a_c23) + 5 * (1.0 + 0.2 * v_b_c23)  # 41 + 7 = 48
    v_b_c23 = min(2.0, 1.0 / 0.9)  # B's transport with A's recipe, 0.1 of itself to carry
    v_a_c23 = min(1.0, 2.0 / 0.9)
    v_a_food = min(4.0 + 0.1 * v_a_c23, 1.0 + 0.2 * v_b_c23 + 0.1 * v_a_c23)
    v_b_food = min(1.0 + 0.2 * v_b_c23, 4.0 + 0.1 * v_a_c23 + 0.1 * v_b_c23)
    return baseline, 10 * v_a_food + 5 * v_b_food


def test_central_plan_picks_the_cheaper_technique():
    eco = tiny_world()
    world = world_with_choice(eco, transport=0.1)
    baseline, choice = hand_plan()
    assert plan(eco, solver="highs").objective_hours == pytest.approx(baseline)
    for solver in ("highs", "fast", "auto"):
        p = plan(world, solver=solver)
        assert p.objective_hours == pytest.approx(choice, rel=1e-9), solver
        used = {world.process_names[j] for j in np.flatnonzero(p.activity > 1e-9)}
        assert used == {"A.food@B", "B.food", "A.c23", "B.c23@A"}, solver
    assert baseline - choice == pytest.approx(258 / 9)  # 48 - 174/9


def test_compare_with_choice_saves_what_the_hand_computation_says():
    eco = tiny_world()
    world, result = compare_with_choice(eco, failure=False, transport=0.1)
    baseline, choice = hand_plan()
    rows = {r["regime"]: r for r in result["regimes"]}
    assert result["baseline_hours"] == pytest.approx(baseline)
    assert rows["central"]["hours_saved"] == pytest.approx(baseline - choice)
    assert rows["central"]["hours_saved"] >= 0
    assert rows["federation"]["hours"] == pytest.approx(choice, rel=1e-3)
    # autarky knows only its own recipes: A alone pays A's 4 h per food
    assert rows["autarky"]["hours"] == pytest.approx(baseline)
    assert result["techniques"] == {
        "own": 4,
        "borrowed": 4,
        "transport": 0.1,
        "transport_sector": "c23",
        "keep": None,
    }
    assert rows["central"]["hours_per_member_week"] == pytest.approx(choice / 20 / 52)


def test_keep_the_cheapest_borrowed_technique_per_good():
    eco = tiny_world(labour_c=5.0)  # C lends recipes at 5 h: dearer than A's or B's
    world = world_with_choice(eco, transport=0.1, keep=1)
    borrowed = [p for p in world.process_names if technique_origin(p)]
    assert len(borrowed) == 6  # one per good
    assert "A.food@B" in borrowed and "A.food@C" not in borrowed
    assert world_with_choice(eco, keep=0).n_processes == eco.n_processes


# ------------------------------------------------------------------ autarky
def two_regions() -> Economy:
    from soviets.formats import load_economy

    return load_economy(ROOT / "examples" / "two-regions")


def test_fair_autarky_gives_land_to_its_owner():
    eco = two_regions()
    owners = primary_owners(eco)
    assert owners == {"upland-land": "uplands", "lowland-land": "lowlands", "co2": None}
    up = region_economy(eco, "uplands")
    low = region_economy(eco, "lowlands")
    limit = {
        r: dict(zip(e.good_names, e.good_limit, strict=True)) for r, e in (("up", up), ("low", low))
    }
    assert limit["up"]["upland-land"] == 500.0 and limit["low"]["upland-land"] == 0.0
    assert limit["low"]["lowland-land"] == 180.0
    assert limit["up"]["co2"] == pytest.approx(4000 * 0.3)  # shared: split by members
    aut = plan_autarky(eco)
    # the uplands' 500 ha were split by population before (150 ha): 82.6% essential met
    assert aut.essential_met > 0.9
    assert aut.essential_met < 1.0  # still no fertile fields upland, no hydro lowland


def toy_table_missing_tools() -> Economy:
    """Region A has a tools industry that made nothing (capacity 0)."""
    goods = [Good(f"{r}.{s}") for r in ("A", "B") for s in ("food", "tools")]
    councils = [Council("world", "federation")]
    councils += [Council(r, "territorial", parent="world", members=10) for r in ("A", "B")]
    councils += [
        Council(f"ws:{r}.{s}", "workplace", parent=r) for r in ("A", "B") for s in ("food", "tools")
    ]
    procs = [
        Process("A.food", "ws:A.food", 1.0, {"A.food": 1.0, "B.tools": -0.2}),
        Process("A.tools", "ws:A.tools", 0.0, {"A.tools": 1.0}, capacity=0.0),
        Process("B.food", "ws:B.food", 2.0, {"B.food": 1.0, "B.tools": -0.1}),
        Process("B.tools", "ws:B.tools", 0.5, {"B.tools": 1.0}),
    ]
    needs = [Need("A", "A.food", 10.0), Need("B", "B.food", 5.0)]
    return Economy.from_records(goods=goods, councils=councils, processes=procs, needs=needs)


def test_autarky_drops_inputs_a_region_cannot_make():
    eco = toy_table_missing_tools()
    sub = region_economy(eco, "A")
    assert recipes(sub)["A.food"] == {"A.food": 1.0}
    assert any("cannot make" in n and "A.tools" in n for n in sub.notes)
    assert plan_autarky(eco).essential_met == pytest.approx(1.0)
    kept = plan_autarky(eco, missing="keep")
    assert kept.essential_met == pytest.approx(0.5)  # A's food needs tools nobody makes in A
    with pytest.raises(ModelError, match="missing inputs"):
        region_economy(eco, "A", missing="ignore")


def scarce_land() -> Economy:
    """10 ha; bread (essential, 10 t) and cakes (normal, 2 pieces) take 1 ha a unit."""
    return Economy.from_records(
        goods=[Good("land", "ha", "primary", 10.0), Good("bread", "t"), Good("cake", "piece")],
        councils=[Council("farm", "workplace"), Council("town", "territorial", members=5)],
        processes=[
            Process("bake", "farm", 1.0, {"bread": 1.0, "land": -1.0}),
            Process("cakes", "farm", 1.0, {"cake": 1.0, "land": -1.0}),
        ],
        needs=[Need("town", "bread", 10.0), Need("town", "cake", 2.0, "normal")],
    )


def test_best_partial_plan_serves_essential_needs_first():
    eco = scarce_land()
    r = central.rows(eco, with_hours=False)
    plain = central.diagnose(eco, "min-labour", r, eco.demand)
    first = central.diagnose(eco, "min-labour", r, eco.demand, essential_first=True)
    # least relative shortfall overall fills the small cake need (2/2) and cuts bread
    assert plain.need_met.tolist() == pytest.approx([8.0, 2.0])
    assert first.need_met.tolist() == pytest.approx([10.0, 0.0])
    assert first.extra["infeasibility"]["essential_shortfall"] == pytest.approx(0.0)
    out = plan_central(eco)  # the regimes use essential-first
    assert out.essential_met == pytest.approx(1.0) and out.normal_met == pytest.approx(0.0)


# ------------------------------------------------------------------ metrics
def test_needs_met_by_value_and_by_count_differ():
    eco = Economy.from_records(
        goods=[Good("x", "USD"), Good("y", "USD")],
        councils=[Council("a", "workplace"), Council("t", "territorial")],
        processes=[Process("px", "a", 1.0, {"x": 1.0}), Process("py", "a", 1.0, {"y": 1.0})],
        needs=[Need("t", "x", 1.0), Need("t", "y", 99.0)],
    )
    met = np.array([0.0, 99.0])
    weights, unit = value_weights(eco)
    assert unit == "USD"
    assert met_shares(eco, met)[0] == pytest.approx(0.5)  # one of two needs
    assert met_by_value(eco, met, weights)[0] == pytest.approx(0.99)  # 99 of 100 USD
    assert met_by_value(eco, met, weights)[1] == 1.0  # no normal needs


def test_mixed_units_are_valued_at_labour_values():
    eco = scarce_land()
    weights, unit = value_weights(eco, np.array([0.0, 2.0, 3.0]))
    assert unit == "hours at the central plan's labour values"
    # bread 10 t at 2 h met, cake 2 t at 3 h not
    ess, norm = met_by_value(eco, np.array([10.0, 0.0]), weights)
    assert (ess, norm) == (1.0, 0.0)
    assert value_weights(eco)[1] == "mixed units (1 per unit asked)"


def test_cli_compare_with_choice(tmp_path):
    import json

    from typer.testing import CliRunner

    from soviets.cli.app import app
    from soviets.formats.economy_csv import write_economy_folder

    folder = write_economy_folder(tiny_world(), tmp_path / "tiny")
    args = ["compare", str(folder), "--choice-of-technique", "--transport", "0.1"]
    res = CliRunner().invoke(app, [*args, "--no-failure", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    baseline, choice = hand_plan()
    assert data["baseline_hours"] == pytest.approx(baseline)
    rows = {r["regime"]: r for r in data["regimes"]}
    assert rows["central"]["hours_saved"] == pytest.approx(baseline - choice)
    assert data["techniques"]["borrowed"] == 4
    bad = CliRunner().invoke(app, [*args[:3], "--transport", "-1", "--no-failure"])
    assert bad.exit_code == 2 and "transport must be 0 or more" in bad.output


def test_cli_experiments_plan_the_choice_world_of_compare(tmp_path):
    from typer.testing import CliRunner

    from soviets.cli.app import app
    from soviets.formats.economy_csv import write_economy_folder

    folder = write_economy_folder(tiny_world(), tmp_path / "tiny")
    _, choice = hand_plan()
    base = ["--workers", "1", "--choice-of-technique", "--transport", "0.1"]
    for name, args in (
        ("robustness", ["--k", "1", "--draws", "2", "--regimes", "central,autarky"]),
        ("information", ["--misreport", "25", "--draws", "2", "--regimes", "central"]),
    ):
        out = tmp_path / name
        command = ["experiment", name, str(folder), *args, *base, "--out", str(out)]
        ran = CliRunner().invoke(app, command)
        assert ran.exit_code == 0, ran.output
        text = (out / "report.md").read_text(encoding="utf-8")
        assert "(choice of technique)" in text.splitlines()[0]
        # the plan without failures or misreports is the choice world's optimum, by hand
        central = next(line for line in text.splitlines() if line.startswith("| central |"))
        assert f"{choice:,.1f}" in central, central
    bad = CliRunner().invoke(
        app, ["experiment", "robustness", str(folder), "--choice-of-technique", "--transport",
              "-1", "--out", str(tmp_path / "bad")],
    )  # fmt: skip
    assert bad.exit_code != 0 and "transport must be 0 or more" in str(bad.exception or bad.output)


def test_cli_defaults_of_the_choice_world_are_the_library_defaults():
    from soviets.cli import worlds
    from soviets.economy import techniques

    assert worlds.TRANSPORT == techniques.DEFAULT_TRANSPORT
    assert worlds.TRANSPORT_SECTOR == techniques.DEFAULT_TRANSPORT_SECTOR
