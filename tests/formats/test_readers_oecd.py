"""OECD ICIO CSV (pymrio's mocks of the 2016 and 2018 editions)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats.oecd import read_oecd

MOCK = Path(__file__).resolve().parents[1] / "data/pymrio_mock/oecd_mock"


def test_2018_edition() -> None:
    t = read_oecd(MOCK / "ICIO2018_2010.CSV")
    assert t.n == 48 and t.unit == "USD-2010 million"
    assert t.codes[:2] == ["AUS.01T03", "AUS.05T06"]
    assert t.categories[:6] == [
        "AUS.HFCE",
        "AUS.NPISH",
        "AUS.GGFC",
        "AUS.INVNT",
        "AUS.P33",
        "BEL.HFCE",
    ]
    assert t.category_regions is not None and set(t.category_regions) == {
        "AUS",
        "BEL",
        "MEX",
        "BRA",
        "COL",
    }
    assert "MX1" in (t.regions or [])  # Mexico's split rows stay a region of their own
    assert t.Z[0, 0] == 23697.221 and t.Z[1, 0] == 257.18317
    assert t.final_demand[0, 0] == 2448  # AUS_01T03 x AUS_HFCE
    assert t.x[0] == 235295.522015598  # the OUTPUT row
    assert set(t.columns) == {
        "AUS_TAXSUB",
        "BEL_TAXSUB",
        "MEX_TAXSUB",
        "BRA_TAXSUB",
        "COL_TAXSUB",
        "value_added",
    }
    # the mock's inputs add up to output (its final-demand cells are random, rows do not)
    inputs = t.Z.sum(axis=0) + sum(t.columns.values())
    np.testing.assert_allclose(inputs, t.x, rtol=1e-12)


def test_2016_edition_country_last_and_discrepancy() -> None:
    t = read_oecd(MOCK / "ICIO2016_2003.csv")
    assert t.unit == "USD-2003 million"
    assert t.categories[:2] == ["AUS.HFCE", "NZL.HFCE"]  # HFCE_AUS, HFCE_NZL
    assert t.x[0] == 235289.0533  # the OUT row
    assert "discrepancy" in t.columns and any("DISC" in n for n in t.notes)
    inputs = t.Z.sum(axis=0) + t.columns["value_added"]  # VA+TAXSUB
    np.testing.assert_allclose(inputs, t.x, rtol=1e-8)  # cells rounded to 8 digits


def test_errors_name_file_row_and_field(tmp_path: Path) -> None:
    lines = (MOCK / "ICIO2018_2010.CSV").read_text().splitlines()
    lines[2] = lines[2].replace("257.18317", "x257", 1)
    bad = tmp_path / "ICIO2018_2010.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        read_oecd(bad)
    assert (err.value.row, err.value.field) == (2, "AUS_01T03")
    lines[2] = "AUS_01T03" + lines[2][len("AUS_05T06") :]
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="duplicate row 'AUS_01T03'"):
        read_oecd(bad)
