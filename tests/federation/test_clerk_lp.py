"""The clerk's small linear programmes survive HiGHS's simplex ending without a status."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from soviets.federation.protocol import _linprog

WEIGHING = Path(__file__).resolve().parents[1] / "data" / "clerk_weighing_not_set.json"


def test_a_weighing_the_simplex_cannot_finish_is_solved() -> None:
    lp = json.loads(WEIGHING.read_text())
    c = np.asarray(lp.pop("c"))
    lp.pop("about")
    res = _linprog(c, bounds=(0, None), **lp)
    assert res.status == 0 and res.x is not None
    # the same optimum as the simplex on the costs scaled to at most 1 (another route)
    scaled = linprog(c / c.max(), bounds=(0, None), method="highs-ds", **lp)
    assert scaled.status == 0
    assert res.fun == pytest.approx(scaled.fun * c.max(), rel=1e-7)
    assert np.sum(res.x[:4]) == pytest.approx(1.0)  # a mix of the four proposals
