"""Labour-budget warm start: the clerk's mix of parallel trials alone, against HiGHS.

    python -m benchmarks.federation_parallel [--goods 8] [--seeds 0-2]
        [--budgets-times 0.4] [--two-regions] [--rounds 8 10 12]
        [--grid=-0.1,-0.05,-0.02,0,0.02,0.05,0.1]

Period 1 is planned cold (labour-budget mode); period 2 (every need x a seeded
factor in [0.95, 1.05], ``federation_robust.perturbed``) runs only the parallel
phase of the warm start (``budget._mix``): a trial at last period's share plus
each of the grid, each from period 1's plan and cut off after R rounds, then the
clerk's mix. Prints, per R, the mix's share and hours against HiGHS's
labour-budget plan (relative: share minus HiGHS's, hours / HiGHS's - 1), the
phase's rounds (the most of its trials') and messages (their sum), and each
trial: share, whether it entered the mix, rounds, hours and weight.
"""

from __future__ import annotations

import argparse
from functools import partial

from benchmarks.federation_budget import EXAMPLE, budgets_times
from benchmarks.federation_robust import _seeds, perturbed
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import budget, plan_federated, protocol
from soviets.formats import load_economy
from soviets.planning import plan
from soviets.planning.result import Plan


def phase(now: Economy, last: Plan, rounds: int, grid: tuple[float, ...]) -> budget._Trials:
    """The parallel phase of ``now``'s warm start from ``last``, trials cut at ``rounds``."""
    ceiling = budget.hours_ceiling(now)
    settings = protocol.Settings(hours_ceiling=ceiling, max_rounds=rounds)
    capped = partial(protocol._plan_min_labour, settings=settings, start=last)
    run = budget._Trials(budget.with_hour_goods(now), [capped], ceiling)
    budget._mix(run, float(last.extra["protocol"]["warm"]["share"]), capped, grid)
    return run


def report(name: str, eco: Economy, seed: int, rounds: list[int], grid: tuple[float, ...]) -> None:
    """One economy: period 1 cold, then period 2's parallel phase at each cap."""
    last = plan_federated(eco, mode="labour-budget")
    now = perturbed(eco, seed)
    ref = plan(now, solver="highs", mode="labour-budget")
    share, hours = ref.fulfilment or 0.0, ref.objective_hours
    print(f"{name} seed {seed}: last share {last.fulfilment}, HiGHS {share:.6f}, {hours:.3f} hours")
    for r in rounds:
        rec = phase(now, last, r, grid).records[-1]
        found = (
            f"share {rec['share'] - share:+.2e} hours {rec['hours'] / hours - 1:+.2e}"
            if rec["reachable"]
            else "no mix"
        )
        proto = rec["protocol"]
        print(f"  R={r}: {found}; {proto['rounds']} rounds, {proto['messages']} messages")
        for e in rec["parallel"]:
            print(
                f"    {e['share']:.4f} {'in ' if e['balanced'] else 'out'} {e['rounds']} rounds"
                f" {e.get('hours', float('nan')):.3f} hours weight {e.get('weight', 0.0):.3f}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, nargs="*", default=[8])
    ap.add_argument("--seeds", default="0-2")
    ap.add_argument("--budgets-times", type=float, default=0.4)
    ap.add_argument("--two-regions", action="store_true")
    ap.add_argument("--rounds", type=int, nargs="*", default=[8, 10, 12])
    ap.add_argument("--grid", default=",".join(str(d) for d in budget.GRID))
    args = ap.parse_args()
    grid = tuple(float(d) for d in args.grid.split(","))
    for g in args.goods:
        for s in _seeds(args.seeds):
            eco = budgets_times(tight_economy(g, s), args.budgets_times)
            report(f"{g} goods", eco, s, args.rounds, grid)
    if args.two_regions:
        report("two-regions", load_economy(EXAMPLE), 0, args.rounds, grid)


if __name__ == "__main__":
    main()
