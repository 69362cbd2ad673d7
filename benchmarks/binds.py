"""Which constraints make the constrained plan slow: the same economy, one family at a time.

    python -m benchmarks.binds [--goods 1e5] [--time-limit 60] [--seed 0]

Plans the benchmark's constrained economy (:func:`benchmarks.plan.instance`:
30% capacity-bound processes, an emission cap, 50 council hour budgets)
three times with the structure-exploiting solver, switching the
constraints on one family at a time:

* ``capacities``: capacities only (min-labour plan);
* ``+ emission cap``: capacities and the emission cap (min-labour plan);
* ``+ hour budgets``: everything (labour-budget plan, the benchmark instance).

Prints the warm start (seconds, certified gap), the certified gap at the end,
the PDHG iterations and the time of each, and when each side of the
certificate settled: the first second at which the dual bound, and the
primal plan, were within ``gap / 2`` (relative) of their final values. A side
that settles late is the one that holds the certificate back. Nothing is compared with HiGHS
here: ``benchmarks.plan`` does that on the full instance.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from benchmarks.plan import instance
from soviets.planning import constrained

COUNCILS = 50
VARIANTS = (
    ("capacities", None, False, "min-labour"),
    ("+ emission cap", 0.9, False, "min-labour"),
    ("+ hour budgets", 0.9, True, "labour-budget"),
)


def run(goods: int, time_limit: float, seed: int, gap: float) -> list[dict]:
    """One row per variant: warm start, final certificate, iterations, seconds."""
    rows = []
    for name, cap, hours, mode in VARIANTS:
        eco, _ = instance(
            "constrained", goods, seed, COUNCILS, emission_cap=cap, hour_budgets=hours
        )
        start = time.perf_counter()
        plan = constrained.solve(eco, mode, gap=gap, time_limit=time_limit)
        seconds = time.perf_counter() - start
        info = plan.extra["constrained"]
        first = info["history"][0] if info.get("history") else {}
        rows.append(
            {
                "constraints": name,
                "warm_seconds": first.get("seconds"),
                "warm_gap": first.get("gap"),
                "gap": plan.certificate.gap,
                "iterations": info.get("iterations"),
                "seconds": seconds,
                "dual_settled": _settled(info.get("history", []), "dual", gap),
                "primal_settled": _settled(info.get("history", []), "primal", gap),
            }
        )
    return rows


def _settled(history: list[dict], side: str, gap: float) -> float | None:
    """First second at which ``side`` of the certificate was within ``gap / 2`` of its end value."""
    if not history or history[-1][side] is None:
        return None
    final = history[-1][side]
    for entry in history:
        value = entry[side]
        if value is not None and abs(value - final) <= 0.5 * gap * abs(final):
            return entry["seconds"]
    return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.binds", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--goods", default="1e5")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--gap", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = run(int(float(args.goods)), args.time_limit, args.seed, args.gap)
    table = Table(title=f"constrained plan, {int(float(args.goods)):,} goods, seed {args.seed}")
    columns = ("constraints", "warm start", "certified gap", "iterations", "time s")
    for col in columns + ("dual settled s", "primal settled s"):
        table.add_column(col)
    for r in rows:
        warm = (
            f"{r['warm_seconds']:.1f} s, {r['warm_gap']:.1e}"
            if r["warm_seconds"] is not None
            else ""
        )
        table.add_row(
            r["constraints"],
            warm,
            f"{r['gap']:.1e}",
            str(r["iterations"]),
            f"{r['seconds']:.1f}",
            _seconds(r["dual_settled"]),
            _seconds(r["primal_settled"]),
        )
    Console(width=140).print(table)


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
