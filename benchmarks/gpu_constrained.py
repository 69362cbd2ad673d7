"""Benchmark: the constrained solver's PDHG iterations on numpy against a GPU.

    python -m benchmarks.gpu_constrained [--sizes 1e4,1e5] [--backend auto|cupy|torch]
        [--iterations 1000] [--certify 1e5] [--certify-backends auto|torch,numpy]
        [--time-limit 300]

For every size ``n`` it generates the ``constrained`` instance of
``benchmarks.plan`` (``n`` goods x 3 processes, capacities, an emission cap,
council hours; seed 0, 50 councils), builds the structured LP as
:mod:`soviets.planning.constrained` does (its problem, the merit-order warm
start, the rescaled LP) and runs ``--iterations`` PDHG iterations
(:func:`soviets.planning.constrained_pdhg.run`) from the warm start on numpy
and on each GPU backend, in the same process. ``it/s`` is iterations per wall
second of the run (restart checks and copying the restart points to the host
included) less its setup (step sizes, and moving the LP to the device), timed
apart as ``setup s``. Every GPU backend runs ``CHECK_EVERY`` iterations untimed first
(library start-up, kernels). ``vs numpy`` is the relative distance of the
last restart point from numpy's: the restarted PDHG amplifies rounding (a start
perturbed by 1e-15 moves numpy's own iterates by about 1e-3 within 128
iterations), so beyond a hundred iterations or so it measures that, not an error.

For the sizes in ``--certify`` it then solves the instance with
:func:`soviets.planning.constrained.solve` (gap ``--gap``, ``--time-limit``)
with the PDHG iterations on each of ``--certify-backends`` (the certificates
are on the CPU) and reports the time to the certified gap, and when the
certified gap first fell below 1e-2, 1e-3 and 1e-4 (seconds from the start
of the solve).

Results: a Rich table and ``<out>/gpu-constrained-<date>.md``.
"""

from __future__ import annotations

import argparse
import functools
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from benchmarks.gpu import machine, usable_backends
from benchmarks.plan import RESULTS, instance
from soviets.planning import constrained
from soviets.planning import constrained_oracle as oracle
from soviets.planning import constrained_pdhg as pdhg

RATE_COLUMNS = ("goods", "processes", "backend", "iterations", "setup s", "run s", "it/s")
RATE_COLUMNS += ("speed-up", "restarts", "KKT error", "vs numpy")
SOLVE_COLUMNS = ("goods", "backend", "status", "seconds", "iterations", "gap", "hours")
SOLVE_COLUMNS += ("to 1e-2 s", "to 1e-3 s", "to 1e-4 s")


def warm_start(n: int, seed: int, councils: int) -> tuple[Any, Any, pdhg.StructuredLP, Any]:
    """The instance, its mode, the rescaled LP and the merit-order start, as the solver has them."""
    eco, mode = instance("constrained", n, seed=seed, councils=councils)
    prob = constrained._problem(eco, mode)
    lp = prob.lp
    merit = oracle.merit_plan(
        lp.lay, lp.cost, lp.demand, values=prob.values, rounds=4, tol=prob.tol
    )
    scaled, s, r, _ = pdhg.rescaled(lp, merit.gross)
    values = np.where(np.isfinite(merit.values), merit.values, 0.0)
    start = pdhg.Iterate(np.minimum(merit.x, lp.lay.cap) / s, values / r, np.zeros(lp.m))
    return eco, mode, scaled, start


def rate(lp: pdhg.StructuredLP, start: pdhg.Iterate, backend: str, iterations: int) -> dict:
    """Run ``iterations`` iterations on ``backend``; the time and the last restart point."""
    if backend != "numpy":
        for _ in pdhg.run(lp, start, pdhg.CHECK_EVERY, backend=backend):
            pass
    tick = time.perf_counter()
    for _ in pdhg.run(lp, start, 0, backend=backend):  # the setup alone
        pass
    setup = time.perf_counter() - tick
    tick = time.perf_counter()
    last = start
    for last in pdhg.run(lp, start, iterations, backend=backend):  # noqa: B007 - kept
        pass
    seconds = time.perf_counter() - tick - setup
    return {"backend": backend, "setup": setup, "seconds": seconds, "point": last}


def solve_with(eco, mode: str, backend: str, gap: float, time_limit: float) -> dict:
    """``constrained.solve`` with the PDHG iterations on ``backend``."""
    original = constrained.run
    constrained.run = functools.partial(pdhg.run, backend=backend)
    try:
        tick = time.perf_counter()
        plan = constrained.solve(eco, mode, gap=gap, time_limit=time_limit)
        seconds = time.perf_counter() - tick
    finally:
        constrained.run = original
    info = plan.extra["constrained"]
    reached = {
        target: next((h["seconds"] for h in info["history"] if h["gap"] <= target), None)
        for target in (1e-2, 1e-3, 1e-4)
    }
    return {
        "reached": reached,
        "backend": backend,
        "status": plan.status,
        "seconds": seconds,
        "iterations": info.get("iterations", 0),
        "gap": plan.certificate.gap,
        "hours": plan.objective_hours,
    }


def _relative(a: pdhg.Iterate, b: pdhg.Iterate) -> float:
    num = sum(float(np.linalg.norm(p - q)) for p, q in ((a.x, b.x), (a.v, b.v), (a.y, b.y)))
    den = sum(float(np.linalg.norm(q)) for q in (b.x, b.v, b.y))
    return num / den


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.gpu_constrained", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--sizes", default="1e4,1e5")
    ap.add_argument("--backend", default="auto", help="auto (every GPU backend here) or a list")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--certify", default="1e5", help="sizes to solve to the gap ('' for none)")
    ap.add_argument(
        "--certify-backends", default="auto", help="auto (the GPU backends and numpy) or a list"
    )
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--councils", type=int, default=50)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    console = Console(width=170)
    gpus = usable_backends(args.backend, console)
    certify = {int(float(s)) for s in args.certify.split(",") if s}
    solvers = [*gpus, "numpy"] if args.certify_backends == "auto" else []
    solvers += [b for b in args.certify_backends.split(",") if b in ("numpy", *gpus)]
    rates, solves = [], []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        tick = time.perf_counter()
        eco, mode, lp, start = warm_start(n, args.seed, args.councils)
        console.print(
            f"[dim]{n:,} goods: instance and warm start in {time.perf_counter() - tick:.1f} s[/dim]"
        )
        base = None
        for backend in ["numpy", *gpus]:
            row = rate(lp, start, backend, args.iterations)
            base = base or row
            point = row["point"]
            cells = [
                f"{n:,}",
                f"{lp.lay.n_proc:,}",
                backend,
                str(point.iteration),
                f"{row['setup']:.2f}",
                f"{row['seconds']:.2f}",
                f"{point.iteration / row['seconds']:,.0f}",
                f"{base['seconds'] / row['seconds']:.1f}x",
                str(point.restarts),
                f"{point.kkt:.3e}",
                f"{_relative(point, base['point']):.1e}" if backend != "numpy" else "",
            ]
            rates.append(cells)
            console.print("  " + "  ".join(cells))
        if n in certify:
            for backend in solvers:
                row = solve_with(eco, mode, backend, args.gap, args.time_limit)
                cells = [
                    f"{n:,}",
                    backend,
                    row["status"],
                    f"{row['seconds']:.1f}",
                    str(row["iterations"]),
                    f"{row['gap']:.1e}",
                    f"{row['hours']:.10g}",
                    *("" if t is None else f"{t:.1f}" for t in row["reached"].values()),
                ]
                solves.append(cells)
                console.print("  " + "  ".join(cells))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"gpu-constrained-{time.strftime('%Y%m%d')}.md"
    text = (
        f"`python -m benchmarks.gpu_constrained --sizes {args.sizes} --backend {args.backend} "
        f"--iterations {args.iterations} --certify {args.certify or repr('')} "
        f"--certify-backends {args.certify_backends} --gap {args.gap:g} "
        f"--time-limit {args.time_limit:g}`\n\n"
        + "".join(f"- {x}\n" for x in machine())
        + "\n"
        + _table(RATE_COLUMNS, rates)
    )
    if solves:
        text += "\n" + _table(SOLVE_COLUMNS, solves)
    path.write_text(text)
    console.print(f"written {path}")


def _table(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(r) + " |\n" for r in rows)


if __name__ == "__main__":
    main()
