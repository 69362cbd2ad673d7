"""The fast path: the minimum-labour plan without a linear programme.

It applies when every process makes one good and nothing but labour is
scarce: no finite capacity (capacity 0 is allowed: the process is left out),
no limited primary input, min-labour mode.

1. Labour values and the cheapest process per good by policy iteration
   (:mod:`soviets.planning.values`).
2. Quantities: with ``A*`` the chosen technical coefficients and
   ``b = needs - stocks``, the least ``x >= 0`` with ``x >= A* x + b`` (where
   stocks cover a good, less of it is made). It is found exactly by growing
   the set ``P`` of goods that are made (Chandrasekaran's method for this
   complementarity problem): start with the goods whose needs are not
   covered by stocks, solve ``(I - A*_PP) x_P = b_P``, add every good whose
   requirement ``(A* x + b)_g`` is still positive, repeat. ``x`` only grows and
   stops at the least solution, the one with fewest hours.
3. Prices: goods made cost ``v_P`` with ``v_P (I - A*_PP) = l_P``; goods in
   surplus are free. If at these prices another process is cheaper for a
   good that is made (it uses a free surplus good), it replaces the chosen
   one and steps 2-3 repeat.
4. Certificate: primal ``l . x``; dual the Lagrangian bound of the full LP at
   the prices ``v`` (``v . (needs - stocks)`` when ``v`` is dual feasible),
   computed by the same code as for HiGHS's duals.

Stocks are the one thing that can defeat it: when a surplus stock makes
another process cheaper but does not last for all of a good's output, the
best plan runs two processes for that good, which no choice of one process
per good represents; the prices then cycle. In that case, and when a good
nobody makes is needed beyond its stock, it returns ``None`` and the caller
hands the economy to HiGHS, which finds the plan or explains why none exists.
"""

from __future__ import annotations

import numpy as np

from soviets.economy import Economy
from soviets.planning import highs
from soviets.planning.central import rows
from soviets.planning.delivery import make_plan
from soviets.planning.linalg import Factor, identity_minus
from soviets.planning.result import Certificate, Plan
from soviets.planning.values import HOURS_RTOL, cheapest_technology, chosen_matrix

MAX_ROUNDS = 50


def not_applicable(eco: Economy, mode: str) -> str | None:
    """Why the fast path does not apply to this economy and mode (None: it applies)."""
    if mode != "min-labour":
        return f"the {mode} mode limits councils' hours"
    if not eco.single_output:
        j = int(np.flatnonzero(np.diff(eco.outputs.indptr) != 1)[0])
        return f"process '{eco.process_names[j]}' makes several goods"
    capped = np.flatnonzero(np.isfinite(eco.capacity) & (eco.capacity > 0))
    if capped.size:
        return f"process '{eco.process_names[capped[0]]}' has a capacity"
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    if limited.size:
        return f"primary input '{eco.good_names[limited[0]]}' has a limit"
    return None


def solve(eco: Economy) -> Plan | None:
    """The minimum-labour plan by the fast path, or None if it cannot settle one."""
    usable = eco.capacity > 0  # a process with capacity 0 may not run at all
    tech = cheapest_technology(eco, usable)
    if tech.unproducible_goods():
        return None
    st = tech.structure
    primary = eco.good_primary
    b = np.where(primary, 0.0, eco.demand - eco.stocks)
    choice = tech.choice.copy()
    seen: set[bytes] = set()
    for _ in range(MAX_ROUNDS):
        key = choice.tobytes()
        if key in seen:  # prices cycle: the best plan mixes two processes for a good
            return None
        seen.add(key)
        can_make = (choice >= 0) & tech.producible
        unit_cost = np.zeros(eco.n_goods)
        unit_cost[choice >= 0] = st.unit_cost[choice[choice >= 0]]
        found = None
        if np.array_equal(choice, tech.choice):
            found = _whole_system(tech.factor, b, unit_cost, can_make, primary)
        if found is None:
            found = _least_quantities(chosen_matrix(st, choice), b, unit_cost, can_make, primary)
        if found is None:
            return None
        x, made, prices = found
        cost = np.where(usable, st.unit_cost + st.unit_inputs.T @ prices, np.inf)
        goods = st.group_goods
        best = st.best_process(np.zeros(cost.size), cost)
        current = prices[goods]
        in_made = np.zeros(eco.n_goods, dtype=bool)
        in_made[made] = True
        better = in_made[goods] & (
            cost[best] < current - HOURS_RTOL * np.maximum(1.0, np.abs(current))
        )
        if not better.any():
            break
        choice[goods[better]] = best[better]
    else:
        return None
    activity = np.zeros(eco.n_processes)
    activity[choice[made]] = x[made] / st.out_coef[choice[made]]
    r = rows(eco, with_hours=False)
    lp = r.program(eco, eco.demand, None, eco.labour, np.empty(0), np.empty(0))
    dual = highs.dual_bound(lp, prices[r.balance_goods])
    primal = float(np.dot(eco.labour, activity))
    return make_plan(
        eco,
        mode="min-labour",
        solver="fast",
        activity=activity,
        labour_values=prices,
        certificate=Certificate(primal=primal, dual=dual),
    )


Found = tuple[np.ndarray, np.ndarray, np.ndarray]  # quantities, goods made, prices


def _whole_system(
    factor: Factor, b: np.ndarray, cost: np.ndarray, can_make: np.ndarray, primary: np.ndarray
) -> Found | None:
    """``x = (I - A*)^-1 b`` when it is non-negative and needs nothing that cannot be made.

    Then ``x`` solves ``x = A* x + b`` with every good made, so it is the least
    solution (input-output tables: the plan of final demand is gross output),
    and the prices are the labour values. Reuses the factors of the values.
    """
    x = factor.solve(b)
    tol = 1e-12 * max(1.0, float(np.max(np.abs(b), initial=0.0)))
    if np.any(x[can_make] < -tol) or np.any(x[~can_make & ~primary] > tol):
        return None
    prices = np.where(can_make, factor.solve(cost, transpose=True), 0.0)
    return np.where(can_make, np.maximum(x, 0.0), 0.0), np.flatnonzero(can_make), prices


def _least_quantities(
    a, b: np.ndarray, cost: np.ndarray, can_make: np.ndarray, primary: np.ndarray
) -> Found | None:
    """Least ``x >= 0`` with ``x >= a x + b`` (see module docstring), or None if
    a good that cannot be made is needed beyond its stock.

    Returns the quantities per good, the indices of goods made, and prices:
    ``cost (I - a)^-1`` on the goods made, 0 elsewhere.
    """
    n = b.size
    tol = 1e-12 * max(1.0, float(np.max(np.abs(b), initial=0.0)))
    if np.any(~can_make & ~primary & (b > tol)):
        return None
    in_p = can_make & (b >= 0)
    a = a.tocsc()
    while True:
        idx = np.flatnonzero(in_p)
        factor = Factor(identity_minus(a[idx][:, idx]))
        x = np.zeros(n)
        x[idx] = np.maximum(factor.solve(b[idx]), 0.0)
        req = a @ x + b
        add = ~in_p & ~primary & (req > tol)
        if not add.any():
            prices = np.zeros(n)
            prices[idx] = factor.solve(cost[idx], transpose=True)
            return x, idx, prices
        if np.any(add & ~can_make):
            return None
        in_p |= add
