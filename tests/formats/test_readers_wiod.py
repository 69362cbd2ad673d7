"""WIOD: the 2013 release workbook (pymrio's mock), a 2016-layout workbook and an RData slice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats import read_io_tables
from soviets.formats.iotable import IOTable
from soviets.formats.wiod import read_wiod_rdata, read_wiod_xlsx

DATA = Path(__file__).resolve().parents[1] / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_2013_workbook() -> None:
    t = read_wiod_xlsx(DATA / "pymrio_mock/wiod_mock/wiot09_row_sep12.xlsx")
    assert t.n == 48 and t.unit == "USD-2009 million"
    assert t.codes[:2] == ["AUS.c1", "AUS.c2"] and t.codes[-1] == "RoW.c35"
    assert t.categories[:5] == ["AUS.c37", "AUS.c38", "AUS.c39", "AUS.c41", "AUS.c42"]
    assert t.descriptions[0] == "AUS: Agriculture, Hunting, Forestry and Fishing"
    assert t.Z[0, 0] == 23697.221 and t.final_demand[0, 0] == 58180.65
    assert t.x[0] == 170552.56686782  # r69, output at basic prices
    assert t.columns["value_added"][0] == 42262.90673  # r64
    assert "international_transport_margins" in t.columns  # a row without a number
    # the value-added block adds up to output (the mock's final demand is random)
    inputs = t.Z.sum(axis=0) + sum(t.columns.values())
    np.testing.assert_allclose(inputs, t.x, rtol=1e-12)


@pytest.fixture(scope="module")
def world() -> IOTable:
    return read_io_tables(ROOT / "data/wiod2013-world-2011")


@pytest.mark.parametrize("name", ["wiot_2011.RData", "WIOT2011_slice.xlsx"])
def test_slices_hold_the_bundled_cells(name: str, world: IOTable) -> None:
    path = DATA / "wiod_slices" / name
    t = read_wiod_rdata(path) if name.endswith(".RData") else read_wiod_xlsx(path)
    assert t.unit == "USD-2011 million"
    assert t.codes == [f"{c}.{s}" for c in ("AUS", "DEU", "USA") for s in ("c1", "c2", "c3", "c20")]
    rows = [world.codes.index(c) for c in t.codes]
    cols = [world.categories.index(c) for c in t.categories]
    np.testing.assert_array_equal(t.Z, world.Z[np.ix_(rows, rows)])
    np.testing.assert_array_equal(t.final_demand, world.final_demand[np.ix_(rows, cols)])
    np.testing.assert_array_equal(t.x, world.x[rows])
    assert t.x[0] == 76834  # AUS c1 in gross_output.csv
    # a slice leaves out sales to other industries: rows fall short of output
    assert np.all(t.Z.sum(axis=1) + t.f <= t.x)


def test_bad_workbook_and_bad_rdata(tmp_path: Path) -> None:
    fake = tmp_path / "wiot.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(InputError, match="not an .xlsx workbook"):
        read_wiod_xlsx(fake)
    fake = tmp_path / "wiot.RData"
    fake.write_bytes(b"RDX3\nnonsense")
    with pytest.raises(InputError, match="not a readable R data file"):
        read_wiod_rdata(fake)
