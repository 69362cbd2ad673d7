"""Satellite rows of multi-region tables (labour.csv, satellite*.csv) and their units."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from clirun import soviets
from soviets.cli import app
from soviets.errors import InputError
from soviets.formats import load_economy
from soviets.formats.iotable import read_multiregion

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "data" / "wiod2013-world-2009"
runner = CliRunner()


def _world(folder: Path, **extra: str) -> Path:
    """Two regions (A, B) of two sectors, plus satellite files given as text."""
    folder.mkdir()
    files = {
        "gross_output.csv": "region,sector,gross_output\nA,s1,100\nA,s2,50\nB,s1,80\nB,s2,40\n",
        "intermediate.csv": "region,sector,A.s1,A.s2,B.s1,B.s2\n"
        "A,s1,10,5,4,2\nA,s2,5,5,2,1\nB,s1,4,2,10,4\nB,s2,1,1,4,4\n",
        "final_demand.csv": "region,sector,A.c37,B.c37\n"
        "A,s1,50,29\nA,s2,20,17\nB,s1,20,40\nB,s2,10,19\n",
        **extra,
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


LABOUR = "region,sector,hours,persons\nA,s1,2000,1\nA,s2,1000,0.5\nB,s1,,\nB,s2,,\n"
UNITS = "column,unit,description\nhours,hours,hours worked\npersons,persons,persons engaged\n"


def test_satellite_columns_and_units_are_read(tmp_path: Path):
    folder = _world(
        tmp_path / "w",
        **{
            "labour.csv": LABOUR,
            "satellite_co2.csv": "region,sector,co2\nA,s1,1\nA,s2,2\nB,s1,3\nB,s2,4\n",
            "satellite_units.csv": UNITS,
        },
    )
    table = read_multiregion(folder)
    assert list(table.columns) == ["value_added", "hours", "persons", "co2"]
    assert table.column_units == {
        "hours": "hours",
        "persons": "persons",
        "co2": "co2 (unit not stated)",
    }
    assert table.columns["hours"].tolist() == [2000, 1000, 0, 0]
    notes = " | ".join(table.notes)
    assert "labour.csv: no values for B" in notes
    assert "without a unit (add them to satellite_units.csv): co2" in notes
    assert table.labour("persons")[2] == "persons"
    eco = load_economy(folder, labour="hours")
    assert eco.labour_unit == "hours"
    assert any("B has no hours (rule: counted as 0" in n for n in eco.notes)


def test_extra_files_are_warned_about(tmp_path: Path):
    folder = _world(tmp_path / "w", **{"value_added.csv": "region,sector,va\n"})
    go = folder / "gross_output.csv"
    go.write_text(go.read_text().replace("gross_output\n", "gross_output,hours\n"))
    table = read_multiregion(folder)
    notes = " | ".join(table.notes)
    assert "hours" in table.columns  # further columns of gross_output.csv are read (importers)
    assert "value_added.csv ignored" in notes


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"satellite_units.csv": "column,unit\nwages,EUR\n"}, "unit for unknown column 'wages'"),
        ({"satellite_units.csv": "column,unit\nhours,\n"}, "empty unit"),
        ({"satellite_x.csv": "region,sector,hours\nA,s1,1\nA,s2,1\nB,s1,1\nB,s2,1\n"}, "twice"),
        ({"satellite_x.csv": "region,sector,k\nA,s1,1\nA,s2,1\nB,s1,1\n"}, "no row for"),
        ({"satellite_x.csv": "region,sector,k\nA,s1,1\nA,s2,x\nB,s1,1\nB,s2,1\n"}, "not a number"),
    ],
)
def test_bad_satellite_files_name_file_and_field(tmp_path: Path, files: dict, message: str):
    folder = _world(tmp_path / "w", **{"labour.csv": LABOUR, **files})
    with pytest.raises(InputError, match=message):
        read_multiregion(folder)


def test_bad_satellite_file_is_one_line_and_exit_2(tmp_path: Path):
    folder = _world(
        tmp_path / "w", **{"labour.csv": LABOUR, "satellite_units.csv": "column,unit\nhours,\n"}
    )
    res = soviets("values", folder)
    assert res.returncode == 2
    assert res.stderr.strip() == (
        f"error: {folder / 'satellite_units.csv'}, row 1, field 'unit': empty unit"
    )


def test_labour_option_takes_a_satellite_column_and_labels_its_unit(tmp_path: Path):
    folder = _world(tmp_path / "w", **{"labour.csv": LABOUR, "satellite_units.csv": UNITS})
    res = runner.invoke(app, ["plan", str(folder), "--labour", "persons", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["unit"] == "persons"
    res = runner.invoke(app, ["values", str(folder), "--labour", "persons", "--json"])
    assert json.loads(res.stdout)["unit"] == "persons"
    res = runner.invoke(app, ["plan", str(folder), "--labour", "persons"])
    assert "persons" in res.stdout and " hours" not in res.stdout.split("- ")[0]


def test_money_is_not_called_hours():
    res = runner.invoke(app, ["plan", str(ROOT / "data" / "ons-uk-2010")])
    assert res.exit_code == 0, res.output
    assert "801,796 GBP-2010 million of compensation" in res.stdout
    assert "no normal needs" in res.stdout and "normal 100" not in res.stdout


def test_world_2009_hours_embodied_equal_hours_worked():
    """Hours of the 40 countries = hours embodied in final demand (RoW counted as 0 hours).

    The published final demand f falls short of x - Z 1 because the source's cells
    are whole numbers cut toward zero; the hours embodied in that shortfall close
    the identity, and with final demand x - Z 1 it holds directly.
    """
    table = read_multiregion(WORLD)
    name, hours, unit = table.labour("hours_persons_engaged")
    assert unit == "hours"
    x = table.gross_output
    rest = np.asarray(table.regions) == "RoW"
    assert hours[rest].sum() == 0 and rest.sum() == 35
    worked = hours[x > 0].sum()  # LVA.c35 and MLT.c8 have hours but no output
    per_unit = np.divide(hours, x, out=np.zeros_like(x), where=x > 0)
    values = per_unit @ table.leontief_inverse()
    embodied = values @ table.f
    shortfall = values @ (x - table.Z.sum(axis=1) - table.f)
    assert embodied + shortfall == pytest.approx(worked, rel=1e-9)
    assert values @ (x - table.Z.sum(axis=1)) == pytest.approx(worked, rel=1e-9)
    assert 0 < 1 - embodied / worked < 1e-3  # 9.4e-4: the truncated cells

    res = runner.invoke(app, ["plan", str(WORLD), "--labour", name, "--json"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    assert plan["unit"] == "hours" and plan["status"] == "optimal"
    assert plan["objective_hours"] == pytest.approx(embodied, rel=1e-9)
    assert any(
        n.startswith("RoW has no hours_persons_engaged (rule: counted as 0") for n in plan["notes"]
    )
