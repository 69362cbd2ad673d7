"""The federated protocol on tight random economies, against HiGHS.

    python -m benchmarks.federation_robust [--goods 8 20 50] [--seeds 0-19] [--max-rounds 1000]
        [--warm]  # also: warm start after needs changed by +-5%
        [--plain]  # the master's raw duals instead of box-step prices (the default)
        [--tol T]  # epoch_tol: the councils' settling tolerance while capacities are
                   # priced (default: the protocol's, 1e-7; 0: tol = 1e-9 in every epoch)
        [--max-epochs N]

Economies: ``generate_economy(goods, techs=3, inputs=3, capacity_share=0.3,
primary=1, regions=2, councils=4, emission_cap=0.6, hour_budgets=True,
stock_share=0.2, seed)`` (an emission cap at 60% of the least-labour plan's
emissions on every process, 30% of processes capacity-bound, 20% stocks).
Mode: least hours. Each federated plan (``plan_federated(eco)``) is compared
with ``plan(eco, solver="highs")``. Prints one row per economy: its gap to
HiGHS (hours, relative), the clerk's certified gap, rounds, messages and
bytes; with ``--warm``, the rounds of a warm start
(``plan_federated(eco2, start=plan1)``) on the same economy with every need
scaled by a seeded factor in [0.95, 1.05], against a cold start.
Ends with a summary per size: within 0.1% certified, rounds median / max.
"""

from __future__ import annotations

import argparse
import time
from statistics import median
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.planning import plan

TOL = 1e-3  # within 0.1%


def perturbed(eco: Economy, seed: int) -> Economy:
    """The same economy with every need scaled by a seeded factor in [0.95, 1.05]."""
    from dataclasses import replace

    rng = np.random.default_rng(1000 + seed)
    factor = rng.uniform(0.95, 1.05, size=eco.need_quantity.shape)
    return replace(eco, need_quantity=eco.need_quantity * factor)


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def run_one(goods: int, seed: int, max_rounds: int, warm: bool, **kw: Any) -> dict[str, Any]:
    """One economy: the federated plan against HiGHS (and a warm start)."""
    eco = tight_economy(goods, seed)
    central = plan(eco, solver="highs")
    t0 = time.perf_counter()
    fed = plan_federated(eco, max_rounds=max_rounds, **kw)
    seconds = time.perf_counter() - t0
    proto = fed.extra["protocol"]
    opt = central.objective_hours
    row: dict[str, Any] = {
        "goods": goods,
        "seed": seed,
        "central": central.status,
        "status": fed.status,
        "gap_highs": (fed.objective_hours - opt) / max(abs(opt), 1e-9),
        "cert_gap": fed.certificate.gap,
        "bound_ok": fed.certificate.dual <= opt * (1 + 1e-9) + 1e-9,
        "rounds": proto["rounds"],
        "epochs": proto["epochs"],
        "messages": proto["messages"],
        "bytes": proto["bytes"],
        "seconds": seconds,
    }
    row["ok"] = (
        fed.status == "optimal"
        and abs(row["gap_highs"]) <= TOL
        and row["cert_gap"] <= TOL
        and row["bound_ok"]
    )
    if warm:
        eco2 = perturbed(eco, seed)
        c2 = plan(eco2, solver="highs")
        cold = plan_federated(eco2, max_rounds=max_rounds, **kw)
        hot = plan_federated(eco2, max_rounds=max_rounds, start=fed, **kw)
        row["cold2"] = cold.extra["protocol"]["rounds"]
        row["warm2"] = hot.extra["protocol"]["rounds"]
        row["warm_gap"] = (hot.objective_hours - c2.objective_hours) / max(
            abs(c2.objective_hours), 1e-9
        )
        row["warm_ok"] = hot.status == "optimal" and abs(row["warm_gap"]) <= TOL
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, nargs="+", default=[8, 20, 50])
    ap.add_argument("--seeds", default="0-19")
    ap.add_argument("--max-rounds", type=int, default=1000)
    ap.add_argument("--warm", action="store_true")
    ap.add_argument("--plain", action="store_true", help="the master's raw duals, no box-step")
    ap.add_argument(
        "--tol",
        type=float,
        default=None,
        help="epoch_tol: settling tolerance while capacities are priced (0: none)",
    )
    ap.add_argument("--max-epochs", type=int, default=None)
    args = ap.parse_args()
    head = "goods seed  gap_vs_HiGHS  cert_gap  rounds epochs  messages     bytes  secs ok"
    if args.warm:
        head += "  cold2 warm2 warm_ok"
    print(head)
    rows = []
    for goods in args.goods:
        for seed in _seeds(args.seeds):
            kw: dict[str, Any] = {"stabilise": not args.plain}
            if args.tol is not None:
                kw["epoch_tol"] = args.tol or None
            if args.max_epochs is not None:
                kw["max_epochs"] = args.max_epochs
            r = run_one(goods, seed, args.max_rounds, args.warm, **kw)
            rows.append(r)
            line = (
                f"{goods:5d} {seed:4d} {r['gap_highs']:13.2e} {r['cert_gap']:9.2e} "
                f"{r['rounds']:7d} {r['epochs']:6d} {r['messages']:9d} {r['bytes']:9d} "
                f"{r['seconds']:5.1f} {'y' if r['ok'] else 'n'}"
            )
            if args.warm:
                line += f"  {r['cold2']:5d} {r['warm2']:5d} {'y' if r['warm_ok'] else 'n'}"
            print(line, flush=True)
    print()
    for goods in args.goods:
        rs = [r for r in rows if r["goods"] == goods]
        rounds = [r["rounds"] for r in rs]
        line = (
            f"{goods} goods: {sum(r['ok'] for r in rs)} of {len(rs)} within 0.1% certified; "
            f"rounds median {median(rounds):.0f}, max {max(rounds)}; "
            f"messages median {median(r['messages'] for r in rs):.0f}; "
            f"bytes median {median(r['bytes'] for r in rs):.0f}"
        )
        if args.warm:
            w = [r["warm2"] for r in rs]
            c = [r["cold2"] for r in rs]
            line += (
                f"; warm start rounds median {median(w):.0f} (max {max(w)}) vs cold "
                f"{median(c):.0f}, {sum(r['warm_ok'] for r in rs)} within 0.1%"
            )
        print(line)


if __name__ == "__main__":
    main()
