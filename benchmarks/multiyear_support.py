"""Benchmark: a small restricted LP on the support of a short PDHG run (issue 18, t18supp).

    python -m benchmarks.multiyear_support [--goods 1e3] [--pdhg-cpu 10] [--top 1,2]
        [--time-limit 600] [--optimum H]

Builds the generated economy of :mod:`benchmarks.multiyear` (seed 1, 5 years),
the solver's repair plan and bound at zero prices, then runs the restarted
PDHG of :mod:`soviets.planning.multiperiod_fast` on the full LP from that plan
for ``--pdhg-cpu`` CPU seconds. On the reduced LP
(:mod:`soviets.planning.multiyear_reduced`) it keeps, per year and good, the
``top`` processes with the most activity in PDHG's last restart point, every
process holding capital at the start and the repair plan's columns, the
investment columns of the capital pairs these processes hold, every carried
good, and the capacity rows of the kept (pair, year) only (a dropped row holds
whatever the plan, since its process and its investments are at 0). HiGHS's
dual simplex solves it (tolerance 1e-9, costs scaled as in sifting); then
columns that price out join, with their capital's investment columns and
capacity rows (``addRows``, then ``addCols``), and HiGHS re-optimises with
the primal simplex from its last basis, until none prices out or the time
limit. At every optimum it prints rows x columns, CPU seconds (this process,
cumulative from the PDHG start), the plan's hours, whether it passes the
solver's 1e-9 feasibility check, the dual bound of step 1 at its prices, the
certified gap and, with ``--optimum`` (HiGHS's optimum, hours), the plan's gap
to it; and the process's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import time

import highspy
import numpy as np
import scipy.sparse as sp

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import highs, multiyear_reduced
from soviets.planning import multiperiod_fast as mf
from soviets.planning.multiyear_lp import build
from soviets.planning.sifting import PRICE_RTOL


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def top_processes(st: mf._Structure, act: np.ndarray, top: int) -> np.ndarray:
    """Per good, the ``top`` usable processes with the most activity ``act`` (> 0)."""
    o = st.order
    key = o[np.lexsort((-act[o], st.out_good[o]))]
    g = st.out_good[key]
    first = np.ones(key.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    begin = np.maximum.accumulate(np.where(first, np.arange(key.size), 0))
    rank = np.arange(key.size) - begin
    keep = np.zeros(act.size, dtype=bool)
    keep[key[(rank < top) & (act[key] > 0)]] = True
    return keep


def support(st: mf._Structure, point: np.ndarray, plan: np.ndarray | None, top: int) -> np.ndarray:
    """Kept processes, periods x processes: the point's ``top`` per good, the holders of
    capital at the start, and the processes ``plan`` runs."""
    lay = st.my.layout
    held = mf._room(st, st.model.capital_stock)
    holding = np.isfinite(held) & (held > 0)
    kept = np.zeros((lay.n_periods, st.out_good.size), dtype=bool)
    for t in range(lay.n_periods):
        kept[t] = top_processes(st, point[lay.col("activity", t)], top) | holding
        if plan is not None:
            kept[t] |= plan[lay.col("activity", t)] > 0
    return kept


class Restricted:
    """The reduced LP restricted to some columns and rows, in HiGHS, grown by sifting."""

    def __init__(self, st: mf._Structure, red: multiyear_reduced.Reduced, kept: np.ndarray):
        self.st, self.red, self.lp = st, red, red.lp
        lay = st.my.layout
        n_t, n_c = lay.n_periods, st.model.n_capital
        self.n_t, self.n_c = n_t, n_c
        self.a = sp.csc_matrix(red.lp.matrix)
        self.a.sort_indices()
        self.at = self.a.T.tocsr()
        n_rows, n_cols = self.a.shape
        col_pos = np.full(red.n_full, -1, dtype=np.int64)
        col_pos[red.cols] = np.arange(n_cols)
        row_pos = np.full(int(red.rows.max()) + 1, -1, dtype=np.int64)
        row_pos[red.rows] = np.arange(n_rows)
        self.act_col = np.array([col_pos[_range(lay.col("activity", t))] for t in range(n_t)])
        self.inv_col = np.array([col_pos[_range(lay.col("investment", t))] for t in range(n_t)])
        self.cap_row = np.array([row_pos[_range(lay.row("capacity", t))] for t in range(n_t)])
        self.scale = float(np.max(np.abs(red.lp.cost), initial=0.0)) or 1.0
        cols = np.ones(n_cols, dtype=bool)
        cols[self.act_col.ravel()] = False
        cols[self.inv_col.ravel()] = False
        rows = np.ones(n_rows, dtype=bool)
        rows[self.cap_row.ravel()] = False
        self.cols, self.rows = cols, rows  # the non-capital part: always in
        new_cols, new_rows = self._capital(kept)
        self.cols |= new_cols
        self.rows |= new_rows
        self.col_order = np.flatnonzero(self.cols)
        self.row_order = np.flatnonzero(self.rows)
        self.row_at = np.full(n_rows, -1, dtype=np.int64)
        self.row_at[self.row_order] = np.arange(self.row_order.size)
        sub = self._block(self.col_order)
        lp = self.lp
        model = highs.LinearProgram(
            lp.cost[self.col_order] / self.scale,
            lp.col_lower[self.col_order],
            lp.col_upper[self.col_order],
            sub,
            lp.row_lower[self.row_order],
            lp.row_upper[self.row_order],
        )
        self.h = highs.quiet_highs()
        self.h.setOptionValue("primal_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.setOptionValue("dual_feasibility_tolerance", highs.FEASIBILITY_TOL)
        self.h.passModel(highs.highs_model(model, sub))

    def _capital(self, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns and rows for kept (period, process): activities, the investment
        columns (all periods) of their pairs, and the capacity rows of the kept years."""
        st = self.st
        cols = np.zeros(self.a.shape[1], dtype=bool)
        rows = np.zeros(self.a.shape[0], dtype=bool)
        pair_of = st.holds.tocoo()  # pair x process
        for t in range(self.n_t):
            cols[self.act_col[t, kept[t]]] = True
            pairs = np.unique(pair_of.row[kept[t][pair_of.col]])
            rows[self.cap_row[t, pairs]] = True
            cols[self.inv_col[:, pairs].ravel()] = True
        cols &= self.lp.col_upper > 0  # investment arriving after the last year is fixed at 0
        return cols, rows

    def _block(self, cols: np.ndarray) -> sp.csc_matrix:
        """Columns ``cols`` of the matrix on the rows HiGHS holds, in HiGHS's row order."""
        block = self.a[:, cols].tocoo()
        inside = self.row_at[block.row] >= 0
        out = sp.csc_matrix(
            (block.data[inside], (self.row_at[block.row[inside]], block.col[inside])),
            shape=(self.row_order.size, cols.size),
        )
        out.sort_indices()
        return out

    def solve(self, deadline_cpu: float) -> bool:
        """Run HiGHS until optimal (True) or the CPU deadline (False); HiGHS's own limit
        is wall time, so it is set to the CPU time left and HiGHS resumes while some is."""
        while (left := deadline_cpu - _cpu()) > 0:
            self.h.setOptionValue("time_limit", float(self.h.getRunTime() + left))
            self.h.run()
            status = self.h.getModelStatus()
            if status != highspy.HighsModelStatus.kTimeLimit:
                return status == highspy.HighsModelStatus.kOptimal
        return False

    def point(self) -> tuple[np.ndarray, np.ndarray]:
        """The optimum as reduced columns ``x`` and reduced row prices ``y`` (HiGHS's sign;
        0 on rows not held)."""
        sol = self.h.getSolution()
        x = np.zeros(self.a.shape[1])
        x[self.col_order] = np.asarray(sol.col_value)
        y = np.zeros(self.a.shape[0])
        y[self.row_order] = np.asarray(sol.row_dual) * self.scale
        return x, y

    def grow(self, y: np.ndarray) -> int:
        """Add the columns that price out at ``y`` (with their capital); returns how many."""
        d = self.lp.cost - self.at @ y
        new = (d < -PRICE_RTOL * self.scale) & ~self.cols
        if not np.any(new):
            return 0
        kept = np.array([new[self.act_col[t]] for t in range(self.n_t)])
        cap_cols, cap_rows = self._capital(kept)
        new |= cap_cols
        new &= ~self.cols
        rows = np.flatnonzero(cap_rows & ~self.rows)
        if rows.size:  # with the entries of the columns HiGHS holds (their pair's investment)
            col_at = np.full(self.a.shape[1], -1, dtype=np.int64)
            col_at[self.col_order] = np.arange(self.col_order.size)
            part = self.at[:, rows].T.tocoo()
            inside = col_at[part.col] >= 0
            entries = sp.csr_matrix(
                (part.data[inside], (part.row[inside], col_at[part.col[inside]])),
                shape=(rows.size, self.col_order.size),
            )
            entries.sort_indices()
            self.h.addRows(
                rows.size,
                highs.clip_bounds(self.lp.row_lower[rows]),
                highs.clip_bounds(self.lp.row_upper[rows]),
                entries.nnz,
                entries.indptr[:-1].astype(np.int32),
                entries.indices.astype(np.int32),
                entries.data.astype(float),
            )
            self.row_at[rows] = self.row_order.size + np.arange(rows.size)
            self.row_order = np.concatenate([self.row_order, rows])
            self.rows[rows] = True
        added = np.flatnonzero(new)
        block = self._block(added)
        self.h.addCols(
            added.size,
            self.lp.cost[added] / self.scale,
            highs.clip_bounds(self.lp.col_lower[added]),
            highs.clip_bounds(self.lp.col_upper[added]),
            block.nnz,
            block.indptr[:-1].astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(float),
        )
        self.col_order = np.concatenate([self.col_order, added])
        self.cols[added] = True
        self.h.setOptionValue("simplex_strategy", 4)
        return int(added.size)


def _range(s: slice) -> np.ndarray:
    return np.arange(s.start, s.stop)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="a restricted LP on the support of PDHG's point")
    p.add_argument("--goods", default="1e3")
    p.add_argument("--pdhg-cpu", type=float, default=10.0)
    p.add_argument("--top", default="1,2")
    p.add_argument("--time-limit", type=float, default=600.0, help="CPU s per --top, from PDHG")
    p.add_argument("--optimum", type=float, default=None)
    args = p.parse_args(argv)
    cpu0 = _cpu()
    model = generate_multiyear(goods=int(float(args.goods)), years=5, seed=1)
    my = build(model)
    solve0 = _cpu()  # what benchmarks.multiyear times: the solve, after the LP is built
    st = mf._structure(my, model)
    search = mf._Search(st, my, time.perf_counter())
    search.record(None, np.zeros(my.lp.row_lower.size), 0)
    red = multiyear_reduced.reduce(my, model.capital_build_time)
    print(
        f"built: full LP {my.lp.matrix.shape}, reduced {red.lp.matrix.shape}, repair plan "
        f"{search.best.primal:.2f} h, bound {search.best.dual:.2f} h, CPU {_cpu() - cpu0:.1f} s",
        flush=True,
    )
    start = _cpu()
    engine = mf._Pdhg.of(my.lp)
    x0 = search.best_x.copy() if search.best_x is not None else np.zeros(my.lp.cost.size)
    y0 = np.zeros(my.lp.row_lower.size)
    x, y, k = x0, y0, 0
    for x, y, k in engine.run(x0, y0, lambda: _cpu() - start > args.pdhg_cpu):  # noqa: B007
        pass  # the last restart point
    pdhg_cpu = _cpu() - start
    bound = max(search.best.dual, mf.dual_bound(st, y)[0])
    print(
        f"PDHG: {k} iterations, {pdhg_cpu:.1f} CPU s ({_cpu() - solve0:.1f} s of the whole "
        f"solve), bound {bound:.2f} h",
        flush=True,
    )
    for top in (int(s) for s in args.top.split(",")):
        t0 = _cpu()
        kept = support(st, x, search.best_x, top)
        r = Restricted(st, red, kept)
        print(
            f"top {top}: {int(kept.sum())} (year, process) kept; restricted LP "
            f"{r.row_order.size} rows x {r.col_order.size} columns (reduced LP "
            f"{red.lp.matrix.shape[0]} x {red.lp.matrix.shape[1]}), set up in "
            f"{_cpu() - t0:.1f} CPU s",
            flush=True,
        )
        best_primal, best_dual, step = search.best.primal, bound, 0
        while r.solve(start + pdhg_cpu + args.time_limit):
            xr, yr = r.point()
            xf = red.full_x(xr)
            value = float(my.lp.cost @ xf)
            ok = mf._feasible(my.lp, xf)
            if ok:
                best_primal = min(best_primal, value)
            best_dual = max(best_dual, mf.dual_bound(st, -red.full_y(yr))[0])
            added = r.grow(yr)
            step += 1
            opt = (
                f", plan gap to HiGHS {(value - args.optimum) / args.optimum:.2e}"
                if args.optimum
                else ""
            )
            print(
                f"  LP {step}: CPU {pdhg_cpu + _cpu() - t0:.1f} s from PDHG's start "
                f"({_cpu() - solve0:.1f} s of the whole solve), plan {value:.2f} h "
                f"(feasible {ok}){opt}, bound {best_dual:.2f} h, certified gap "
                f"{(best_primal - best_dual) / best_primal:.2e}, {added} columns join, "
                f"peak {_peak_mb():.0f} MB",
                flush=True,
            )
            if not added:
                break
        else:
            print(
                f"  stopped: {r.h.modelStatusToString(r.h.getModelStatus())} at CPU "
                f"{pdhg_cpu + _cpu() - t0:.1f} s from PDHG's start, certified gap "
                f"{(best_primal - best_dual) / best_primal:.2e}, peak {_peak_mb():.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
