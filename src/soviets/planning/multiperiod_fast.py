"""A certified structure-exploiting solver for the multi-period plan LP.

The LP (:mod:`soviets.planning.multiyear_lp`) is a staircase in time: each
period's block is the one-period plan (balance of goods, limits, hours), and
periods are linked only by capital stocks and carried goods. This solver
exploits that in three ways:

1. **A dual bound from the one-period fixed point.** For any prices ``pi`` of
   the capital stocks (and any prices of limits and hours), the rent of
   capital pair ``c`` in period ``t`` is ``rho = pi_t - (1 - d_c) pi_{t+1}``
   (hold a unit one period, sell what is left), and a period's goods prices
   ``v_t`` are the labour values of the period with every process charged
   its hours plus its rents: the non-substitution fixed point
   ``v_g = min over p making g of (cost_p + rent_p + In_p . v) / out_p``,
   capped by ``v_{t-1} / (1 - loss)`` (a good can be made earlier and
   stored). A forward sweep over the periods lowers ``pi`` where needed so
   that investing never pays more than the good costs (``pi_{t+L} <= v_t``)
   and rents are never negative; the prices are then feasible for the dual
   LP and ``sum_t v_t . target_t + pi_1 . stock_1 - y . hours`` is a lower
   bound on the hours of every plan, whatever prices it starts from.
2. **A feasible plan by just-in-time investment.** In each period each
   good is made first on the capital already held (processes in order of
   unit cost at the period's prices), the rest by one preferred process
   whose missing capital is invested ``L`` periods before it is needed,
   which adds to that period's needs; gross outputs are the least solution
   of ``z = f + A z`` with the period's mix of processes; a backward-forward
   pass settles investment. Two choices of preferred process are tried: the
   cheapest at cost plus the rents of step 1, and the one of each good that
   already holds the most capital. The plan is checked against every row
   and bound of the full LP (to ``FEAS_RTOL`` of the size of each row's terms).
3. **Sifting** (:mod:`soviets.planning.sifting`) on the LP with the capital
   stocks substituted out (:mod:`soviets.planning.multiyear_reduced`: no
   stock rows or columns, the same plans). HiGHS solves it restricted to
   the columns that are cheap at the prices of step 1 (per period and good
   the cheapest process at cost plus rents, every process holding capital
   at the start, the columns of step 2's plan, the investment these
   processes need, and all carried goods). Its optimum is a feasible plan
   of the full LP; its row prices (the stock rows priced by the rents to
   come) go to step 1 for a bound and price every column; those with
   negative reduced cost join and HiGHS re-optimises from its last basis,
   until none does (then the plan is optimal) or the time is up.
4. **Prices from a first-order method on the stacked LP**, if sifting
   stopped without the gap (a restricted LP HiGHS could not solve, or the
   last ``PDHG_SHARE`` of the time, which is kept for this step). A
   restarted primal-dual hybrid gradient (PDHG, Chambolle & Pock 2011,
   diagonal steps of Pock & Chambolle 2011, restarts as in PDLP) on the
   full LP, warm-started with the best plan and sifting's last prices
   (it improves the bound fast from there); its restart points feed
   steps 1-2 (at most ``CERTIFY_SHARE`` of the time), which keep the best
   certificate.

Step 2 alone stays a few per cent above the optimum even at optimal prices
(it uses neither storage nor a split of a good's new capacity among
processes); step 3 brings the plan to within 0.5 % at the first restricted
LP on generated economies (docs/multiyear-scale.md).

The solver stops when ``(primal - dual) / primal`` is below ``gap`` or at
``time_limit`` with the best certificate found; every exit reports both.
It handles the ``min-hours`` and ``max-free-time`` objectives of economies
whose processes each make one good; otherwise :class:`ModelError`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import MultiYearEconomy
from soviets.errors import ModelError
from soviets.planning import multiyear_reduced, sifting
from soviets.planning.multiyear_lp import MultiYearLP, Objective, build
from soviets.planning.result import Certificate

FEAS_RTOL = 1e-9  # a plan may miss a row or bound by this share of its size
SWEEP_RTOL = 1e-13  # fixed points stop when no price moves by more than this share
SWEEP_MAX = 5000
CHECK_EVERY = 64  # PDHG iterations between restart checks
STEP = 0.95
CERTIFY_SHARE = 0.3  # most share of the time spent on bounds and plans after the start
MARGIN = 1e-6  # share of the capital needed invested on top, so rounding cannot reopen it
SAFETY = 1e-7  # share of held capacity left unused, so a mix's rounding stays within it
PDHG_SHARE = 0.2  # share of the time kept for PDHG's bound if sifting has not ended by then
REPAIR_ROUNDS = 60  # rounds of just-in-time investment before the repair gives up


@dataclass
class MultiPeriodResult:
    """What the fast solver found: ``x`` is a feasible point of the full LP's columns
    (None when no feasible plan was found) and ``certificate`` its proof of quality."""

    status: str  # "optimal" (gap reached), "feasible" (time limit), "no-plan"
    x: np.ndarray | None
    certificate: Certificate
    iterations: int
    seconds: float
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def objective(self) -> float:
        return self.certificate.primal


@dataclass(eq=False)
class _Structure:
    """The pieces of the LP the certificate needs, period by period."""

    my: MultiYearLP
    model: MultiYearEconomy
    out_good: np.ndarray  # balance row (within the period) of each process's output
    out_q: np.ndarray  # units of that output per unit of activity
    inputs: sp.csr_matrix  # produced goods x processes, units used per unit of activity
    inputs_t: sp.csr_matrix
    order: np.ndarray  # processes sorted by output good
    starts: np.ndarray  # first position of each good in ``order`` (reduceat)
    has_maker: np.ndarray  # per produced good
    holds: sp.csr_matrix  # capital pairs x processes, quantity held per unit
    holds_t: sp.csr_matrix
    pair_good: np.ndarray  # balance row of each capital pair's good
    keep: np.ndarray  # 1 - depreciation per pair
    carry: np.ndarray  # 1 - storage loss per produced good
    build_time: np.ndarray
    other_rows: list[np.ndarray]  # per period: rows of limits, hours, supply
    other: list[sp.csr_matrix]  # per period: those rows restricted to the activity columns
    usable: np.ndarray  # processes with capacity > 0


def _structure(my: MultiYearLP, model: MultiYearEconomy) -> _Structure:
    lay, a = my.layout, my.lp.matrix.tocsc()
    rows_b, cols_x = lay.row("balance", 0), lay.col("activity", 0)
    net = a[rows_b, cols_x].tocsc()
    pos = net.maximum(0).tocsc()
    pos.eliminate_zeros()
    counts = np.diff(pos.indptr)
    if np.any(counts > 1):
        p = int(np.flatnonzero(counts > 1)[0])
        raise ModelError(
            f"the multi-period fast solver needs one output per process; "
            f"'{model.economy.process_names[p]}' makes several goods"
        )
    n_g, n_p = net.shape
    out_good = np.full(n_p, -1, dtype=np.int64)
    out_q = np.ones(n_p)
    made = counts == 1
    out_good[made] = pos.indices
    out_q[made] = pos.data
    inputs = (-net).maximum(0).tocsr()
    usable = (model.economy.capacity > 0) & made
    order = np.flatnonzero(usable)[np.argsort(out_good[usable], kind="stable")]
    goods_sorted = out_good[order]
    has_maker = np.zeros(n_g, dtype=bool)
    has_maker[goods_sorted] = True
    starts = np.searchsorted(goods_sorted, np.arange(n_g))
    holds = a[lay.row("capacity", 0), cols_x].tocsr()
    pos_g = np.full(model.economy.n_goods, -1, dtype=np.int64)
    pos_g[lay.produced] = np.arange(lay.produced.size)
    other_rows, other = [], []
    for t in range(lay.n_periods):
        rows = np.concatenate(
            [
                np.arange(lay.row(k, t).start, lay.row(k, t).stop)
                for k in ("limits", "hours", "supply")
            ]
        ).astype(np.int64)
        other_rows.append(rows)
        other.append(a[rows][:, lay.col("activity", t)].tocsr())
    return _Structure(
        my=my,
        model=model,
        out_good=out_good,
        out_q=out_q,
        inputs=inputs,
        inputs_t=inputs.T.tocsr(),
        order=order,
        starts=starts,
        has_maker=has_maker,
        holds=holds,
        holds_t=holds.T.tocsr(),
        pair_good=pos_g[model.capital_good],
        keep=1.0 - model.capital_depreciation,
        carry=1.0 - model.storage_loss[lay.produced],
        build_time=model.capital_build_time,
        other_rows=other_rows,
        other=other,
        usable=usable,
    )


# ----------------------------------------------------------------------------- dual bound


def _fixed_point(st: _Structure, cost: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Least prices ``v >= 0`` with ``v_g = min(ceiling_g, min_p (cost_p + In_p.v)/out_p)``.

    Iterated from 0, so every iterate keeps ``v_g <= (cost_p + In_p.v)/out_p``
    for every process (the dual constraints of the activities) even if stopped early.
    """
    n_g = st.has_maker.size
    v = np.zeros(n_g)
    order, starts = st.order, st.starts
    lone = ~st.has_maker
    for _ in range(SWEEP_MAX):
        unit = (cost + st.inputs_t @ v) / st.out_q
        best = np.full(n_g, np.inf)
        if order.size:
            mins = np.minimum.reduceat(unit[order], np.minimum(starts, order.size - 1))
            best = np.where(st.has_maker, mins, np.inf)
        new = np.minimum(best, ceiling)
        new[lone & ~np.isfinite(ceiling)] = 0.0
        if np.max(np.abs(new - v), initial=0.0) <= SWEEP_RTOL * max(1.0, np.max(new, initial=0)):
            return new
        v = new
    return v


def dual_bound(st: _Structure, y: np.ndarray) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """A lower bound on the LP's objective from row prices ``y`` (only the stock rows'
    and the limit/hours rows' prices are used; see the module docstring, step 1).

    ``y`` uses the sign of the Lagrangian ``c.x + y.(A x - z)``: ``y >= 0`` prices an
    upper row bound. Returns the bound, the goods prices and the capital rents of each period.
    """
    lay, lp = st.my.layout, st.my.lp
    n_t = lay.n_periods
    pi = np.array([np.maximum(y[lay.row("stock", t)], 0.0) for t in range(n_t)])
    bound = 0.0
    values: list[np.ndarray] = []
    rents: list[np.ndarray] = []
    ceiling = np.full(lay.produced.size, np.inf)
    invest_open = [lp.col_upper[lay.col("investment", t)] > 0 for t in range(n_t)]
    for t in range(n_t):
        y_o = np.maximum(y[st.other_rows[t]], 0.0)
        up_o = lp.row_upper[st.other_rows[t]]
        y_o[~np.isfinite(up_o)] = 0.0
        bound -= float(np.dot(y_o, np.where(np.isfinite(up_o), up_o, 0.0)))
        cost = lp.cost[lay.col("activity", t)] + st.other[t].T @ y_o
        if t + 1 < n_t:
            with np.errstate(divide="ignore"):
                pi[t + 1] = np.minimum(pi[t + 1], np.where(st.keep > 0, pi[t] / st.keep, np.inf))

        def prices(t=t, cost=cost, ceiling=ceiling):
            rho = np.maximum(pi[t] - (st.keep * pi[t + 1] if t + 1 < n_t else 0.0), 0.0)
            return _fixed_point(st, cost + st.holds_t @ rho, ceiling), rho

        v, rho = prices()
        arrive = t + st.build_time
        pairs = np.flatnonzero(invest_open[t] & (arrive < n_t))
        cap = v[st.pair_good[pairs]]
        over = pi[arrive[pairs], pairs] > cap
        pi[arrive[pairs[over]], pairs[over]] = cap[over]
        if np.any(arrive[pairs[over]] == t + 1):
            v, rho = prices()
        rows = lay.row("balance", t)
        bound += float(np.dot(v, lp.row_lower[rows]))
        values.append(v)
        rents.append(rho)
        with np.errstate(divide="ignore"):
            ceiling = np.where(st.carry > 0, v / st.carry, np.inf)
    bound -= float(np.dot(pi[0], lp.row_lower[lay.row("stock", 0)]))
    return bound, values, rents


# ----------------------------------------------------------------------------- primal plan


def _least_output(st: _Structure, share: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Activities meeting ``need`` (net, per produced good) with output split by ``share``.

    The least ``z >= 0`` with ``z = max(0, need + M z)``, where ``M`` mixes the
    inputs of each good's processes by ``share``, iterated from 0 (monotone);
    process ``p`` then runs at ``share_p z_g / out_p``.
    """
    made = st.out_good >= 0
    per_unit = np.where(made, share / st.out_q, 0.0)
    split = sp.csr_matrix(
        (per_unit[made], (np.flatnonzero(made), st.out_good[made])),
        shape=(st.out_good.size, need.size),
    )
    mix = (st.inputs @ split).tocsr()
    z = np.zeros_like(need)
    for _ in range(SWEEP_MAX):
        new = np.maximum(0.0, need + mix @ z)
        done = np.max(np.abs(new - z), initial=0.0) <= SWEEP_RTOL * max(1.0, np.max(new, initial=0))
        z = new
        if done:
            break
    return split @ z


def _merit_shares(
    st: _Structure, z: np.ndarray, room: np.ndarray, rank: np.ndarray, preferred: np.ndarray
) -> np.ndarray:
    """Split each good's output ``z`` among processes: first the capacity ``room`` of the
    processes in order of ``rank`` (cheapest first), the rest to the ``preferred`` one."""
    o = st.order
    key = o[np.lexsort((rank[o], st.out_good[o]))]
    g = st.out_good[key]
    cap = np.maximum(room[key], 0.0) * st.out_q[key] * (1 - SAFETY)  # output each can make
    cap = np.minimum(cap, z[g])  # finite where a process needs no capital (room inf)
    cum = np.cumsum(cap)
    first = np.ones(key.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    base = np.maximum.accumulate(np.where(first, cum - cap, 0.0))
    before = cum - cap - base
    take = np.clip(z[g] - before, 0.0, cap)
    out = np.zeros(st.out_good.size)
    out[key] = take
    left = z - np.bincount(g, weights=take, minlength=z.size)
    pref = np.flatnonzero(preferred > 0)
    out[pref] += np.maximum(left[st.out_good[pref]], 0.0)
    total = np.bincount(np.maximum(st.out_good, 0), weights=out, minlength=z.size)
    per = total[np.maximum(st.out_good, 0)]
    return np.where(per > 0, out / np.where(per > 0, per, 1.0), preferred)


def _room(st: _Structure, k: np.ndarray) -> np.ndarray:
    """Activity each process can run on the capital ``k`` it holds (inf: needs none)."""
    h = st.holds.tocoo()
    room = np.full(st.out_good.size, np.inf)
    np.minimum.at(room, h.col, k[h.row] / h.data)
    return room


def repair(
    st: _Structure,
    preferred: list[np.ndarray],
    rank: list[np.ndarray],
    invest: np.ndarray | None,
) -> np.ndarray | None:
    """A feasible point of the full LP (see the module docstring, step 2), or None.

    In period ``t`` each good is made first on the capital already held, processes
    in order of ``rank[t]``, the rest by ``preferred[t]`` (one process per good,
    share 1), whose missing capital is invested just in time; ``invest``
    (periods x pairs) is a starting investment.
    """
    model, lay, lp = st.model, st.my.layout, st.my.lp
    n_t, n_c = lay.n_periods, model.n_capital
    target = np.array([lp.row_lower[lay.row("balance", t)] for t in range(n_t)])
    inv = np.zeros((n_t, n_c)) if invest is None else np.maximum(invest, 0.0).copy()
    for t in range(n_t):
        inv[t, lp.col_upper[lay.col("investment", t)] <= 0] = 0.0
    x = np.zeros((n_t, st.out_good.size))
    k = np.zeros((n_t, n_c))
    for _ in range(REPAIR_ROUNDS):
        grown = False
        for t in range(n_t):
            k[t] = model.capital_stock if t == 0 else st.keep * k[t - 1]
            src = t - st.build_time
            ok = src >= 0
            k[t, ok] += inv[src[ok], np.flatnonzero(ok)]
            need = target[t] + np.bincount(st.pair_good, weights=inv[t], minlength=target.shape[1])
            room = _room(st, k[t])
            share = preferred[t]
            for _ in range(8):
                x[t] = _least_output(st, share, need)
                z = np.bincount(
                    np.maximum(st.out_good, 0), weights=x[t] * st.out_q, minlength=need.size
                )
                new = _merit_shares(st, z, room, rank[t], preferred[t])
                if np.allclose(new, share, rtol=0, atol=1e-12):
                    break
                share = new
            x[t] = _least_output(st, share, need)
            short = st.holds @ x[t] - k[t]
            lack = short > FEAS_RTOL * np.maximum(1.0, k[t])
            if not np.any(lack):
                continue
            if np.any(lack & ~ok):
                return None
            idx = np.flatnonzero(lack)
            inv[src[idx], idx] += short[idx] + MARGIN * (short[idx] + k[t, idx])
            grown = True
        if not grown:
            break
    else:
        return None
    full = np.zeros(lp.cost.size)
    for t in range(n_t):
        full[lay.col("activity", t)] = x[t]
        full[lay.col("capital", t)] = k[t]
        full[lay.col("investment", t)] = inv[t]
    return full if _feasible(lp, full) else None


def _feasible(lp, x: np.ndarray) -> bool:
    """Every row and bound holds to ``FEAS_RTOL`` of the size of its terms (``|A| |x|``)."""
    act = lp.matrix @ x
    size = abs(lp.matrix) @ np.abs(x)
    tol = FEAS_RTOL * np.maximum(1.0, size)
    with np.errstate(invalid="ignore"):
        ok_rows = np.all(act >= lp.row_lower - tol) and np.all(act <= lp.row_upper + tol)
        col_tol = FEAS_RTOL * np.maximum(1.0, np.abs(x))
        ok_cols = np.all(x >= lp.col_lower - col_tol) and np.all(x <= lp.col_upper + col_tol)
    return bool(ok_rows and ok_cols)


def _cheapest_shares(st: _Structure, cost: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Share 1 for the cheapest usable process of each good at prices ``v``, 0 elsewhere."""
    unit = np.where(st.usable, (cost + st.inputs_t @ v) / st.out_q, np.inf)
    share = np.zeros(unit.size)
    if st.order.size:
        o = st.order
        key = np.lexsort((unit[o], st.out_good[o]))
        first = np.ones(key.size, dtype=bool)
        first[1:] = st.out_good[o][key][1:] != st.out_good[o][key][:-1]
        share[o[key][first]] = 1.0
    return share


# ----------------------------------------------------------------------------- PDHG


@dataclass(eq=False)
class _Pdhg:
    """Restarted PDHG on ``min c.x : lo <= A x <= up, cl <= x <= cu`` (see module docstring)."""

    a: sp.csr_matrix
    at: sp.csr_matrix
    c: np.ndarray
    lo: np.ndarray
    up: np.ndarray
    cl: np.ndarray
    cu: np.ndarray
    tau: np.ndarray
    sigma: np.ndarray

    @classmethod
    def of(cls, lp) -> _Pdhg:
        a = sp.csr_matrix(lp.matrix)
        absa = abs(a)
        row = np.asarray(absa.sum(axis=1)).ravel()
        col = np.asarray(absa.sum(axis=0)).ravel()
        return cls(
            a=a,
            at=a.T.tocsr(),
            c=np.asarray(lp.cost, float),
            lo=lp.row_lower,
            up=lp.row_upper,
            cl=lp.col_lower,
            cu=lp.col_upper,
            tau=1.0 / np.maximum(col, 1e-12),
            sigma=1.0 / np.maximum(row, 1e-12),
        )

    def dual_step(self, y: np.ndarray, ax: np.ndarray, s: np.ndarray) -> np.ndarray:
        u = y + s * ax
        return u - s * np.clip(u / s, self.lo, self.up)

    def kkt(self, x: np.ndarray, y: np.ndarray, omega: float) -> float:
        ax = self.a @ x
        pr = np.maximum(self.lo - ax, 0) + np.maximum(ax - self.up, 0)
        rc = self.c + self.at @ y
        dr = np.where(
            rc > 0, np.where(np.isfinite(self.cl), 0, rc), np.where(np.isfinite(self.cu), 0, -rc)
        )
        return math.sqrt(omega * float(pr @ pr) + float(dr @ dr) / omega)

    def run(self, x: np.ndarray, y: np.ndarray, stop):
        """Yield restart points ``(x, y, iterations)`` until ``stop()`` is true."""
        omega = max(
            1e-6,
            min(
                1e6,
                float(
                    (np.linalg.norm(self.c) + 1e-12)
                    / (np.linalg.norm(np.where(np.isfinite(self.lo), self.lo, 0)) + 1e-12)
                ),
            ),
        )
        sx, sy, n = np.zeros_like(x), np.zeros_like(y), 0
        k = 0
        kkt_last = self.kkt(x, y, omega)
        anchor = (x.copy(), y.copy())
        while not stop():
            for _ in range(CHECK_EVERY):
                x_new = np.clip(
                    x - STEP * self.tau / omega * (self.c + self.at @ y), self.cl, self.cu
                )
                y = self.dual_step(y, self.a @ (2 * x_new - x), STEP * self.sigma * omega)
                x = x_new
                sx += x
                sy += y
                n += 1
            k += CHECK_EVERY
            ax_, ay_ = sx / n, sy / n
            k_avg, k_cur = self.kkt(ax_, ay_, omega), self.kkt(x, y, omega)
            if min(k_avg, k_cur) > 0.2 * kkt_last and n < 4 * CHECK_EVERY:
                continue
            if k_avg < k_cur:
                x, y = ax_.copy(), ay_.copy()
            dx = np.linalg.norm(x - anchor[0])
            dy = np.linalg.norm(y - anchor[1])
            if dx > 1e-12 and dy > 1e-12:
                omega = math.sqrt(omega * dy / dx)
            anchor = (x.copy(), y.copy())
            kkt_last = self.kkt(x, y, omega)
            sx[:], sy[:], n = 0.0, 0.0, 0
            yield x, y, k


# ----------------------------------------------------------------------------- driver


def solve(
    model: MultiYearEconomy,
    objective: Objective | None = None,
    *,
    gap: float = 1e-4,
    time_limit: float = 60.0,
    my: MultiYearLP | None = None,
) -> MultiPeriodResult:
    """Plan ``model`` (see the module docstring); stop at relative ``gap`` or ``time_limit`` s.

    ``my`` is the LP if the caller has built it already. Raises
    :class:`ModelError` for objectives other than ``min-hours`` and
    ``max-free-time`` and for processes with several outputs.
    """
    start = time.perf_counter()
    objective = objective or Objective()
    if objective.name not in ("min-hours", "max-free-time"):
        raise ModelError(f"the multi-period fast solver does not handle '{objective.name}'")
    my = my or build(model, objective)
    search = _Search(_structure(my, model), my, start)
    y0 = np.zeros(my.lp.row_lower.size)
    search.record(None, y0, 0)
    deadline = start + time_limit
    if search.best.gap > gap and time.perf_counter() < deadline:
        y0 = search.sift(y0, gap, start + (1.0 - PDHG_SHARE) * time_limit)
    k_done = 0
    if search.best.gap > gap and time.perf_counter() < deadline:
        k_done = search.pdhg(y0, gap, deadline)
    best, best_x = search.best, search.best_x
    status = "no-plan" if best_x is None else ("optimal" if best.gap <= gap else "feasible")
    return MultiPeriodResult(
        status, best_x, best, k_done, time.perf_counter() - start, search.history
    )


class _Search:
    """The best plan and bound found so far, and the history of both."""

    def __init__(self, st: _Structure, my: MultiYearLP, start: float) -> None:
        self.st, self.lp, self.lay, self.start = st, my.lp, my.layout, start
        self.history: list[dict[str, Any]] = []
        self.best_x: np.ndarray | None = None
        self.best = Certificate(math.inf, -math.inf)

    def record(self, x_full: np.ndarray | None, y: np.ndarray, k: int, plans: bool = True) -> None:
        """Take the bound of duals ``y``; with ``plans``, also repair plans from them."""
        st, lp, lay, best = self.st, self.lp, self.lay, self.best
        n_t = lay.n_periods
        dual, values, rents = dual_bound(st, y)
        primal = best.primal
        if not plans:
            self.best = Certificate(best.primal, max(dual, best.dual))
            return
        cheapest, grow, rank = [], [], []
        held = _room(st, st.model.capital_stock)
        has = np.isfinite(held) & (held > 0)
        some = _good_total(st, np.where(has, 1.0, 0.0)) > 0
        biggest = _cheapest_shares(st, np.where(has, -held, np.inf), np.zeros(st.has_maker.size))
        for t in range(n_t):
            cost = lp.cost[lay.col("activity", t)] + st.other[t].T @ np.maximum(
                y[st.other_rows[t]], 0.0
            )
            rank.append((cost + st.inputs_t @ values[t]) / st.out_q)
            cheapest.append(_cheapest_shares(st, cost + st.holds_t @ rents[t], values[t]))
            grow.append(np.where(some, biggest, cheapest[t]))  # grow what holds capital
        first = int(np.min(st.build_time, initial=1))
        cheapest = [grow[t] if t < first else c for t, c in enumerate(cheapest)]
        starts: list[np.ndarray | None] = [None]
        if x_full is not None:
            starts.append(np.array([x_full[lay.col("investment", t)] for t in range(n_t)]))
        for inv in starts:
            for preferred in (cheapest, grow):
                plan = repair(st, preferred, rank, inv)
                if plan is not None:
                    value = float(lp.cost @ plan)
                    if value < primal:
                        primal, self.best_x = value, plan
        self.best = best = Certificate(min(primal, best.primal), max(dual, best.dual))
        self.history.append(
            {
                "seconds": time.perf_counter() - self.start,
                "iterations": k,
                "primal": best.primal,
                "dual": best.dual,
                "gap": best.gap,
            }
        )

    def sift(self, y0: np.ndarray, gap: float, until: float) -> np.ndarray:
        """Sifting on the columns of the best plan, until ``gap`` or time ``until``;
        returns the last duals (the start of PDHG)."""
        st, lp = self.st, self.lp
        _, values, rents = dual_bound(st, y0)
        red = multiyear_reduced.reduce(st.my, st.build_time)
        keep = _first_columns(st, values, rents, self.best_x)[red.cols]

        def needs(new: np.ndarray) -> np.ndarray:
            full = np.zeros(lp.cost.size, dtype=bool)
            full[red.cols] = new
            return _with_capital(st, full)[red.cols]

        for step in sifting.sift(red.lp, keep, until, needs):
            x, y = red.full_x(step.x), red.full_y(step.y)
            y0 = -y  # PDHG's sign: reduced costs c + A^T y
            primal = self.best.primal
            value = float(lp.cost @ x)
            if _feasible(lp, x) and value < primal:
                primal, self.best_x = value, x
            dual = dual_bound(st, y0)[0]
            self.best = Certificate(primal, max(dual, self.best.dual))
            self.history.append(
                {
                    "seconds": time.perf_counter() - self.start,
                    "sifting_columns": step.columns,
                    "primal": self.best.primal,
                    "dual": self.best.dual,
                    "gap": self.best.gap,
                }
            )
            if self.best.gap <= gap:
                break
        return y0

    def pdhg(self, y0: np.ndarray, gap: float, deadline: float) -> int:
        """PDHG from the best plan, certifying at restarts; returns its iterations."""
        x0 = self.best_x.copy() if self.best_x is not None else np.zeros(self.lp.cost.size)
        engine = _Pdhg.of(self.lp)
        certifying, last, k_done = 0.0, 0.0, 0
        for x, y, k in engine.run(x0, y0, lambda: time.perf_counter() > deadline):
            k_done = k
            now = time.perf_counter()
            if now + last > deadline:
                continue  # no certification past the time limit
            # the bound at every restart; plans too while they take at most a share of the time
            plans = certifying <= CERTIFY_SHARE * (now - self.start)
            self.record(x, y, k, plans)
            if plans:
                last = time.perf_counter() - now
                certifying += last
            if self.best.gap <= gap:
                break
        return k_done


def _good_total(st: _Structure, share: np.ndarray) -> np.ndarray:
    """Per process, the sum of ``share`` over the processes of its good."""
    tot = np.bincount(np.maximum(st.out_good, 0), weights=share, minlength=st.has_maker.size)
    return tot[np.maximum(st.out_good, 0)]


def _first_columns(
    st: _Structure, values: list[np.ndarray], rents: list[np.ndarray], plan: np.ndarray | None
) -> np.ndarray:
    """Columns of the first restricted LP of sifting: per period and good the cheapest
    process at ``values`` plus ``rents``, every process holding capital at the start,
    the columns ``plan`` uses (so the restricted LP has a plan when the repair found
    one), the stocks and investment these processes need, the stocks held at the
    start (their stock rows fix them) and all carried goods."""
    lay, lp = st.my.layout, st.my.lp
    keep = np.zeros(lp.cost.size, dtype=bool)
    held = _room(st, st.model.capital_stock)
    holding = np.isfinite(held) & (held > 0)
    for t in range(lay.n_periods):
        cost = lp.cost[lay.col("activity", t)]
        keep[lay.col("activity", t)] = (
            _cheapest_shares(st, cost + st.holds_t @ rents[t], values[t]) > 0
        ) | holding
        keep[lay.col("capital", t)] = st.model.capital_stock > 0
        keep[lay.col("inventory", t)] = True
    if plan is not None:
        keep |= plan > 0
    return _with_capital(st, keep)


def _with_capital(st: _Structure, cols: np.ndarray) -> np.ndarray:
    """``cols`` plus, for every activity column in it, the stock and investment columns
    (all periods) of the capital pairs its process holds."""
    lay = st.my.layout
    active = np.zeros(st.out_good.size, dtype=bool)
    for t in range(lay.n_periods):
        active |= cols[lay.col("activity", t)]
    pairs = (st.holds @ active.astype(float)) > 0
    out = cols.copy()
    for t in range(lay.n_periods):
        out[lay.col("capital", t)] |= pairs
        out[lay.col("investment", t)] |= pairs
    return out
