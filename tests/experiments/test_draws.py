"""Experiments over random draws: robustness (councils fail) and information (misreports)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from clirun import soviets
from soviets.economy import Council, Economy, Good, Need, Process
from soviets.experiments import information, robustness
from soviets.formats import load_economy

ROOT = Path(__file__).resolve().parents[2]
TWO_REGIONS = ROOT / "examples" / "two-regions"


@pytest.fixture(scope="module")
def two_regions() -> Economy:
    return load_economy(TWO_REGIONS)


def choice_economy() -> Economy:
    """Two regions; bread from a cheap or a dear bakery, grain from two farms
    (the cheap farm is limited by its land): a plan with choices to get wrong."""
    goods = [Good("grain", "t"), Good("bread", "t"), Good("land", "ha", "primary", 40.0)]
    councils = [
        Council("world", "federation"),
        Council("north", "territorial", parent="world", members=100),
        Council("south", "territorial", parent="world", members=100),
        Council("n-farm", "workplace", parent="north"),
        Council("n-bakery", "workplace", parent="north"),
        Council("s-farm", "workplace", parent="south"),
        Council("s-bakery", "workplace", parent="south"),
    ]
    procs = [
        Process("n-grain", "n-farm", 2.0, {"grain": 1.0, "land": -1.0}),
        Process("s-grain", "s-farm", 3.0, {"grain": 1.0}),
        Process("n-bread", "n-bakery", 1.0, {"bread": 1.0, "grain": -0.5}),
        Process("s-bread", "s-bakery", 1.2, {"bread": 1.0, "grain": -0.5}),
    ]
    needs = [Need("north", "bread", 50.0), Need("south", "bread", 60.0)]
    return Economy.from_records(
        goods=goods, councils=councils, processes=procs, needs=needs, name="choice"
    )


def test_sole_supplier_failing_lowers_needs_met(two_regions):
    # low-workshop is the only council that makes tools
    makers = {p.council for p in two_regions.process_records() if p.flows.get("tools", 0) > 0}
    assert makers == {"low-workshop"}
    before = robustness.run_regime("central", two_regions)
    after = robustness.run_regime("central", two_regions, ["low-workshop"])
    assert after.normal_met < before.normal_met
    assert after.met is not None
    tools = [k for k, g in enumerate(two_regions.need_good) if two_regions.good_names[g] == "tools"]
    assert np.all(after.met[tools] == pytest.approx(0.0, abs=1e-9))
    # by value too: the tools needed are worth something and none are made
    w = robustness.value_weights(
        two_regions, robustness.central_values(robustness.run_regime("central", two_regions))
    )
    assert robustness.value_met(two_regions, after.met, w) < 1.0


def test_failure_means_capacity_zero_only_for_the_failed(two_regions):
    eco = robustness.with_failed(two_regions, ["up-hydro", "low-farm"])
    down = {two_regions.process_names[j] for j in np.flatnonzero(eco.capacity == 0)}
    assert down == {"up-hydro", "low-grain", "low-vegetables"}
    assert np.all(two_regions.capacity[eco.capacity != 0] == eco.capacity[eco.capacity != 0])


def test_draws_reproducible_and_independent_of_workers(two_regions):
    councils = robustness.workplace_councils(two_regions)
    a = robustness.draw_failures(councils, [1, 3], 4, seed=7)
    assert a == robustness.draw_failures(councils, [1, 3], 4, seed=7)
    assert a != robustness.draw_failures(councils, [1, 3], 4, seed=8)
    assert all(len(set(f)) == k for k, _, f in a)
    one = robustness.run(two_regions, [2], 2, seed=3, regimes=("central",), workers=1)
    two = robustness.run(two_regions, [2], 2, seed=3, regimes=("central",), workers=2)
    assert one["rows"] == two["rows"]


def test_too_many_failures_is_a_clear_error(two_regions, tmp_path):
    ran = soviets(
        "experiment", "robustness", TWO_REGIONS, "--k", "99", "--draws", "1",
        "--out", tmp_path / "r",
    )  # fmt: skip
    assert ran.returncode == 2
    assert "cannot fail 99 councils" in ran.stderr and "13 workplace councils" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not (tmp_path / "r").exists()


def test_central_on_true_data_never_below_the_true_optimum():
    eco = choice_economy()
    res = information.run(eco, [0.25], 8, seed=1, regimes=("central", "autarky"), workers=1)
    truth = res["truth"]["central"]["true_labour"]
    central = [r for r in res["rows"] if r["regime"] == "central"]
    assert len(central) == 8
    for r in central:
        assert r["essential_met"] == pytest.approx(1.0)
        assert r["true_labour"] >= truth * (1 - 1e-9)
    # some draw flips the choice of bakery or farm and costs hours
    assert max(r["lost_labour"] for r in central) > 0
    # misreports scale hours, never what is made: no report, no loss
    zero = information.run(eco, [0.0], 2, seed=1, regimes=("central",), workers=1)
    assert all(r["lost_labour"] == pytest.approx(0.0, abs=1e-9) for r in zero["rows"])


def test_misreport_factors_within_bounds():
    eco = choice_economy()
    names = robustness.workplace_councils(eco)
    for _, _, factors in information.draw_reports(names, [0.1], 5, seed=2):
        assert set(factors) == set(names)
        assert all(0.9 <= f <= 1.1 for f in factors.values())
        rep = information.misreported(eco, factors)
        assert np.allclose(
            rep.labour / eco.labour, [factors[eco.councils[c].name] for c in eco.process_council]
        )


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return next(csv.reader(fh))


def test_cli_reports_with_units(tmp_path):
    out = tmp_path / "rob"
    ran = soviets(
        "experiment", "robustness", TWO_REGIONS, "--k", "1", "--draws", "2",
        "--regimes", "central,autarky", "--workers", "1", "--out", out,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    head = _header(out / "draws.csv")
    assert "labour (hours)" in head and "essential needs met (%)" in head
    assert "extra labour vs no failure (hours)" in head
    assert _header(out / "summary.csv")[:4] == ["k", "regime", "measure", "unit"]
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "| 1 | central | 2 |" in text and "labour (hours)" in text
    for png in ("robustness-needs.png", "robustness-labour.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    out = tmp_path / "info"
    ran = soviets(
        "experiment", "information", TWO_REGIONS, "--misreport", "10", "--draws", "2",
        "--regimes", "central", "--workers", "1", "--out", out,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    head = _header(out / "draws.csv")
    assert "labour on the true data (hours)" in head and "needs met by value (%)" in head
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "| 10 | central | 2 |" in text
    assert (out / "information-labour.png").stat().st_size > 1000


def test_holding_back_capacity_costs_needs_or_hours_never_true_capacity(two_regions):
    names = robustness.workplace_councils(two_regions)
    (_, _, factors), *_ = information.draw_reports(names, [0.5], 1, seed=4, mode="capacity")
    assert all(0.5 <= f <= 1.0 for f in factors.values())
    rep = information.held_back(two_regions, factors)
    finite = np.isfinite(two_regions.capacity)
    assert np.all(rep.capacity[finite] <= two_regions.capacity[finite])
    assert np.all(np.isinf(rep.capacity[~finite]))
    res = information.run(
        two_regions, [0.9], 3, seed=4, regimes=("central",), workers=1, mode="capacity"
    )
    truth = res["truth"]["central"]
    for r in res["rows"]:
        # hours are reported truly: the plan's labour is what it was planned at
        assert r["true_labour"] == pytest.approx(r["reported_labour"])
        assert r["essential_met"] <= truth["essential_met"] + 1e-9
    assert res["mode"] == "capacity"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("robustness", "--k", "1.5"), "--k: expected whole numbers"),
        (("robustness", "--draws-for", "feds=3"), "unknown regime 'feds'"),
        (("information", "--misreport", "abc"), "expected comma-separated numbers"),
        (("information", "--misreport", "150"), "between 0% and 100%"),
    ],
)
def test_cli_bad_options_are_one_line_errors(tmp_path, args, message):
    kind, *rest = args
    ran = soviets("experiment", kind, TWO_REGIONS, *rest, "--out", tmp_path / "r")
    assert ran.returncode == 2
    assert message in ran.stderr and "Traceback" not in ran.stderr
    assert not (tmp_path / "r").exists()


def test_autarky_after_a_failure_lacks_its_good_and_keeps_other_regions():
    eco = choice_economy()
    base = robustness.run_regime("autarky", eco)
    after = robustness.run_regime("autarky", eco, ["n-farm"], before=base)
    assert base.met is not None and after.met is not None
    north = eco.need_council == eco.council_index["north"]
    # the north's bakery needs grain that only its failed farm made: no bread baked
    # (grain is not dropped from the recipe as if the north had never made it)
    assert np.all(after.met[north] == 0.0)
    assert np.array_equal(after.met[~north], base.met[~north])
    fresh = robustness.run_regime("autarky", eco, ["n-farm"])
    assert fresh.hours == pytest.approx(after.hours, rel=1e-12)


def with_brewery() -> Economy:
    """:func:`choice_economy` with beer, brewed from grain by the north's brewery alone."""
    eco = choice_economy()
    return Economy.from_records(
        goods=[*eco.goods_records(), Good("beer", "hl")],
        councils=[*eco.councils, Council("n-brewery", "workplace", parent="north")],
        processes=[
            *eco.process_records(),
            Process("n-beer", "n-brewery", 0.5, {"beer": 1.0, "grain": -0.2}),
        ],
        needs=[*eco.need_records(), Need("south", "beer", 30.0)],
        name="choice with beer",
    )


def test_federation_plans_what_is_still_in_reach_as_highs_does():
    # the brewery fails: beer is out of reach of every plan, so no plan meets every
    # need; the federation plans the economy reduced to what can still run (without
    # the reduction its protocol cannot settle) and must find the central planner's
    # (HiGHS's) best partial plan: the same needs met, the same hours
    eco = with_brewery()
    fed = robustness.run_regime("federation", eco, ["n-brewery"])
    cen = robustness.run_regime("central", eco, ["n-brewery"])
    assert cen.extra["solver"] == "highs"
    assert fed.extra["settled"] and fed.extra["converged"]
    assert fed.met is not None and cen.met is not None
    beer = eco.need_good == eco.good_index["beer"]
    assert np.all(fed.met[beer] == 0.0) and fed.unmet == cen.unmet == 1
    assert np.allclose(fed.met, cen.met, rtol=1e-7, atol=1e-9)
    assert fed.hours == pytest.approx(cen.hours, rel=1e-3)  # the federation's target: 0.1%
    assert fed.activity is not None and fed.activity[eco.process_index["n-beer"]] == 0.0
    # without the failure every regime brews
    assert robustness.run_regime("federation", eco).unmet == 0
