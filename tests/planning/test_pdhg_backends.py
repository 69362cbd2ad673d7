"""The PDHG engine and the solver on it, on numpy and on a GPU, against HiGHS.

Behaviour, not a copy of the method: the engine's restart points approach the
optimum HiGHS finds for the same linear programme, the point a caller moves is
the point the run goes on from, and every backend's plan is certified around
HiGHS's plan. A GPU backend's iterates also follow numpy's for a few dozen
iterations (rounding grows over longer runs).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

from soviets.economy import Economy
from soviets.economy.generate import generate_economy
from soviets.errors import ModelError
from soviets.planning import central, constrained
from soviets.planning import constrained_oracle as oracle
from soviets.planning import constrained_pdhg as pdhg
from soviets.planning.constrained_pdhg import CHECK_EVERY, Iterate, StructuredLP, rescaled, run
from soviets.planning.sweeps import unavailable

# Both instances reach HiGHS's optimum to 1e-6 by 2,200 to 2,900 iterations: where the
# restart points fall depends on the machine's floating-point sums.
ITERATIONS = 3000
GPU_ITERATIONS = 40
GPU_RTOL = 1e-8
BACKENDS = ["numpy", "cupy", "torch"]


def _economy(goods: int = 80, seed: int = 3) -> Economy:
    return generate_economy(
        goods=goods, techs=3, inputs=4, capacity_share=0.3, primary=1, seed=seed
    )


def _instance(limits: bool = True) -> tuple[StructuredLP, Iterate]:
    """A rescaled plan LP with capacities (and an emission cap) and its merit-order start."""
    eco = _economy()
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


def _highs(lp: StructuredLP) -> float:
    """The optimum of ``lp`` by HiGHS (balance rows as ``-net x <= -d``)."""
    lay = lp.lay
    own = sp.csr_matrix((lp.own, (lay.good_of, np.arange(lay.n_proc))), shape=lay.inputs.shape)
    rows = [-(own - lay.inputs)]
    rhs = [-lp.demand]
    if lp.m:
        rows.append(lp.coupling)
        rhs.append(lp.bound)
    cap = [(0.0, c if np.isfinite(c) else None) for c in lay.cap]
    res = linprog(
        lp.cost, A_ub=sp.vstack(rows).tocsr(), b_ub=np.concatenate(rhs), bounds=cap, method="highs"
    )
    assert res.status == 0, res.message
    return float(res.fun)


def _distance(lp: StructuredLP, point: Iterate, optimum: float) -> float:
    """How far a restart point is from the optimum: relative objective error plus the
    infeasibility of its needs and limits (in the scaled units)."""
    short = np.maximum(lp.demand - lp.balance(point.x), 0.0)
    over = np.maximum(lp.coupled(point.x) - lp.bound, 0.0)
    error = abs(float(lp.cost @ point.x) - optimum) / abs(optimum)
    return error + float(np.linalg.norm(short)) + float(np.linalg.norm(over))


@pytest.mark.parametrize("limits", [True, False])
def test_numpy_restart_points_approach_the_highs_optimum(limits: bool) -> None:
    lp, start = _instance(limits)
    assert (lp.m > 0) == limits
    optimum = _highs(lp)
    points = list(run(lp, start, ITERATIONS))
    assert len(points) >= 3
    assert [p.restarts for p in points] == list(range(1, len(points) + 1))
    assert all(np.all(p.x >= 0) and np.all(p.v >= 0) and np.all(p.y >= 0) for p in points)
    assert np.all(points[-1].x <= lp.lay.cap * (1 + 1e-12))  # averages of clipped steps
    assert points[-1].kkt < 1e-4 * points[0].kkt
    assert _distance(lp, points[-1], optimum) < 1e-6


def test_numpy_takes_the_point_the_caller_moved() -> None:
    lp, start = _instance()
    plain = list(run(lp, start, ITERATIONS))
    moved: list[Iterate] = []
    for point in run(lp, start, ITERATIONS):
        moved.append(point)
        if len(moved) == 1:
            point.y = point.y * 1.5 + 0.01
    assert moved[0].iteration == plain[0].iteration
    assert len(moved) >= 2
    # the run went on from the moved prices: later points differ from the unmoved run's
    assert not np.allclose(moved[1].y, plain[1].y)
    assert _distance(lp, moved[-1], _highs(lp)) < 1e-6  # and still reached the optimum


def test_stop_ends_the_run_at_a_check() -> None:
    lp, start = _instance()
    calls: list[int] = []
    points = list(run(lp, start, ITERATIONS, stop=lambda: calls.append(1) or len(calls) > 2))
    assert len(calls) == 3 and all(p.iteration <= 2 * CHECK_EVERY for p in points)


def test_unknown_backend_is_refused() -> None:
    lp, start = _instance()
    with pytest.raises(ModelError, match="unknown backend"):
        next(run(lp, start, 10, backend="fortran"))


@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_missing_backend_names_the_package(backend: str) -> None:
    why = unavailable(backend)
    if why is None or "installed" not in why:
        pytest.skip(f"{backend} is installed")
    lp, start = _instance()
    with pytest.raises(ModelError, match=backend):
        next(run(lp, start, 10, backend=backend))


def _runs_here(backend: str) -> None:
    why = unavailable(backend)
    if why is not None:
        pytest.skip(why)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_plans_around_highs(backend: str) -> None:
    """The solver's certificate on each backend brackets HiGHS's least hours."""
    _runs_here(backend)
    eco = _economy(goods=120, seed=5)
    reference = central.solve(eco, "min-labour")
    plan = constrained.solve(eco, "min-labour", gap=1e-6, backend=backend)
    assert plan.status == "optimal", plan.extra
    cert = plan.certificate
    slack = 1e-9 * max(1.0, reference.objective_hours)
    assert cert.gap <= 1e-6
    assert cert.dual <= reference.objective_hours + slack <= cert.primal + 2 * slack
    assert plan.objective_hours == pytest.approx(reference.objective_hours, rel=2e-6)


def _close(a: list[Iterate], b: list[Iterate]) -> None:
    assert [(p.iteration, p.restarts) for p in a] == [(p.iteration, p.restarts) for p in b]
    for p, q in zip(a, b, strict=True):
        assert p.kkt == pytest.approx(q.kkt, rel=GPU_RTOL)
        for u, w in ((p.x, q.x), (p.v, q.v), (p.y, q.y)):
            assert isinstance(u, np.ndarray) and u.shape == w.shape
            assert np.linalg.norm(u - w) <= GPU_RTOL * max(np.linalg.norm(w), 1e-300)


# The restarted PDHG amplifies rounding: a start perturbed by 1e-15 moves numpy's own
# iterates by about 1e-10 after 64 iterations and 1e-3 after 128 (adaptive steps), so a
# GPU's different order of summation can only be compared over a few dozen iterations.
# Restart checks every 8 iterations exercise the restart bookkeeping in that window.
@pytest.mark.parametrize("limits", [True, False])
@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_gpu_iterates_follow_numpy(backend: str, limits: bool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _runs_here(backend)
    monkeypatch.setattr(pdhg, "CHECK_EVERY", 8)
    lp, start = _instance(limits)
    gpu = list(run(lp, start, GPU_ITERATIONS, backend=backend))
    assert len(gpu) >= 3
    _close(gpu, list(run(lp, start, GPU_ITERATIONS)))


@pytest.mark.parametrize("backend", ["cupy", "torch"])
def test_gpu_takes_the_point_the_caller_moved(backend: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _runs_here(backend)
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
