"""Threaded sparse products equal scipy's own."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from soviets.planning.parallel import MAX_THREADS, SplitMatrix, available_threads


def _matrix(fmt: str, rows: int = 400, cols: int = 300, seed: int = 0) -> sp.spmatrix:
    rng = np.random.default_rng(seed)
    m = sp.random(rows, cols, density=0.05, format="csr", random_state=rng)
    m = m.tolil()
    m[rows // 3 : rows // 2, :] = 0  # a band of empty rows
    m[:, cols // 4 : cols // 3] = 0  # and of empty columns
    m[-1, :] = 0
    return m.asformat(fmt)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_products_equal_scipy(fmt: str, threads: int):
    a = _matrix(fmt)
    m = SplitMatrix(a, threads=threads, min_nnz=1)
    assert m.shape == a.shape and m.nnz == a.nnz and m.threads == threads
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=a.shape[1]), rng.normal(size=a.shape[0])
    np.testing.assert_allclose(m @ x, a @ x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.T @ y, a.T @ y, rtol=0, atol=1e-12)
    xs = rng.normal(size=(a.shape[1], 3))
    np.testing.assert_allclose(m @ xs, a @ xs, rtol=0, atol=1e-12)
    assert m.T.shape == a.shape[::-1] and m.T.T is m and m.T is m.T


def test_integer_and_boolean_vectors_follow_scipy_types():
    a = _matrix("csr")
    m = SplitMatrix(a, threads=2, min_nnz=1)
    flags = np.arange(a.shape[1]) % 3 == 0
    np.testing.assert_allclose(m @ flags.astype(float), a @ flags.astype(float), atol=1e-12)
    ints = np.arange(a.shape[1])
    out = m @ ints
    assert out.dtype == (a @ ints).dtype
    np.testing.assert_allclose(out, a @ ints, rtol=1e-12)


def test_small_matrices_stay_on_one_thread():
    a = _matrix("csr")
    assert SplitMatrix(a, threads=2).threads == 1
    assert SplitMatrix(a, threads=4, min_nnz=a.nnz // 2).threads == 2
    assert 1 <= SplitMatrix(a, min_nnz=1).threads <= min(MAX_THREADS, available_threads())


def test_thread_count_can_be_set_in_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOVIETS_THREADS", "1")
    assert available_threads() == 1
    assert SplitMatrix(_matrix("csr"), min_nnz=1).threads == 1
    monkeypatch.setenv("SOVIETS_THREADS", "64")
    assert available_threads() == MAX_THREADS


def test_empty_and_degenerate_shapes():
    for shape in [(0, 5), (5, 0), (1, 1), (6, 6)]:
        a = sp.csr_matrix(shape)
        m = SplitMatrix(a, threads=2, min_nnz=1)
        assert (m @ np.ones(shape[1])).shape == (shape[0],)
        assert (m.T @ np.ones(shape[0])).shape == (shape[1],)
        assert not (m @ np.ones(shape[1])).any()


def test_more_threads_than_rows():
    a = sp.csr_matrix(np.array([[1.0, 2.0], [0.0, 3.0]]))
    m = SplitMatrix(a, threads=8, min_nnz=1)
    assert m.threads <= 2
    np.testing.assert_array_equal(m @ np.array([1.0, 1.0]), [3.0, 3.0])
    np.testing.assert_array_equal(m.T @ np.array([1.0, 1.0]), [1.0, 5.0])


def test_wrong_shape_is_refused():
    m = SplitMatrix(_matrix("csr"), threads=2, min_nnz=1)
    with pytest.raises(ValueError, match="cannot multiply"):
        m @ np.ones(7)
    with pytest.raises(ValueError, match="cannot multiply"):
        m @ np.ones((300, 2, 2))


def test_generated_economy_in_both_directions():
    from soviets.economy.generate import generate_economy

    eco = generate_economy(goods=3000, techs=3, inputs=8, capacity_share=0, primary=0, seed=0)
    a = eco.net_output
    m = SplitMatrix(a, threads=2, min_nnz=1)
    rng = np.random.default_rng(2)
    x, y = rng.random(a.shape[1]), rng.random(a.shape[0])
    np.testing.assert_allclose(m @ x, a @ x, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.T @ y, a.T @ y, rtol=0, atol=1e-12)


def test_docstring_example():
    import doctest

    import soviets.planning.parallel

    result = doctest.testmod(soviets.planning.parallel)
    assert result.attempted > 0 and result.failed == 0
