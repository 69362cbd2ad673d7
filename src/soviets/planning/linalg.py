"""LU factors of ``I - A`` systems, dense for small or dense matrices, sparse otherwise.

Input-output tables are small and dense (56 or 1,435 industries with most
cells filled), where LAPACK is fastest; synthetic economies are large and
sparse, where SuperLU (``scipy.sparse.linalg.splu``) is. :class:`Factor`
picks one and solves with the matrix or its transpose.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
import scipy.sparse.linalg as spla

DENSE_MAX = 2500  # square systems up to this size are factored densely
DENSE_FILL = 0.05  # ... and larger ones with more than this share of nonzeros


class SingularError(ArithmeticError):
    """The matrix has no inverse (to working precision)."""


class Factor:
    """LU factors of a square sparse matrix ``m``.

    >>> f = Factor(sp.csc_matrix([[1.0, -0.5], [0.0, 1.0]]))
    >>> f.solve(np.array([1.0, 2.0]))
    array([2., 2.])
    """

    def __init__(self, m: sp.spmatrix) -> None:
        n = m.shape[0]
        self.n = n
        self._dense: tuple[np.ndarray, np.ndarray] | None = None  # LU and pivots
        self._sparse: Any = None  # scipy's SuperLU (scipy has no type information)
        if n == 0:
            return
        if n <= DENSE_MAX or m.nnz > DENSE_FILL * n * n:
            with warnings.catch_warnings():
                warnings.simplefilter("error", la.LinAlgWarning)
                try:
                    self._dense = la.lu_factor(m.toarray(), check_finite=False)
                except (la.LinAlgWarning, ValueError) as exc:
                    raise SingularError(str(exc)) from exc
            diag = np.abs(np.diag(self._dense[0]))
            if not np.all(np.isfinite(diag)) or diag.min() <= 1e-14 * max(1.0, diag.max()):
                raise SingularError("matrix is singular to working precision")
        else:
            try:
                self._sparse = spla.splu(sp.csc_matrix(m))
            except RuntimeError as exc:
                raise SingularError(str(exc)) from exc

    def solve(self, rhs: np.ndarray, transpose: bool = False) -> np.ndarray:
        """Solve ``m y = rhs`` (or ``m^T y = rhs``); ``rhs`` may have several columns."""
        rhs = np.asarray(rhs, dtype=float)
        if self.n == 0:
            return rhs.copy()
        if self._dense is not None:
            return la.lu_solve(self._dense, rhs, trans=1 if transpose else 0, check_finite=False)
        return self._sparse.solve(np.ascontiguousarray(rhs), trans="T" if transpose else "N")


def identity_minus(a: sp.spmatrix) -> sp.csc_matrix:
    """``I - a`` for a square sparse matrix, in CSC form."""
    n = a.shape[0]
    return (sp.identity(n, format="csc") - sp.csc_matrix(a)).tocsc()
