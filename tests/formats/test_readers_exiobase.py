"""EXIOBASE 3 (pymrio's mock release, product by product): folder and zip."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats.exiobase import read_exiobase
from soviets.formats.iotable import IOTable

MOCK = Path(__file__).resolve().parents[1] / "data/pymrio_mock/exio3_mock"


@pytest.fixture(scope="module")
def table() -> IOTable:
    return read_exiobase(MOCK)


def test_layout_and_published_cells(table: IOTable) -> None:
    assert table.n == 48 and len(set(table.regions or [])) == 6
    assert table.codes[:3] == ["AUS.food", "AUS.mining", "AUS.manufactoring"]
    assert table.categories[0] == "AUS.Final consumption expenditure by households"
    assert len(table.categories) == 42
    assert table.unit == "Mill USD"
    assert table.source.startswith("EXIOBASE v3.4_mock (product by product)")
    a = table.technical_coefficients()
    assert a[0, 0] == pytest.approx(0.0990875448681, rel=1e-14)  # A.txt, AUS food x AUS food
    assert a[1, 0] == pytest.approx(0.00107538554401, rel=1e-14)
    assert table.final_demand[0, 0] == 58180.65  # Y.txt, AUS food x AUS households
    assert table.columns["satellite/emission_type1"][0] == 1848064.8  # satellite/F.txt
    assert table.column_units["satellite/emission_type2"] == "kg"


def test_output_identity(table: IOTable) -> None:
    # A and Y only: x solves (I - A) x = Y 1, and Z = A diag(x) makes Z 1 + y = x
    assert table.balance_error() < 1e-12
    assert any("(I - A)^-1" in n for n in table.notes)


def test_release_zip_with_a_top_folder(table: IOTable, tmp_path: Path) -> None:
    shutil.copytree(MOCK, tmp_path / "IOT_2009_pxp")
    archive = shutil.make_archive(str(tmp_path / "IOT_2009_pxp"), "zip", tmp_path, "IOT_2009_pxp")
    zipped = read_exiobase(archive)
    assert zipped.codes == table.codes and sorted(zipped.columns) == sorted(table.columns)
    np.testing.assert_array_equal(zipped.Z, table.Z)


def test_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    shutil.copytree(MOCK, tmp_path / "exio")
    y = tmp_path / "exio" / "Y.txt"
    text = y.read_text().replace("58180.65", "58180,65", 1)
    y.write_text(text)
    with pytest.raises(InputError) as err:
        read_exiobase(tmp_path / "exio")
    message = str(err.value)
    assert "Y.txt, row 1, field 'AUS.Final consumption expenditure by households'" in message
    assert "not a number: '58180,65'" in message


def test_not_a_release(tmp_path: Path) -> None:
    (tmp_path / "file_parameters.json").write_text('{"systemtype": "Extension"}')
    with pytest.raises(InputError, match="systemtype must be 'IOSystem'"):
        read_exiobase(tmp_path)
