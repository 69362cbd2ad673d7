"""Eora26 (pymrio's mock): folder and zip."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats.eora import read_eora

MOCK = Path(__file__).resolve().parents[1] / "data/pymrio_mock/eora26_mock"


def test_eora26_mock(tmp_path: Path) -> None:
    t = read_eora(MOCK)
    assert t.n == 48 and t.codes[:2] == ["reg1.food", "reg1.mining"]
    assert t.descriptions[0] == "Region 1: food"
    assert t.categories[0] == "reg1.Final consumption expenditure by households"
    assert t.Z[0, 0] == 23697.221 and t.final_demand[0, 0] == 58180.65
    assert t.columns["value_added"][0] == 111490.88
    col = "satellite/I-GHG-CO2 emissions (kg)|emission_type1"
    assert t.columns[col][0] == 1848064.8 and t.column_units[col] == "kg"
    assert t.balance_error() == 0  # x = Z 1 + y
    assert t.unit == "USD-2010 thousand" and any("no monetary unit" in n for n in t.notes)
    shutil.copytree(MOCK, tmp_path / "Eora26_2010_bp")
    archive = shutil.make_archive(str(tmp_path / "eora"), "zip", tmp_path, "Eora26_2010_bp")
    np.testing.assert_array_equal(read_eora(archive).Z, t.Z)


def test_wrong_shape_is_reported(tmp_path: Path) -> None:
    shutil.copytree(MOCK, tmp_path / "eora")
    fd = tmp_path / "eora" / "Eora26_2010_bp_FD.txt"
    fd.write_text("\n".join(fd.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(InputError, match=r"Eora26_2010_bp_FD.txt: expected 48 x 42 values"):
        read_eora(tmp_path / "eora")
