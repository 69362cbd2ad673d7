"""The multi-period fast solver's dual bound is valid and tight at the optimal prices."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import highs
from soviets.planning import multiperiod_fast as mf
from soviets.planning.multiyear_lp import build


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), years=st.integers(2, 4), slack=st.sampled_from([None, 1.3]))
def test_bound_never_exceeds_highs_optimum(seed, years, slack):
    model = generate_multiyear(goods=12, years=years, seed=seed, labour_slack=slack)
    my = build(model)
    sol = highs.solve(my.lp)
    if sol.status != "optimal":
        return
    structure = mf._structure(my, model)
    rng = np.random.default_rng(seed)
    for y in (np.zeros(my.lp.row_lower.size), -sol.row_dual, rng.normal(size=sol.row_dual.size)):
        bound, _, _ = mf.dual_bound(structure, y)
        assert bound <= sol.objective * (1 + 1e-9) + 1e-9
    # at HiGHS's own prices the bound is the optimum
    bound, _, _ = mf.dual_bound(structure, -sol.row_dual)
    assert abs(bound - sol.objective) <= 1e-6 * max(1.0, sol.objective)


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_bound_caps_capital_prices_at_the_cost_of_investing(seed):
    """Prices that value capital arriving in year 2 above what building it in year 1
    costs (the stock of pairs nobody holds at the start priced high): the bound must
    lower those prices to the capital good's value, or it exceeds the optimum (it did
    when the cap skipped every open investment)."""
    model = generate_multiyear(goods=12, years=3, seed=seed)
    my = build(model)
    sol = highs.solve(my.lp)
    if sol.status != "optimal":
        return
    lay = my.layout
    y = -sol.row_dual.copy()
    extra = np.where(model.capital_stock > 0, 0.0, 10.0 * np.max(np.abs(y)))
    y[lay.row("stock", 0)] += (1 - model.capital_depreciation) * extra  # no rent in year 1
    y[lay.row("stock", 1)] += extra  # a high rent in year 2
    bound, _, _ = mf.dual_bound(mf._structure(my, model), y)
    assert bound <= sol.objective * (1 + 1e-9) + 1e-9


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), slack=st.sampled_from([None, 1.3, 1.6]))
def test_solve_brackets_the_highs_optimum(seed, slack):
    """Random economies, with and without a tight labour supply: the certified
    interval [dual, primal] holds HiGHS's optimum, and the plan is feasible."""
    model = generate_multiyear(goods=15, years=3, seed=seed, labour_slack=slack)
    my = build(model)
    sol = highs.solve(my.lp)
    result = mf.solve(model, gap=1e-6, time_limit=2.0)
    if sol.status != "optimal":
        assert result.x is None  # no plan where HiGHS finds none
        return
    tol = 1e-7 * max(1.0, sol.objective)
    assert result.certificate.dual <= sol.objective + tol
    if result.x is not None:
        assert mf._feasible(my.lp, result.x)
        assert result.certificate.primal >= sol.objective - tol
        assert result.certificate.primal == float(my.lp.cost @ result.x)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), slack=st.sampled_from([None, 1.3]))
def test_sifting_reaches_the_highs_optimum(seed, slack):
    """With time enough, sifting ends optimal: its plan is HiGHS's optimum and the
    dual bound at its prices certifies it."""
    model = generate_multiyear(goods=15, years=3, seed=seed, labour_slack=slack)
    my = build(model)
    sol = highs.solve(my.lp)
    if sol.status != "optimal":
        return
    result = mf.solve(model, gap=1e-7, time_limit=60.0, my=my)
    assert result.status == "optimal"
    assert mf._feasible(my.lp, result.x)
    tol = 1e-6 * max(1.0, sol.objective)
    assert abs(result.certificate.primal - sol.objective) <= tol
    assert result.certificate.dual <= sol.objective + tol
    assert any("sifting_columns" in h for h in result.history)
