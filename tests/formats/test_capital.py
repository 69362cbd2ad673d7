"""Capital coefficients of the WIOD USA tables."""

import numpy as np
import pytest

from soviets.errors import InputError
from soviets.formats.capital import capital_coefficients, multiyear_economy


def test_coefficients_2010():
    c = capital_coefficients("data/wiod2016-usa/2010")
    assert c.composition.sum() == pytest.approx(1.0)
    assert np.all(c.composition >= 0)
    # capital per output times output gives back the recorded stock (USD million)
    assert (c.requirement * c.gross_output).sum() == pytest.approx(c.capital_stock.sum())
    week = c.hours.sum() / (136_525_621) / 52  # WIOD employees 2010, in persons
    assert 33 < week < 36  # hours per employee per week


def test_multiyear_economy_holds_the_recorded_stock():
    m = multiyear_economy("data/wiod2016-usa/2010", years=2, utilisation=0.8)
    c = capital_coefficients("data/wiod2016-usa/2010")
    kept = m.capital_stock.sum() / c.capital_stock.sum()
    assert 0.98 < kept <= 1.0 + 1e-12  # goods below the share threshold are dropped
    assert m.period_names == ["2011", "2012"]


def test_missing_capital_column(tmp_path):
    import shutil

    shutil.copytree("data/wiod2016-usa/2010", tmp_path / "2010")
    f = tmp_path / "2010" / "final_demand.csv"
    f.write_text(f.read_text().replace("GFCF", "OTHER"))
    with pytest.raises(InputError, match="GFCF"):
        capital_coefficients(tmp_path / "2010")
