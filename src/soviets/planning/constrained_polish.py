"""An exact polish of small constrained plans: HiGHS dual simplex from the merit-order basis.

On small tables (up to :data:`POLISH_MAX` goods) the basis that the merit
order suggests is a few hundred pivots from the optimum (1,000 goods: 260
against 2,269 from HiGHS's own start), and one factorisation of it is cheap;
beyond a few thousand goods a sparse LU of the basis fills in and the
first-order method is faster (benchmarks/README.md, "A different design").

The basis: the marginal process of every good is basic (where a stock or
nothing real is marginal, the good's balance row is), the processes cheaper
than the margin sit at their capacities, the rest at zero, and the slacks of
the limits and council hours are basic. HiGHS's plan and prices are returned
to the caller, which certifies them itself (they are not taken on trust).
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from soviets.economy import Economy
from soviets.planning import central, highs
from soviets.planning import constrained_oracle as oracle
from soviets.planning.result import PlanMode

POLISH_MAX = 1_500  # goods; at 2,000 the polish took 3.6 times the first-order method's CPU


@dataclass(eq=False)
class Polished:
    """HiGHS's optimal vertex: activities, prices of goods, and of limits and hours."""

    activity: np.ndarray  # per process of the economy
    values: np.ndarray  # hours per unit of each produced good (balance rows)
    row_prices: np.ndarray  # hours per unit of each limit, then each council's hour budget


def polish(
    eco: Economy,
    mode: PlanMode,
    lay: oracle.Layout,
    merit: oracle.MeritPlan,
    cost: np.ndarray,
    time_limit: float,
) -> Polished | None:
    """The LP of ``mode`` solved by dual simplex from ``merit``'s basis; None if not optimal.

    ``cost`` is the per-unit-of-output cost at which ``merit`` was made.
    """
    rows = central.rows(eco, with_hours=mode == "labour-budget")
    lp = rows.program(eco, eco.demand, None, eco.labour, np.empty(0), np.empty(0))
    a = lp.matrix.tocsc()
    a.sort_indices()
    h = highs.quiet_highs()
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("time_limit", max(0.1, float(time_limit)))
    h.passModel(highs.highs_model(lp, a))
    h.setBasis(_basis(lay, merit, cost, a.shape[0]))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    sol = h.getSolution()
    dual = np.asarray(sol.row_dual)
    return Polished(np.asarray(sol.col_value), dual[: lay.n], -dual[lay.n :])


def _basis(
    lay: oracle.Layout, merit: oracle.MeritPlan, cost: np.ndarray, n_rows: int
) -> highspy.HighsBasis:
    status = highspy.HighsBasisStatus
    procs, caps = oracle.merit_order(lay, oracle.unit_costs(lay, cost, merit.values))
    marginal, _ = oracle._marginal(lay, procs, caps, merit.gross)
    real = lay.n_real
    col = np.full(real, 0, dtype=np.int64)  # 0 lower, 1 upper, 2 basic
    col[merit.x[:real] >= lay.cap[:real] * (1 - 1e-9)] = 1
    made = (marginal >= 0) & (marginal < real)
    col[marginal[made]] = 2
    codes = (status.kLower, status.kUpper, status.kBasic)
    basis = highspy.HighsBasis()
    basis.col_status = [codes[c] for c in col]
    row = [status.kBasic if basic else status.kLower for basic in ~made]
    basis.row_status = row + [status.kBasic] * (n_rows - lay.n)
    basis.valid = True
    return basis
