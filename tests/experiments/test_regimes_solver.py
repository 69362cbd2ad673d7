"""The regimes' default solver: the fast path where it applies and there are at least
as many processes as goods, HiGHS where a region keeps more goods than it has processes."""

from __future__ import annotations

import pytest

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.experiments.regimes import _central, plan_autarky


def _bakery(extra_good: bool = False) -> Economy:
    goods = [Good("grain", "t"), Good("bread", "t")]
    if extra_good:
        goods.append(Good("salt", "t"))
    return Economy.from_records(
        goods=goods,
        councils=[Council("farm", "workplace", "village"), Council("village", "territorial")],
        processes=[
            Process("grow", "farm", 2.0, {"grain": 1.0}),
            Process("bake", "farm", 1.0, {"bread": 1.0, "grain": -0.5}),
        ],
        needs=[Need("village", "bread", 10.0)],
    )


def test_auto_takes_the_fast_path_with_as_many_processes_as_goods():
    hours, met, p = _central(_bakery())
    assert p.solver == "fast"
    hours_highs, met_highs, p_highs = _central(_bakery(), "highs")
    assert p_highs.solver == "highs"
    assert hours == pytest.approx(hours_highs, rel=1e-12)
    assert hours == pytest.approx(20.0)
    assert met.tolist() == pytest.approx(met_highs.tolist())


def test_auto_takes_highs_with_fewer_processes_than_goods():
    hours, _, p = _central(_bakery(extra_good=True))
    assert p.solver == "highs"
    assert hours == pytest.approx(20.0)


def test_autarky_hours_do_not_depend_on_the_solver():
    eco = _bakery()
    assert plan_autarky(eco).hours == pytest.approx(plan_autarky(eco, solver="highs").hours)
