"""Random economies: fast path, HiGHS and an independent formulation agree, with certificates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from soviets.economy import Economy
from soviets.planning import plan

from .economies import random_economy

RTOL = 1e-6
seeds = st.integers(0, 2**32 - 1)


def _feasible(eco: Economy, x: np.ndarray, delivered_per_good: np.ndarray) -> None:
    """The plan's activity respects capacities and limits and makes what it delivers."""
    tol = 1e-7
    assert np.all(x >= -tol) and np.all(x <= eco.capacity * (1 + tol) + tol)
    net = eco.net_output @ x + eco.stocks
    prod = ~eco.good_primary
    assert np.all(net[prod] >= delivered_per_good[prod] - tol * (1 + delivered_per_good[prod]))
    use = eco.inputs @ x
    lim = eco.good_primary & np.isfinite(eco.good_limit)
    assert np.all(use[lim] <= (eco.good_limit + eco.stocks)[lim] * (1 + tol) + tol)


def _delivered(eco: Economy, need_met: np.ndarray) -> np.ndarray:
    return np.bincount(eco.need_good, weights=need_met, minlength=eco.n_goods)


def _reference_min_labour(eco: Economy) -> float | None:
    """Minimum hours by scipy's HiGHS interior point method on a separately built LP."""
    prod = np.flatnonzero(~eco.good_primary)
    lim = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    net = eco.net_output.toarray()
    a_ub = np.vstack([-net[prod], -net[lim]])
    b_ub = np.concatenate([-(eco.demand - eco.stocks)[prod], (eco.good_limit + eco.stocks)[lim]])
    bounds = [(0, None if np.isinf(c) else c) for c in eco.capacity]
    res = linprog(eco.labour, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs-ipm")
    return float(res.fun) if res.status == 0 else None


@settings(max_examples=60, deadline=None)
@given(
    seed=seeds,
    n_goods=st.integers(1, 12),
    alternatives=st.integers(1, 3),
    stocks=st.sampled_from([0.0, 0.4]),
    zero_needs=st.sampled_from([0.0, 0.3]),
)
def test_fast_path_agrees_with_highs(seed, n_goods, alternatives, stocks, zero_needs):
    eco = random_economy(
        seed, n_goods=n_goods, alternatives=alternatives, stocks=stocks, zero_needs=zero_needs
    )
    fast = plan(eco, solver="fast")
    ref = plan(eco, solver="highs")
    assert fast.status == ref.status == "optimal"
    assert fast.objective_hours == pytest.approx(ref.objective_hours, rel=1e-9, abs=1e-12)
    for p in (fast, ref):
        assert p.certificate.gap <= 1e-9
        # each dual bound is below the other solver's plan (weak duality across solvers)
        assert p.certificate.dual <= max(fast.objective_hours, ref.objective_hours) * (1 + 1e-9)
        _feasible(eco, p.activity, eco.demand)
        assert p.share_of_needs_met() == 1.0
    if fast.solver == "fast":  # prices are dual feasible: no process makes a profit
        v = fast.labour_values
        reduced = eco.labour - eco.net_output.T @ v
        assert reduced.min() >= -1e-9 * max(1.0, float(v.max()))
        assert fast.certificate.dual == pytest.approx(float(v @ (eco.demand - eco.stocks)))
    else:
        assert stocks > 0 and "handover" in fast.extra


@settings(max_examples=60, deadline=None)
@given(
    seed=seeds,
    n_goods=st.integers(1, 10),
    capacities=st.sampled_from([0.0, 0.3, 0.6]),
    limits=st.booleans(),
    stocks=st.sampled_from([0.0, 0.4]),
)
def test_constrained_plan_is_certified_and_matches_reference(
    seed, n_goods, capacities, limits, stocks
):
    eco = random_economy(
        seed, n_goods=n_goods, capacities=capacities, limits=limits, stocks=stocks, n_primary=2
    )
    p = plan(eco)
    ref = _reference_min_labour(eco)
    if ref is None:
        assert p.status == "infeasible"
        assert p.unmet and all(u["can_deliver"] < u["asked"] for u in p.unmet)
        assert p.extra["infeasibility"]["dual_bound"] > 0
        _feasible(eco, p.activity, _delivered(eco, p.need_met))
        # every unmet good is explained by something binding
        assert p.binding
        return
    assert p.status == "optimal"
    assert p.objective_hours == pytest.approx(ref, rel=RTOL, abs=1e-9)
    assert p.certificate.gap <= 1e-9
    assert p.certificate.dual <= ref * (1 + RTOL) + 1e-9
    _feasible(eco, p.activity, eco.demand)
    for b in p.binding:
        assert b["shadow_price"] > 0
        if b["kind"] == "capacity":
            j = eco.process_index[b["process"]]
            assert p.activity[j] == pytest.approx(eco.capacity[j], rel=1e-7, abs=1e-9)


def _subtree_hours(eco: Economy) -> tuple[np.ndarray, np.ndarray]:
    """Rows of hours per unit counted against each limited council (walking parents)."""
    limited = [i for i, c in enumerate(eco.councils) if c.hours_available is not None]
    rows = np.zeros((len(limited), eco.n_processes))
    for j in range(eco.n_processes):
        c = eco.councils[eco.process_council[j]]
        while c is not None:
            i = eco.council_index[c.name]
            if i in limited:
                rows[limited.index(i), j] = eco.labour[j]
            c = eco.councils[eco.council_index[c.parent]] if c.parent else None
    return rows, np.array([eco.councils[i].hours_available for i in limited])


def _reference_labour_budget(eco: Economy) -> tuple[float, float] | None:
    """(t*, hours) with one delivery variable per need (not aggregated per good)."""
    n_p, n_k = eco.n_processes, eco.n_needs
    prod = np.flatnonzero(~eco.good_primary)
    lim = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    net = eco.net_output.toarray()
    give = np.zeros((eco.n_goods, n_k))
    give[eco.need_good, np.arange(n_k)] = 1.0
    hours, budget = _subtree_hours(eco)
    normal = ~eco.need_essential
    # variables: x (n_p), y (n_k), t
    a_ub = [
        np.hstack([-net[prod], give[prod], np.zeros((prod.size, 1))]),
        np.hstack([-net[lim], np.zeros((lim.size, n_k + 1))]),
        np.hstack([hours, np.zeros((hours.shape[0], n_k + 1))]),
    ]
    b_ub = [eco.stocks[prod], (eco.good_limit + eco.stocks)[lim], budget]
    ratio = np.zeros((int(normal.sum()), n_p + n_k + 1))
    ratio[np.arange(ratio.shape[0]), n_p + np.flatnonzero(normal)] = -1.0
    ratio[:, -1] = eco.need_quantity[normal]
    a_ub.append(ratio)
    b_ub.append(np.zeros(ratio.shape[0]))
    bounds = (
        [(0, None if np.isinf(c) else c) for c in eco.capacity]
        + [
            (q, q) if e else (0, q)
            for q, e in zip(eco.need_quantity, eco.need_essential, strict=True)
        ]
        + [(0, 1)]
    )
    a, b = np.vstack(a_ub), np.concatenate(b_ub)
    c = np.zeros(n_p + n_k + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=a, b_ub=b, bounds=bounds, method="highs-ipm")
    if res.status != 0:
        return None
    t = min(1.0, -res.fun) if normal.any() else 1.0
    bounds[-1] = (max(0.0, t - 1e-9) if t < 1 - 1e-9 else 1.0, 1)
    c = np.concatenate([eco.labour, np.zeros(n_k + 1)])
    res = linprog(c, A_ub=a, b_ub=b, bounds=bounds, method="highs-ipm")
    assert res.status == 0
    return t, float(res.fun)


@settings(max_examples=50, deadline=None)
@given(
    seed=seeds,
    n_goods=st.integers(1, 8),
    capacities=st.sampled_from([0.0, 0.3]),
    limits=st.booleans(),
    stocks=st.sampled_from([0.0, 0.4]),
    normal=st.sampled_from([0.3, 0.7, 1.0]),
)
def test_labour_budget_matches_per_need_formulation(
    seed, n_goods, capacities, limits, stocks, normal
):
    eco = random_economy(
        seed,
        n_goods=n_goods,
        capacities=capacities,
        limits=limits,
        stocks=stocks,
        normal=normal,
        hours=True,
    )
    p = plan(eco, mode="labour-budget")
    ref = _reference_labour_budget(eco)
    if ref is None:
        assert p.status == "infeasible"
        assert p.unmet and all(u["priority"] == "essential" for u in p.unmet)
        return
    t, hours = ref
    assert p.status == "optimal"
    if (~eco.need_essential).any():
        assert p.fulfilment == pytest.approx(t, abs=1e-7)
    assert p.objective_hours == pytest.approx(hours, rel=RTOL, abs=1e-6)
    assert p.certificate.gap <= 1e-9
    _feasible(eco, p.activity, _delivered(eco, p.need_met))
    ess = eco.need_essential
    np.testing.assert_allclose(p.need_met[ess], eco.need_quantity[ess], rtol=1e-9)
    assert np.all(p.need_met[~ess] >= (t - 1e-7) * eco.need_quantity[~ess] - 1e-9)
    rows, budget = _subtree_hours(eco)
    assert np.all(rows @ p.activity <= budget * (1 + 1e-7) + 1e-9)
