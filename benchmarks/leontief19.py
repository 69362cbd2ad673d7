"""A simplex specialised to Leontief bases (issue 19's design, a measured prototype).

The structured plan LP of :mod:`soviets.planning.constrained_pdhg`, with a
slack per row (``n`` balances, ``m`` limits and hours)::

    (E - B) x - s = d,   G x + t - a = h,   0 <= x <= cap,  s, t, a >= 0

(``a``: an artificial per limit or hour row at a big price, so that the
merit-order start is a basis even where it overdraws a row). A bounded
revised primal simplex whose basis algebra follows the structure:

* **Basis = a Leontief spine plus ``m`` extras.** Every good has one basic
  column of its own (its marginal process, or its surplus ``s_g``): the
  spine ``L = D - A`` (``D`` = +-1, ``A`` the spine's inputs), an M-matrix
  (the spectral radius of ``A`` is about 0.5 in the benchmark economies).
  The other ``m`` basic columns (slacks, artificials, second processes of a
  good) enter by a Schur complement: with ``W = L^-1 U`` (one batched solve
  per refactorisation) every basis solve is **one** solve with ``L`` or
  ``L^T``, done by fixed-point sweeps (Jacobi: ``x <- D (b + A x)``), never a
  factorisation of ``L``. A good with no basic column of its own (an
  "orphan") gets its surplus as a virtual spine column, held at zero by one
  more row of the complement (size ``m`` + orphans).
* **Pivots between refactorisations** are kept in product form (eta
  vectors); the basis is refactorised every :data:`REFACTOR` pivots.
* **Many pivots per pricing (block pivoting).** One BTRAN and one pricing
  product per major iteration; the ``k`` most attractive columns (at most
  one per good) are solved together (one batched solve with ``k``
  right-hand sides), then pivoted one after the other with their columns
  and reduced costs updated by each pivot's eta (multiple pricing,
  Orchard-Hays): a candidate is dropped once the earlier pivots make it
  unattractive, which is where "pivots that do not interact" is decided.
* **Start** from the merit-order basis (the partial process of every good
  basic, the cheaper ones at capacity, limits' slacks or artificials basic),
  by default the merit plan at the limits' and hours' prices of the
  solver's warm start.

Every exit is certified by the solver's own bound and repair
(:func:`soviets.planning.constrained._certify`): the simplex prices give a
Lagrangian bound, its plan goes through the repair and the master.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from soviets.planning import constrained
from soviets.planning import constrained_oracle as oracle

REFACTOR = 64  # pivots between refactorisations of the basis
SOLVE_TOL = 1e-12  # relative change at which a basis solve by sweeps counts as settled
PRIMAL_TOL = 1e-9  # bound violation allowed to basic variables (relative to 1 + |bound|)
CERTIFY_EVERY = 20  # major iterations between certificates
ARTIFICIAL_PRICE = 100.0  # price of a unit of artificial per the merit plan's cost


@dataclass
class Stats:
    """What the run cost: counts and CPU seconds of its parts."""

    major: int = 0
    pivots: int = 0
    flips: int = 0
    dropped: int = 0  # candidates made unattractive by earlier pivots of their block
    refactors: int = 0
    orphans: int = 0  # most goods with no basic column of their own at a refactorisation
    solves: int = 0  # basis solves (one right-hand side each)
    sweeps: int = 0  # sweeps of the spine's fixed point (a batch counts once)
    solve_cpu: float = 0.0  # CPU seconds in basis solves (spine and etas)
    price_cpu: float = 0.0  # pricings: their BTRAN (also in solve_cpu) and the product
    refactor_cpu: float = 0.0


def _cpu() -> float:
    return time.process_time()


class LeontiefSimplex:
    """The primal simplex above on one plan problem (``constrained._problem``)."""

    def __init__(self, prob, merit: oracle.MeritPlan, block: int = 32) -> None:
        lp = prob.lp
        lay = lp.lay
        self.prob, self.lp, self.lay, self.block = prob, lp, lay, block
        n, m, p = lay.n, lp.m, lay.n_proc
        self.n, self.m, self.p = n, m, p
        self.n_col = p + n + 2 * m
        own = sp.csc_matrix((np.ones(p), (lay.good_of, np.arange(p))), shape=(n, p))
        top = (own - lay.inputs).tocsc()
        self.procs = sp.vstack([top, lp.coupling.tocsc()], format="csc")  # (n+m) x p
        self.procs.sort_indices()
        merit_cost = float(lp.cost[np.isfinite(lp.cost)] @ merit.x[np.isfinite(lp.cost)])
        self.big = ARTIFICIAL_PRICE * max(1.0, merit_cost)
        self.cost = np.concatenate([lp.cost, np.zeros(n + m), np.full(m, self.big)])
        self.up = np.concatenate([lay.cap, np.full(n + 2 * m, np.inf)])
        self.rhs = np.concatenate([lp.demand, lp.bound])
        self.stats = Stats()
        self._start(merit)

    # ----------------------------------------------------------------- columns
    def _owner(self, j: np.ndarray) -> np.ndarray:
        """Good whose row a column can be the spine of (-1: none)."""
        p, n = self.p, self.n
        out = np.full(j.shape, -1, dtype=np.int64)
        proc = j < p
        out[proc] = self.lay.good_of[j[proc]]
        surplus = (j >= p) & (j < p + n)
        out[surplus] = j[surplus] - p
        return out

    def _columns(self, j: np.ndarray) -> np.ndarray:
        """Dense columns ``j`` of the constraint matrix, (n+m) x len(j)."""
        p, n, m = self.p, self.n, self.m
        out = np.zeros((n + m, j.size))
        proc = np.flatnonzero(j < p)
        if proc.size:
            out[:, proc] = self.procs[:, j[proc]].toarray()
        for k in np.flatnonzero(j >= p):
            c = int(j[k]) - p
            if c < n:
                out[c, k] = -1.0
            elif c < n + m:
                out[c, k] = 1.0  # n + i: the limit's slack
            else:
                out[c - m, k] = -1.0  # the artificial
        return out

    def _times(self, x_n: np.ndarray) -> np.ndarray:
        """``A x`` for a full vector of column values."""
        p, n, m = self.p, self.n, self.m
        r = self.procs @ x_n[:p]
        r[:n] -= x_n[p : p + n]
        r[n:] += x_n[p + n : p + n + m] - x_n[p + n + m :]
        return r

    def _reduced(self, pi: np.ndarray) -> np.ndarray:
        """``c - A^T pi`` for every column."""
        p, n, m = self.p, self.n, self.m
        d = self.cost.copy()
        d[:p] -= self.procs.T @ pi
        d[p : p + n] += pi[:n]
        d[p + n : p + n + m] -= pi[n:]
        d[p + n + m :] += pi[n:]
        return d

    # ------------------------------------------------------------------- start
    def _start(self, merit: oracle.MeritPlan) -> None:
        """The merit plan's basis: its partial process per good basic, full ones at capacity.

        A good with no partial process (the need met exactly by processes at
        capacity, or by none) has its surplus basic, at zero.
        """
        lay, lp, p, n, m = self.lay, self.lp, self.p, self.n, self.m
        filled = np.clip(merit.x, 0.0, lay.cap)
        full = np.isfinite(lay.cap) & (filled >= lay.cap * (1 - 1e-12)) & (lay.cap > 0)
        partial = np.flatnonzero((filled > 0) & ~full)
        spine = p + np.arange(n)
        spine[lay.good_of[partial]] = partial  # at most one per good in a merit plan
        x = np.zeros(self.n_col)
        x[:p] = np.where(full, lay.cap, 0.0)
        over = lp.coupled(filled) > lp.bound
        extras = np.where(over, p + n + m + np.arange(m), p + n + np.arange(m))
        self.basic = np.concatenate([spine, extras]).astype(np.int64)
        self.is_basic = np.zeros(self.n_col, dtype=bool)
        self.is_basic[self.basic] = True
        self.x = x
        self._refactor()
        self._recompute()

    # --------------------------------------------------------- basis algebra
    def _refactor(self) -> None:
        """A fresh spine and Schur complement for the current basis.

        Every good's first basic column of its own is its spine column. A
        good with none ("orphan": its row is met by other goods' columns)
        gets its surplus as a virtual spine column, held at zero by one more
        row of the Schur complement, so the bordered system has the basis's
        solution and prices: the complement is ``m + orphans`` square.
        """
        tick = _cpu()
        n, m, p = self.n, self.m, self.p
        owner = self._owner(self.basic)
        order = np.argsort(owner < 0, kind="stable")  # columns with an owner first
        owner_sorted = owner[order]
        first = np.zeros(self.basic.size, dtype=bool)
        valid = np.flatnonzero(owner_sorted >= 0)
        _, idx = np.unique(owner_sorted[valid], return_index=True)
        first[valid[idx]] = True
        spine_cols = p + np.arange(n)  # orphans keep their surplus
        spine_cols[owner_sorted[first]] = self.basic[order[first]]
        orphan = np.ones(n, dtype=bool)
        orphan[owner_sorted[first]] = False
        extras = self.basic[order[~first]]
        k = int(orphan.sum())
        self.basic = np.concatenate([spine_cols[~orphan], extras])
        self.pos = np.concatenate([np.flatnonzero(~orphan), n + np.arange(m + k)])
        self.ext = n + m + k
        is_proc = spine_cols < p
        self.sign = np.where(is_proc, 1.0, -1.0)
        cols = np.where(is_proc, spine_cols, 0)
        keep = sp.diags(is_proc.astype(float))
        a = (self.lay.inputs[:, cols] @ keep).tocsr()
        a.eliminate_zeros()
        self.spine_a, self.spine_at = a, a.T.tocsr()
        full = self._columns(extras)
        pick = sp.csr_matrix((np.ones(k), (np.arange(k), np.flatnonzero(orphan))), shape=(k, n))
        self.g1 = sp.vstack([self.lp.coupling[:, cols] @ keep, pick], format="csr")
        self.g1_t = self.g1.T.tocsr()
        self.w = self._spine_solve(full[:n], transpose=False)
        g2 = np.vstack([full[n:], np.zeros((k, m + k))])
        self.schur = la.lu_factor(g2 - self.g1 @ self.w) if m + k else None
        self.etas: list[tuple[int, np.ndarray]] = []
        self.stats.refactors += 1
        self.stats.orphans = max(self.stats.orphans, k)
        self.stats.refactor_cpu += _cpu() - tick

    def _spine_solve(self, b: np.ndarray, transpose: bool) -> np.ndarray:
        """``L^-1 b`` (or ``L^-T b``) by Jacobi sweeps ``x <- D (b + A x)``."""
        a = self.spine_at if transpose else self.spine_a
        d = self.sign if b.ndim == 1 else self.sign[:, None]
        x = d * b
        for _ in range(oracle.MAX_SWEEPS):
            new = d * (b + a @ x)
            self.stats.sweeps += 1
            change = float(np.max(np.abs(new - x), initial=0.0))
            x = new
            if change <= SOLVE_TOL * max(float(np.max(np.abs(x), initial=0.0)), 1e-300):
                break
        return x

    def ftran(self, b: np.ndarray) -> np.ndarray:
        """``B^-1 b`` (b: (n+m) or (n+m) x k), in basis positions."""
        tick = _cpu()
        n = self.n
        t = self._spine_solve(b[:n], transpose=False)
        if self.schur is not None:
            rest = np.zeros((self.ext - n,) + b.shape[1:])
            rest[: self.m] = b[n:]
            x2 = la.lu_solve(self.schur, rest - self.g1 @ t)
            out = np.concatenate([t - self.w @ x2, x2])[self.pos]
        else:
            out = t
        for r, eta in self.etas:
            piv = out[r] / eta[r]
            out -= eta * piv if out.ndim == 1 else np.outer(eta, piv)
            out[r] = piv
        self.stats.solves += 1 if b.ndim == 1 else b.shape[1]
        self.stats.solve_cpu += _cpu() - tick
        return out

    def btran(self, c: np.ndarray) -> np.ndarray:
        """``B^-T c``: the prices of the rows for basic costs ``c`` (in basis positions)."""
        tick = _cpu()
        n = self.n
        c = c.copy()
        for r, eta in reversed(self.etas):
            c[r] = (c[r] - (c @ eta - c[r] * eta[r])) / eta[r]
        if self.schur is not None:
            full = np.zeros(self.ext)
            full[self.pos] = c
            y2 = la.lu_solve(self.schur, full[n:] - self.w.T @ full[:n], trans=1)
            y1 = self._spine_solve(full[:n] - self.g1_t @ y2, transpose=True)
            out = np.concatenate([y1, y2[: self.m]])
        else:
            out = self._spine_solve(c, transpose=True)
        self.stats.solves += 1
        self.stats.solve_cpu += _cpu() - tick
        return out

    def _recompute(self) -> None:
        """Basic values from the nonbasic ones (drift removed)."""
        x = self.x.copy()
        x[self.basic] = 0.0
        self.x[self.basic] = self.ftran(self.rhs - self._times(x))

    # --------------------------------------------------------------- iterating
    def solve(
        self, time_limit: float, certify: Callable[[LeontiefSimplex], bool], tol: float = 1e-9
    ) -> bool:
        """Pivot until no column prices out (True), ``certify`` says done, or time is up.

        ``certify`` is called every :data:`CERTIFY_EVERY` major iterations
        (with :attr:`pi` the current basis's prices).
        """
        start = time.perf_counter()
        real = self.lp.cost[: self.lay.n_real]
        dtol = tol * max(1.0, float(np.max(real, initial=0.0)))
        while time.perf_counter() - start < time_limit:
            self.stats.major += 1
            tick = _cpu()
            pi = self.btran(self.cost[self.basic])
            d = self._reduced(pi)
            self.stats.price_cpu += _cpu() - tick
            lower = self.x <= 0.0
            gain = np.where(lower, -d, d)
            gain[self.is_basic] = 0.0
            gain[(self.up <= 0.0)] = 0.0
            gain[~np.isfinite(gain)] = 0.0
            if not np.any(gain > dtol):
                self.pi = pi
                return True
            cand = self._candidates(gain, dtol)
            self._block(cand, d[cand], dtol)
            if self.stats.major % CERTIFY_EVERY == 0:
                self.pi = pi
                if certify(self):
                    return True
            if len(self.etas) >= REFACTOR:
                self._refactor()
                self._recompute()
        tick = _cpu()
        self.pi = self.btran(self.cost[self.basic])
        self.stats.price_cpu += _cpu() - tick
        return False

    def _candidates(self, gain: np.ndarray, dtol: float) -> np.ndarray:
        """The ``block`` most attractive columns, at most one per good."""
        good = np.flatnonzero(gain > dtol)
        good = good[np.argsort(-gain[good], kind="stable")]
        owner = self._owner(good)
        keyed = np.where(owner >= 0, owner, -1 - np.arange(good.size))  # ownerless: their own key
        _, first = np.unique(keyed, return_index=True)
        first.sort()
        return good[first[: self.block]]

    def _block(self, cand: np.ndarray, d: np.ndarray, dtol: float) -> None:
        """Pivot the candidates one after the other, columns updated by each eta."""
        alpha = self.ftran(self._columns(cand))
        live = np.ones(cand.size, dtype=bool)
        d = d.copy()
        while live.any():
            x_c = self.x[cand]
            gain = np.where(x_c <= 0.0, -d, d)
            gain[~live] = -np.inf
            k = int(np.argmax(gain))
            if gain[k] <= dtol:
                self.stats.dropped += int(live.sum())
                break
            live[k] = False
            q = int(cand[k])
            col = alpha[:, k]
            direction = 1.0 if self.x[q] <= 0.0 else -1.0  # entering rises from 0 or falls from cap
            r, step = self._ratio(col, direction, q)
            if r is None and not math.isfinite(step):
                raise RuntimeError("unbounded direction: the plan LP is bounded, so a basis error")
            self.x[self.basic] -= direction * step * col
            self.x[q] += direction * step
            if r is None:
                self.stats.flips += 1
                self.x[q] = 0.0 if direction < 0 else self.up[q]
                continue
            leaving = int(self.basic[r])
            nearer_up = abs(self.x[leaving] - self.up[leaving]) < abs(self.x[leaving])
            self.x[leaving] = self.up[leaving] if nearer_up else 0.0
            self.basic[r] = q
            self.is_basic[leaving], self.is_basic[q] = False, True
            self.etas.append((r, col.copy()))
            self.stats.pivots += 1
            piv = alpha[r] / col[r]
            d -= d[k] * piv
            alpha -= np.outer(col, piv)
            alpha[r] = piv

    def _ratio(self, col: np.ndarray, direction: float, q: int) -> tuple[int | None, float]:
        """Harris ratio test: the leaving position (None: a bound flip) and the step."""
        xb = self.x[self.basic]
        ub = self.up[self.basic]
        move = -direction * col  # d x_B / d step
        tol = PRIMAL_TOL * (1.0 + np.abs(xb))
        big = 1e-9 * max(1.0, float(np.max(np.abs(col))))
        dec = move < -big
        inc = (move > big) & np.isfinite(ub)
        limit = np.full(xb.size, np.inf)
        limit[dec] = (xb[dec] + tol[dec]) / -move[dec]
        limit[inc] = (ub[inc] - xb[inc] + tol[inc]) / move[inc]
        relaxed = float(np.min(limit, initial=np.inf))
        flip = self.up[q]
        if flip <= relaxed:
            return None, flip
        exact = np.full(xb.size, np.inf)
        exact[dec] = np.maximum(xb[dec], 0.0) / -move[dec]
        exact[inc] = np.maximum(ub[inc] - xb[inc], 0.0) / move[inc]
        ok = np.flatnonzero(exact <= relaxed)
        r = int(ok[np.argmax(np.abs(move[ok]))])
        return r, float(exact[r])

    # ------------------------------------------------------------------- results
    def objective(self) -> float:
        fin = np.isfinite(self.cost)
        return float(self.cost[fin] @ self.x[fin])

    def plan(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Outputs per process, prices of goods, prices of limits and hours (y >= 0)."""
        x = np.clip(self.x[: self.p], 0.0, self.up[: self.p])
        return x, np.maximum(self.pi[: self.n], 0.0), np.maximum(-self.pi[self.n :], 0.0)

    def artificial(self) -> float:
        return float(self.x[self.p + self.n + self.m :].sum())


def run(eco, mode, gap: float, limit: float, block: int = 32, priced: bool = True):
    """The Leontief simplex from the merit order, certified as it goes: (trace, simplex).

    ``priced``: start from the merit plan at the limits' and hours' prices of
    the solver's warm start (Dantzig-Wolfe rounds), not at their cost alone.
    The plan is certified every :data:`CERTIFY_EVERY` major iterations and at the end.
    """
    start = time.perf_counter()
    prob = constrained._problem(eco, mode, tol=1e-10)
    lp = prob.lp
    merit = oracle.merit_plan(
        lp.lay, lp.cost, lp.demand, values=prob.values, rounds=4, tol=prob.tol
    )
    best = constrained._Best()
    pool = constrained._Pool(lp)
    constrained._certify(prob, best, pool, merit.x, merit.values, np.zeros(lp.m), merit.gross)
    if priced and lp.m:
        constrained._safe_plans(prob, pool, prob.values)
        constrained._update_primal(best, pool)
        merit, _, _ = constrained._price_limits(
            prob, best, pool, merit, constrained.PRICE_ROUNDS, start + 0.5 * limit
        )
    trace = [(time.perf_counter() - start, best.primal, best.dual)]

    def certify(simplex: LeontiefSimplex) -> bool:
        x, v, y = simplex.plan()
        constrained._certify(prob, best, pool, x, v, y, None)
        trace.append((time.perf_counter() - start, best.primal, best.dual))
        return best.gap <= gap

    simplex = LeontiefSimplex(prob, merit, block=block)
    simplex.solve(limit - (time.perf_counter() - start), certify)
    certify(simplex)
    return trace, simplex
