"""The PDHG engine on numpy (against a direct implementation) and on a GPU (against numpy)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from soviets.economy.generate import generate_economy
from soviets.errors import ModelError
from soviets.planning import constrained_oracle as oracle
from soviets.planning import constrained_pdhg as pdhg
from soviets.planning.constrained_pdhg import (
    BETA_ARTIFICIAL,
    BETA_NECESSARY,
    BETA_SUFFICIENT,
    CHECK_EVERY,
    STEP,
    Iterate,
    StructuredLP,
    rescaled,
    run,
)
from soviets.planning.sweeps import unavailable

ITERATIONS = 400
GPU_ITERATIONS = 40
GPU_RTOL = 1e-8


def _instance(limits: bool = True, goods: int = 80, seed: int = 3):
    """A rescaled plan LP with capacities (and an emission cap) and its merit-order start."""
    eco = generate_economy(goods=goods, techs=3, inputs=4, capacity_share=0.3, primary=1, seed=seed)
    demand = eco.demand[~eco.good_primary]
    lay = oracle.layout(eco, short_cap=demand)
    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    if not limits:
        limited = limited[:0]
    bound = eco.good_limit[limited]
    coupling = (sp.diags(1.0 / bound) @ oracle.primary_use(lay, limited)).tocsr()
    cost = lay.labour.copy()
    cost[lay.short_start :] = 1e3 * cost.max()
    lp = StructuredLP(lay, cost, demand, coupling, np.ones(limited.size))
    merit = oracle.merit_plan(lay, cost, demand, rounds=2)
    scaled, s, r, _ = rescaled(lp, merit.gross)
    values = np.where(np.isfinite(merit.values), merit.values, 0.0)
    return scaled, Iterate(np.minimum(merit.x, lay.cap) / s, values / r, np.zeros(lp.m))


def _reference(lp: StructuredLP, start: Iterate, max_iterations: int, move=None):
    """The restarted PDHG written out directly on numpy: its restart points."""
    lay, cap = lp.lay, lp.lay.cap
    free = ~np.isfinite(cap)
    col = lp.own + np.asarray(abs(lay.inputs).sum(axis=0)).ravel()
    row = np.bincount(lay.good_of, weights=lp.own, minlength=lay.n)
    row = row + np.asarray(abs(lay.inputs).sum(axis=1)).ravel()
    if lp.m:
        col += np.asarray(abs(lp.coupling).sum(axis=0)).ravel()
    row_y = np.asarray(abs(lp.coupling).sum(axis=1)).ravel() if lp.m else np.zeros(0)
    t, s_v, s_y = 1.0 / col, 1.0 / np.maximum(row, 1e-12), 1.0 / np.maximum(row_y, 1e-12)
    own = sp.csr_matrix((lp.own, (lay.good_of, np.arange(lay.n_proc))), shape=lay.inputs.shape)
    net = (own - lay.inputs).tocsr()
    net.sort_indices()
    net_t = net.T.tocsr()

    def balance(x):
        return net @ x

    def coupled(x):
        return lp.coupling @ x if lp.m else np.zeros(0)

    def reduced_cost(v, y):
        r = lp.cost - net_t @ v
        return r + lp.coupling_t @ y if lp.m else r

    def kkt(x, v, y, omega):
        primal = np.maximum(lp.demand - balance(x), 0.0)
        p2 = float(primal @ primal)
        if lp.m:
            over = np.maximum(coupled(x) - lp.bound, 0.0)
            p2 += float(over @ over)
        r = reduced_cost(v, y)
        dual = np.where(free, np.minimum(r, 0.0), 0.0)
        d_obj = float(lp.demand @ v - lp.bound @ y + np.minimum(r[~free], 0.0) @ cap[~free])
        gap = float(lp.cost @ x) - d_obj
        return math.sqrt(omega**2 * p2 + float(dual @ dual) / omega**2 + gap * gap)

    x, v, y = start.x.copy(), start.v.copy(), start.y.copy()
    omega = math.hypot(np.linalg.norm(v), np.linalg.norm(y)) / np.linalg.norm(x)
    eta, points = STEP, []
    bal, cou, red = balance(x), coupled(x), reduced_cost(v, y)
    kkt_restart, last = kkt(x, v, y, omega), math.inf
    anchor = (x, v, y)
    sums, count, since = [0 * x, 0 * v, 0 * y], 0, 0
    for k in range(1, max_iterations + 1):
        while True:
            x_new = np.clip(x - (eta / omega) * t * red, 0.0, cap)
            bal_new, cou_new = balance(x_new), coupled(x_new)
            v_new = np.maximum(v + (eta * omega) * s_v * (lp.demand - 2 * bal_new + bal), 0.0)
            y_new = np.maximum(y + (eta * omega) * s_y * (2 * cou_new - cou - lp.bound), 0.0)
            dx, dv, dy = x_new - x, v_new - v, y_new - y
            inter = abs(float(dv @ (bal_new - bal)) - float(dy @ (cou_new - cou)))
            norm = (
                omega * float(dx @ (dx * col))
                + (float(dv @ (dv * np.maximum(row, 1e-12))) + float(dy @ (dy * row_y))) / omega
            )
            limit = norm / (2.0 * inter) if inter > 0 else math.inf
            grown = min((1 - (k + 1) ** -0.3) * limit, (1 + (k + 1) ** -0.6) * eta)
            accepted, eta = eta <= limit, grown
            if accepted:
                break
        x, v, y, bal, cou = x_new, v_new, y_new, bal_new, cou_new
        red = reduced_cost(v, y)
        sums = [sums[0] + x, sums[1] + v, sums[2] + y]
        count, since = count + 1, since + 1
        if k % CHECK_EVERY and k != max_iterations:
            continue
        avg = tuple(a / count for a in sums)
        k_avg, k_cur = kkt(*avg, omega), kkt(x, v, y, omega)
        cand, k_c = (avg, k_avg) if k_avg <= k_cur else ((x, v, y), k_cur)
        restart = (
            k_c <= BETA_SUFFICIENT * kkt_restart
            or (BETA_NECESSARY * kkt_restart >= k_c > last)
            or since >= BETA_ARTIFICIAL * k
        )
        last = k_c
        if not restart:
            continue
        x, v, y = cand
        bal, cou, red = balance(x), coupled(x), reduced_cost(v, y)
        step_x = float(np.linalg.norm(x - anchor[0]))
        step_y = math.hypot(np.linalg.norm(v - anchor[1]), np.linalg.norm(y - anchor[2]))
        if step_x > 1e-12 and step_y > 1e-12:
            omega = math.exp(0.5 * math.log(step_y / step_x) + 0.5 * math.log(omega))
        anchor, kkt_restart, last = (x, v, y), kkt(x, v, y, omega), math.inf
        sums, count, since = [0 * x, 0 * v, 0 * y], 0, 0
        points.append(Iterate(x.copy(), v.copy(), y.copy(), k, len(points) + 1, kkt_restart))
        if move is not None and len(points) == 1:
            y = move(y)
            bal, cou, red = balance(x), coupled(x), reduced_cost(v, y)
            anchor, kkt_restart = (x, v, y), kkt(x, v, y, omega)
    return points


def _same(a: list[Iterate], b: list[Iterate]) -> None:
    assert [(p.iteration, p.restarts, p.kkt) for p in a] == [
        (p.iteration, p.restarts, p.kkt) for p in b
    ]
    for p, q in zip(a, b, strict=True):
        for u, w in ((p.x, q.x), (p.v, q.v), (p.y, q.y)):
            assert isinstance(u, np.ndarray) and np.array_equal(u, w)


def _close(a: list[Iterate], b: list[Iterate]) -> None:
    assert [(p.iteration, p.restarts) for p in a] == [(p.iteration, p.restarts) for p in b]
    for p, q in zip(a, b, strict=True):
        assert p.kkt == pytest.approx(q.kkt, rel=GPU_RTOL)
        for u, w in ((p.x, q.x), (p.v, q.v), (p.y, q.y)):
            assert isinstance(u, np.ndarray) and u.shape == w.shape
            assert np.linalg.norm(u - w) <= GPU_RTOL * max(np.linalg.norm(w), 1e-300)


@pytest.mark.parametrize("limits", [True, False])
def test_numpy_iterates_equal_the_direct_implementation(limits):
    lp, start = _instance(limits)
    assert (lp.m > 0) == limits
    points = list(run(lp, start, ITERATIONS))
    assert len(points) >= 3
    _same(points, _reference(lp, start, ITERATIONS))


def test_numpy_takes_the_point_the_caller_moved():
    lp, start = _instance()

    def move(y: np.ndarray) -> np.ndarray:
        return y * 1.5 + 0.01

    points = []
    for point in run(lp, start, ITERATIONS):
        points.append(point)
        if len(points) == 1:
            point.y = move(point.y)
    expected = _reference(lp, start, ITERATIONS, move)
    expected[0].y = move(expected[0].y)
    _same(points, expected)


def test_stop_ends_the_run_at_a_check():
    lp, start = _instance()
    calls = []
    points = list(run(lp, start, ITERATIONS, stop=lambda: calls.append(1) or len(calls) > 2))
    assert len(calls) == 3 and all(p.iteration <= 2 * CHECK_EVERY for p in points)


def test_unknown_backend_is_refused():
    lp, start = _instance()
    with pytest.raises(ModelError, match="unknown backend"):
        next(run(lp, start, 10, backend="fortran"))


@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_missing_backend_names_the_package(backend):
    why = unavailable(backend)
    if why is None or "installed" not in why:
        pytest.skip(f"{backend} is installed")
    lp, start = _instance()
    with pytest.raises(ModelError, match=backend):
        next(run(lp, start, 10, backend=backend))


def _gpu(backend: str) -> None:
    why = unavailable(backend)
    if why is not None:
        pytest.skip(why)


# The restarted PDHG amplifies rounding: a start perturbed by 1e-15 moves numpy's own
# iterates by about 1e-10 after 64 iterations and 1e-3 after 128 (adaptive steps), so a
# GPU's different order of summation can only be compared over a few dozen iterations.
# Restart checks every 8 iterations exercise the restart bookkeeping in that window.
@pytest.mark.parametrize("limits", [True, False])
@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_gpu_iterates_equal_numpy(backend, limits, monkeypatch):
    _gpu(backend)
    monkeypatch.setattr(pdhg, "CHECK_EVERY", 8)
    lp, start = _instance(limits)
    gpu = list(run(lp, start, GPU_ITERATIONS, backend=backend))
    assert len(gpu) >= 3
    _close(gpu, list(run(lp, start, GPU_ITERATIONS)))


@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_gpu_takes_the_point_the_caller_moved(backend, monkeypatch):
    _gpu(backend)
    monkeypatch.setattr(pdhg, "CHECK_EVERY", 8)
    lp, start = _instance()
    runs = []
    for name in (backend, "numpy"):
        points = []
        for point in run(lp, start, GPU_ITERATIONS, backend=name):
            points.append(point)
            if len(points) == 1:
                point.y = point.y * 1.5 + 0.01
        runs.append(points)
    _close(*runs)
