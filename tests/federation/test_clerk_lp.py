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


def test_the_clerk_stops_on_an_epoch_that_repeats_at_the_same_prices() -> None:
    # a labour-budget trial out of reach by 1.3e-5 of an hour budget settled the same
    # proposal at the same prices for 160 epochs of 2 rounds: nothing more to learn
    from bread_world import bread_world
    from soviets.federation.directory import split_economy
    from soviets.federation.protocol import _Clerk

    directory, _ = split_economy(bread_world(15.0))
    clerk = _Clerk(directory, 1e-9, 5e-4, 200, epoch_tol=1e-7)
    clerk.usage = {0: (12.0, 10.0)}
    prices = {0: 3.5}
    clerk.columns = [(0, 20.0, {0: 12.0}), (1, 20.0 + 1e-7, {0: 12.0 + 1e-7})]
    clerk.epoch, clerk.epoch_prices = 1, {1: dict(prices)}
    assert clerk._stalled(dict(prices))
    assert not clerk._stalled({0: 3.6})  # new prices: a new proposal may come
    clerk.columns[-1] = (1, 20.0, {0: 11.0})  # a new use of the limit: a new column
    assert not clerk._stalled(dict(prices))
    clerk.columns = clerk.columns[-1:]
    assert not clerk._stalled(dict(prices))
