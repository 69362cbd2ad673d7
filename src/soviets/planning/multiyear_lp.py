"""The multi-period plan as one linear programme (written out in docs/multiyear.md).

Columns come period by period; period ``t`` (0-based here, ``1..T`` in the docs)
holds one block ``[x_t | k_t | v_t | s_t]``:

* ``x[p,t]``: activity of process ``p``, ``0 <= x <= capacity``;
* ``k[c,t]``: stock of capital pair ``c`` held during ``t``;
* ``v[c,t]``: investment into pair ``c`` made in ``t`` (fixed at 0 when it
  would arrive after the last period);
* ``s[g,t]``: stock of produced good ``g`` carried out of ``t`` into ``t+1``.

After the ``T`` blocks come the objective's own columns (``h[t]``, the
fulfilment of period ``t``, for ``max-fulfilment``). Rows also come period
by period, block ``[balance | limits | capacity | stock | hours | supply]``:

* balance (produced goods): ``N x_t + (1 - loss) s_{t-1} - s_t - sum_c v[c,t]
  - h_t normal_t >= target_t`` (``s_0``: the initial stocks, moved to the right side);
* limits (limited primary goods): ``inputs x_t <= limit`` (+ initial stock in ``t = 0``);
* capacity (capital pairs): ``q_c x[p(c),t] - k[c,t] <= 0``;
* stock (capital pairs): ``k[c,t] - (1 - d_c) k[c,t-1] - v[c,t-L_c] = 0``
  (``= stock_c`` in ``t = 0``);
* hours (councils with a limit in some period): hours of the council's
  processes and those below it ``<= council_hours[c,t]`` (``inf``: no limit);
* supply (one row when some period has one): ``labour . x_t <= period_hours[t]``.

The LP is a minimisation (``highs.LinearProgram``); maximising objectives
are written with negated costs and :attr:`MultiYearLP.sense` says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from soviets.economy import MultiYearEconomy
from soviets.errors import ModelError
from soviets.planning import highs
from soviets.planning.central import _hours_matrix

ObjectiveName = Literal["min-hours", "max-free-time", "max-fulfilment"]
OBJECTIVES: tuple[str, ...] = ("min-hours", "max-free-time", "max-fulfilment")
BLOCKS_COLS = ("activity", "capital", "investment", "inventory")
BLOCKS_ROWS = ("balance", "limits", "capacity", "stock", "hours", "supply")


@dataclass(frozen=True)
class Objective:
    """What the federation asks of the plan.

    * ``min-hours``: least hours over all periods, every need met each period.
    * ``max-free-time``: least hours in the last ``last_years`` periods (the
      most free time there); essential needs met each period and normal needs
      at least ``floor`` times what they ask.
    * ``max-fulfilment``: the largest sum over periods of ``h_t``, where every
      normal need of period ``t`` gets ``h_t`` times what it asks (a max-min
      over the needs of each period); essential needs met in full.
    """

    name: ObjectiveName = "min-hours"
    last_years: int = 1
    floor: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in OBJECTIVES:
            raise ModelError(f"unknown objective '{self.name}' (one of {', '.join(OBJECTIVES)})")
        if self.last_years < 1:
            raise ModelError(f"--last-years must be >= 1, got {self.last_years}")
        if not 0.0 <= self.floor <= 1.0:
            raise ModelError(f"--floor must be between 0 and 1, got {self.floor}")

    @property
    def sense(self) -> Literal["min", "max"]:
        return "max" if self.name == "max-fulfilment" else "min"

    @property
    def unit(self) -> str:
        if self.name == "max-fulfilment":
            return "sum over periods of the share of normal needs met"
        return "hours"


@dataclass(frozen=True)
class Layout:
    """Where each variable and constraint of period ``t`` sits (0-based ``t``)."""

    n_periods: int
    n_processes: int
    n_capital: int
    produced: np.ndarray  # good index of each balance row / inventory column
    limited: np.ndarray  # good index of each limit row
    hours_councils: np.ndarray  # council index of each hours row
    has_supply: bool
    n_extra: int  # objective columns after the period blocks

    @property
    def block_cols(self) -> int:
        return self.n_processes + 2 * self.n_capital + self.produced.size

    @property
    def block_rows(self) -> int:
        return (
            self.produced.size
            + self.limited.size
            + 2 * self.n_capital
            + self.hours_councils.size
            + int(self.has_supply)
        )

    def col(self, kind: str, t: int) -> slice:
        """Columns of ``kind`` (one of ``BLOCKS_COLS``) in period ``t``."""
        sizes = (self.n_processes, self.n_capital, self.n_capital, self.produced.size)
        return _slice(BLOCKS_COLS, sizes, kind, t * self.block_cols)

    def row(self, kind: str, t: int) -> slice:
        """Rows of ``kind`` (one of ``BLOCKS_ROWS``) in period ``t``."""
        sizes = (
            self.produced.size,
            self.limited.size,
            self.n_capital,
            self.n_capital,
            self.hours_councils.size,
            int(self.has_supply),
        )
        return _slice(BLOCKS_ROWS, sizes, kind, t * self.block_rows)

    def extra(self, t: int) -> int:
        """Column of the objective's own variable of period ``t`` (``h_t``)."""
        return self.n_periods * self.block_cols + t


@dataclass(eq=False)
class MultiYearLP:
    """The LP of a multi-period plan with its layout. ``hours_cost`` is the hours of
    each column (labour per unit on activity columns, 0 elsewhere)."""

    lp: highs.LinearProgram
    layout: Layout
    objective: Objective
    hours_cost: np.ndarray

    @property
    def sense(self) -> Literal["min", "max"]:
        return self.objective.sense


def _slice(kinds: tuple[str, ...], sizes: tuple[int, ...], kind: str, base: int) -> slice:
    if kind not in kinds:
        raise KeyError(kind)
    i = kinds.index(kind)
    start = base + sum(sizes[:i])
    return slice(start, start + sizes[i])


def build(model: MultiYearEconomy, objective: Objective | None = None) -> MultiYearLP:
    """The full multi-period LP of ``model`` for ``objective`` (see the module docstring).

    Raises :class:`ModelError` for ``max-fulfilment`` when a period has no
    normal need (its fulfilment would have no bound).
    """
    objective = objective or Objective()
    lay = _layout(model, objective)
    matrix = _matrix(model, lay)
    lo, up, c_lo, c_up, hours_cost = _bounds(model, lay, objective)
    cost = _cost(lay, objective, hours_cost)
    lp = highs.LinearProgram(cost, c_lo, c_up, matrix, lo, up)
    return MultiYearLP(lp, lay, objective, hours_cost)


def _layout(model: MultiYearEconomy, objective: Objective) -> Layout:
    """Where each block of rows and columns lies (refuses max-fulfilment without targets)."""
    eco = model.economy
    n_t, n_p, n_c = model.n_periods, eco.n_processes, model.n_capital
    produced = np.flatnonzero(~eco.good_primary)
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    hours_councils = np.flatnonzero(~np.all(np.isnan(model.council_hours), axis=1))
    has_supply = bool(np.any(~np.isnan(model.period_hours)))
    normal = model.demand(essential=False)
    n_extra = n_t if objective.name == "max-fulfilment" else 0
    if n_extra:
        empty = [model.period_names[t] for t in range(n_t) if not np.any(normal[t] > 0)]
        if empty:
            raise ModelError(
                f"max-fulfilment needs normal needs (targets) in every period; "
                f"period '{empty[0]}' has none"
            )
    return Layout(n_t, n_p, n_c, produced, limited, hours_councils, has_supply, n_extra)


def _matrix(model: MultiYearEconomy, lay: Layout) -> sp.csc_matrix:
    """The constraint matrix: one block per period, and the links between periods."""
    eco = model.economy
    n_t, n_p, n_c = model.n_periods, eco.n_processes, model.n_capital
    produced, limited = lay.produced, lay.limited
    normal = model.demand(essential=False)
    n_extra = lay.n_extra

    # within-period block, the same for every period
    eye_c = sp.identity(n_c, format="csc")
    n_g = produced.size
    pos = np.full(eco.n_goods, -1, dtype=np.int64)
    pos[produced] = np.arange(n_g)
    invest = sp.csc_matrix(
        (-np.ones(n_c), (pos[model.capital_good], np.arange(n_c))), shape=(n_g, n_c)
    )
    holds = sp.csc_matrix(
        (model.capital_quantity, (np.arange(n_c), model.capital_process)), shape=(n_c, n_p)
    )
    hours = _hours_matrix(eco, lay.hours_councils)
    supply = sp.csc_matrix(eco.labour.reshape(1, -1)[: int(lay.has_supply)])
    block = sp.bmat(
        [
            [eco.net_output.tocsr()[produced], None, invest, -sp.identity(n_g)],
            [eco.inputs.tocsr()[limited], None, None, sp.csc_matrix((limited.size, n_g))],
            [holds, -eye_c, None, None],
            [sp.csc_matrix((n_c, n_p)), eye_c, sp.csc_matrix((n_c, n_c)), None],
            [hours, None, None, None],
            [supply, None, None, None],
        ],
        format="coo",
    )
    parts_r, parts_c, parts_v = [], [], []
    for t in range(n_t):
        parts_r.append(block.row + t * lay.block_rows)
        parts_c.append(block.col + t * lay.block_cols)
        parts_v.append(block.data)
    # links from one period to the next
    keep = 1.0 - model.storage_loss[produced]
    for t in range(1, n_t):
        _add(parts_r, parts_c, parts_v, lay.row("balance", t), lay.col("inventory", t - 1), keep)
        _add(
            parts_r,
            parts_c,
            parts_v,
            lay.row("stock", t),
            lay.col("capital", t - 1),
            -(1.0 - model.capital_depreciation),
        )
        src = t - model.capital_build_time
        ok = np.flatnonzero(src >= 0)
        parts_r.append(lay.row("stock", t).start + ok)
        parts_c.append(src[ok] * lay.block_cols + lay.col("investment", 0).start + ok)
        parts_v.append(-np.ones(ok.size))
    for t in range(n_extra):  # h_t: share of normal needs of period t
        rows = lay.row("balance", t).start + np.arange(n_g)
        parts_r.append(rows)
        parts_c.append(np.full(n_g, lay.extra(t)))
        parts_v.append(-normal[t, produced])
    n_rows, n_cols = n_t * lay.block_rows, n_t * lay.block_cols + n_extra
    matrix = sp.csc_matrix(
        (np.concatenate(parts_v), (np.concatenate(parts_r), np.concatenate(parts_c))),
        shape=(n_rows, n_cols),
    )
    matrix.eliminate_zeros()
    return matrix


def _bounds(
    model: MultiYearEconomy, lay: Layout, objective: Objective
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row bounds, column bounds, and the hours of each column."""
    eco = model.economy
    n_t = model.n_periods
    produced, limited, hours_councils = lay.produced, lay.limited, lay.hours_councils
    n_rows, n_cols = n_t * lay.block_rows, n_t * lay.block_cols + lay.n_extra
    target = _target(model, objective)
    lo, up = np.empty(n_rows), np.empty(n_rows)
    c_lo, c_up = np.zeros(n_cols), np.full(n_cols, np.inf)
    hours_cost = np.zeros(n_cols)
    for t in range(n_t):
        first = t == 0
        r = lay.row("balance", t)
        lo[r] = target[t, produced] - (eco.stocks[produced] if first else 0.0)
        up[r] = np.inf
        r = lay.row("limits", t)
        lo[r] = -np.inf
        up[r] = eco.good_limit[limited] + (eco.stocks[limited] if first else 0.0)
        r = lay.row("capacity", t)
        lo[r], up[r] = -np.inf, 0.0
        r = lay.row("stock", t)
        lo[r] = up[r] = model.capital_stock if first else 0.0
        r = lay.row("hours", t)
        lo[r] = -np.inf
        up[r] = np.nan_to_num(model.council_hours[hours_councils, t], nan=np.inf)
        r = lay.row("supply", t)
        lo[r] = -np.inf
        up[r] = np.nan_to_num(model.period_hours[t], nan=np.inf)
        c_up[lay.col("activity", t)] = eco.capacity
        c_up[lay.col("investment", t)] = np.where(t + model.capital_build_time < n_t, np.inf, 0.0)
        hours_cost[lay.col("activity", t)] = eco.labour
    return lo, up, c_lo, c_up, hours_cost


def _add(rr: list, cc: list, vv: list, rows: slice, cols: slice, values: np.ndarray) -> None:
    """Append the diagonal ``values`` linking ``rows`` to ``cols``."""
    n = rows.stop - rows.start
    rr.append(np.arange(rows.start, rows.stop))
    cc.append(np.arange(cols.start, cols.start + n))
    vv.append(np.broadcast_to(values, (n,)).astype(float))


def _target(model: MultiYearEconomy, objective: Objective) -> np.ndarray:
    """Quantities the balance rows must reach, periods x goods."""
    essential = model.demand(essential=True)
    normal = model.demand(essential=False)
    if objective.name == "min-hours":
        return essential + normal
    if objective.name == "max-free-time":
        return essential + objective.floor * normal
    return essential


def _cost(lay: Layout, objective: Objective, hours_cost: np.ndarray) -> np.ndarray:
    if objective.name == "min-hours":
        return hours_cost.copy()
    cost = np.zeros_like(hours_cost)
    if objective.name == "max-free-time":
        first = max(0, lay.n_periods - objective.last_years)
        for t in range(first, lay.n_periods):
            cost[lay.col("activity", t)] = hours_cost[lay.col("activity", t)]
        return cost
    cost[lay.extra(0) : lay.extra(0) + lay.n_extra] = -1.0
    return cost


def tie_break_cost(my: MultiYearLP) -> np.ndarray:
    """What the second LP minimises among optimal plans (which plan is reported).

    ``min-hours``: ``sum_t (T - t) * hours_t`` (``t`` from 0), so among plans with
    the least total hours the one that works latest: nothing is made before it
    must be.
    Other objectives: total hours.
    """
    if my.objective.name != "min-hours":
        return my.hours_cost
    weight = np.zeros_like(my.hours_cost)
    lay = my.layout
    for t in range(lay.n_periods):
        weight[lay.col("activity", t)] = lay.n_periods - t
    return my.hours_cost * weight


def tie_break(my: MultiYearLP, optimum: float, rtol: float = 1e-9) -> highs.LinearProgram:
    """The LP that keeps the first objective within ``rtol`` of ``optimum`` (in the LP's
    minimisation form) and minimises :func:`tie_break_cost`."""
    lp = my.lp
    slack = rtol * max(1.0, abs(optimum))
    row = sp.csc_matrix(lp.cost.reshape(1, -1))
    return highs.LinearProgram(
        cost=tie_break_cost(my),
        col_lower=lp.col_lower,
        col_upper=lp.col_upper,
        matrix=sp.vstack([lp.matrix, row]).tocsc(),
        row_lower=np.concatenate([lp.row_lower, [-np.inf]]),
        row_upper=np.concatenate([lp.row_upper, [optimum + slack]]),
    )
