"""Parallel shares mixed by the clerk: a labour-budget warm start in a few rounds.

A convex combination of balanced plans is a balanced plan. If the plan ``x_m``
meets the needs ``e + t_m n`` within every local capacity, the mix
``sum_m w_m x_m`` (``w >= 0``, ``sum w = 1``) meets ``e + (sum_m w_m t_m) n``
within those capacities, and its use of every shared limit (council hour
budgets, emission caps, stocks of primary goods) and its hours are the same
mix of theirs. So trials at several shares around last period's, each cut off
after a few rounds, can be mixed by the clerk into a plan within the shared
limits: the largest share whose mix fits them (:func:`mix_weights`), at least
hours at that share. A trial over a shared limit may enter; only its balance,
its local capacities and the needs it ordered must hold
(:func:`balanced_except_limits`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.planning.result import Certificate, Plan

RTOL = 1e-6  # largest relative imbalance or capacity excess of a state (protocol's SETTLED_RTOL)
SHARE_SLACK = 1e-9  # the hours' weighing keeps the best share to this (relative)


def limited_goods(eco: Economy) -> np.ndarray:
    """The shared limits: primary goods with a finite limit (hour budgets, caps)."""
    return np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))


def limit_use(eco: Economy, activity: np.ndarray) -> np.ndarray:
    """Each shared limit's use by ``activity`` (units of the good)."""
    return np.asarray(eco.inputs[limited_goods(eco)] @ activity)


def limit_room(eco: Economy) -> np.ndarray:
    """Each shared limit: its limit plus the stock of its good (units)."""
    lim = limited_goods(eco)
    return np.asarray(eco.good_limit[lim] + eco.stocks[lim])


def balanced_except_limits(eco: Economy, plan: Plan) -> bool:
    """Whether ``plan`` of ``eco`` (needs as ordered) is balanced within every local
    capacity with every need met, its shared limits left out: ``activity >= 0``,
    within each capacity, each good but the limited ones made (or held) in at least
    the quantity needed, and each need's ``need_met`` at least its quantity, all to
    ``RTOL``. Checked from the economy's arrays, not from the protocol's status."""
    x = np.asarray(plan.activity, dtype=float)
    if x.size != eco.n_processes or np.any(x < -RTOL):
        return False
    cap = np.where(np.isfinite(eco.capacity), eco.capacity, np.inf)
    if np.any(x - cap > RTOL * np.maximum(cap, 1.0)):
        return False
    balance = eco.net_output @ x + eco.stocks - eco.demand
    scale = np.maximum(eco.outputs @ x + eco.stocks, eco.demand)
    rows = np.ones(eco.n_goods, dtype=bool)
    rows[limited_goods(eco)] = False
    rows &= scale > 0
    if np.any(-balance[rows] > RTOL * scale[rows]):
        return False
    met = np.asarray(plan.need_met, dtype=float)
    return bool(np.all(met >= eco.need_quantity * (1 - RTOL) - 1e-12))


def mix_weights(
    shares: np.ndarray, usage: np.ndarray, hours: np.ndarray, room: np.ndarray
) -> np.ndarray | None:
    """The clerk's weights of the trials (one column each of ``usage``, limits x
    trials): the largest share ``shares @ w`` with ``usage @ w <= room``, ``w >= 0``,
    ``sum w = 1``, then the least hours ``hours @ w`` at that share. None where no
    mix fits the limits."""
    from scipy.optimize import linprog

    scale = np.where(room > 0, room, 1.0)
    a_ub, b_ub = usage / scale[:, None], room / scale
    eq = {"A_eq": np.ones((1, shares.size)), "b_eq": [1.0], "bounds": (0, None)}
    best = linprog(-shares, A_ub=a_ub, b_ub=b_ub, method="highs", **eq)
    if best.x is None:
        return None
    top = float(shares @ best.x)
    a_ub = np.vstack([a_ub, -shares[None, :]])
    b_ub = np.append(b_ub, -top * (1 - SHARE_SLACK))
    least = linprog(hours, A_ub=a_ub, b_ub=b_ub, method="highs", **eq)
    w = best.x if least.x is None else least.x
    return np.asarray(np.maximum(w, 0.0) / np.maximum(w, 0.0).sum())


def mixed_agreements(plans: list[Plan], w: np.ndarray) -> list[dict[str, Any]]:
    """The agreements of the mix: each supplier, receiver and good's quantity mixed."""
    agreed: dict[tuple[str, str, str], float] = {}
    for p, wm in zip(plans, w, strict=True):
        for a in p.extra.get("agreements", []):
            key = (a["supplier"], a["receiver"], a["good"])
            agreed[key] = agreed.get(key, 0.0) + float(wm) * float(a["quantity"])
    return [
        {"supplier": s, "receiver": r, "good": g, "quantity": q}
        for (s, r, g), q in sorted(agreed.items())
        if q > 0
    ]


def mixed_plan(eco: Economy, plans: list[Plan], w: np.ndarray, bound: float) -> Plan:
    """The mix of ``plans`` by ``w`` as a plan of ``eco`` (its needs at the mix's
    share): activity, needs met, hours and agreements mixed; ``bound`` the clerk's
    lower bound on its hours; its protocol entry (and warm start for the next period)
    that of the plan with the largest weight. Status ``feasible``: settled, not
    certified least hours."""
    activity = sum((wm * np.asarray(p.activity) for p, wm in zip(plans, w, strict=True)))
    need_met = sum((wm * np.asarray(p.need_met) for p, wm in zip(plans, w, strict=True)))
    hours = float(eco.labour @ np.asarray(activity))
    heaviest = plans[int(np.argmax(w))]
    return Plan(
        economy=eco,
        status="feasible",
        mode="min-labour",
        solver="federated",
        objective_hours=hours,
        activity=np.asarray(activity, dtype=float),
        labour_values=heaviest.labour_values,
        need_met=np.asarray(need_met, dtype=float),
        certificate=Certificate(primal=hours, dual=bound),
        extra={
            "agreements": mixed_agreements(plans, w),
            "protocol": dict(heaviest.extra.get("protocol", {})),
        },
    )
