"""The LP with the capital stocks substituted out has the full LP's plans and prices."""

from hypothesis import given, settings
from hypothesis import strategies as st

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import highs
from soviets.planning import multiperiod_fast as mf
from soviets.planning.multiyear_lp import build
from soviets.planning.multiyear_reduced import reduce


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 10_000), years=st.integers(1, 4), slack=st.sampled_from([None, 1.3]))
def test_reduced_lp_has_the_full_optimum_and_prices(seed, years, slack):
    model = generate_multiyear(goods=15, years=years, seed=seed, labour_slack=slack)
    my = build(model)
    full = highs.solve(my.lp)
    red = reduce(my, model.capital_build_time)
    assert red.lp.matrix.shape[0] < my.lp.matrix.shape[0]
    sol = highs.solve(red.lp)
    assert sol.status == full.status
    if full.status != "optimal":
        return
    tol = 1e-7 * max(1.0, full.objective)
    x = red.full_x(sol.x)
    assert mf._feasible(my.lp, x)  # the stocks it implies meet every row of the full LP
    assert abs(float(my.lp.cost @ x) - full.objective) <= tol
    # its prices, the stock rows priced by the rents to come, certify the full optimum
    assert abs(highs.dual_bound(my.lp, red.full_y(sol.row_dual)) - full.objective) <= tol
