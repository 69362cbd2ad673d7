"""Benchmark: the multi-period solver's PDHG on the full LP against the reduced LP.

    python -m benchmarks.multiyear_pdhg_lp [--goods 1e3] [--cpu 15] [--lps full,reduced]

Builds the generated economy of :mod:`benchmarks.multiyear` (seed 1, 5 years)
and runs the restarted PDHG of :mod:`soviets.planning.multiperiod_fast` on
the full LP and on the LP with the capital stocks substituted out
(:mod:`soviets.planning.multiyear_reduced`), each from the same start (the
repair plan, zero prices) for ``--cpu`` CPU seconds of PDHG. At every restart
it prints the CPU seconds of PDHG so far (the bound's own time left out) and
the dual bound of step 1 at the restart's prices (hours), a valid bound for
any prices.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import multiperiod_fast as mf
from soviets.planning import multiyear_reduced
from soviets.planning.multiyear_lp import build


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="PDHG on the full vs the reduced multi-year LP")
    p.add_argument("--goods", default="1e3")
    p.add_argument("--cpu", type=float, default=15.0)
    p.add_argument("--lps", default="full,reduced")
    args = p.parse_args(argv)
    model = generate_multiyear(goods=int(float(args.goods)), years=5, seed=1)
    my = build(model)
    st = mf._structure(my, model)
    search = mf._Search(st, my, time.perf_counter())
    search.record(None, np.zeros(my.lp.row_lower.size), 0)
    if search.best_x is None:
        raise SystemExit("no repair plan to start from")
    for name in args.lps.split(","):
        if name == "reduced":
            red = multiyear_reduced.reduce(my, model.capital_build_time)
            engine = mf._Pdhg.of(red.lp)
            x0, y0 = search.best_x[red.cols], np.zeros(red.lp.row_lower.size)

            def to_full(y: np.ndarray, red=red) -> np.ndarray:
                return -red.full_y(-y)  # PDHG's sign: reduced costs c + A^T y
        else:
            engine = mf._Pdhg.of(my.lp)
            x0, y0 = search.best_x.copy(), np.zeros(my.lp.row_lower.size)

            def to_full(y: np.ndarray, red=None) -> np.ndarray:
                return y

        print(f"{name}: {engine.a.shape[0]} rows x {engine.a.shape[1]} columns", flush=True)
        _run(name, engine, x0, y0, to_full, st, args.cpu)


def _run(name, engine, x0, y0, to_full, st, cpu_limit: float) -> None:
    """PDHG for ``cpu_limit`` CPU s of its own; print the bound at every restart."""
    start, best = _cpu(), -np.inf
    bound_cpu = [0.0]  # CPU s of the bounds, left out of PDHG's time

    def pdhg_cpu() -> float:
        return _cpu() - start - bound_cpu[0]

    for _, y, k in engine.run(x0, y0, lambda: pdhg_cpu() > cpu_limit):
        before = _cpu()
        bound = mf.dual_bound(st, to_full(y))[0]
        bound_cpu[0] += _cpu() - before
        best = max(best, bound)
        print(
            f"{name:>8} iteration {k:>6}  PDHG CPU {pdhg_cpu():6.1f} s  "
            f"bound {bound:14.2f} h  best {best:14.2f} h",
            flush=True,
        )


if __name__ == "__main__":
    main()
