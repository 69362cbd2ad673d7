"""``soviets import exiobase|oecd|wiod|pymrio|eora`` run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from clirun import soviets
from soviets.formats import detect, load_economy, read_io_tables
from soviets.formats.iotable import read_multiregion
from soviets.formats.pymrio_folder import read_pymrio_folder
from soviets.formats.wiod import read_wiod_xlsx

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data"


def test_import_wiod_then_check(tmp_path: Path) -> None:
    src = DATA / "pymrio_mock/wiod_mock/wiot09_row_sep12.xlsx"
    proc = soviets("import", "wiod", src, tmp_path / "wiod")
    assert proc.returncode == 0, proc.stderr
    assert "6 regions, 48 region-sectors, 30 final-demand columns" in proc.stdout
    written, raw = read_multiregion(tmp_path / "wiod"), read_wiod_xlsx(src)
    assert written.codes == raw.codes and written.unit == "USD-2009 million"
    np.testing.assert_array_equal(written.Z, raw.Z)
    np.testing.assert_array_equal(written.columns["value_added"], raw.columns["value_added"])
    proc = soviets("check", tmp_path / "wiod", "--json", "--final-demand", "c37")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["format"] == "multiregion" and info["goods"] == 48


def test_import_exiobase_as_pymrio_folder(tmp_path: Path) -> None:
    src = DATA / "pymrio_mock/exio3_mock"
    proc = soviets("import", "exiobase", src, tmp_path / "exio", "--layout", "pymrio")
    assert proc.returncode == 0, proc.stderr
    assert "(I - A)^-1" in proc.stdout
    back = read_pymrio_folder(tmp_path / "exio")
    assert back.n == 48 and back.column_units["satellite/emission_type1"] == "kg"
    assert back.balance_error() < 1e-12


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "ICIO2021_2018.csv"
    bad.write_text(",AUS_A01,AUS_HFCE,OUT\nAUS_A01,1,oops,3\nOUT,3,0,0\n")
    proc = soviets("import", "oecd", bad, tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {bad}, row 1, field 'AUS_HFCE': not a number: 'oops'"
    assert not (tmp_path / "out").exists()


def test_published_tables_load_directly() -> None:
    samples = {
        "exiobase": "pymrio_mock/exio3_mock",
        "oecd": "pymrio_mock/oecd_mock/ICIO2018_2010.CSV",
        "wiod": "wiod_slices/wiot_2011.RData",
        "eora": "pymrio_mock/eora26_mock",
    }
    for kind, sample in samples.items():
        assert detect(DATA / sample) == kind
        table = read_io_tables(DATA / sample)
        assert table.regions is not None and table.n in (12, 48)
    economy = load_economy(DATA / "wiod_slices/WIOT2011_slice.xlsx", labour="value_added")
    assert economy.n_goods == 12
