"""The federation on the 2009 world table with choice of technique, against the central plan.

    python -m benchmarks.federation_choice [--keep 1] [--max-rounds 3000] [--profile N]
    python -m benchmarks.federation_choice --keep -1   # the full choice (every technique)
    python -m benchmarks.federation_choice --keep 1 --rounds 20   # the cost of 20 rounds
    python -m benchmarks.federation_choice --keep 1 --trace 10    # the clerk's tally every 10

Builds ``world_with_choice(eco, keep=K)`` of ``data/wiod2013-world-2009``
(each good: its own technique and the K borrowed ones cheapest at the
fixed-technique labour values; transfer cost 0.03 of the destination's inland
transport), plans it centrally (``planning.plan(world, solver="fast")``) and by
the federation (``plan_federated(world)``, in process) in the same run, and
prints: processes, both plans' hours, the federation's gap to central, rounds,
messages, bytes, and the CPU seconds of each (``time.process_time``: the
machine is shared, wall time says little). ``--profile N`` runs the federation
under cProfile (timed in CPU seconds) stopped after N rounds instead and
prints the 25 costliest functions (cumulative); ``--rounds N`` only times N rounds of the federation
(CPU seconds per round and messages per round), to compare two versions of the
code on the same machine in the same minutes (``PYTHONPATH=<other src>``);
``--trace N`` prints, every N rounds of the full run, the round, CPU seconds so
far, the largest relative change the councils report, the hours of the round's
state and their gap to the central plan, and the clerk's bound's gap.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

from soviets.economy.techniques import world_with_choice
from soviets.federation import plan_federated, protocol
from soviets.formats import load_economy
from soviets.planning import plan

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "data" / "wiod2013-world-2009"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--keep", type=int, default=1, help="borrowed techniques kept per good (-1: all)"
    )
    ap.add_argument("--max-rounds", type=int, default=3000)
    ap.add_argument("--profile", type=int, default=0, help="profile N rounds only")
    ap.add_argument("--rounds", type=int, default=0, help="time N rounds only")
    ap.add_argument("--trace", type=int, default=0, help="print the tally every N rounds")
    args = ap.parse_args()
    t0 = time.process_time()
    eco = load_economy(WORLD)
    world = world_with_choice(eco, keep=None if args.keep < 0 else args.keep)
    print(
        f"world with choice, keep={args.keep}: {world.n_processes:,} processes, "
        f"{world.n_goods:,} goods ({time.process_time() - t0:.1f} s CPU to build)"
    )
    if args.profile:
        prof = cProfile.Profile(time.process_time)  # CPU seconds: the machine is shared
        prof.enable()
        plan_federated(world, max_rounds=args.profile)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        return
    if args.rounds:
        t0 = time.process_time()
        fed = plan_federated(world, max_rounds=args.rounds)
        cpu = time.process_time() - t0
        proto = fed.extra["protocol"]
        print(
            f"{proto['rounds']} rounds: {cpu:.1f} s CPU ({cpu / proto['rounds']:.2f} s per "
            f"round, setup and assembly included), {proto['messages']:,} messages, "
            f"{proto['bytes']:,} bytes"
        )
        return
    t0 = time.process_time()
    central = plan(world, solver="fast")
    cpu_central = time.process_time() - t0
    if args.trace:
        _trace(args.trace, central.objective_hours)
    t0 = time.process_time()
    fed = plan_federated(world, max_rounds=args.max_rounds)
    cpu_fed = time.process_time() - t0
    proto = fed.extra["protocol"]
    gap = (fed.objective_hours - central.objective_hours) / abs(central.objective_hours)
    print(
        f"central (fast path): {central.objective_hours:,.0f} hours, {central.status}, "
        f"{cpu_central:.1f} s CPU"
    )
    print(
        f"federation: {fed.objective_hours:,.0f} hours, {fed.status}, "
        f"converged {proto['converged']}, {cpu_fed:.1f} s CPU"
    )
    print(f"gap to central: {gap:.3e} ({100 * gap:.4f}%), certified gap {fed.certificate.gap:.2e}")
    print(
        f"rounds {proto['rounds']}, messages {proto['messages']:,}, "
        f"bytes {proto['bytes']:,} ({proto['bytes'] / 1e9:.2f} GB)"
    )
    print(f"ratio federation / central CPU: {cpu_fed / max(cpu_central, 1e-9):,.0f}")


def _trace(every: int, central_hours: float) -> None:
    """Print the clerk's tally every ``every`` rounds (wraps ``_Clerk.tally``)."""
    tally = protocol._Clerk.tally
    t0 = time.process_time()

    def traced(clerk: protocol._Clerk, tot: dict[str, float]) -> bool:
        stable = tally(clerk, tot)
        k = len(clerk.history)
        if k % every == 0:
            bound = clerk.bounds[-1]
            b = "-" if bound is None else f"{(bound - central_hours) / central_hours:.3e}"
            gap = (tot["hours"] - central_hours) / central_hours
            print(
                f"round {k}: {time.process_time() - t0:.0f} s CPU, change {tot['change']:.2e}, "
                f"hours {tot['hours']:,.0f} (gap {gap:.3e}), bound gap {b}",
                flush=True,
            )
        return stable

    protocol._Clerk.tally = traced  # type: ignore[method-assign,assignment]


if __name__ == "__main__":
    main()
