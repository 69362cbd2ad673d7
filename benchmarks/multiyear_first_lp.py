"""Benchmark: HiGHS on the first restricted LP of the multi-period solver's sifting.

    python -m benchmarks.multiyear_first_lp [--goods 1e3]
        [--options dual,primal,ipm,ipm-nox,pdlp,deftol] [--time-limit 400]

Builds the generated economy of :mod:`benchmarks.multiyear` (seed 1, 5 years),
the reduced LP (:mod:`soviets.planning.multiyear_reduced`) and the columns
:func:`soviets.planning.multiperiod_fast.solve` starts sifting from, and
solves that restricted LP with HiGHS once per option: ``dual`` (the dual
simplex at tolerance 1e-9, what sifting uses), ``primal`` (primal simplex),
``ipm`` (interior point with crossover), ``ipm-nox`` (interior point without
crossover: no basis, so sifting could not re-optimise from it, but its row
prices give the bound), ``pdlp`` (HiGHS's first-order method), ``deftol``
(dual simplex at HiGHS's default tolerances). Prints status, wall and CPU
seconds of the solve, simplex and IPM iterations, the objective (hours) and
whether the plan passes the solver's feasibility check.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import scipy.sparse as sp

from soviets.economy.generate_multiyear import generate_multiyear
from soviets.planning import highs, multiyear_reduced
from soviets.planning import multiperiod_fast as mf
from soviets.planning.multiyear_lp import build


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="HiGHS on sifting's first restricted LP")
    p.add_argument("--goods", default="1e3")
    p.add_argument("--options", default="dual,primal,ipm,deftol")
    p.add_argument("--time-limit", type=float, default=400.0)
    args = p.parse_args(argv)
    model = generate_multiyear(goods=int(float(args.goods)), years=5, seed=1)
    my = build(model)
    search = mf._Search(mf._structure(my, model), my, time.perf_counter())
    y0 = np.zeros(my.lp.row_lower.size)
    search.record(None, y0, 0)
    _, values, rents = mf.dual_bound(search.st, y0)
    red = multiyear_reduced.reduce(my, model.capital_build_time)
    cols = np.flatnonzero(mf._first_columns(search.st, values, rents, search.best_x)[red.cols])
    lp = red.lp
    a = sp.csc_matrix(lp.matrix)[:, cols]
    a.sort_indices()
    scale = float(np.max(np.abs(lp.cost)))
    sub = highs.LinearProgram(
        lp.cost[cols] / scale, lp.col_lower[cols], lp.col_upper[cols], a, lp.row_lower, lp.row_upper
    )
    print(f"first restricted LP: {a.shape[0]} rows x {a.shape[1]} columns", flush=True)
    for name in args.options.split(","):
        h = highs.quiet_highs()
        tol = 1e-7 if name == "deftol" else highs.FEASIBILITY_TOL
        h.setOptionValue("primal_feasibility_tolerance", tol)
        h.setOptionValue("dual_feasibility_tolerance", tol)
        if name == "primal":
            h.setOptionValue("simplex_strategy", 4)
        if name in ("ipm", "ipm-nox"):
            h.setOptionValue("solver", "ipm")
        if name == "ipm-nox":
            h.setOptionValue("run_crossover", "off")
        if name == "pdlp":
            h.setOptionValue("solver", "pdlp")
        h.setOptionValue("time_limit", args.time_limit)
        h.passModel(highs.highs_model(sub, a))
        cpu, wall = _cpu(), time.perf_counter()
        h.run()
        x = np.zeros(lp.cost.size)
        x[cols] = np.asarray(h.getSolution().col_value)
        ok = mf._feasible(my.lp, red.full_x(x))
        print(
            f"{name:>7} {h.modelStatusToString(h.getModelStatus())}: "
            f"wall {time.perf_counter() - wall:.1f} s, CPU {_cpu() - cpu:.1f} s, "
            f"{h.getInfo().simplex_iteration_count} simplex iterations, "
            f"{h.getInfo().ipm_iteration_count} IPM iterations, "
            f"objective {float(lp.cost @ x):.10g}, plan feasible {ok}",
            flush=True,
        )


if __name__ == "__main__":
    main()
