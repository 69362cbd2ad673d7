"""The measure of a partial plan, and its best value by a programme written apart from
``planning.central.diagnose``: variables are the activities and the deliveries to the
needs of each good (essential and normal), solved by HiGHS through scipy."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from soviets.economy import Economy

TOL = 1e-7  # HiGHS's tolerances, relative to a shortfall of one whole good
HOLD = 1e-9  # the first stage's optimum is held to this (relative) in the second


def shortfalls(eco: Economy, met: np.ndarray) -> tuple[float, float]:
    """(essential, all): the sums over goods of what their needs lack over what they
    ask (each essential shortfall over the essential need; each total over the total)."""
    n_g = eco.n_goods
    got_e = np.bincount(eco.need_good, np.where(eco.need_essential, met, 0.0), n_g)
    got = np.bincount(eco.need_good, met, n_g)
    ess, total = eco.essential_demand, eco.demand
    e, t = ess > 0, total > 0
    return (
        float(((ess[e] - got_e[e]) / ess[e]).sum()),
        float(((total[t] - got[t]) / total[t]).sum()),
    )


def best_shortfalls(eco: Economy) -> tuple[float, float]:
    """The least essential shortfall of any feasible plan, then the least total
    shortfall of the plans that reach it (the measure of :func:`shortfalls`)."""
    n_p, n_g = eco.n_processes, eco.n_goods
    ess, norm = eco.essential_demand, eco.demand - eco.essential_demand
    # columns: x (n_p), essential deliveries (n_g), normal deliveries (n_g)
    deliver = sp.hstack([sp.identity(n_g), sp.identity(n_g)])
    balance = sp.hstack([-eco.net_output, deliver]).tocsr()  # used + delivered <= stock
    produced = np.flatnonzero(~eco.good_primary)
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    limits = sp.hstack([eco.inputs.tocsr()[limited], sp.csr_matrix((limited.size, 2 * n_g))])
    a_ub = sp.vstack([balance[produced], limits]).tocsr()
    b_ub = np.concatenate([eco.stocks[produced], eco.good_limit[limited] + eco.stocks[limited]])
    bounds = np.column_stack([np.zeros(n_p + 2 * n_g), np.concatenate([eco.capacity, ess, norm])])
    bounds[n_p + n_g :][eco.good_primary] = 0.0  # needs for primary goods are not planned
    bounds[n_p : n_p + n_g][eco.good_primary] = 0.0
    gain_e = np.concatenate([np.zeros(n_p), _inverse(ess), np.zeros(n_g)])
    total = _inverse(ess + norm)
    gain_t = np.concatenate([np.zeros(n_p), total, total])
    first = linprog(-gain_e, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    assert first.status == 0, first.message
    held = sp.vstack([a_ub, sp.csr_matrix(-gain_e)])
    second = linprog(
        -gain_t,
        A_ub=held,
        b_ub=np.concatenate([b_ub, [first.fun + HOLD * max(1.0, abs(first.fun))]]),
        bounds=bounds,
        method="highs",
    )
    assert second.status == 0, second.message
    n_e, n_t = int(np.count_nonzero(ess > 0)), int(np.count_nonzero(ess + norm > 0))
    return n_e + first.fun, n_t + second.fun


def _inverse(q: np.ndarray) -> np.ndarray:
    return np.where(q > 0, 1.0 / np.where(q > 0, q, 1.0), 0.0)
