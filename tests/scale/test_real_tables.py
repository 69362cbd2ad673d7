"""The real input-output tables plan through the constrained solver as through HiGHS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from soviets.formats import load_economy
from soviets.planning import central, constrained

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(
    "folder", ["wiod2016-usa/2014", "ons-uk-2010", "wiod2013-world-2011", "bea-2017-summary"]
)
def test_real_table_plans_like_highs(folder):
    eco = load_economy(DATA / folder)
    ref = central.solve(eco)
    ours = constrained.solve(eco, gap=1e-9)
    assert ours.status == ref.status == "optimal"
    assert ours.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9)
    np.testing.assert_allclose(
        ours.activity, ref.activity, rtol=1e-7, atol=1e-9 * ref.activity.max()
    )
    produced = ~eco.good_primary
    np.testing.assert_allclose(ours.labour_values[produced], ref.labour_values[produced], rtol=1e-8)
    assert ours.certificate.gap <= 1e-9
    if folder == "bea-2017-summary":  # by-products (scrap, used goods): joint production
        assert ours.solver == "highs" and "joint production" in ours.extra["handover"]
    else:
        assert ours.solver == "constrained"
