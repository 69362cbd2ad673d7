"""Sparse matrix products on several threads.

scipy's compiled sparse kernels (``sparsetools``) release the GIL while they
run, so a CSR matrix cut into contiguous blocks of rows can multiply a vector
on several threads at once: each thread writes its own slice of the result.
:class:`SplitMatrix` does this with blocks of about equal numbers of stored
entries and one thread pool shared by the whole process. Small matrices stay
on one thread, where handing work to a thread costs more than it saves.

Example
-------
>>> import numpy as np, scipy.sparse as sp
>>> a = sp.random(50, 40, density=0.2, format="csc", random_state=1)
>>> m = SplitMatrix(a, threads=2, min_nnz=1)
>>> m.shape, m.threads, m.T.shape
((50, 40), 2, (40, 50))
>>> x, y = np.ones(40), np.ones(50)
>>> bool(np.allclose(m @ x, a @ x) and np.allclose(m.T @ y, a.T @ y))
True
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

MAX_THREADS = 8  # gains flatten beyond this (16 cores: x5.4-6.6 on 8 threads, x5.7-8.9 on 15)
MIN_NNZ = 200_000  # stored entries per thread below which threads do not pay (measured)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def available_threads() -> int:
    """CPUs this process may run on, at most :data:`MAX_THREADS`.

    The environment variable ``SOVIETS_THREADS`` overrides the count (``1``:
    no threads, e.g. on a machine shared with other work).
    """
    override = os.environ.get("SOVIETS_THREADS", "").strip()
    if override.isdigit():
        cpus = int(override)
    else:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
    return max(1, min(MAX_THREADS, cpus))


def _executor() -> ThreadPoolExecutor:
    """The thread pool shared by every :class:`SplitMatrix` (started on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(MAX_THREADS - 1, thread_name_prefix="soviets-spmv")
        return _pool


class SplitMatrix:
    """A sparse matrix whose products with dense vectors run on ``threads`` threads.

    ``matrix``: any scipy sparse matrix or array (kept as CSR; a CSC input is
    converted once). ``threads``: default :func:`available_threads`; reduced
    so that every thread gets at least ``min_nnz`` stored entries (so a small
    matrix uses one thread). ``m @ x`` takes a 1-D vector or a 2-D dense
    array and returns what ``matrix @ x`` returns; ``m.T`` is the transposed
    :class:`SplitMatrix`, built on first use.
    """

    def __init__(
        self,
        matrix: sp.spmatrix | sp.sparray,
        threads: int | None = None,
        *,
        min_nnz: int = MIN_NNZ,
    ) -> None:
        self._source = matrix
        self.matrix = sp.csr_matrix(matrix)
        wanted = available_threads() if threads is None else max(1, min(MAX_THREADS, threads))
        self._min_nnz = min_nnz
        parts = max(1, min(wanted, self.matrix.nnz // max(1, min_nnz)))
        self._bounds = _row_blocks(self.matrix.indptr, parts)
        b = self._bounds
        self._blocks = [_rows(self.matrix, b[i], b[i + 1]) for i in range(len(b) - 1)]
        self.threads = len(self._blocks)
        self._requested = threads
        self._transpose: SplitMatrix | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def nnz(self) -> int:
        return self.matrix.nnz

    @property
    def dtype(self) -> np.dtype:
        return self.matrix.dtype

    @property
    def T(self) -> SplitMatrix:
        """The transposed matrix (built once; its ``.T`` is this matrix)."""
        if self._transpose is None:
            src = self._source
            # the transpose of a CSC matrix is already CSR: no conversion
            flipped = src.T if sp.issparse(src) and src.format == "csc" else self.matrix.T
            self._transpose = SplitMatrix(flipped, self._requested, min_nnz=self._min_nnz)
            self._transpose._transpose = self
        return self._transpose

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim not in (1, 2) or x.shape[0] != self.shape[1]:
            raise ValueError(f"cannot multiply a {self.shape} matrix by an array of {x.shape}")
        if len(self._blocks) == 1:
            return self.matrix @ x
        out = np.empty((self.shape[0], *x.shape[1:]), np.result_type(self.dtype, x.dtype))

        def part(i: int) -> None:
            out[self._bounds[i] : self._bounds[i + 1]] = self._blocks[i] @ x

        pool = _executor()
        futures = [pool.submit(part, i) for i in range(1, len(self._blocks))]
        part(0)
        for f in futures:
            f.result()
        return out

    def __repr__(self) -> str:
        return f"SplitMatrix(shape={self.shape}, nnz={self.nnz}, threads={self.threads})"


def _rows(m: sp.csr_matrix, start: int, stop: int) -> sp.csr_matrix:
    """Rows ``start:stop`` of ``m`` sharing its data and indices (no copy)."""
    lo, hi = m.indptr[start], m.indptr[stop]
    return sp.csr_matrix(
        (m.data[lo:hi], m.indices[lo:hi], m.indptr[start : stop + 1] - lo),
        shape=(stop - start, m.shape[1]),
    )


def _row_blocks(indptr: np.ndarray, parts: int) -> list[int]:
    """Row boundaries cutting a CSR matrix into ``parts`` blocks of about equal nnz."""
    rows = len(indptr) - 1
    if parts <= 1 or rows <= 1:
        return [0, rows]
    targets = np.linspace(0, indptr[-1], parts + 1)[1:-1]
    inner = np.searchsorted(indptr, targets, side="left")
    return sorted({0, rows, *(int(r) for r in inner if 0 < r < rows)})
