"""Independent checks of plans and a hypothesis strategy of small economies (scale tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.planning import central
from soviets.planning.result import Plan

RTOL = 1e-7  # feasibility tolerance relative to the size of what is checked


def assert_feasible(eco: Economy, plan: Plan, mode: str) -> None:
    """The plan meets every need, capacity, limit (and council hours in labour-budget mode)."""
    x = plan.activity
    assert np.all(x >= -RTOL)
    cap = eco.capacity
    fin = np.isfinite(cap)
    assert np.all(x[fin] <= cap[fin] * (1 + RTOL) + RTOL)
    rows = central.rows(eco, with_hours=mode == "labour-budget")
    made = rows.balance @ x + eco.stocks[rows.balance_goods]
    share = 1.0 if plan.fulfilment is None else max(0.0, plan.fulfilment - 1e-8)
    target = eco.essential_demand + share * (eco.demand - eco.essential_demand)
    need = target[rows.balance_goods]
    scale = max(1.0, float(np.abs(need).max(initial=0.0)))
    assert np.all(made >= need - RTOL * scale)
    if rows.limits.shape[0]:
        assert np.all(rows.limits @ x <= rows.limit_bound * (1 + RTOL) + RTOL)
    if rows.hours.shape[0]:
        assert np.all(rows.hours @ x <= rows.hours_bound * (1 + RTOL) + RTOL)
    assert abs(float(eco.labour @ x) - plan.objective_hours) <= 1e-9 * max(
        1.0, plan.objective_hours
    )


@st.composite
def small_economies(draw, hours: bool = False) -> Economy:
    """Random single-output economies: yields other than 1, stocks, capacities, limits, hours.

    Every process uses inputs worth less than 80% of its output (in units of
    the goods' labour-free scale), so every technology choice is productive;
    a backstop process per good without capacity keeps most of them feasible.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(2, 12))
    k = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    goods = [Good(f"g{i}", "u") for i in range(n)]
    limit = float(rng.uniform(2.0, 40.0)) if draw(st.booleans()) else None
    goods.append(Good("co2", "t", "primary", limit))
    goods.append(Good("land", "ha", "primary", None))
    councils = [
        Council("world", "federation"),
        Council(
            "town",
            "territorial",
            parent="world",
            members=10,
            hours_available=float(rng.uniform(50, 500)) if hours and draw(st.booleans()) else None,
        ),
    ]
    processes = []
    for i in range(n):
        for a in range(k):
            name = f"w{i}_{a}"
            councils.append(
                Council(
                    name,
                    "workplace",
                    parent="town",
                    hours_available=float(rng.uniform(5, 80))
                    if hours and rng.random() < 0.4
                    else None,
                )
            )
            out = float(rng.uniform(0.5, 2.0))
            flows = {f"g{i}": out}
            others = [j for j in range(n) if j != i]
            for j in rng.choice(
                others, size=min(len(others), int(rng.integers(0, 4))), replace=False
            ):
                flows[f"g{j}"] = -float(rng.uniform(0.0, 0.8 * out / 3))
            flows["co2"] = -float(rng.uniform(0.0, 1.0))
            if rng.random() < 0.3:
                flows["land"] = -float(rng.uniform(0.0, 1.0))
            capped = a > 0 and rng.random() < 0.5
            processes.append(
                Process(
                    f"p{i}_{a}",
                    name,
                    labour=float(rng.uniform(0.1, 3.0)),
                    flows=flows,
                    capacity=float(rng.uniform(0.0, 20.0)) if capped else None,
                )
            )
    needs = [
        Need(
            "town",
            f"g{i}",
            float(rng.uniform(0.0, 10.0)),
            "essential" if rng.random() < 0.5 else "normal",
        )
        for i in range(n)
        if rng.random() < 0.7
    ]
    stocks = {f"g{i}": float(rng.uniform(0.0, 5.0)) for i in range(n) if rng.random() < 0.2}
    return Economy.from_records(
        goods=goods,
        councils=councils,
        processes=processes,
        needs=needs,
        stocks=stocks,
        name=f"small-{seed}",
    )
