"""Least-labour plans by sweeps against the fast path and HiGHS, on numpy and a GPU if present."""

from __future__ import annotations

import numpy as np
import pytest

from soviets.economy.generate import generate_economy
from soviets.errors import ModelError
from soviets.planning import central, fast
from soviets.planning.sweeps import (
    BACKENDS,
    prepare,
    solve_uncapacitated,
    sweep,
    unavailable,
)

from .economies import random_economy

TOL = 1e-9


def _generated(goods: int, seed: int, **kw):
    return generate_economy(
        goods=goods, techs=3, inputs=8, capacity_share=0.0, primary=0, seed=seed, **kw
    )


def _check(eco, res) -> None:
    """Certified, and equal to the fast path and to HiGHS."""
    assert res.gap <= TOL
    assert res.dual <= res.primal * (1 + 1e-12)
    assert res.primal == pytest.approx(float(eco.labour @ res.activity), rel=1e-12)
    ref = fast.solve(eco)
    assert ref is not None
    lp = central.solve(eco)
    assert res.primal == pytest.approx(ref.objective_hours, rel=TOL)
    assert res.primal == pytest.approx(lp.objective_hours, rel=TOL)
    assert res.dual == pytest.approx(lp.objective_hours, rel=TOL)
    assert np.all(res.activity >= 0)
    met = eco.net_output @ res.activity
    prod = ~eco.good_primary
    assert np.all(met[prod] >= eco.demand[prod] * (1 - TOL) - TOL)
    np.testing.assert_allclose(res.values, ref.labour_values, rtol=TOL, atol=TOL)


@pytest.mark.parametrize(("goods", "seed"), [(30, 0), (300, 1), (1000, 2)])
def test_generated_economies_match_fast_path_and_highs(goods, seed):
    eco = _generated(goods, seed)
    res = solve_uncapacitated(eco)
    assert res.backend == "numpy" and res.sweeps > 0 and res.transfer_seconds >= 0
    _check(eco, res)


@pytest.mark.parametrize("seed", range(6))
def test_random_economies_with_primary_inputs(seed):
    eco = random_economy(seed, n_goods=12, n_primary=2)
    _check(eco, solve_uncapacitated(eco))


def test_every_sweep_gives_a_valid_bound():
    """Stopped early, the dual is still a lower bound on the least hours."""
    eco = _generated(500, 3)
    best = central.solve(eco).objective_hours
    prep = prepare(eco)
    for tol in (1e-1, 1e-3, 1e-6):
        res = sweep(prep, tol=tol)
        assert res.dual <= best * (1 + 1e-12)
        assert res.gap > 0 or tol < 1e-3


def test_capacity_zero_leaves_a_process_out():
    eco = _generated(200, 4)
    res = solve_uncapacitated(eco)
    used = np.flatnonzero(res.activity > 0)[:5]
    eco.capacity[used] = 0.0
    res2 = solve_uncapacitated(eco)
    assert np.all(res2.activity[used] == 0)
    assert res2.primal > res.primal
    _check(eco, res2)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"capacity_share": 0.3}, "capacity"),
        ({"stock_share": 0.2}, "stock"),
    ],
)
def test_constrained_economies_are_refused(kw, words):
    base = {"goods": 100, "techs": 3, "inputs": 8, "primary": 0, "seed": 5}
    base.setdefault("capacity_share", 0.0)
    eco = generate_economy(**{**base, **kw})
    with pytest.raises(ModelError, match=words):
        solve_uncapacitated(eco)


def test_limited_primary_input_is_refused():
    eco = generate_economy(goods=100, techs=3, inputs=8, capacity_share=0.0, primary=1, seed=6)
    with pytest.raises(ModelError, match="limit"):
        solve_uncapacitated(eco)


def test_unknown_backend_is_refused():
    with pytest.raises(ModelError, match="unknown backend 'jax'"):
        solve_uncapacitated(_generated(20, 0), backend="jax")


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "numpy"])
def test_missing_gpu_backend_names_what_is_missing(backend):
    why = unavailable(backend)
    if why is None:
        pytest.skip(f"{backend} runs here")
    with pytest.raises(ModelError, match=backend):
        solve_uncapacitated(_generated(20, 0), backend=backend)


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != "numpy"])
def test_gpu_backend_matches_numpy(backend):
    pytest.importorskip(backend)
    why = unavailable(backend)
    if why is not None:
        pytest.skip(why)
    eco = _generated(1000, 7)
    prep = prepare(eco)
    ref = sweep(prep)
    res = sweep(prep, backend=backend)
    assert res.backend == backend
    _check(eco, res)
    assert res.primal == pytest.approx(ref.primal, rel=1e-12)
    np.testing.assert_allclose(res.activity, ref.activity, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.values, ref.values, rtol=1e-12, atol=1e-12)
