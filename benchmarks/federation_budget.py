"""Labour-budget mode: the federated plan against HiGHS, on two-regions and on tight
random economies with their hour budgets scaled down.

    python -m benchmarks.federation_budget [--goods 8] [--factor 0.4] [--seeds 0 1 2]

Prints one line per economy: HiGHS's share of normal needs and hours (or, where
the essential needs cannot be met within the budgets, both statuses), the
federation's (with the certified upper bound on the share, None where some
process works under no budget), the relative hours difference, the clerk's
gap, and the rounds, messages, bytes and trials of the protocol (CPU seconds:
a ratio only on a shared machine).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.formats import load_economy
from soviets.planning import central

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "two-regions"


def budgets_times(eco: Economy, factor: float) -> Economy:
    """``eco`` with every council hour budget multiplied by ``factor``."""

    def scaled(h: float | None) -> float | None:
        return None if h is None else h * factor

    return replace(
        eco, councils=[replace(c, hours_available=scaled(c.hours_available)) for c in eco.councils]
    )


def compare(name: str, eco: Economy) -> None:
    """One line: HiGHS against the federated labour-budget plan."""
    ref = central.solve(eco, "labour-budget")
    cpu = time.process_time()
    fed = plan_federated(eco, mode="labour-budget")
    cpu = time.process_time() - cpu
    pr = fed.extra["protocol"]
    if ref.fulfilment is None or fed.fulfilment is None:  # the essential needs cannot be met
        print(
            f"{name}: HiGHS {ref.status} | federated {fed.status}, rounds {pr['rounds']}, "
            f"messages {pr['messages']:,}, bytes {pr['bytes']:,}, trials {len(pr['trials'])}, "
            f"cpu {cpu:.0f} s",
            flush=True,
        )
        return
    rel = (fed.objective_hours - ref.objective_hours) / ref.objective_hours
    print(
        f"{name}: HiGHS share {ref.fulfilment:.4f} {ref.objective_hours:,.2f} h | "
        f"federated {fed.status} share {fed.fulfilment} (certified <= {pr['share_bound']}) "
        f"{fed.objective_hours:,.2f} h "
        f"({rel:+.2e}), gap {fed.certificate.gap:.1e}, rounds {pr['rounds']}, "
        f"messages {pr['messages']:,}, bytes {pr['bytes']:,}, trials {len(pr['trials'])}, "
        f"cpu {cpu:.0f} s",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--goods", type=int, default=8)
    ap.add_argument("--factor", type=float, default=0.4)
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--no-example", action="store_true")
    args = ap.parse_args()
    if not args.no_example:
        compare("two-regions", load_economy(EXAMPLE))
    for seed in args.seeds:
        eco = budgets_times(tight_economy(args.goods, seed), args.factor)
        compare(f"{args.goods} goods, seed {seed}, budgets x {args.factor}", eco)


if __name__ == "__main__":
    main()
