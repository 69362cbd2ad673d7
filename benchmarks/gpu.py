"""Benchmark: the uncapacitated least-labour plan by sweeps, numpy against a GPU.

    python -m benchmarks.gpu [--sizes 1e5,1e6] [--backend auto|cupy|torch|cupy,torch]

For every size ``n`` it generates the ``uncapacitated`` instance of
``benchmarks.plan`` (``n`` goods x 3 processes, 8 inputs each, no capacities,
seed 0, 50 councils), lays it out once (:func:`soviets.planning.sweeps.prepare`)
and plans it with :func:`soviets.planning.sweeps.sweep` on numpy and on each
GPU backend, in the same process. Times are wall seconds, the median of
``--repeat`` runs: ``solve`` is the sweeps alone on the backend's device
(not generating or laying out the economy, not moving it to the GPU);
``+ transfer`` adds moving the economy to the GPU and the plan back. Every GPU
backend runs once untimed first (library start-up and kernel compilation).
``speed-up`` is numpy's solve time over the backend's.

Results: a Rich table and ``<out>/gpu-<date>.md`` (``--out``, default
``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from rich.console import Console
from rich.table import Table

from benchmarks.plan import RESULTS, _cpu, instance
from soviets.planning.sweeps import SWEEP_TOL, prepare, sweep, unavailable

GPU_BACKENDS = ("cupy", "torch")
COLUMNS = (
    "goods",
    "backend",
    "solve s",
    "+ transfer s",
    "sweeps",
    "objective (hours)",
    "dual",
    "gap",
    "vs numpy",
    "speed-up",
    "speed-up with transfer",
)


def measure(prep, backend: str, repeat: int, tol: float) -> dict[str, Any]:
    """Median times of ``repeat`` sweeps of ``prep`` on ``backend``, and the last result."""
    if backend != "numpy":
        sweep(prep, backend=backend, tol=tol)  # warm-up: library start-up, kernels
    runs = [sweep(prep, backend=backend, tol=tol) for _ in range(repeat)]
    res = runs[-1]
    return {
        "backend": backend,
        "solve": statistics.median(r.seconds for r in runs),
        "total": statistics.median(r.seconds + r.transfer_seconds for r in runs),
        "sweeps": res.sweeps,
        "objective": res.primal,
        "dual": res.dual,
        "gap": res.gap,
    }


def _cells(n: int, row: dict[str, Any], base: dict[str, Any]) -> list[str]:
    gpu = row["backend"] != "numpy"
    diff = abs(row["objective"] - base["objective"]) / abs(base["objective"])
    return [
        f"{n:,}",
        row["backend"],
        f"{row['solve']:.4f}",
        f"{row['total']:.4f}" if gpu else "",
        str(row["sweeps"]),
        f"{row['objective']:.12g}",
        f"{row['dual']:.12g}",
        f"{row['gap']:.1e}",
        f"{diff:.1e}" if gpu else "",
        f"{base['solve'] / row['solve']:.1f}x" if gpu else "",
        f"{base['solve'] / row['total']:.1f}x" if gpu else "",
    ]


def usable_backends(choice: str, console: Console) -> list[str]:
    """The GPU backends asked for (``auto``: all) that can run here; says why others cannot."""
    names = GPU_BACKENDS if choice == "auto" else tuple(choice.split(","))
    gpus = [b for b in names if unavailable(b) is None]
    for b in names:
        if b not in gpus:
            console.print(f"[yellow]{unavailable(b)}: numpy only[/yellow]")
    return gpus


def machine() -> list[str]:
    """CPU, GPU and library versions, one line each."""
    lines = [
        f"CPU: {_cpu()}; Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__} (sparse products on one core)"
    ]
    for name in GPU_BACKENDS:
        if unavailable(name) is not None:
            continue
        mod = importlib.import_module(name)
        if name == "cupy":
            gpu = mod.cuda.runtime.getDeviceProperties(0)["name"].decode()
            cuda = mod.cuda.runtime.runtimeGetVersion()
        else:
            gpu, cuda = mod.cuda.get_device_name(0), mod.version.cuda
        lines.append(f"{name} {mod.__version__} (CUDA {cuda}) on {gpu}")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.gpu", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--sizes", default="1e5,1e6")
    ap.add_argument("--backend", default="auto", help="auto (every GPU backend here) or a list")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tol", type=float, default=SWEEP_TOL)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--councils", type=int, default=50)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    console = Console(width=170)
    gpus = usable_backends(args.backend, console)
    table = Table(title="Uncapacitated least-labour plan by sweeps (wall seconds)")
    for col in COLUMNS:
        table.add_column(col, justify="left" if col == "backend" else "right")
    lines, notes = [], []
    for n in (int(float(s)) for s in args.sizes.split(",")):
        start = time.perf_counter()
        eco, _ = instance("uncapacitated", n, seed=args.seed, councils=args.councils)
        made = time.perf_counter()
        prep = prepare(eco)
        notes.append(
            f"{n:,} goods: {prep.inputs.nnz:,} input coefficients; generated in "
            f"{made - start:.1f} s, laid out in {prep.seconds:.1f} s"
        )
        console.print(f"[dim]{notes[-1]}[/dim]")
        base = measure(prep, "numpy", args.repeat, args.tol)
        for row in [base] + [measure(prep, b, args.repeat, args.tol) for b in gpus]:
            cells = _cells(n, row, base)
            table.add_row(*cells)
            lines.append("| " + " | ".join(cells) + " |")
            console.print("  " + "  ".join(cells))
    console.print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"gpu-{time.strftime('%Y%m%d')}.md"
    head = "| " + " | ".join(COLUMNS) + " |\n|---|---|" + "---:|" * (len(COLUMNS) - 2) + "\n"
    path.write_text(
        f"`python -m benchmarks.gpu --sizes {args.sizes} --backend {args.backend} "
        f"--repeat {args.repeat}` (tol {args.tol:g}; times: median of {args.repeat})\n\n"
        + "".join(f"- {x}\n" for x in machine() + notes)
        + "\n"
        + head
        + "\n".join(lines)
        + "\n"
    )
    console.print(f"written {path}")


if __name__ == "__main__":
    main()
