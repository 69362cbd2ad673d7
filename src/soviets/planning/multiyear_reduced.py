"""The multi-period plan LP with the capital stocks substituted out.

In the full LP (:mod:`soviets.planning.multiyear_lp`) every capital pair
``c`` has a stock column ``k[c,t]`` and a stock row per period,
``k[c,t] = (1 - d_c) k[c,t-1] + v[c,t-L_c]`` (``k[c,0]`` = the stock held at
the start). The stock is therefore a fixed linear function of the
investments,

    ``k[c,t] = (1 - d_c)^t stock_c + sum_{s + L_c <= t} (1 - d_c)^(t - s - L_c) v[c,s]``,

and substituting it into the capacity rows (``q_c x[p(c),t] - k[c,t] <= 0``)
removes every stock column and every stock row: the reduced LP has about
half the rows and columns of the capital part, and the same plans. A
solution maps back exactly (:meth:`Reduced.full_x` computes the stocks;
:meth:`Reduced.full_y` prices the stock rows by the rents still to come,
``pi[c,t] = rho[c,t] + (1 - d_c) pi[c,t+1]``, so every stock column has reduced
cost 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from soviets.planning import highs
from soviets.planning.multiyear_lp import MultiYearLP


@dataclass(eq=False)
class Reduced:
    """The reduced LP, and where its rows and columns sit in the full LP."""

    lp: highs.LinearProgram
    cols: np.ndarray  # full column of each reduced column
    rows: np.ndarray  # full row of each reduced row
    stock_map: sp.csr_matrix  # full stock columns (all periods) from the investment columns
    stock_const: np.ndarray  # the part of the stocks that comes from the start
    stock_cols: np.ndarray  # full columns k[c,t], period-major
    invest_cols: np.ndarray  # full columns v[c,t], period-major
    stock_rows: np.ndarray  # full rows of the stock equations, period-major
    capacity_rows: np.ndarray  # full rows of the capacity rows, period-major
    keep: np.ndarray  # 1 - depreciation per pair
    n_full: int

    def full_x(self, xr: np.ndarray) -> np.ndarray:
        """The full LP's columns of the reduced plan ``xr`` (stocks computed)."""
        x = np.zeros(self.n_full)
        x[self.cols] = xr
        x[self.stock_cols] = self.stock_const + self.stock_map @ x[self.invest_cols]
        return x

    def full_y(self, yr: np.ndarray) -> np.ndarray:
        """Row prices of the full LP (HiGHS's sign) from those of the reduced LP."""
        n_rows = int(max(self.rows.max(initial=-1), self.stock_rows.max(initial=-1))) + 1
        y = np.zeros(n_rows)
        y[self.rows] = yr
        n_c = self.keep.size
        cap = y[self.capacity_rows].reshape(-1, n_c)
        stock = np.zeros_like(cap)
        for t in range(cap.shape[0] - 1, -1, -1):
            stock[t] = cap[t] + (self.keep * stock[t + 1] if t + 1 < cap.shape[0] else 0.0)
        y[self.stock_rows] = stock.ravel()
        return y


def reduce(my: MultiYearLP, build_time: np.ndarray) -> Reduced:
    """The LP of ``my`` with the stock columns and rows substituted out (module docstring).

    ``build_time`` is each pair's build time ``L_c`` in periods.
    """
    lay, lp = my.layout, my.lp
    n_t, n_c = lay.n_periods, lay.n_capital
    a = sp.csc_matrix(lp.matrix)
    stock_cols = np.concatenate([_range(lay.col("capital", t)) for t in range(n_t)])
    invest_cols = np.concatenate([_range(lay.col("investment", t)) for t in range(n_t)])
    stock_rows = np.concatenate([_range(lay.row("stock", t)) for t in range(n_t)])
    capacity_rows = np.concatenate([_range(lay.row("capacity", t)) for t in range(n_t)])
    # keep = 1 - d from the stock rows' links: -(1 - d) at (stock row t+1, stock col t)
    keep = np.ones(n_c)
    if n_t > 1:
        link = a[stock_rows[n_c : 2 * n_c]][:, stock_cols[:n_c]].diagonal()
        keep = -np.asarray(link, dtype=float)
    start = lp.row_lower[stock_rows[:n_c]]
    const = np.concatenate([keep**t * start for t in range(n_t)])
    rr, cc, vv = [], [], []
    pair = np.arange(n_c)
    for t in range(n_t):
        for s in range(n_t):
            lag = t - s - build_time
            ok = lag >= 0
            rr.append(t * n_c + pair[ok])
            cc.append(s * n_c + pair[ok])
            vv.append(keep[ok] ** lag[ok])
    stock_map = sp.csr_matrix(
        (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n_t * n_c,) * 2
    )
    other = np.ones(a.shape[1], dtype=bool)
    other[stock_cols] = False
    cols = np.flatnonzero(other)
    rows_keep = np.ones(a.shape[0], dtype=bool)
    rows_keep[stock_rows] = False
    rows = np.flatnonzero(rows_keep)
    a_k = a[:, stock_cols]
    shift = a_k @ const
    # investment columns gain the stock's entries: A_v + A_k M
    pos = np.full(a.shape[1], -1, dtype=np.int64)
    pos[cols] = np.arange(cols.size)
    extra = (a_k @ stock_map).tocsc()
    spread = sp.csc_matrix(
        (np.ones(invest_cols.size), (np.arange(invest_cols.size), pos[invest_cols])),
        shape=(invest_cols.size, cols.size),
    )
    matrix = (a[:, cols] + extra @ spread).tocsr()[rows].tocsc()
    matrix.eliminate_zeros()
    reduced = highs.LinearProgram(
        lp.cost[cols],
        lp.col_lower[cols],
        lp.col_upper[cols],
        matrix,
        (lp.row_lower - shift)[rows],
        (lp.row_upper - shift)[rows],
    )
    return Reduced(
        reduced,
        cols,
        rows,
        stock_map,
        const,
        stock_cols,
        invest_cols,
        stock_rows,
        capacity_rows,
        keep,
        a.shape[1],
    )


def _range(s: slice) -> np.ndarray:
    return np.arange(s.start, s.stop)
