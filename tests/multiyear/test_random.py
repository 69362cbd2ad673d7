"""Random multi-period economies: the plan is checked row by row, and its optimum against
an LP built differently here (capital stocks eliminated through their recursion, dense
matrices, SciPy's HiGHS interior-point method)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from soviets.economy import (
    Capital,
    Council,
    Economy,
    Good,
    MultiYearEconomy,
    Period,
    PeriodHours,
    PeriodNeed,
    Process,
)
from soviets.errors import ModelError
from soviets.planning.multiyear import MultiYearPlan, solve
from soviets.planning.multiyear_lp import Objective

TOL = 1e-6


def random_model(seed: int) -> MultiYearEconomy:
    """A small economy: a few goods, one process per good plus alternatives, capital
    pairs with depreciation and build times, needs and labour that change per period."""
    rng = np.random.default_rng(seed)
    n_g = int(rng.integers(2, 5))
    n_t = int(rng.integers(1, 5))
    goods = [Good(f"g{i}", "t") for i in range(n_g)] + [Good("land", "ha", "primary", 50.0)]
    councils = [Council("works", "workplace", parent="region", hours_available=None)]
    councils += [
        Council("mine", "workplace", parent="region"),
        Council("region", "federation"),
        Council("town", "territorial", members=int(rng.integers(1, 100))),
    ]
    processes = []
    for j in range(n_g + int(rng.integers(0, 3))):
        out = j % n_g
        flows = {f"g{out}": 1.0}
        for i in range(n_g):
            if i != out and rng.random() < 0.4:
                flows[f"g{i}"] = -float(rng.uniform(0.0, 0.3))
        if rng.random() < 0.3:
            flows["land"] = -float(rng.uniform(0.1, 1.0))
        cap = float(rng.uniform(20, 60)) if rng.random() < 0.3 else None
        council = "works" if rng.random() < 0.6 else "mine"
        processes.append(Process(f"p{j}", council, float(rng.uniform(0.1, 2.0)), flows, cap))
    stocks = {f"g{i}": float(rng.uniform(0, 3)) for i in range(n_g) if rng.random() < 0.4}
    eco = Economy.from_records(goods=goods, councils=councils, processes=processes, stocks=stocks)
    capital = []
    for p in processes:
        for i in range(n_g):
            if rng.random() < 0.35:
                capital.append(
                    Capital(
                        p.name,
                        f"g{i}",
                        quantity=float(rng.uniform(0.1, 1.0)),
                        stock=float(rng.uniform(0, 12)),
                        depreciation=float(rng.choice([0.0, rng.uniform(0, 1)])),
                        build_time=int(rng.integers(1, 3)),
                    )
                )
    periods = [
        Period(str(2030 + t), float(rng.uniform(40, 150)) if rng.random() < 0.7 else None)
        for t in range(n_t)
    ]
    needs = []
    for t in range(n_t):
        for i in range(n_g):
            if rng.random() < 0.7 or i == 0:
                prio = "normal" if i == 0 or rng.random() < 0.5 else "essential"
                needs.append(
                    PeriodNeed(str(2030 + t), "town", f"g{i}", float(rng.uniform(0.5, 4)), prio)
                )
    hours = [
        PeriodHours(str(2030 + t), "mine", float(rng.uniform(5, 40)))
        for t in range(n_t)
        if rng.random() < 0.5
    ]
    loss = {f"g{i}": float(rng.choice([0.0, 1.0, rng.uniform(0, 1)])) for i in range(n_g)}
    return MultiYearEconomy.from_records(
        eco, periods=periods, capital=capital, needs=needs, hours=hours, storage_loss=loss
    )


def check_feasible(plan: MultiYearPlan) -> None:
    """Every row of the model, recomputed from the plan's own arrays."""
    m = plan.model
    eco = m.economy
    n_t = m.n_periods
    x, k, v, s = plan.activity, plan.capital, plan.investment, plan.inventory
    assert np.all(x >= -TOL) and np.all(x <= eco.capacity * (1 + TOL) + TOL)
    assert np.all(v >= -TOL) and np.all(s[:, ~eco.good_primary] >= -TOL)
    for t in range(n_t):
        # capital: what is held follows from the stock, wear and investments that arrived
        expected = m.capital_stock.copy() if t == 0 else (1 - m.capital_depreciation) * k[t - 1]
        for c in range(m.n_capital):
            src = t - m.capital_build_time[c]
            if t > 0 and src >= 0:
                expected[c] += v[src, c]
            if t + m.capital_build_time[c] >= n_t:
                assert abs(v[t, c]) <= TOL  # it would arrive after the horizon
        np.testing.assert_allclose(k[t], expected, rtol=TOL, atol=TOL)
        assert np.all(m.capital_quantity * x[t, m.capital_process] <= k[t] * (1 + TOL) + TOL)
        # goods: made + carried in >= used + carried out + invested + delivered
        carried_in = eco.stocks if t == 0 else (1 - m.storage_loss) * s[t - 1]
        invested = np.bincount(m.capital_good, weights=v[t], minlength=eco.n_goods)
        delivered = plan.needs_by_good()[t]
        net = eco.net_output @ x[t] + carried_in - s[t] - invested - delivered
        prod = ~eco.good_primary
        assert np.all(net[prod] >= -TOL * (1 + np.abs(delivered[prod])))
        lim = eco.good_primary & np.isfinite(eco.good_limit)
        use = eco.inputs @ x[t]
        bound = eco.good_limit + (eco.stocks if t == 0 else 0)
        assert np.all(use[lim] <= bound[lim] * (1 + TOL) + TOL)
        # labour: the economy's supply and each council's hours (with those below it)
        hours = eco.labour * x[t]
        if np.isfinite(m.period_hours[t]):
            assert hours.sum() <= m.period_hours[t] * (1 + TOL) + TOL
        mine = eco.council_index["mine"]
        if np.isfinite(m.council_hours[mine, t]):
            worked = hours[eco.process_council == mine].sum()
            assert worked <= m.council_hours[mine, t] * (1 + TOL) + TOL
    # needs: essential in full, normal as the objective says
    ess = m.need_essential
    np.testing.assert_allclose(plan.need_met[ess], m.need_quantity[ess])
    if plan.objective.name == "max-fulfilment":
        share = plan.fulfilment[m.need_period[~ess]]
        np.testing.assert_allclose(plan.need_met[~ess], share * m.need_quantity[~ess])
    else:
        floor = plan.objective.floor if plan.objective.name == "max-free-time" else 1.0
        np.testing.assert_allclose(plan.need_met[~ess], floor * m.need_quantity[~ess])


def reference(m: MultiYearEconomy, objective: Objective) -> float | None:
    """Optimum of the same plan, with capital stocks written as sums of past investments."""
    eco = m.economy
    n_t, n_p, n_c = m.n_periods, eco.n_processes, m.n_capital
    prod = np.flatnonzero(~eco.good_primary)
    n_s = prod.size
    fulfil = objective.name == "max-fulfilment"
    width = n_p + n_c + n_s  # x, v, s per period; then h per period
    n_var = n_t * width + (n_t if fulfil else 0)

    def x(t: int) -> slice:
        return slice(t * width, t * width + n_p)

    def v(t: int, c: int) -> int:
        return t * width + n_p + c

    def s(t: int) -> slice:
        return slice(t * width + n_p + n_c, (t + 1) * width)

    rows, rhs = [], []
    ess, norm = m.demand(essential=True), m.demand(essential=False)
    target = (
        ess
        if fulfil
        else ess + (objective.floor if objective.name == "max-free-time" else 1) * norm
    )
    net = eco.net_output.toarray()
    for t in range(n_t):
        # balance, as  -(N x + carried in - s - invested - h normal) <= -(target)
        a = np.zeros((n_s, n_var))
        a[:, x(t)] = -net[prod]
        a[:, s(t)] += np.eye(n_s)
        if t > 0:
            a[:, s(t - 1)] -= np.diag(1 - m.storage_loss[prod])
        for c in range(n_c):
            a[list(prod).index(m.capital_good[c]), v(t, c)] += 1.0
        if fulfil:
            a[:, n_t * width + t] = norm[t, prod]
        rows.append(a)
        rhs.append(-(target[t, prod] - (eco.stocks[prod] if t == 0 else 0)))
        # capacity: q x <= k, k = (1-d)^t K0 + sum over arrived investments of (1-d)^age v
        for c in range(n_c):
            a = np.zeros((1, n_var))
            a[0, x(t).start + m.capital_process[c]] = m.capital_quantity[c]
            keep = 1 - m.capital_depreciation[c]
            for tau in range(t):
                arrive = tau + m.capital_build_time[c]
                if arrive <= t:
                    a[0, v(tau, c)] -= keep ** (t - arrive)
            rows.append(a)
            rhs.append([keep**t * m.capital_stock[c]])
        lim = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
        a = np.zeros((lim.size, n_var))
        a[:, x(t)] = eco.inputs.toarray()[lim]
        rows.append(a)
        rhs.append(eco.good_limit[lim] + (eco.stocks[lim] if t == 0 else 0))
        if np.isfinite(m.period_hours[t]):
            a = np.zeros((1, n_var))
            a[0, x(t)] = eco.labour
            rows.append(a)
            rhs.append([m.period_hours[t]])
        mine = eco.council_index["mine"]
        if np.isfinite(m.council_hours[mine, t]):
            a = np.zeros((1, n_var))
            a[0, x(t)] = np.where(eco.process_council == mine, eco.labour, 0)
            rows.append(a)
            rhs.append([m.council_hours[mine, t]])
    bounds = [(0, None)] * n_var
    for t in range(n_t):
        for j in range(n_p):
            cap = eco.capacity[j]
            bounds[x(t).start + j] = (0, cap if np.isfinite(cap) else None)
        for c in range(n_c):
            if t + m.capital_build_time[c] >= n_t:
                bounds[v(t, c)] = (0, 0)
    cost = np.zeros(n_var)
    first = 0 if objective.name == "min-hours" else n_t - objective.last_years
    for t in range(max(first, 0), n_t):
        cost[x(t)] = eco.labour
    if fulfil:
        cost[:] = 0
        cost[n_t * width :] = -1
    res = linprog(
        cost,
        A_ub=np.vstack(rows),
        b_ub=np.concatenate([np.ravel(r) for r in rhs]),
        bounds=bounds,
        method="highs-ipm",
    )
    if res.status == 2:
        return None
    if res.status == 3:
        return float("inf")
    assert res.status == 0, res.message
    return -res.fun if fulfil else res.fun


OBJECTIVES = [
    Objective("min-hours"),
    Objective("max-free-time", last_years=1, floor=0.8),
    Objective("max-free-time", last_years=2, floor=1.0),
    Objective("max-fulfilment"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(OBJECTIVES) - 1))
def test_random_plans_are_feasible_and_optimal(seed: int, which: int) -> None:
    model = random_model(seed)
    objective = OBJECTIVES[which]
    ref = reference(model, objective)
    if ref == float("inf"):  # fulfilment without bound: no labour limit and no capital limit
        with pytest.raises(ModelError, match="unbounded"):
            solve(model, objective)
        return
    plan = solve(model, objective)
    if plan.status == "infeasible":
        assert ref is None
        assert plan.notes and "no plan meets the needs" in plan.notes[0]
        return
    assert ref is not None
    check_feasible(plan)
    c = plan.certificate
    assert c.gap <= 1e-6
    assert c.primal == pytest.approx(ref, rel=1e-6, abs=1e-6)
    # the certificate's primal is the objective of the plan's own numbers
    if objective.name == "max-fulfilment":
        assert c.primal == pytest.approx(plan.fulfilment.sum(), rel=1e-9, abs=1e-9)
    else:
        last = model.n_periods - (
            objective.last_years if objective.name != "min-hours" else model.n_periods
        )
        assert c.primal == pytest.approx(plan.hours[max(last, 0) :].sum(), rel=1e-9, abs=1e-9)
