"""Restarted primal-dual hybrid gradient (PDHG) on the structured plan LP.

The linear programme, per unit of output (see :mod:`.constrained_oracle`)::

    minimise  c . x
    subject to  sum_{p makes g} x_p - (B x)_g >= d_g     (balance, prices v >= 0)
                G x <= h                                (limits and hours, prices y >= 0)
                0 <= x <= cap

One iteration is two sparse products (``B^T v`` and ``B x``) and a few
vector operations (Chambolle & Pock 2011, with the diagonal step sizes of
Pock & Chambolle 2011). As in PDLP (Applegate et al. 2021) the iterates are
restarted from their average when the KKT error has fallen enough, and the
primal weight ``omega`` balances primal and dual step sizes at each restart.
The engine only moves the iterates; the caller certifies them (a Lagrangian
lower bound and a repaired feasible plan) and decides when to stop. The
iterates and the vector work may live on a GPU (CuPy or PyTorch, as in
:mod:`.sweeps`); the restart points come back to the host as numpy arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from soviets.planning.constrained_oracle import Layout
from soviets.planning.parallel import SplitMatrix
from soviets.planning.sweeps import array_backend

CHECK_EVERY = 64  # iterations between restart checks
BETA_SUFFICIENT = 0.2
BETA_NECESSARY = 0.8
BETA_ARTIFICIAL = 0.36
STEP = 0.95  # fraction of the largest stable step


@dataclass(eq=False)
class StructuredLP:
    """The plan LP above; ``coupling`` rows are scaled so that ``h`` is about 1."""

    lay: Layout
    cost: np.ndarray
    demand: np.ndarray
    coupling: sp.csr_matrix  # m x processes
    bound: np.ndarray  # h (m)
    own: np.ndarray | None = None  # coefficient of each process in its own good's row (1)

    def __post_init__(self) -> None:
        self.coupling_t = self.coupling.T.tocsr()
        if self.own is None:
            self.own = np.ones(self.lay.n_proc)

    @property
    def m(self) -> int:
        return int(self.bound.size)

    def balance(self, x: np.ndarray) -> np.ndarray:
        """Net output per good, ``sum_{p makes g} x_p - (B x)_g``."""
        lay = self.lay
        return np.bincount(lay.good_of, weights=self.own * x, minlength=lay.n) - lay.inputs @ x

    def coupled(self, x: np.ndarray) -> np.ndarray:
        return self.coupling @ x if self.m else np.zeros(0)

    def reduced_cost(self, v: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``c - K^T (v, -y)``: unit cost (inputs, limits, hours) less the good's price."""
        r = self.cost + self.lay.inputs_t @ v - self.own * v[self.lay.good_of]
        if self.m:
            r += self.coupling_t @ y
        return r


@dataclass(eq=False)
class Iterate:
    """A point of the primal-dual pair and what the engine knows of it."""

    x: np.ndarray
    v: np.ndarray
    y: np.ndarray
    iteration: int = 0
    restarts: int = 0
    kkt: float = math.inf
    bound: np.ndarray | None = None  # the targets ``h`` of the limits and hours in use


def run(
    lp: StructuredLP,
    start: Iterate,
    max_iterations: int,
    stop: Callable[[], bool] | None = None,
    backend: str = "numpy",
) -> Iterator[Iterate]:
    """Iterate PDHG from ``start``; yield every restart point (the caller may stop any time).

    ``stop`` is asked every few iterations; when it answers True the run ends.
    ``backend`` ("numpy", "cupy" or "torch") holds the iterates and does the
    vector work; the points yielded are numpy arrays on the host whatever it
    is (copied back at restarts only). Raises :class:`ModelError` if the
    backend cannot run here.

    Step sizes: diagonal (Pock & Chambolle) times an adaptive factor ``eta``
    grown and shrunk as in PDLP so that every accepted step satisfies the
    convergence condition.
    """
    ops = _Ops(lp) if backend == "numpy" else _DeviceOps(lp, backend)
    state = _State(ops, lp, start)
    for k in range(1, max_iterations + 1):
        state.step(k)
        if k % CHECK_EVERY and k != max_iterations:
            continue
        if stop is not None and stop():
            return
        candidate = state.restart_candidate(k)
        if candidate is None:
            continue
        point, held = state.restart(candidate, k)
        sent, sent_bound = point.y.copy(), held.copy()
        yield point  # the caller may move the point or the targets of limits and hours
        state.resume(point, sent, sent_bound)


_Triple = tuple[Any, Any, Any]  # (x, v, y) on the engine's device


class _State:
    """A run's iterates on the device and what the restart scheme keeps of them.

    ``eta`` is the adaptive step factor, ``omega`` the primal weight; since
    the last restart, ``sums`` add up the iterates (for their average),
    ``anchor`` is the restart point and ``kkt_restart`` its KKT error.
    """

    def __init__(self, ops: _Ops, lp: StructuredLP, start: Iterate) -> None:
        self.ops, self.m = ops, lp.m
        self.omega = _initial_weight(lp, start.x, start.v, start.y)
        self.eta = STEP
        self._move(ops.put(start.x), ops.put(start.v), ops.put(start.y))
        self._anchor()
        self.last_candidate = math.inf
        self.sums = [
            ops.xp.zeros_like(self.x),
            ops.xp.zeros_like(self.v),
            ops.xp.zeros_like(self.y),
        ]
        self.count = self.since = self.restarts = 0

    def _move(self, x: Any, v: Any, y: Any) -> None:
        """Set the iterates and the products that depend on them."""
        ops = self.ops
        self.x, self.v, self.y = x, v, y
        self.bal, self.cou = ops.balance(x), ops.coupled(x)
        self.red = ops.reduced_cost(v, y)

    def _anchor(self) -> None:
        """Make the iterates the restart point."""
        copy = self.ops.copy
        self.anchor = (copy(self.x), copy(self.v), copy(self.y))
        self.kkt_restart = _kkt(self.ops, self.x, self.v, self.y, self.omega)

    def step(self, k: int) -> None:
        """Iteration ``k``: a step with a size that satisfies the PDHG condition."""
        ops, omega, eta = self.ops, self.omega, self.eta
        x, v, y, bal, cou = self.x, self.v, self.y, self.bal, self.cou
        while True:
            x_new = ops.clip(x - (eta / omega) * ops.t_diag * self.red)
            bal_new, cou_new = ops.balance(x_new), ops.coupled(x_new)
            v_new = ops.plus(v + (eta * omega) * ops.s_v * (ops.demand - 2 * bal_new + bal))
            y_new = (
                ops.plus(y + (eta * omega) * ops.s_y * (2 * cou_new - cou - ops.bound))
                if self.m
                else y
            )
            dx, dv, dy = x_new - x, v_new - v, y_new - y
            cross_v, cross_y, norm_x, norm_v, norm_y = ops.scalars(
                dv @ (bal_new - bal),
                dy @ (cou_new - cou),
                dx @ (dx * ops.col),
                dv @ (dv * ops.row_v),
                dy @ (dy * ops.row_y),
            )
            inter = abs(cross_v - cross_y)
            norm = omega * norm_x + (norm_v + norm_y) / omega
            limit = norm / (2.0 * inter) if inter > 0 else math.inf
            grown = min((1 - (k + 1) ** -0.3) * limit, (1 + (k + 1) ** -0.6) * eta)
            accepted = eta <= limit
            eta = grown
            if accepted:
                break
        self.eta = eta
        self.x, self.v, self.y, self.bal, self.cou = x_new, v_new, y_new, bal_new, cou_new
        self.red = ops.reduced_cost(v_new, y_new)
        self.sums[0] += x_new
        self.sums[1] += v_new
        self.sums[2] += y_new
        self.count += 1
        self.since += 1

    def restart_candidate(self, k: int) -> _Triple | None:
        """The better of the average and the current iterate, if it is time to restart there.

        A restart when the KKT error fell enough since the last restart
        (sufficient), or fell some and has started to rise (necessary), or
        after a long run without one (artificial), as in PDLP.
        """
        ops, count = self.ops, self.count
        avg = (self.sums[0] / count, self.sums[1] / count, self.sums[2] / count)
        kkt_avg = _kkt(ops, *avg, self.omega)
        kkt_cur = _kkt(ops, self.x, self.v, self.y, self.omega)
        cand, kkt_c = (avg, kkt_avg) if kkt_avg <= kkt_cur else ((self.x, self.v, self.y), kkt_cur)
        restart = (
            kkt_c <= BETA_SUFFICIENT * self.kkt_restart
            or (kkt_c <= BETA_NECESSARY * self.kkt_restart and kkt_c > self.last_candidate)
            or self.since >= BETA_ARTIFICIAL * k
        )
        self.last_candidate = kkt_c
        return cand if restart else None

    def restart(self, cand: _Triple, k: int) -> tuple[Iterate, np.ndarray]:
        """Restart from ``cand``: new primal weight, anchor and sums.

        Returns the restart point on the host and the targets of limits and
        hours it was computed with.
        """
        ops = self.ops
        self._move(*(ops.copy(a) for a in cand))
        x0, v0, y0 = self.anchor
        moved_x, moved_v, moved_y = ops.scalars(
            *(d @ d for d in (self.x - x0, self.v - v0, self.y - y0))
        )
        step_x = math.sqrt(moved_x)
        step_y = math.hypot(math.sqrt(moved_v), math.sqrt(moved_y))
        if step_x > 1e-12 and step_y > 1e-12:
            self.omega = math.exp(0.5 * math.log(step_y / step_x) + 0.5 * math.log(self.omega))
        self._anchor()
        self.last_candidate = math.inf
        for arr in self.sums:
            arr[:] = 0.0
        self.count = self.since = 0
        self.restarts += 1
        held = ops.host(ops.bound)
        x, v, y = ops.host(self.x), ops.host(self.v), ops.host(self.y)
        return Iterate(x, v, y, k, self.restarts, self.kkt_restart, held), held

    def resume(self, point: Iterate, sent: np.ndarray, sent_bound: np.ndarray) -> None:
        """Take up what the caller changed in ``point``: the targets of limits and hours
        (``point.bound``) or the point itself (when its ``y`` differs from ``sent``)."""
        ops = self.ops
        moved = point.bound
        if moved is not None and not np.array_equal(moved, sent_bound):
            ops.bound = ops.put(moved)
            self.kkt_restart = _kkt(ops, self.x, self.v, self.y, self.omega)
        if not np.array_equal(point.y, sent):
            self._move(ops.put(point.x), ops.put(point.v), ops.put(point.y))
            self._anchor()


class _Ops:
    """The engine's vectors and vector operations on numpy.

    The products use one matrix ``E - B`` (own output less inputs) and its
    transpose, split over the CPU's threads.

    :class:`_DeviceOps` holds the same on a GPU. ``scalars`` turns reductions
    into floats (on a GPU, with one transfer for all of them).
    """

    def __init__(self, lp: StructuredLP) -> None:
        lay = lp.lay
        self.xp: Any = np
        col = lp.own + np.asarray(abs(lay.inputs).sum(axis=0)).ravel()
        row = (
            np.bincount(lay.good_of, weights=lp.own, minlength=lay.n)
            + np.asarray(abs(lay.inputs).sum(axis=1)).ravel()
        )
        if lp.m:
            col += np.asarray(abs(lp.coupling).sum(axis=0)).ravel()
            row_y = np.asarray(abs(lp.coupling).sum(axis=1)).ravel()
        else:
            row_y = np.zeros(0)
        free = ~np.isfinite(lay.cap)
        fixed = np.flatnonzero(~free)
        put = self.put
        self.col: Any = put(col)
        self.row_v: Any = put(np.maximum(row, 1e-12))
        self.row_y: Any = put(row_y)
        self.t_diag: Any = put(1.0 / col)
        self.s_v: Any = put(1.0 / np.maximum(row, 1e-12))
        self.s_y: Any = put(1.0 / np.maximum(row_y, 1e-12))
        self.cap: Any = put(lay.cap)
        self.free: Any = put(free)
        self.fixed: Any = put(fixed)
        self.cap_fixed: Any = put(lay.cap[fixed])
        self.cost: Any = put(lp.cost)
        self.demand: Any = put(lp.demand)
        self.bound: Any = put(lp.bound)
        net = _net_matrix(lp)
        self._net, self._net_t = self._matrices(net, net.T.tocsr())
        self._empty = self.put(np.zeros(0))
        self._m = lp.m
        if lp.m:
            self._coupling, self._coupling_t = self._matrices(lp.coupling, lp.coupling_t)

    def _matrices(self, *ms: sp.csr_matrix) -> tuple[Any, ...]:
        """The matrices ready for products with the engine's vectors (threaded on the CPU)."""
        return tuple(SplitMatrix(m) for m in ms)

    def balance(self, x: Any) -> Any:
        """Net output per good (``(E - B) x``)."""
        return self._net @ x

    def coupled(self, x: Any) -> Any:
        """Use of each limit and hour budget (``G x``)."""
        return self._coupling @ x if self._m else self._empty

    def reduced_cost(self, v: Any, y: Any) -> Any:
        """``c - (E - B)^T v + G^T y``."""
        r = self.cost - self._net_t @ v
        return r + self._coupling_t @ y if self._m else r

    def put(self, a: np.ndarray) -> Any:
        """A copy of the host array ``a`` on the device."""
        return a.copy()

    def host(self, a: Any) -> np.ndarray:
        """A copy of ``a`` on the host."""
        return a.copy()

    def copy(self, a: Any) -> Any:
        return a.copy()

    def plus(self, a: Any) -> Any:
        return np.maximum(a, 0.0)

    def minus(self, a: Any) -> Any:
        return np.minimum(a, 0.0)

    def clip(self, a: Any) -> Any:
        return np.clip(a, 0.0, self.cap)

    def scalars(self, *terms: Any) -> list[float]:
        return [float(t) for t in terms]


class _DeviceOps(_Ops):
    """The engine's vectors on a GPU (cupy or torch, see :mod:`.sweeps`).

    Net outputs and reduced costs are one sparse product each with
    ``A = E - B`` (``E``: every process's own coefficient in its good's row)
    and its transpose, both moved to the device.
    """

    def __init__(self, lp: StructuredLP, backend: str) -> None:
        self._be = array_backend(backend)
        self._torch = backend == "torch"
        super().__init__(lp)
        self.xp = self._be.xp

    def _matrices(self, *ms: sp.csr_matrix) -> tuple[Any, ...]:
        return tuple(self._be.sparse(m.tocsr()) for m in ms)

    def put(self, a: np.ndarray) -> Any:
        return self._be.put(np.ascontiguousarray(a))

    def host(self, a: Any) -> np.ndarray:
        return self._be.host(a)

    def copy(self, a: Any) -> Any:
        return a.clone() if self._torch else a.copy()

    def plus(self, a: Any) -> Any:
        return a.clamp(min=0.0) if self._torch else self.xp.maximum(a, 0.0)

    def minus(self, a: Any) -> Any:
        return a.clamp(max=0.0) if self._torch else self.xp.minimum(a, 0.0)

    def clip(self, a: Any) -> Any:
        return self.xp.minimum(self.plus(a), self.cap)

    def scalars(self, *terms: Any) -> list[float]:
        return self._be.host(self.xp.stack(terms)).tolist()


def _net_matrix(lp: StructuredLP) -> sp.csr_matrix:
    """``E - B``: every process's own coefficient in its good's row less its inputs."""
    lay = lp.lay
    own = sp.csr_matrix((lp.own, (lay.good_of, np.arange(lay.n_proc))), shape=(lay.n, lay.n_proc))
    net = (own - lay.inputs).tocsr()
    net.sort_indices()
    return net


def _initial_weight(lp: StructuredLP, x: np.ndarray, v: np.ndarray, y: np.ndarray) -> float:
    """Primal weight: size of the dual over size of the primal (of the start if it has one)."""
    px, pd = (
        float(np.linalg.norm(x)),
        math.hypot(float(np.linalg.norm(v)), float(np.linalg.norm(y))),
    )
    if px > 0 and pd > 0:
        return pd / px
    c = float(np.linalg.norm(lp.cost[np.isfinite(lp.cost)]))
    d = float(np.linalg.norm(lp.demand))
    return c / d if c > 0 and d > 0 else 1.0


def _kkt(ops: _Ops, x, v, y, omega: float) -> float:
    """Weighted KKT error: primal and dual infeasibility and the duality gap."""
    primal = ops.plus(ops.demand - ops.balance(x))
    over = ops.plus(ops.coupled(x) - ops.bound)
    r = ops.reduced_cost(v, y)
    dual = ops.xp.where(ops.free, ops.minus(r), 0.0)
    p2, o2, d2, dv, hy, rents, cx = ops.scalars(
        primal @ primal,
        over @ over,
        dual @ dual,
        ops.demand @ v,
        ops.bound @ y,
        ops.minus(r[ops.fixed]) @ ops.cap_fixed,
        ops.cost @ x,
    )
    gap = cx - (dv - hy + rents)
    return math.sqrt(omega**2 * (p2 + o2) + d2 / omega**2 + gap * gap)


def rescaled(
    lp: StructuredLP, gross: np.ndarray, floor: float = 1e-3, ruiz: int = 10
) -> tuple[StructuredLP, np.ndarray, np.ndarray, np.ndarray]:
    """The same LP, well scaled for PDHG.

    First every good is measured in units of its gross output ``gross``
    (process ``p`` of good ``g`` gets activity ``x_p / gross_g`` and row ``g``
    is divided by ``gross_g``), so the input coefficients become shares of
    the supplying good's output and every variable is of order one. Then
    ``ruiz`` rounds of Ruiz equilibration (rows and columns divided by the
    square root of their largest entry), as in PDLP.

    Returns the scaled LP and the factors ``s`` (per process), ``r`` (per
    good) and ``r_y`` (per coupling row): ``x = s * x_hat``, ``v = r * v_hat``,
    ``y = r_y * y_hat``.
    """
    lay = lp.lay
    z = np.maximum(np.asarray(gross, dtype=float), floor * max(float(np.mean(gross)), 1e-12))
    s = z[lay.good_of].copy()
    r = 1.0 / z
    r_y = np.ones(lp.m)
    base_in = lay.inputs.tocsc()
    base_g = lp.coupling.tocsr()
    abs_in = abs(base_in)
    abs_g = abs(base_g)
    for _ in range(ruiz):
        inputs = sp.diags(r) @ abs_in @ sp.diags(s)
        own = r[lay.good_of] * s
        row_max = np.maximum(np.asarray(inputs.max(axis=1).todense()).ravel(), 0.0)
        np.maximum.at(row_max, lay.good_of, own)
        col_max = np.maximum(np.asarray(inputs.max(axis=0).todense()).ravel(), own)
        if lp.m:
            coupling = sp.diags(r_y) @ abs_g @ sp.diags(s)
            col_max = np.maximum(col_max, np.asarray(coupling.max(axis=0).todense()).ravel())
            y_max = np.asarray(coupling.max(axis=1).todense()).ravel()
            r_y = r_y / np.sqrt(np.where(y_max > 0, y_max, 1.0))
        r = r / np.sqrt(np.where(row_max > 0, row_max, 1.0))
        s = s / np.sqrt(np.where(col_max > 0, col_max, 1.0))
    inputs = (sp.diags(r) @ base_in @ sp.diags(s)).tocsc()
    scaled_lay = replace(lay, inputs=inputs, inputs_t=inputs.T.tocsr(), cap=lay.cap / s)
    coupling = (sp.diags(r_y) @ base_g @ sp.diags(s)).tocsr() if lp.m else lp.coupling
    scaled = StructuredLP(
        scaled_lay, lp.cost * s, lp.demand * r, coupling, lp.bound * r_y, own=r[lay.good_of] * s
    )
    return scaled, s, r, r_y
