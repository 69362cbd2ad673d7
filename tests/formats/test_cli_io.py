"""``soviets check``, ``soviets import`` and ``soviets export`` run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from clirun import soviets
from soviets.formats import load_economy, read_io_tables

ROOT = Path(__file__).resolve().parents[2]


def test_check_json_summary() -> None:
    proc = soviets("check", "examples/two-regions", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["format"] == "economy"
    assert (info["goods"], info["primary_goods"], info["processes"]) == (11, 3, 16)
    assert info["councils"] == {"workplace": 13, "territorial": 2, "federation": 1}
    assert (info["needs"], info["essential_needs"], info["members"]) == (14, 10, 10000)


def test_check_table_shows_notes() -> None:
    proc = soviets("check", "data/wiod2016-usa/2014", "--final-demand", "CONS_h,GFCF")
    assert proc.returncode == 0, proc.stderr
    assert "labour column: hours_employees" in proc.stdout
    assert "CONS_h, GFCF" in proc.stdout and "ok: the economy is valid" in proc.stdout


def test_import_then_check_and_export(tmp_path: Path) -> None:
    proc = soviets("import", "bea", "data/bea-2017-summary", tmp_path / "bea")
    assert proc.returncode == 0, proc.stderr
    raw, written = read_io_tables(ROOT / "data/bea-2017-summary"), read_io_tables(tmp_path / "bea")
    assert written.unit == "USD-2017 million" and written.codes == raw.codes
    np.testing.assert_array_equal(written.Z, raw.Z)
    np.testing.assert_array_equal(written.columns["compensation"], raw.columns["compensation"])

    proc = soviets("import", "ons", "data/ons-uk-2010", tmp_path / "ons")
    assert proc.returncode == 0, proc.stderr
    proc = soviets("check", tmp_path / "ons", "--json", "--labour", "compensation_of_employees")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["goods"] == 127

    proc = soviets("export", "examples/village.toml", tmp_path / "village")
    assert proc.returncode == 0, proc.stderr
    exported = load_economy(tmp_path / "village")
    assert exported.process_names == load_economy(ROOT / "examples/village.toml").process_names

    again = soviets("export", "examples/village.toml", tmp_path / "village")
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
