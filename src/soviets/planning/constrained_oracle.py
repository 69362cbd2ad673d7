"""Fixed points, merit orders and bounds for economies where each process makes one good.

Everything here works per unit of output: process ``p`` makes one unit of good
``g(p)`` at cost ``c_p`` and uses ``B_gp`` units of good ``g`` (``B`` is
``inputs``); it may make at most ``cap_p`` units. Stocks and stand-in
supplies ("shortfall", an unmet need) are *pseudo-processes* of the
:class:`Layout`: they make their good from nothing, a stock at no cost up to
the stock, a shortfall at a prohibitive cost up to the need.

* :func:`fixed_point_values`: the least-cost prices without capacities,
  ``v_g = min_p (c_p + B_p . v)`` (value iteration, then exact policy
  evaluation once the cheapest processes settle).
* :func:`merit_plan`: a plan with capacities by merit order. In every good the
  processes cheaper than the good's price run at capacity and one marginal
  process makes the rest; quantities and prices are alternated fixed points.
  Without capacities this is the exact least-cost plan (non-substitution);
  with capacities it is a warm start (it can cycle where a capacity binds
  exactly and the good's price is set by its users' choices).
* :func:`lagrangian_bound`: a lower bound on the least cost valid for ANY
  prices ``v``: capacities are priced at their rents
  ``mu_p = max(0, v_g - c_p - B_p . v)`` and the plan without capacities at
  costs ``c + mu`` is priced exactly by the fixed point ``w``:
  ``bound = w . d - mu . cap`` (Lagrangian duality).
* :func:`repair`: a feasible plan near an approximate one: every process keeps
  its share of its good's output, capped at its capacity; what is missing is
  made in merit order. A monotone fixed point, so it always settles.

Every step is a sparse matrix-vector product ("sweep") or a row-wise
operation on the ``goods x K`` table of processes per good; there is no loop
over goods or processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning.parallel import SplitMatrix

SWEEP_TOL = 1e-13  # relative change at which a fixed point counts as settled
MAX_SWEEPS = 20_000


@dataclass(eq=False)
class Layout:
    """An economy per unit of output, processes grouped by the good they make.

    Processes ``0 .. n_real-1`` are the economy's (in its order); then one
    stock pseudo-process per good with a stock, then one shortfall
    pseudo-process per good in ``short_goods``.
    """

    goods: np.ndarray  # economy index of each produced good (n)
    n_real: int
    good_of: np.ndarray  # produced-good index made by each process
    out: np.ndarray  # units made per unit of activity (real processes)
    inputs: sp.csc_matrix  # produced goods used per unit of output (n x processes)
    inputs_t: sp.csr_matrix  # its transpose
    labour: np.ndarray  # hours per unit of output (0 for pseudo-processes)
    cap: np.ndarray  # most output (inf: none)
    slots: np.ndarray  # processes of each good (n x K; -1: none)
    stock_goods: np.ndarray  # goods with a stock pseudo-process
    short_goods: np.ndarray  # goods with a shortfall pseudo-process
    primary: sp.csr_matrix  # primary inputs used per unit of output (all goods' rows x processes)

    @cached_property
    def inputs_t_split(self) -> SplitMatrix:
        """``inputs_t`` for products on several threads (the sweeps' hot product)."""
        return SplitMatrix(self.inputs_t)

    @property
    def n(self) -> int:
        return int(self.goods.size)

    @property
    def n_proc(self) -> int:
        return int(self.good_of.size)

    @property
    def short_start(self) -> int:
        return self.n_real + int(self.stock_goods.size)


def layout(eco: Economy, short_cap: np.ndarray | None = None) -> Layout:
    """The per-unit-of-output view of a single-output economy.

    ``short_cap`` (per produced good) adds a shortfall pseudo-process of
    that capacity to every good where it is positive. Raises
    :class:`ModelError` if a process makes several goods (joint production).
    """
    net = eco.net_output.tocsc()
    net.sort_indices()
    n_real = eco.n_processes
    col = np.repeat(np.arange(n_real), np.diff(net.indptr))
    positive = net.data > 0
    made = np.bincount(col[positive], minlength=n_real)
    if np.any(made != 1):
        j = int(np.flatnonzero(made != 1)[0])
        raise ModelError(
            f"process '{eco.process_names[j]}' makes {made[j]} goods (joint production)"
        )
    produced = ~eco.good_primary
    goods = np.flatnonzero(produced)
    n = goods.size
    index = np.full(eco.n_goods, -1, dtype=np.int64)
    index[goods] = np.arange(n)
    good_real = np.empty(n_real, dtype=np.int64)
    out = np.empty(n_real)
    good_real[col[positive]] = index[net.indices[positive]]
    out[col[positive]] = net.data[positive]
    stock = eco.stocks[goods]
    stock_goods = np.flatnonzero(stock > 0)
    short = np.zeros(n) if short_cap is None else np.asarray(short_cap, dtype=float)
    short_goods = np.flatnonzero(short > 0)
    n_extra = stock_goods.size + short_goods.size
    good_of = np.concatenate([good_real, stock_goods, short_goods])
    used = (net.data < 0) & produced[net.indices]
    counts = np.bincount(col[used], minlength=n_real)
    indptr = np.concatenate([[0], np.cumsum(counts), np.full(n_extra, counts.sum())])
    inputs = sp.csc_matrix(
        (-net.data[used] / out[col[used]], index[net.indices[used]], indptr),
        shape=(n, n_real + n_extra),
    )
    prim = (net.data < 0) & ~produced[net.indices]
    counts_p = np.bincount(col[prim], minlength=n_real)
    indptr_p = np.concatenate([[0], np.cumsum(counts_p), np.full(n_extra, counts_p.sum())])
    primary = sp.csc_matrix(
        (-net.data[prim] / out[col[prim]], net.indices[prim], indptr_p),
        shape=(eco.n_goods, n_real + n_extra),
    ).tocsr()
    n_proc = good_of.size
    perm = np.argsort(good_of, kind="stable")
    per_good = np.bincount(good_of, minlength=n)
    width = max(1, int(per_good.max(initial=0)))
    starts = np.concatenate([[0], np.cumsum(per_good)[:-1]])
    rank = np.arange(n_proc) - np.repeat(starts, per_good)
    slots = np.full((n, width), -1, dtype=np.int64)
    slots[good_of[perm], rank] = perm
    return Layout(
        goods=goods,
        n_real=n_real,
        good_of=good_of,
        out=out,
        inputs=inputs,
        inputs_t=inputs.T.tocsr(),
        labour=np.concatenate([eco.labour / out, np.zeros(n_extra)]),
        cap=np.concatenate([eco.capacity * out, stock[stock_goods], short[short_goods]]),
        slots=slots,
        stock_goods=stock_goods,
        short_goods=short_goods,
        primary=primary,
    )


def primary_use(lay: Layout, rows: np.ndarray) -> sp.csr_matrix:
    """Use of the primary goods ``rows`` (economy indices) per unit of output (rows x processes)."""
    return lay.primary[rows]


# --------------------------------------------------------------------------- prices
def _slot_costs(lay: Layout, kappa: np.ndarray, dead: np.ndarray | None = None) -> np.ndarray:
    safe = np.where(lay.slots < 0, 0, lay.slots)
    mask = lay.slots < 0 if dead is None else dead
    return np.where(mask, np.inf, kappa[safe])


def fixed_point_values(
    lay: Layout, cost: np.ndarray, start: np.ndarray | None = None, tol: float = SWEEP_TOL
) -> tuple[np.ndarray, np.ndarray, int]:
    """Least-cost prices ``v_g = min_p (cost_p + B_p . v)`` with no capacities.

    Value iteration from ``start`` until the cheapest process of every good
    stops changing, then exact evaluation of that choice on its own (smaller)
    matrix, then one more full sweep to confirm. Returns (prices, chosen
    process per good or -1, sweeps). Goods no process can make get ``inf``.
    """
    v = np.zeros(lay.n) if start is None else np.where(np.isfinite(start), start, 0.0)
    choice = np.full(lay.n, -1, dtype=np.int64)
    sweeps = 0
    stable = 0
    for _ in range(MAX_SWEEPS):
        k_slot = _slot_costs(lay, unit_costs(lay, cost, v))
        sweeps += 1
        pos = np.argmin(k_slot, axis=1)
        new = np.take_along_axis(k_slot, pos[:, None], axis=1)[:, 0]
        new_choice = np.where(np.isfinite(new), lay.slots[np.arange(lay.n), pos], -1)
        settled = _settled(new, v, tol)
        stable = stable + 1 if np.array_equal(new_choice, choice) else 0
        v, choice = new, new_choice
        if settled:
            break
        if stable >= 2:  # the choice has settled: price it exactly, the next sweep confirms
            v, more = _evaluate(lay, cost, choice, v, tol)
            sweeps += more
            stable = 0
    return v, choice, sweeps


def zero_nonfinite(v: np.ndarray) -> np.ndarray:
    """``v`` with infinite and NaN entries as 0 (for products with a matrix)."""
    return np.where(np.isfinite(v), v, 0.0)


def unit_costs(lay: Layout, cost: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``cost_p + B_p . v`` per process (inf for processes using a good priced inf)."""
    kappa = cost + lay.inputs_t_split @ zero_nonfinite(v)
    bad = ~np.isfinite(v)
    if bad.any():
        kappa[lay.inputs_t @ bad.astype(float) > 0] = np.inf
    return kappa


def _settled(new: np.ndarray, old: np.ndarray, tol: float) -> bool:
    fin = np.isfinite(new)
    if not np.array_equal(fin, np.isfinite(old)):
        return False
    if not fin.any():
        return True
    change = float(np.max(np.abs(new[fin] - old[fin])))
    return change <= tol * max(1.0, float(np.max(np.abs(new[fin]))))


def _evaluate(
    lay: Layout, cost: np.ndarray, choice: np.ndarray, v: np.ndarray, tol: float
) -> tuple[np.ndarray, int]:
    """Prices of one process per good: ``v_g = cost_m + B_m . v`` (fixed point on a submatrix)."""
    made = choice >= 0
    m = choice[made]
    sub_t = lay.inputs[:, m].T.tocsr()
    base = cost[m]
    v = v.copy()
    v[~made] = np.inf
    sweeps = 0
    for _ in range(MAX_SWEEPS):
        new = v.copy()
        new[made] = base + sub_t @ zero_nonfinite(v)
        if not np.isfinite(v).all():
            new[made] = np.where(sub_t @ (~np.isfinite(v)).astype(float) > 0, np.inf, new[made])
        sweeps += 1
        done = _settled(new, v, tol)
        v = new
        if done:
            break
    return v, sweeps


# ----------------------------------------------------------------------- quantities
def merit_order(lay: Layout, kappa: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Processes of every good from cheapest to dearest at unit costs ``kappa``, with capacities."""
    dead = (lay.slots < 0) | (np.where(lay.slots < 0, 0.0, lay.cap[np.maximum(lay.slots, 0)]) <= 0)
    order = np.argsort(_slot_costs(lay, kappa, dead), axis=1, kind="stable")
    procs = np.take_along_axis(lay.slots, order, axis=1)
    caps = np.take_along_axis(np.where(dead, 0.0, lay.cap[np.maximum(lay.slots, 0)]), order, axis=1)
    return procs, caps


def fill(procs: np.ndarray, caps: np.ndarray, req: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill each good's requirement in merit order: output per slot, and the marginal slot.

    Goods whose cheapest process has no capacity take it all from that one
    (the common case, done without the row-wise sums).
    """
    take = np.zeros_like(caps)
    pos = np.zeros(caps.shape[0], dtype=np.int64)
    simple = np.isinf(caps[:, 0])
    take[simple, 0] = req[simple]
    rows = np.flatnonzero(~simple)
    if rows.size:
        c = caps[rows]
        r = req[rows]
        before = np.zeros_like(c)
        np.cumsum(c[:, :-1], axis=1, out=before[:, 1:])
        take[rows] = np.clip(r[:, None] - before, 0.0, c)
        tol = 1e-12 * np.maximum(1.0, r)
        pos[rows] = ((before + c) < (r - tol)[:, None]).sum(axis=1)
    return take, pos


def _scatter(lay: Layout, procs: np.ndarray, take: np.ndarray) -> np.ndarray:
    x = np.zeros(lay.n_proc)
    mask = (procs >= 0) & (take > 0)
    x[procs[mask]] = take[mask]
    return x


@dataclass(eq=False)
class MeritPlan:
    """A plan by merit order: outputs ``x``, prices ``values``, gross output ``gross``."""

    x: np.ndarray
    values: np.ndarray
    gross: np.ndarray
    rounds: int
    sweeps: int
    feasible: bool  # every requirement met within capacities


def merit_plan(
    lay: Layout,
    cost: np.ndarray,
    demand: np.ndarray,
    values: np.ndarray | None = None,
    gross: np.ndarray | None = None,
    rounds: int = 3,
    tol: float = SWEEP_TOL,
) -> MeritPlan:
    """Alternate merit orders, quantities and prices ``rounds`` times (see module docstring).

    ``values`` and ``gross`` warm-start prices and quantities; ``tol`` is the
    relative change at which the fixed points count as settled.
    """
    sweeps = 0
    if values is None:
        values, _, sweeps = fixed_point_values(lay, cost, tol=tol)
    v = values
    z = np.asarray(demand, dtype=float).copy() if gross is None else gross
    x = np.zeros(lay.n_proc)
    feasible = False
    done = 0
    prev = None
    for done in range(1, rounds + 1):  # noqa: B007 - the count is reported
        procs, caps = merit_order(lay, unit_costs(lay, cost, v))
        sweeps += 1
        if prev is not None and np.array_equal(procs, prev):
            break
        prev = procs
        take, z, more = slot_fixed_point(lay, procs, demand, z, _filler(procs, caps), tol)
        sweeps += more
        x = _scatter(lay, procs, take)
        marginal, feasible = _marginal(lay, procs, caps, z)
        v, more = _evaluate(lay, cost, marginal, v, tol)
        sweeps += more
    return MeritPlan(x, v, z, done, sweeps, feasible)


def _filler(procs, caps):
    return lambda req: fill(procs, caps, req)[0]


def slot_fixed_point(lay, procs, demand, z, supply, tol=SWEEP_TOL):
    """Gross requirements ``z = d + B x(z)`` where ``supply(z)`` gives output per slot.

    ``supply`` must be monotone in ``z``; then the iteration settles. The
    product ``B x`` only runs over the slots in use, re-extracted when they change.
    """
    flat = procs.ravel()
    active = None
    sub = None
    sweeps = 0
    take = supply(z)
    for _ in range(MAX_SWEEPS):
        used = (take.ravel() > 0) & (flat >= 0)
        if active is None or not np.array_equal(used, active):
            active = used
            sub = lay.inputs[:, flat[active]]
        new = demand + sub @ take.ravel()[active]
        sweeps += 1
        done = _settled(new, z, tol)
        z = new
        take = supply(z)
        if done:
            break
    return take, z, sweeps


def _marginal(lay, procs, caps, z):
    """The process that makes the last unit of each good, and whether capacities suffice."""
    _, pos = fill(procs, caps, z)
    n_ok = (caps > 0).sum(axis=1)
    has = pos < n_ok
    marginal = np.full(lay.n, -1, dtype=np.int64)
    marginal[has] = procs[has, pos[has]]
    last = ~has & (n_ok > 0)
    marginal[last] = procs[last, n_ok[last] - 1]
    total = caps.sum(axis=1)
    feasible = bool(np.all(z <= total * (1 + 1e-12) + 1e-12))
    return marginal, feasible


# -------------------------------------------------------------------------- bounds
def lagrangian_bound(
    lay: Layout,
    cost: np.ndarray,
    demand: np.ndarray,
    values: np.ndarray,
    tol: float = SWEEP_TOL,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Lower bound on the least cost, valid for any prices ``values`` (module docstring).

    The fixed point ``w`` is computed to ``tol``; what is left of its
    error is removed by scaling it down (:func:`_feasible_scale`), so the
    bound holds exactly. Returns (bound, ``w``, rents ``mu``); the bound is
    ``+inf`` when a needed good cannot be made at all.
    """
    v = np.maximum(zero_nonfinite(values), 0.0)
    kappa = cost + lay.inputs_t @ v
    capped = np.isfinite(lay.cap)
    mu = np.where(capped, np.maximum(v[lay.good_of] - kappa, 0.0), 0.0)
    cost_mu = cost + mu
    w, _, _ = fixed_point_values(lay, cost_mu, v, tol=tol)
    needed = demand > 0
    if np.any(~np.isfinite(w[needed])):
        return np.inf, w, mu
    theta = _feasible_scale(lay, cost_mu, w)
    bound = float(theta * (w[needed] @ demand[needed]) - mu[capped] @ lay.cap[capped])
    return bound, w, mu


def _feasible_scale(lay: Layout, cost: np.ndarray, w: np.ndarray) -> float:
    """Largest ``theta <= 1`` with ``theta w`` a dual-feasible price vector at costs ``cost >= 0``.

    With ``t = min_p (cost_p + B_p w)`` per good, ``theta w_g <= T(theta w)_g``
    holds when ``theta (w_g - t_g) <= (1 - theta) min_p cost_p`` (cost >= 0).
    """
    fin = np.isfinite(w)
    k_slot = _slot_costs(lay, unit_costs(lay, cost, w))
    t = k_slot.min(axis=1)
    excess = np.where(fin, w - t, 0.0)
    bad = excess > 0
    if not bad.any():
        return 1.0
    cmin = _slot_costs(lay, cost).min(axis=1)[bad]
    if np.any(cmin <= 0):
        return 0.0
    return float(np.min(cmin / (cmin + excess[bad])))


# -------------------------------------------------------------------------- repair
def repair(
    lay: Layout,
    cost: np.ndarray,
    demand: np.ndarray,
    x: np.ndarray,
    values: np.ndarray,
    gross: np.ndarray | None = None,
    tol: float = SWEEP_TOL,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """A feasible plan near ``x`` (module docstring): returns (x, gross output, feasible).

    ``feasible`` is False when some good's requirement exceeds the capacity of
    all its processes (then the plan makes as much as it can).
    """
    x = np.clip(np.nan_to_num(x, nan=0.0, posinf=0.0), 0.0, lay.cap)
    made = np.bincount(lay.good_of, weights=x, minlength=lay.n)
    share = np.where(made[lay.good_of] > 0, x / np.where(made > 0, made, 1.0)[lay.good_of], 0.0)
    procs, caps = merit_order(lay, unit_costs(lay, cost, values))
    safe = np.maximum(procs, 0)
    share_slot = np.where(procs >= 0, share[safe], 0.0)
    z = np.asarray(demand, dtype=float).copy() if gross is None else gross.copy()
    z = np.maximum(z, demand)
    xs, z, _ = slot_fixed_point(
        lay, procs, demand, z, lambda r: _fill_shares(procs, caps, share_slot, r), tol
    )
    feasible = bool(np.all(xs.sum(axis=1) >= z * (1 - 1e-12) - 1e-12))
    return _scatter(lay, procs, xs), z, feasible


def _fill_shares(procs, caps, share_slot, z):
    """Each process its share of ``z`` (within capacity), the rest in merit order."""
    base = np.minimum(share_slot * z[:, None], caps)
    rest = np.maximum(z - base.sum(axis=1), 0.0)
    extra, _ = fill(procs, caps - base, rest)
    return base + extra
