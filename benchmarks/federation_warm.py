"""Warm start of the next period: rounds to a plan within 0.1% of HiGHS, warm and cold.

    python -m benchmarks.federation_warm [--goods 8 20 50] [--seeds 0-4] [--two-regions]
        [--prices-only]  # the first round's warm start: capacity prices alone
        [--old]  # also the warm start without streams (before issue 15's fourth round)
        [--to cold,old,warm]  # the starts whose rounds to 0.1% are measured (the scan
                              # costs tens of plans; the others: rounds to the stop only)

The next period is the same economy with every need scaled by a seeded factor
in [0.95, 1.05] (``federation_robust.perturbed``). Period 1 is planned cold
(``plan_federated(eco)``); period 2 cold and warm (``start=`` period 1's plan:
last period's mix re-evaluated in streams, docs/federation-protocol.md "Warm
start"); with ``--old`` also warm from the same plan's state without its
``streams`` and ``councils`` (the warm start before the streams).

*Rounds to 0.1%*: the first round cap ``k`` at which the plan the clerk stops
on (``plan_federated(eco2, max_rounds=k)``: the best mix of the proposals so
far, or the councils' current state) is settled (balanced and within every
capacity, status not ``infeasible``) and its hours within 0.1% of HiGHS's
optimum of period 2. Found by a scan of ``k = 1 .. 40`` and then a bisection
up to the clerk's own stop (which assumes a plan within 0.1% stays so). Also
printed: the rounds to the clerk's own (certified) stop, whether that plan is
``optimal`` and within 0.1% of HiGHS, its messages and bytes, and the CPU
seconds and load average of the whole run.
"""

from __future__ import annotations

import argparse
import os
import resource
from statistics import median
from typing import Any

from benchmarks.federation_robust import _seeds, perturbed
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.planning import plan

TOL = 1e-3  # within 0.1%
SCAN = 40  # rounds scanned one by one before bisection


def good_at(eco: Economy, opt: float, k: int, **kw: Any) -> bool:
    """The plan the clerk stops on after ``k`` rounds is settled and within 0.1%."""
    p = plan_federated(eco, max_rounds=k, **kw)
    return p.status != "infeasible" and abs(p.objective_hours - opt) <= TOL * max(abs(opt), 1e-9)


def rounds_to(eco: Economy, opt: float, stop: int, **kw: Any) -> int | None:
    """The first round cap at which the clerk's plan is within 0.1% (None: not by ``stop``)."""
    for k in range(1, min(SCAN, stop) + 1):
        if good_at(eco, opt, k, **kw):
            return k
    if stop <= SCAN or not good_at(eco, opt, stop, **kw):
        return None
    lo, hi = SCAN, stop  # not at lo, within at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if good_at(eco, opt, mid, **kw) else (mid, hi)
    return hi


LABELS = ("cold", "old", "warm")


def run_one(
    name: str, eco: Economy, seed: int, prices_only: bool, old: bool, to: set[str]
) -> dict[str, Any]:
    """Period 1 cold; period 2 (needs x [0.95, 1.05]) cold and warm (and the old warm)."""
    first = plan_federated(eco)
    warm = first.extra["protocol"]["warm"]
    start: Any = first
    if prices_only:
        start = {"promoted": warm["promoted"], "prices": warm["prices"]}
    starts: dict[str, Any] = {"cold": None, "warm": start}
    if old:
        starts["old"] = {k: v for k, v in warm.items() if k not in ("streams", "councils")}
    eco2 = perturbed(eco, seed)
    opt = plan(eco2, solver="highs").objective_hours
    row: dict[str, Any] = {"economy": name, "seed": seed, "mix": len(warm.get("streams", []))}
    for label in (lb for lb in LABELS if lb in starts):
        kw = {"start": starts[label]}
        full = plan_federated(eco2, **kw)
        proto = full.extra["protocol"]
        row[f"{label}_stop"] = proto["rounds"]
        row[f"{label}_ok"] = full.status == "optimal" and (
            abs(full.objective_hours - opt) <= TOL * abs(opt)
        )
        row[f"{label}_msgs"] = proto["messages"]
        row[f"{label}_bytes"] = proto["bytes"]
        row[f"{label}_to"] = rounds_to(eco2, opt, proto["rounds"], **kw) if label in to else "-"
    return row


def _fmt(r: dict[str, Any], label: str) -> str:
    """One start's figures: rounds to 0.1% / to the stop, ok, messages, kB."""
    if f"{label}_stop" not in r:
        return ""
    return (
        f"  {label}: {r[f'{label}_to']!s:>4} / {r[f'{label}_stop']:4d}"
        f" {'ok' if r[f'{label}_ok'] else 'NOT OK'} {r[f'{label}_msgs']:8d} msgs"
        f" {r[f'{label}_bytes'] / 1e3:8.0f} kB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, nargs="*", default=[8, 20, 50])
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--two-regions", action="store_true", help="also examples/two-regions")
    ap.add_argument("--prices-only", action="store_true", help="warm start from prices alone")
    ap.add_argument("--old", action="store_true", help="also the warm start without streams")
    ap.add_argument("--to", default=",".join(LABELS), help="starts whose rounds to 0.1% to measure")
    args = ap.parse_args()
    cases: list[tuple[str, Economy, int]] = [
        (f"{g} goods", tight_economy(g, s), s) for g in args.goods for s in _seeds(args.seeds)
    ]
    if args.two_regions:
        from soviets.formats import load_economy

        cases.append(("two-regions", load_economy("examples/two-regions"), 0))
    print("economy      seed  mix  start: rounds to 0.1% / to the stop, ok, messages, bytes")
    rows = []
    for name, eco, seed in cases:
        r = run_one(name, eco, seed, args.prices_only, args.old, set(args.to.split(",")))
        rows.append(r)
        line = "".join(_fmt(r, lb) for lb in LABELS)
        print(f"{name:12s} {seed:4d} {r['mix']:4d}{line}", flush=True)
    print()
    for name in dict.fromkeys(r["economy"] for r in rows):
        rs = [r for r in rows if r["economy"] == name]
        for label in (lb for lb in LABELS if f"{lb}_stop" in rs[0]):
            to = [r[f"{label}_to"] for r in rs if isinstance(r[f"{label}_to"], int)]
            stop = [r[f"{label}_stop"] for r in rs]
            measured = sum(r[f"{label}_to"] != "-" for r in rs)
            reached = (
                f"to 0.1% median {median(to) if to else '-'} max {max(to, default='-')}"
                f" ({len(to)} of {measured} reached)"
                if measured
                else "to 0.1% not measured"
            )
            print(
                f"{name} {label}: {reached};"
                f" stop median {median(stop)} max {max(stop)};"
                f" optimal within 0.1% {sum(r[f'{label}_ok'] for r in rs)} of {len(rs)};"
                f" messages median {median(r[f'{label}_msgs'] for r in rs):.0f},"
                f" bytes median {median(r[f'{label}_bytes'] for r in rs) / 1e6:.2f} MB",
                flush=True,
            )
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU {cpu.ru_utime + cpu.ru_stime:.1f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
