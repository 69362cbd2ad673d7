"""pymrio both ways, in memory and as its saved folder, on pymrio's test system."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats import detect, io_to_economy, read_io_tables
from soviets.formats.iotable import IOTable, read_multiregion
from soviets.formats.mrio import write_multiregion_folder
from soviets.formats.pymrio_folder import read_pymrio_folder, write_pymrio_folder
from soviets.formats.pymrio_io import from_pymrio, to_pymrio

pymrio = pytest.importorskip("pymrio")


@pytest.fixture(scope="module")
def mrio():
    return pymrio.load_test()


@pytest.fixture(scope="module")
def table(mrio) -> IOTable:
    return from_pymrio(mrio)


def assert_same(a: IOTable, b: IOTable, rtol: float = 0.0) -> None:
    assert (a.codes, a.categories, a.regions, a.category_regions) == (
        b.codes,
        b.categories,
        b.regions,
        b.category_regions,
    )
    assert a.unit == b.unit and a.column_units == b.column_units
    assert sorted(a.columns) == sorted(b.columns)
    for x, y in [
        (a.Z, b.Z),
        (a.final_demand, b.final_demand),
        (a.x, b.x),
        *((a.columns[c], b.columns[c]) for c in a.columns),
    ]:
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0)


def test_from_pymrio_keeps_the_test_system(mrio, table: IOTable) -> None:
    assert table.n == 48 and len(table.categories) == 42
    assert table.codes[:2] == ["reg1.food", "reg1.mining"]
    assert table.categories[0] == "reg1.Final consumption expenditure by households"
    np.testing.assert_array_equal(table.Z, mrio.Z.to_numpy())
    np.testing.assert_array_equal(table.final_demand, mrio.Y.to_numpy())
    # the test system has no x: x = Z 1 + Y 1, so the row identity holds exactly
    assert table.balance_error() < 1e-15
    np.testing.assert_array_equal(
        table.columns["Value Added"], mrio.factor_inputs.F.loc["Value Added"].to_numpy()
    )
    emissions = mrio.emissions.F.loc[("emission_type1", "air")].to_numpy()
    np.testing.assert_array_equal(table.columns["emissions/emission_type1|air"], emissions)
    assert table.unit == "Mill USD"
    assert table.column_units["emissions/emission_type1|air"] == "kg"
    assert any("F_Y of extension emissions" in n for n in table.notes)


def test_round_trip_through_pymrio(mrio, table: IOTable) -> None:
    again = to_pymrio(table)
    assert_same(from_pymrio(again), table)
    np.testing.assert_array_equal(again.Z.to_numpy(), mrio.Z.to_numpy())
    assert list(again.Z.index) == list(mrio.Z.index)
    assert list(again.Y.columns) == list(mrio.Y.columns)
    np.testing.assert_array_equal(again.factor_inputs.F.to_numpy(), mrio.factor_inputs.F.to_numpy())


def test_accounts_of_the_round_tripped_table_are_equal(table: IOTable) -> None:
    back = from_pymrio(to_pymrio(table))
    ours, theirs = (io_to_economy(t, labour="Value Added") for t in (table, back))
    assert (ours.net_output != theirs.net_output).nnz == 0
    np.testing.assert_array_equal(ours.labour, theirs.labour)
    np.testing.assert_array_equal(table.leontief_inverse(), back.leontief_inverse())
    # pymrio's own accounts agree with ours: x = L y
    calc = to_pymrio(table).calc_all()
    np.testing.assert_allclose(calc.x.to_numpy()[:, 0], table.leontief_inverse() @ table.f)


def test_saved_folder_read_without_pymrio(mrio, table: IOTable, tmp_path: Path) -> None:
    mrio.save_all(tmp_path / "saved")
    read = read_pymrio_folder(tmp_path / "saved")
    assert_same(read, table, rtol=1e-11)  # pymrio saves 12 significant digits
    archive = shutil.make_archive(str(tmp_path / "saved"), "zip", tmp_path, "saved")
    assert_same(read_pymrio_folder(archive), read)


def test_saved_folder_written_without_pymrio(table: IOTable, tmp_path: Path) -> None:
    write_pymrio_folder(table, tmp_path / "ours")
    loaded = pymrio.load_all(tmp_path / "ours")
    assert set(loaded.get_extensions()) == {"factor_inputs", "emissions"}
    assert_same(from_pymrio(loaded), table)
    assert_same(read_pymrio_folder(tmp_path / "ours"), table)
    assert detect(tmp_path / "ours") == "pymrio"


def test_multiregion_folder_keeps_the_columns(table: IOTable, tmp_path: Path) -> None:
    write_multiregion_folder(table, tmp_path / "mr")
    back = read_multiregion(tmp_path / "mr")
    assert back.codes == table.codes and back.categories == table.categories
    for name in table.columns:
        np.testing.assert_array_equal(back.columns[name], table.columns[name])
    np.testing.assert_array_equal(back.Z, table.Z)
    assert back.descriptions == table.descriptions


def test_bad_cell_in_a_saved_folder_is_located(mrio, tmp_path: Path) -> None:
    mrio.save_all(tmp_path / "saved")
    z = tmp_path / "saved" / "Z.txt"
    lines = z.read_text().splitlines()
    cells = lines[4].split("\t")
    cells[3] = "n/a"
    lines[4] = "\t".join(cells)
    z.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_pymrio_folder(tmp_path / "saved")
    assert err.value.row == 2 and err.value.field == "reg1.mining"
    assert str(err.value).startswith(str(z))


def test_national_table_gets_one_region() -> None:
    ons = read_io_tables(Path(__file__).resolve().parents[2] / "data/ons-uk-2010")
    back = from_pymrio(to_pymrio(ons))
    assert back.codes == [f"REGION.{c}" for c in ons.codes]
    assert back.categories == [f"REGION.{c}" for c in ons.categories]
    np.testing.assert_array_equal(back.Z, ons.Z)
    np.testing.assert_array_equal(back.columns["compensation"], ons.columns["compensation"])
    assert back.unit == ons.unit == "GBP-2010 million"
