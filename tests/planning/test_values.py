"""Labour values and multipliers: textbook results, brute force and bad economies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soviets.economy import Council, Economy, Good, Need, Process
from soviets.errors import ModelError
from soviets.planning import compute_values, labour_values, leontief_inverse
from soviets.planning.values import cheapest_technology

from .economies import random_economy

WORK = [Council("w", "workplace"), Council("town", "territorial", members=10)]


def test_miller_blair_coefficients_and_inverse():
    """Miller & Blair (2009), 2nd ed., section 2.3.1, built from Z and x by hand."""
    z = np.array([[150.0, 500.0], [200.0, 100.0]])
    x = np.array([1000.0, 2000.0])
    a = z / x
    np.testing.assert_allclose(a, [[0.15, 0.25], [0.2, 0.05]])
    # one process per sector; its own use is netted into the output
    eco = Economy.from_records(
        goods=[Good("s1"), Good("s2")],
        councils=WORK,
        processes=[
            Process(
                f"p{j + 1}", "w", 1.0, {"s1": -a[0, j], "s2": -a[1, j]} | {f"s{j + 1}": 1 - a[j, j]}
            )
            for j in range(2)
        ],
    )
    inv = leontief_inverse(eco)
    np.testing.assert_allclose(
        inv.round(4), [[1.2541, 0.3300], [0.2640, 1.1221]], rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(inv @ [350.0, 1700.0], x, rtol=1e-12)
    np.testing.assert_allclose((inv @ [600.0, 1500.0]).round(2), [1247.52, 1841.58])
    # one hour per unit of output: values are the column sums of L
    np.testing.assert_allclose(labour_values(eco), inv.sum(axis=0), rtol=1e-13)
    vals = compute_values(eco)
    np.testing.assert_allclose(vals.output_multipliers, inv.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(vals.labour_multipliers, inv.sum(axis=0), rtol=1e-13)


def test_cheapest_process_is_chosen_and_primary_inputs_are_embodied():
    eco = Economy.from_records(
        goods=[Good("coal"), Good("steel"), Good("ore", kind="primary")],
        councils=WORK,
        processes=[
            Process("mine", "w", 2.0, {"coal": 1.0}),
            Process("blast", "w", 1.0, {"steel": 1.0, "coal": -2.0, "ore": -1.0}),  # 5 h
            Process("arc", "w", 4.0, {"steel": 2.0, "coal": -1.0, "ore": -3.0}),  # 3 h / unit
        ],
    )
    vals = compute_values(eco)
    assert vals.labour_values.tolist() == [2.0, 3.0, 0.0]
    assert eco.process_names[vals.technology.choice[1]] == "arc"
    np.testing.assert_allclose(vals.embodied["ore"][:2], [0.0, 1.5])
    assert vals.direct_labour[1] == 4.0  # per unit of activity of the arc furnace
    assert vals.to_dict()["technology"] == {"coal": "mine", "steel": "arc"}


def test_goods_nobody_makes_have_no_value():
    eco = Economy.from_records(
        goods=[Good("antique"), Good("bread")],
        councils=WORK,
        processes=[Process("bake", "w", 1.0, {"bread": 1.0})],
    )
    v = labour_values(eco)
    assert v[1] == 1.0 and v[0] == np.inf
    assert compute_values(eco).to_dict()["labour_values"] == {"antique": None, "bread": 1.0}


def test_unproductive_cycle_is_named():
    eco = Economy.from_records(
        goods=[Good("a"), Good("b"), Good("c")],
        councils=WORK,
        processes=[
            Process("pa", "w", 1.0, {"a": 1.0, "b": -2.0}),
            Process("pb", "w", 1.0, {"b": 1.0, "a": -0.6}),  # 2 x 0.6 = 1.2 >= 1
            Process("pc", "w", 1.0, {"c": 1.0}),
        ],
    )
    with pytest.raises(ModelError, match=r"not productive.*: a, b$"):
        labour_values(eco)


def test_joint_production_is_refused_with_the_process_named():
    eco = Economy.from_records(
        goods=[Good("wool"), Good("mutton")],
        councils=WORK,
        processes=[Process("sheep", "w", 1.0, {"wool": 1.0, "mutton": 2.0})],
    )
    with pytest.raises(ModelError, match="'sheep' makes several goods"):
        labour_values(eco)


def _brute_force_values(eco: Economy) -> np.ndarray:
    """Elementwise minimum of the values of every choice of one process per good."""
    n = eco.n_goods
    out = eco.main_output
    options = [np.flatnonzero(out == g) for g in range(n)]
    best = np.full(n, np.inf)
    net = eco.net_output.toarray()
    for combo in itertools.product(*options):
        cols = list(combo)
        v = np.linalg.solve(net[:, cols].T, eco.labour[cols])
        best = np.minimum(best, v)
    return best


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_goods=st.integers(1, 5))
def test_fixed_point_equals_brute_force_minimum(seed, n_goods):
    """Policy iteration finds the elementwise minimum over all technology choices."""
    eco = random_economy(seed, n_goods=n_goods, alternatives=3, n_primary=0)
    v = labour_values(eco)
    np.testing.assert_allclose(v, _brute_force_values(eco), rtol=1e-10)
    # fixed point: no process is cheaper than the value of what it makes
    cost = eco.labour + eco.inputs.T @ v - eco.outputs.T @ v
    assert cost.min() >= -1e-9 * max(1.0, v.max())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_values_price_the_plan_of_needs(seed):
    """Labour embodied in what is needed (v . d) equals the hours of the plan (no stocks)."""
    from soviets.planning import plan

    eco = random_economy(seed, n_goods=8)
    p = plan(eco, solver="highs")
    v = cheapest_technology(eco).values
    hours = float(np.dot(v, eco.demand))
    assert p.objective_hours == pytest.approx(hours, rel=1e-9, abs=1e-9)


def test_needs_do_not_change_values():
    """Non-substitution: values depend on technology only."""
    base = random_economy(7, n_goods=6)
    other = Economy.from_records(
        goods=base.goods_records(),
        councils=base.councils,
        processes=base.process_records(),
        needs=[Need("region0", "g0", 1000.0)],
    )
    np.testing.assert_array_equal(labour_values(base), labour_values(other))
