"""The federated plan of a world input-output table: rounds, messages and bytes on the
wire, with the central plan of the same table in the same run.

    python -m benchmarks.federation_world [data/wiod2013-world-2011] [--refresh 12 1]

Prints one line per ``refresh`` (12: orders and allocations only when they change,
the default; 1: every standing order and allocation every round): status, rounds,
messages, bytes, hours against the central plan (planning's fast path), and the
process's CPU seconds (a ratio only on a shared machine).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from soviets.federation import plan_federated
from soviets.formats import load_economy
from soviets.planning import plan

WORLD = Path(__file__).resolve().parents[1] / "data" / "wiod2013-world-2011"


def main() -> None:
    """Plan the table centrally once, then federated once per ``--refresh``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=WORLD)
    parser.add_argument("--refresh", type=int, nargs="+", default=[12, 1])
    args = parser.parse_args()
    eco = load_economy(args.folder)
    cpu = time.process_time()
    central = plan(eco, solver="fast")
    print(
        f"{args.folder.name}: {eco.n_processes:,} processes; central {central.status} "
        f"{central.objective_hours:,.1f} {eco.labour_unit} in {time.process_time() - cpu:.1f} s CPU"
    )
    for refresh in args.refresh:
        cpu = time.process_time()
        fed = plan_federated(eco, refresh=refresh)
        cpu = time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pr = fed.extra["protocol"]
        rel = (fed.objective_hours - central.objective_hours) / central.objective_hours
        print(
            f"refresh {refresh}: {fed.status}, {pr['rounds']} rounds, {pr['messages']:,} messages, "
            f"{pr['bytes'] / 1e9:.3f} GB, labour {rel:+.2e} relative to central, "
            f"{cpu:.1f} s CPU, peak {peak:,.0f} MB"
        )


if __name__ == "__main__":
    main()
