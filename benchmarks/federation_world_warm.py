"""The next period of a world input-output table, warm: rounds to a plan within 0.1%.

    python -m benchmarks.federation_world_warm [data/wiod2013-world-2011] [--seeds 0 1]

Period 1 is planned cold (``plan_federated(eco)``); period 2 is the same table with
every need scaled by a seeded factor in [0.95, 1.05] (``federation_robust.perturbed``),
planned warm from period 1's plan (``start=``) and compared with the central plan of
period 2 (planning's fast path). Prints, per seed, the warm plan at the clerk's own
stop (status, rounds, messages, bytes, hours against the central plan) and the rounds
to 0.1%: the first round cap whose plan is settled and within 0.1% of the central
plan (``federation_warm.good_at``), found by bisection below the stop (which assumes
that a plan within 0.1% stays so). CPU seconds: a ratio only on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from benchmarks.federation_robust import perturbed
from benchmarks.federation_warm import good_at
from soviets.economy import Economy
from soviets.federation import plan_federated
from soviets.formats import load_economy
from soviets.planning import plan
from soviets.planning.result import Plan

WORLD = Path(__file__).resolve().parents[1] / "data" / "wiod2013-world-2011"


def first_cap_within(eco: Economy, ref: Plan, start: Plan, stop: int) -> int:
    """The first round cap (at most ``stop``, the clerk's own stop) whose plan is settled
    and within 0.1% of ``ref`` (bisection)."""
    lo, hi = 0, stop
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if good_at(eco, ref, mid, start=start) is not None else (mid, hi)
    return hi


def main() -> None:
    """Plan period 1 cold, then each seed's period 2 warm, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=WORLD)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args()
    eco = load_economy(args.folder)
    cpu = time.process_time()
    first = plan_federated(eco)
    p1 = first.extra["protocol"]
    print(
        f"{args.folder.name} period 1 cold: {first.status}, {p1['rounds']} rounds, "
        f"{p1['messages']:,} messages, {p1['bytes']:,} bytes, "
        f"{time.process_time() - cpu:.0f} s CPU",
        flush=True,
    )
    for seed in args.seeds:
        eco2 = perturbed(eco, seed)
        ref = plan(eco2, solver="fast")
        cpu = time.process_time()
        warm = plan_federated(eco2, start=first)
        pw = warm.extra["protocol"]
        rel = (warm.objective_hours - ref.objective_hours) / ref.objective_hours
        print(
            f"seed {seed} warm: {warm.status} at the stop in {pw['rounds']} rounds "
            f"({rel:+.2e} from central), {pw['messages']:,} messages, {pw['bytes']:,} bytes, "
            f"{time.process_time() - cpu:.0f} s CPU; within 0.1% from round "
            f"{first_cap_within(eco2, ref, first, int(pw['rounds']))}",
            flush=True,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak {peak:,.0f} MB")


if __name__ == "__main__":
    main()
