"""Benchmark: the multi-period fast solver against HiGHS on generated multi-year economies.

    python -m benchmarks.multiyear [--sizes 1e3,1e4] [--years 5] [--time-limit 120]

For every size ``n`` it generates a seeded economy
(:func:`soviets.economy.generate_multiyear.generate_multiyear`: ``n`` goods x 3
processes, 4 inputs, 2 capital goods per process, needs growing 5 % a year)
and plans the least hours over ``--years`` years with every solver, each in
its own process so that its peak memory is its own: ``ours``
(:func:`soviets.planning.multiperiod_fast.solve`, gap target ``--gap``) and
HiGHS ``simplex``, ``ipm`` and ``pdlp`` on the full LP
(:func:`soviets.planning.multiyear_lp.build`), each with the time limit.
Times are wall seconds of the solve alone, and its CPU seconds (the fairer
figure on a shared machine); peak memory is the process's
resident high-water mark (the economy included). HiGHS's bound is its dual
bound by weak duality at its final row prices
(:func:`soviets.planning.highs.dual_bound`), given when it ends optimal.

Results: a table on standard output and ``benchmarks/results/multiyear-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
SOLVERS = ("ours", "simplex", "ipm", "pdlp")


def _model(n: int, years: int, seed: int):
    from soviets.economy.generate_multiyear import generate_multiyear

    return generate_multiyear(goods=n, years=years, seed=seed)


def run_one(solver: str, n: int, years: int, seed: int, limit: float, gap: float) -> dict:
    """Plan one instance with one solver in this process; return the measurements."""
    import numpy as np
    import scipy.sparse as sp

    from soviets.planning import highs
    from soviets.planning import multiperiod_fast as mf
    from soviets.planning.multiyear_lp import build

    model = _model(n, years, seed)
    my = build(model)
    out: dict[str, Any] = {"solver": solver, "goods": n, "years": years}
    start = time.perf_counter()
    use0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = use0.ru_utime + use0.ru_stime
    if solver == "ours":
        r = mf.solve(model, gap=gap, time_limit=limit, my=my)
        out.update(
            status=r.status,
            primal=r.certificate.primal,
            dual=r.certificate.dual,
            gap=r.certificate.gap,
        )
    else:
        a = sp.csc_matrix(my.lp.matrix)
        a.sort_indices()
        h = highs.quiet_highs()
        h.setOptionValue("solver", solver)
        h.setOptionValue("time_limit", float(limit))
        h.passModel(highs.highs_model(my.lp, a))
        h.run()
        status = h.modelStatusToString(h.getModelStatus())
        sol = h.getSolution()
        primal = dual = math.nan
        if status == "Optimal":
            x = np.asarray(sol.col_value)
            primal = float(my.lp.cost @ x)
            dual = highs.dual_bound(my.lp, np.asarray(sol.row_dual))
        out.update(
            status=status,
            primal=primal,
            dual=dual,
            gap=(primal - dual) / max(1.0, abs(primal)) if status == "Optimal" else math.nan,
        )
    out["seconds"] = time.perf_counter() - start
    use = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_seconds"] = use.ru_utime + use.ru_stime - cpu0
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="multi-year plans: ours vs HiGHS")
    p.add_argument("--sizes", default="1e3,1e4")
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time-limit", type=float, default=120.0)
    p.add_argument("--gap", type=float, default=1e-3)
    p.add_argument("--solvers", default=",".join(SOLVERS))
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        solver, n = args.one.split(":")
        print(json.dumps(run_one(solver, int(n), args.years, args.seed, args.time_limit, args.gap)))
        return
    rows = []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        for solver in args.solvers.split(","):
            cmd = [
                sys.executable,
                "-m",
                "benchmarks.multiyear",
                "--one",
                f"{solver}:{n}",
                "--years",
                str(args.years),
                "--seed",
                str(args.seed),
                "--time-limit",
                str(args.time_limit),
                "--gap",
                str(args.gap),
            ]
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=args.time_limit * 3 + 300
            )
            if done.returncode != 0:
                rows.append(
                    {
                        "solver": solver,
                        "goods": n,
                        "status": "failed: " + done.stderr.strip().splitlines()[-1][:80],
                    }
                )
            else:
                rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            r = rows[-1]
            print(
                f"{n:>7} {solver:>8} {r.get('status', ''):>12} "
                f"{r.get('seconds', math.nan):8.1f} s "
                f"(cpu {r.get('cpu_seconds', math.nan):.1f} s)  "
                f"primal {r.get('primal', math.nan):.6g}  "
                f"dual {r.get('dual', math.nan):.6g}  gap {r.get('gap', math.nan):.2e}  "
                f"peak {r.get('peak_mb', math.nan):.0f} MB",
                flush=True,
            )
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"multiyear-{stamp}.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
