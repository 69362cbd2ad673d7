"""The multi-period folder (reading, errors, round trip) and ``soviets plan`` over periods."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from clirun import soviets
from soviets.cli import app
from soviets.economy import Economy, MultiYearEconomy
from soviets.errors import InputError, ModelError, SovietsError
from soviets.formats import load_economy
from soviets.formats.multiyear_csv import read_multiyear_folder, write_multiyear_folder
from soviets.planning import central
from soviets.planning.multiyear import solve
from soviets.planning.multiyear_lp import Objective

ROOT = Path(__file__).parents[2]
FIVE = ROOT / "examples" / "five-years"
runner = CliRunner()


def test_example_reads() -> None:
    m = read_multiyear_folder(FIVE)
    assert m.period_names == ["2027", "2028", "2029", "2030", "2031"]
    assert m.n_capital == 2
    oven = m.capital_records()[1]
    assert (oven.process, oven.good, oven.build_time, oven.depreciation) == (
        "bake",
        "oven",
        2,
        0.05,
    )
    # needs without a period hold in every period; 2031 asks 250 + 60 t of bread
    bread = m.economy.good_index["bread"]
    assert m.demand()[:, bread].tolist() == [250, 250, 270, 290, 310]
    bakery = m.economy.council_index["bakery"]
    assert m.council_hours[bakery, 0] == 2800 and np.isnan(m.council_hours[bakery, 1])
    assert m.storage_loss[bread] == 1.0


def test_round_trip(tmp_path: Path) -> None:
    m = read_multiyear_folder(FIVE)
    back = read_multiyear_folder(write_multiyear_folder(m, tmp_path / "out"))
    for o in ("min-hours", "max-fulfilment"):
        a, b = solve(m, Objective(o)), solve(back, Objective(o))  # type: ignore[arg-type]
        assert a.certificate.primal == b.certificate.primal
        np.testing.assert_array_equal(a.investment, b.investment)


def test_example_plans_invest_and_respect_build_time() -> None:
    plan = solve(read_multiyear_folder(FIVE), Objective("min-hours"))
    # the reported plan is the tie-break among plans within 1e-9 of the optimum (see
    # soviets.planning.multiyear), so its certificate may exceed 1e-9 by HiGHS's tolerance
    assert plan.status == "optimal" and plan.certificate.gap <= 1e-8
    m = plan.model
    oven = 1
    # an oven ordered in year t stands from t + 2 on: none can be ordered in the last two years
    assert np.all(plan.investment[-2:, oven] == 0)
    assert plan.investment.sum() > 0
    # the bakery may work 2800 hours in 2027 only
    bakery = m.economy.council_index["bakery"]
    worked = plan.activity[0] @ np.where(m.economy.process_council == bakery, m.economy.labour, 0.0)
    assert worked <= 2800 * (1 + 1e-9)


def test_free_time_objective_frees_the_last_year() -> None:
    m = read_multiyear_folder(FIVE)
    least = solve(m, Objective("min-hours"))
    free = solve(m, Objective("max-free-time", last_years=1))
    assert free.hours[-1] < least.hours[-1] - 1
    assert free.hours.sum() >= least.hours.sum() - 1e-6  # paid for by more work before
    assert free.free_time[-1] == pytest.approx(15000 - free.hours[-1])
    assert free.free_time_per_member[-1] == pytest.approx(free.free_time[-1] / 10)


def _drop_hours(eco: Economy) -> Economy:
    return Economy.from_records(
        goods=eco.goods_records(),
        councils=[dataclasses.replace(c, hours_available=None) for c in eco.councils],
        processes=eco.process_records(),
        needs=eco.need_records(),
        name=eco.name,
    )


def test_repeated_years_equal_the_one_period_plan() -> None:
    """No capital, no stocks, no hours: T equal years cost T times the one-period optimum."""
    eco = _drop_hours(load_economy(ROOT / "examples" / "two-regions"))
    one = central.solve(eco, "min-labour")
    for years in (1, 3):
        plan = solve(MultiYearEconomy.repeat(eco, years), Objective("min-hours"))
        assert plan.certificate.primal == pytest.approx(years * one.objective_hours, rel=2e-9)


@pytest.mark.parametrize(
    ("file", "text", "where"),
    [
        (
            "depreciation.csv",
            "process,good,rate\ngrow,tractor,1.5\n",
            "depreciation.csv, row 1, field 'rate'",
        ),
        (
            "depreciation.csv",
            "process,good,rate\ngrow,oven,0.1\n",
            "depreciation.csv, row 1, field 'good'",
        ),
        (
            "capital.csv",
            "process,good,quantity\nbake,oven,1\nplough,tractor,1\n",
            "capital.csv, row 2, field 'process'",
        ),
        (
            "capital.csv",
            "process,good,quantity,build_time\nbake,oven,1,0\n",
            "capital.csv, row 1, field 'build_time'",
        ),
        (
            "capital.csv",
            "process,good,quantity\nbake,oven,1\nbake,oven,2\n",
            "capital.csv, row 2, field 'good'",
        ),
        ("capital.csv", "process,good,quantity,age\nbake,oven,1,3\n", "capital.csv, field 'age'"),
        (
            "needs.csv",
            "council,good,quantity,period\ntown,bread,1,2040\n",
            "needs.csv, row 1, field 'period'",
        ),
        (
            "needs.csv",
            "council,good,quantity\ntown,bread,-1\n",
            "needs.csv, row 1, field 'quantity'",
        ),
        (
            "labour.csv",
            "council,period,hours_available\nmill,2027,5\n",
            "labour.csv, row 1, field 'council'",
        ),
        (
            "periods.csv",
            "period,hours_available\n2027,1\n2027,2\n",
            "periods.csv, row 2, field 'period'",
        ),
        ("periods.csv", "period\n", "periods.csv: no rows"),
        ("storage.csv", "good,loss\nbread,x\n", "storage.csv, row 1, field 'loss'"),
    ],
)
def test_bad_files_name_file_row_field(tmp_path: Path, file: str, text: str, where: str) -> None:
    folder = tmp_path / "eco"
    shutil.copytree(FIVE, folder)
    (folder / "depreciation.csv").unlink()
    (folder / file).write_text(text)
    with pytest.raises(InputError) as err:
        read_multiyear_folder(folder)
    assert where in str(err.value).replace(str(folder) + "/", "")
    res = runner.invoke(app, ["plan", str(folder)])
    assert isinstance(res.exception, InputError) and where in str(res.exception)


def test_bad_file_is_one_line_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "eco"
    shutil.copytree(FIVE, folder)
    (folder / "depreciation.csv").write_text("process,good,rate\ngrow,tractor,1.5\n")
    proc = soviets("plan", folder)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: {folder}/depreciation.csv, row 1, field 'rate': must be <= 1, got 1.5"
    )


def test_cli_tables_json_and_plot(tmp_path: Path) -> None:
    res = runner.invoke(app, ["plan", str(FIVE)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    for label in (
        "hours worked (h)",
        "free time per member (h)",
        "Investment",
        "Capital stock",
        "piece",
    ):
        assert label in res.output
    png = tmp_path / "years.png"
    res = runner.invoke(
        app, ["plan", str(FIVE), "--objective", "max-free-time", "--json", "--plot", str(png)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["kind"] == "multiyear-plan" and data["status"] == "optimal"
    assert data["objective"] == {
        "name": "max-free-time",
        "sense": "min",
        "unit": "hours",
        "last_years": 1,
        "floor": 1.0,
    }
    assert set(data["certificate"]) == {"sense", "primal", "dual", "gap"}
    first = data["periods"][0]
    assert set(first) >= {
        "period", "hours", "hours_available", "free_time_hours", "members",
        "free_time_per_member_hours", "fulfilment", "investment", "capital_stock",
        "inventory", "needs_asked", "needs_met", "activity", "council_hours",
    }  # fmt: skip
    assert data["units"]["tractor"] == "piece"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = runner.invoke(app, ["plan", str(FIVE), "--years", "2", "--json"])
    assert [p["period"] for p in json.loads(res.output)["periods"]] == ["2027", "2028"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "9"], "--years must be between 1 and the 5 periods"),
        (["--mode", "labour-budget"], "--mode: not for plans over several periods"),
        (["--floor", "2"], "--floor must be between 0 and 1"),
        (["--last-years", "0"], "--last-years must be >= 1"),
        (["--gap", "1e-3"], "--gap: for plans over several periods only with --solver fast"),
        (["--solver", "constrained"], "--solver constrained: not for plans over several"),
        (["--solver", "fast", "--objective", "max-fulfilment"], "does not handle"),
    ],
)
def test_cli_errors(args: list[str], message: str) -> None:
    res = runner.invoke(app, ["plan", str(FIVE), *args])
    assert isinstance(res.exception, SovietsError)
    assert message in str(res.exception)


def test_cli_fast_solver_certifies_the_highs_optimum() -> None:
    """``--solver fast`` on the example: a certified plan with the HiGHS plan's hours."""
    ref = json.loads(runner.invoke(app, ["plan", str(FIVE), "--json"]).output)
    fast = ["--solver", "fast", "--gap", "1e-7", "--time-limit", "30", "--json"]
    res = runner.invoke(app, ["plan", str(FIVE), *fast])
    data = json.loads(res.output)
    assert data["solver"] == "fast" and data["status"] == "optimal"
    c, r = data["certificate"], ref["certificate"]
    assert c["dual"] <= r["primal"] * (1 + 1e-9) <= c["primal"] * (1 + 1e-7 + 1e-9)
    assert c["gap"] <= 1e-7


def test_cli_one_period_options() -> None:
    res = runner.invoke(
        app, ["plan", str(ROOT / "examples" / "village.toml"), "--objective", "max-fulfilment"]
    )
    assert "only for plans over several periods" in str(res.exception)
    res = runner.invoke(app, ["plan", str(ROOT / "examples" / "village.toml"), "--years", "2"])
    assert res.exit_code == 1 and "no plan meets the needs" in res.output
    res = runner.invoke(app, ["values", str(FIVE)])
    assert "multi-period economy folder" in str(res.exception)


def test_fulfilment_needs_targets_every_period() -> None:
    eco = load_economy(ROOT / "examples" / "village.toml")
    essential = dataclasses.replace(eco)
    essential.need_essential = np.ones(eco.n_needs, dtype=bool)
    with pytest.raises(ModelError, match="period '1' has none"):
        solve(MultiYearEconomy.repeat(essential, 2), Objective("max-fulfilment"))


def test_wiod_five_equal_years() -> None:
    """Real data: WIOD USA 2014 over five equal years (no capital, stocks or hours limits)
    costs five times the one-period central plan, with a certificate."""
    eco = load_economy(ROOT / "data" / "wiod2016-usa" / "2014")
    one = central.solve(eco, "min-labour")
    plan = solve(MultiYearEconomy.repeat(eco, 5), Objective("min-hours"))
    # the reported plan is the tie-break among plans within 1e-9 of the optimum (see
    # soviets.planning.multiyear), so its certificate may exceed 1e-9 by HiGHS's tolerance
    assert plan.status == "optimal" and plan.certificate.gap <= 1e-8
    assert plan.certificate.primal == pytest.approx(5 * one.objective_hours, rel=2e-9)
    # the latest work: each year makes what it needs, nothing is made a year early
    np.testing.assert_allclose(plan.hours, one.objective_hours, rtol=1e-6)


def test_unmet_names_the_short_period_and_good(tmp_path: Path) -> None:
    """350 t of bread asked in 2027: 7 tractors make at most 350 t of grain (0.02 per t),
    20 t go to the town, 330 t make 275 t of bread (1.2 t each), 3 ovens could bake 300 t:
    75 t short (a shortfall of grain, 20 t asked, would cost more relative to its need)."""
    folder = tmp_path / "eco"
    shutil.copytree(FIVE, folder)
    needs = (folder / "needs.csv").read_text() + "town,bread,100,essential,2027\n"
    (folder / "needs.csv").write_text(needs)
    (folder / "labour.csv").write_text("council,period,hours_available\n")
    plan = solve(read_multiyear_folder(folder), Objective("min-hours"))
    assert plan.status == "infeasible"
    assert plan.unmet == [
        {
            "period": "2027",
            "good": "bread",
            "unit": "t",
            "short": pytest.approx(75.0),
            "needed_beyond_stock": 350.0,
        }
    ]
    res = runner.invoke(app, ["plan", str(folder)], env={"COLUMNS": "200"})
    assert res.exit_code == 1 and "no plan meets the needs" in res.output


def test_plot_axes_carry_units(tmp_path: Path) -> None:
    import matplotlib

    svg = tmp_path / "years.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # keep text as text
        res = runner.invoke(app, ["plan", str(FIVE), "--plot", str(svg)])
    assert res.exit_code == 0, res.output
    text = svg.read_text()
    for label in ("hours worked (hours)", "free time per member (hours)", "period", "2031"):
        assert label in text


def test_cli_years_on_input_output_tables() -> None:
    wiod = ROOT / "data" / "wiod2016-usa" / "2014"
    one = runner.invoke(app, ["plan", str(wiod), "--final-demand", "CONS_h", "--json"])
    two = runner.invoke(
        app, ["plan", str(wiod), "--years", "2", "--final-demand", "CONS_h", "--json"]
    )
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    hours = json.loads(one.output)["objective_hours"]
    assert json.loads(two.output)["total_hours"] == pytest.approx(2 * hours, rel=2e-9)
    res = runner.invoke(app, ["plan", str(wiod), "--years", "2", "--labour", "persons_employed"])
    assert "--labour: not for plans over several periods" in str(res.exception)
