"""The best partial plan on the reduced economy equals HiGHS's diagnosis of the whole."""

import numpy as np
import pytest

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.experiments.regimes import plan_central
from soviets.experiments.robustness import with_failed
from soviets.planning import central as central_lp
from soviets.planning.reach import may_run, unmakeable


def village() -> Economy:
    """Malt is made only by the maltery (to fail); cloth is capped below its need;
    flour comes from the mill or from a small stock."""
    goods = [Good(g, "t") for g in ("grain", "flour", "bread", "malt", "beer", "cloth")]
    goods.append(Good("land", "ha", "primary", 10.0))
    ws = ("farm", "mill", "bakery", "maltery", "brewery", "weaver")
    councils = [Council("town", "territorial")] + [Council(w, "workplace", "town") for w in ws]
    procs = [
        Process("farm", "farm", 1.0, {"grain": 1.0, "land": -0.5}),
        Process("mill", "mill", 0.5, {"flour": 1.0, "grain": -1.2}),
        Process("bakery", "bakery", 2.0, {"bread": 1.0, "flour": -0.8}),
        Process("maltery", "maltery", 1.5, {"malt": 1.0, "grain": -1.1}),
        Process("brewery", "brewery", 1.0, {"beer": 1.0, "malt": -0.4, "grain": -0.1}),
        Process("weaver", "weaver", 3.0, {"cloth": 1.0}, capacity=5.0),
    ]
    needs = [
        Need("town", "bread", 6.0),
        Need("town", "grain", 2.0),
        Need("town", "beer", 3.0),
        Need("town", "cloth", 8.0, "normal"),
    ]
    return Economy.from_records(
        goods=goods, councils=councils, processes=procs, needs=needs, stocks={"flour": 1.0}
    )


def test_reach_finds_what_cannot_be_made() -> None:
    eco = with_failed(village(), ["maltery"])
    live = may_run(eco)
    assert [eco.process_names[j] for j in np.flatnonzero(~live)] == ["maltery", "brewery"]
    assert [eco.good_names[g] for g in np.flatnonzero(unmakeable(eco, live))] == ["malt", "beer"]


@pytest.mark.parametrize("failed", [["maltery"], ["maltery", "mill"], ["farm"]])
def test_reduced_partial_plan_is_highs_diagnosis(failed: list[str]) -> None:
    eco = with_failed(village(), failed)
    rows = central_lp.rows(eco, with_hours=False)
    whole = central_lp.diagnose(eco, "min-labour", rows, eco.demand, essential_first=True)
    got = plan_central(eco)
    assert got.extra["solver"] == "highs"
    assert np.allclose(got.met, whole.need_met, rtol=1e-7, atol=1e-9)  # HiGHS tolerances
    assert got.hours == pytest.approx(float(eco.labour @ whole.activity), rel=1e-7)
    assert got.unmet == len(whole.unmet)
