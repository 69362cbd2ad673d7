"""``soviets plan`` and ``soviets values`` as a user runs them."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from clirun import soviets
from soviets.cli import app
from soviets.economy import Council, Economy, Good, Need, Process
from soviets.formats import IOTable, write_economy_folder, write_io_folder

ROOT = Path(__file__).resolve().parents[2]
WIOD = ROOT / "data" / "wiod2016-usa" / "2014"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_plan_wiod_json_reproduces_total_hours():
    res = run("plan", WIOD, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    with (WIOD / "industries.csv").open(newline="") as fh:
        hours = sum(float(r["hours_employees"]) for r in csv.DictReader(fh)) * 1e6
    assert d["status"] == "optimal" and d["solver"] == "fast"
    assert d["objective_hours"] == pytest.approx(hours, rel=1e-9)
    assert d["certificate"]["gap"] < 1e-9
    assert set(d["labour_values"]) == set(d["activity"]) and len(d["activity"]) == 56
    assert d["needs_met"]["national"]["C10-C12"] > 0
    assert d["council_hours"]["ws:Q"] > 0


def test_plan_summary_is_readable():
    res = run("plan", WIOD, "--solver", "highs")
    assert res.exit_code == 0, res.output
    for text in ("optimal", "total work", "262,614,229,000 hours", "Top 10 goods", "gap"):
        assert text in res.stdout


def test_plan_final_demand_choice_changes_needs():
    all_fd = json.loads(run("plan", WIOD, "--json").stdout)["objective_hours"]
    res = run("plan", WIOD, "--json", "--final-demand", "CONS_h")
    assert res.exit_code == 0, res.output
    assert 0 < json.loads(res.stdout)["objective_hours"] < all_fd


def test_values_json_keys():
    res = run("values", ROOT / "data" / "ons-uk-2010", "--labour", "compensation", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    with (ROOT / "data" / "ons-uk-2010" / "multipliers.csv").open(newline="") as fh:
        first = next(csv.DictReader(fh))
    assert d["output_multipliers"]["01"] == pytest.approx(float(first["output_multiplier"]))
    assert d["labour_values"]["01"] == pytest.approx(float(first["employment_cost_effects"]))
    assert d["labour_multipliers"]["68-2IMP"] is None  # no direct compensation


def test_miller_blair_through_an_input_output_folder(tmp_path: Path):
    """Miller & Blair section 2.3.1 written as an input-output folder and planned."""
    table = IOTable(
        codes=["s1", "s2"],
        descriptions=["sector 1", "sector 2"],
        intermediate=np.array([[150.0, 500.0], [200.0, 100.0]]),
        final_demand=np.array([[350.0, 600.0], [1700.0, 1500.0]]),
        categories=["base", "new"],
        gross_output=np.array([1000.0, 2000.0]),
        columns={"persons_employed": np.array([10.0, 40.0])},
        unit="USD million",
        source="Miller & Blair 2.3.1",
    )
    folder = write_io_folder(table, tmp_path / "mb")
    base = json.loads(run("plan", folder, "--final-demand", "base", "--json").stdout)
    assert base["activity"] == {"s1": pytest.approx(1000.0), "s2": pytest.approx(2000.0)}
    new = json.loads(run("plan", folder, "--final-demand", "new", "--json").stdout)
    assert [round(new["activity"][s], 2) for s in ("s1", "s2")] == [1247.52, 1841.58]
    vals = json.loads(run("values", folder, "--json").stdout)
    det = 0.85 * 0.95 - 0.25 * 0.2  # L = adj(I - A) / det: column sums below
    assert vals["output_multipliers"] == {
        "s1": pytest.approx((0.95 + 0.2) / det, rel=1e-12),
        "s2": pytest.approx((0.25 + 0.85) / det, rel=1e-12),
    }


def _short_economy(folder: Path) -> Path:
    eco = Economy.from_records(
        goods=[Good("bread", "loaf")],
        councils=[Council("bakers", "workplace"), Council("town", "territorial", members=3)],
        processes=[Process("oven", "bakers", 2.0, {"bread": 1.0}, capacity=10.0)],
        needs=[Need("town", "bread", 25.0)],
    )
    return write_economy_folder(eco, folder)


def test_infeasible_plan_names_unmet_needs_and_exits_1(tmp_path: Path):
    folder = _short_economy(tmp_path / "short")
    res = run("plan", folder)
    assert res.exit_code == 1
    assert "cannot be met" in res.stdout and "oven" in res.stdout and "town" in res.stdout
    res = run("plan", folder, "--json")
    assert res.exit_code == 1
    d = json.loads(res.stdout)
    assert d["status"] == "infeasible"
    assert d["unmet"][0]["good"] == "bread" and d["unmet"][0]["can_deliver"] == pytest.approx(10)
    assert d["binding"][0]["kind"] == "capacity" and d["binding"][0]["process"] == "oven"


def test_fast_solver_on_constrained_economy_is_a_one_line_error(tmp_path: Path):
    folder = _short_economy(tmp_path / "short")
    proc = subprocess.run(
        [sys.executable, "-m", "soviets", "plan", str(folder), "--solver", "fast"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "fast solver does not apply" in proc.stderr and "oven" in proc.stderr


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic economy written by ``soviets generate`` (capacities and a cap bind)."""
    folder = tmp_path_factory.mktemp("gen") / "economy"
    res = run("generate", folder, "--goods", 300, "--seed", 3)
    assert res.exit_code == 0, res.output
    return folder


def test_constrained_solver_json_has_certificate_and_binding(generated: Path):
    res = run("plan", generated, "--solver", "constrained", "--json")
    assert res.exit_code == 0, res.output
    assert res.stderr == ""  # no progress display unless asked: --json, not a terminal
    d = json.loads(res.stdout)
    assert d["status"] == "optimal" and d["solver"] == "constrained"
    cert = d["certificate"]
    assert cert["dual"] <= cert["primal"] == pytest.approx(d["objective_hours"])
    assert cert["gap"] <= 1e-6  # the default where capacities and limits bind
    assert len(d["binding"]) > 10 and {b["kind"] for b in d["binding"]} >= {"capacity"}
    assert all(b["shadow_price"] > 0 for b in d["binding"])
    assert d["constrained"]["stopped"]
    reference = json.loads(run("plan", generated, "--solver", "highs", "--json").stdout)
    assert set(reference) <= set(d)  # the same keys as before, and more
    assert d["objective_hours"] == pytest.approx(reference["objective_hours"], rel=1e-6)


def test_constrained_solver_gap_time_limit_and_progress(generated: Path):
    args = ("--solver", "constrained", "--gap", "1e-3", "--time-limit", "60", "--progress")
    res = run("plan", generated, *args, "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["status"] == "optimal" and d["certificate"]["gap"] <= 1e-3
    assert "planning" in res.stderr and "gap" in res.stderr  # the Rich display, on stderr
    quiet = run("plan", generated, "--solver", "constrained", "--no-progress")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    for text in ("solver constrained", "certificate", "gap", "What binds: 10 of"):
        assert text in quiet.stdout
    assert "--json lists them all" in quiet.stdout


def _one_line_error(*args: object) -> str:
    """``soviets plan ARGS`` through the command's entry point in this process (the
    end-to-end process is ``test_fast_solver_on_constrained_economy_is_a_one_line_error``)."""
    proc = soviets("plan", *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr.strip().count("\n") == 0
    return proc.stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [("--gap", "0"), ("--gap", "1"), ("--gap", "-1e-3"), ("--gap", "abc"), ("--time-limit", "0")],
)
def test_bad_gap_or_time_limit_is_a_one_line_error(generated: Path, option: str, value: str):
    err = _one_line_error(generated, "--solver", "constrained", option, value)
    assert option in err and repr(value) in err


def test_gap_with_a_solver_that_ignores_it_is_a_one_line_error(generated: Path):
    err = _one_line_error(generated, "--solver", "highs", "--time-limit", "5")
    assert "--time-limit applies to --solver constrained or auto only" in err


def test_gpu_backend_without_its_package_is_a_one_line_error(generated: Path):
    from soviets.planning.sweeps import unavailable

    why = unavailable("cupy")
    if why is None:
        pytest.skip("cupy and a GPU are present here")
    err = _one_line_error(generated, "--solver", "constrained", "--backend", "cupy")
    assert why in err
