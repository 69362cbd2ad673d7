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
lower bound and a repaired feasible plan) and decides when to stop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from soviets.planning.constrained_oracle import Layout

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


def run(
    lp: StructuredLP,
    start: Iterate,
    max_iterations: int,
    stop: Callable[[], bool] | None = None,
) -> Iterator[Iterate]:
    """Iterate PDHG from ``start``; yield every restart point (the caller may stop any time).

    ``stop`` is asked every few iterations; when it answers True the run ends.

    Step sizes: diagonal (Pock & Chambolle) times an adaptive factor ``eta``
    grown and shrunk as in PDLP so that every accepted step satisfies the
    convergence condition.
    """
    lay = lp.lay
    cap = lay.cap
    free = ~np.isfinite(cap)
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
    t_diag = 1.0 / col
    s_v = 1.0 / np.maximum(row, 1e-12)
    s_y = 1.0 / np.maximum(row_y, 1e-12)
    x, v, y = start.x.copy(), start.v.copy(), start.y.copy()
    omega = _initial_weight(lp, x, v, y)
    eta = STEP
    bal, cou = lp.balance(x), lp.coupled(x)
    red = lp.reduced_cost(v, y)
    kkt_restart = _kkt(lp, x, v, y, omega, free)
    last_candidate = math.inf
    anchor = (x.copy(), v.copy(), y.copy())
    sums = [np.zeros_like(x), np.zeros_like(v), np.zeros_like(y)]
    count = since = restarts = 0
    for k in range(1, max_iterations + 1):
        while True:  # find a step size that satisfies the PDHG condition
            x_new = np.clip(x - (eta / omega) * t_diag * red, 0.0, cap)
            bal_new, cou_new = lp.balance(x_new), lp.coupled(x_new)
            v_new = np.maximum(v + (eta * omega) * s_v * (lp.demand - 2 * bal_new + bal), 0.0)
            y_new = (
                np.maximum(y + (eta * omega) * s_y * (2 * cou_new - cou - lp.bound), 0.0)
                if lp.m
                else y
            )
            dx, dv, dy = x_new - x, v_new - v, y_new - y
            inter = abs(
                float(dv @ (bal_new - bal)) - (float(dy @ (cou_new - cou)) if lp.m else 0.0)
            )
            norm = (
                omega * float(dx @ (dx * col))
                + (float(dv @ (dv * np.maximum(row, 1e-12))) + float(dy @ (dy * row_y))) / omega
            )
            limit = norm / (2.0 * inter) if inter > 0 else math.inf
            grown = min((1 - (k + 1) ** -0.3) * limit, (1 + (k + 1) ** -0.6) * eta)
            if eta <= limit:
                eta = grown
                break
            eta = grown
        x, v, y, bal, cou = x_new, v_new, y_new, bal_new, cou_new
        red = lp.reduced_cost(v, y)
        sums[0] += x
        sums[1] += v
        sums[2] += y
        count += 1
        since += 1
        if k % CHECK_EVERY and k != max_iterations:
            continue
        if stop is not None and stop():
            return
        avg = (sums[0] / count, sums[1] / count, sums[2] / count)
        kkt_avg = _kkt(lp, *avg, omega, free)
        kkt_cur = _kkt(lp, x, v, y, omega, free)
        cand, kkt_c = (avg, kkt_avg) if kkt_avg <= kkt_cur else ((x, v, y), kkt_cur)
        restart = (
            kkt_c <= BETA_SUFFICIENT * kkt_restart
            or (kkt_c <= BETA_NECESSARY * kkt_restart and kkt_c > last_candidate)
            or since >= BETA_ARTIFICIAL * k
        )
        last_candidate = kkt_c
        if not restart:
            continue
        x, v, y = (a.copy() for a in cand)
        bal, cou = lp.balance(x), lp.coupled(x)
        red = lp.reduced_cost(v, y)
        step_x = float(np.linalg.norm(x - anchor[0]))
        step_y = math.hypot(
            float(np.linalg.norm(v - anchor[1])), float(np.linalg.norm(y - anchor[2]))
        )
        if step_x > 1e-12 and step_y > 1e-12:
            omega = math.exp(0.5 * math.log(step_y / step_x) + 0.5 * math.log(omega))
        anchor = (x.copy(), v.copy(), y.copy())
        kkt_restart = _kkt(lp, x, v, y, omega, free)
        last_candidate = math.inf
        for arr in sums:
            arr[:] = 0.0
        count = since = 0
        restarts += 1
        point = Iterate(x.copy(), v.copy(), y.copy(), k, restarts, kkt_restart)
        yield point  # the caller may move the point (better prices for limits and hours)
        if point.y is not y and not np.array_equal(point.y, y):
            x, v, y = point.x, point.v, point.y
            bal, cou = lp.balance(x), lp.coupled(x)
            red = lp.reduced_cost(v, y)
            anchor = (x.copy(), v.copy(), y.copy())
            kkt_restart = _kkt(lp, x, v, y, omega, free)


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


def _kkt(lp: StructuredLP, x, v, y, omega: float, free: np.ndarray) -> float:
    """Weighted KKT error: primal and dual infeasibility and the duality gap."""
    primal = np.maximum(lp.demand - lp.balance(x), 0.0)
    p2 = float(primal @ primal)
    if lp.m:
        over = np.maximum(lp.coupled(x) - lp.bound, 0.0)
        p2 += float(over @ over)
    r = lp.reduced_cost(v, y)
    dual = np.where(free, np.minimum(r, 0.0), 0.0)
    d_obj = float(lp.demand @ v - lp.bound @ y + np.minimum(r[~free], 0.0) @ lp.lay.cap[~free])
    gap = float(lp.cost @ x) - d_obj
    return math.sqrt(omega**2 * p2 + float(dual @ dual) / omega**2 + gap * gap)


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
