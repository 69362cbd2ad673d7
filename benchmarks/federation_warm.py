"""Warm start of the next period: rounds to a plan within 0.1% of HiGHS, warm and cold.

    python -m benchmarks.federation_warm [--goods 8 20 50] [--seeds 0-4] [--two-regions]
        [--prices-only]  # the first round's warm start: capacity prices alone
        [--old]  # also the warm start without streams (before issue 15's fourth round)
        [--to cold,old,warm]  # the starts whose rounds to 0.1% are measured (the scan
                              # costs tens of plans; the others: rounds to the stop only)
        [--mode labour-budget]  # both periods in labour-budget mode (default min-labour)
        [--budgets-times 0.4]  # every council hour budget scaled (labour-budget mode)
        [--starts warm]  # plan period 2 from these starts only (default: all)
        [--share-rounds 10] [--share-grid=-0.1,-0.05,-0.02,0,0.02,0.05,0.1]
            # labour-budget warm start: the parallel trials' rounds (0: none, the
            # bracket before) and shares about last period's

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

``--mode labour-budget``: both periods are planned in labour-budget mode
(``plan_federated(..., mode="labour-budget")``: essential needs, then the
largest share of normal needs, then least hours within the council hour
budgets, by trials over the share, each aimed where the limits run out) and
compared with HiGHS's labour-budget plan
(``planning.plan(..., mode="labour-budget")``); a plan then counts as within
0.1% when its share of normal needs is also within ``SHARE_TOL`` of
HiGHS's. *Rounds to 0.1%* are then the total rounds over the trials of the
search until its plan (the last reachable trial) counts, read from one
plan's trials (no scan; for a period of one trial, the share 1, its rounds to
the clerk's stop). The warm start's parallel phase is one trial: its rounds
the most of its parallel trials' (they run in the same rounds), its messages
and bytes their sum (docs/federation-protocol.md, "Parallel shares mixed by
the clerk"). A third start, ``bisect``, is the warm start with the
bracket of a cold start (shares 1, 0, then the search inside; the warm start
before the bracket near last period's share). ``--budgets-times F`` multiplies every
council hour budget by ``F`` (0.4: the budgets bind on the tight economies,
``benchmarks/federation_budget.py``). Each start's line then adds its trials,
share, certified bound on the share and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from statistics import median
from typing import Any

from benchmarks.federation_budget import budgets_times
from benchmarks.federation_robust import _seeds, perturbed
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.planning import plan
from soviets.planning.result import Plan, PlanMode

TOL = 1e-3  # within 0.1%
SCAN = 40  # rounds scanned one by one before bisection
SHARE_TOL = 1e-3  # labour-budget mode: the share of normal needs within this of HiGHS's


def close_to(p: Plan, ref: Plan) -> bool:
    """``p``'s hours within 0.1% of ``ref``'s (and, in labour-budget mode, its share of
    normal needs within ``SHARE_TOL``)."""
    opt = ref.objective_hours
    if abs(p.objective_hours - opt) > TOL * max(abs(opt), 1e-9):
        return False
    if ref.mode == "labour-budget" and ref.fulfilment is not None:
        return p.fulfilment is not None and abs(p.fulfilment - ref.fulfilment) <= SHARE_TOL
    return True


def good_at(eco: Economy, ref: Plan, k: int, **kw: Any) -> int | None:
    """The rounds the protocol took when the plan the clerk stops on after ``k`` rounds
    (per trial in labour-budget mode) is settled and close to ``ref``, else None."""
    p = plan_federated(eco, max_rounds=k, **kw)
    ok = p.status != "infeasible" and close_to(p, ref)
    return int(p.extra["protocol"]["rounds"]) if ok else None


def rounds_to(eco: Economy, ref: Plan, stop: int, **kw: Any) -> int | None:
    """Rounds to a plan within 0.1% (None: not by ``stop``): the first round cap at which
    the clerk's plan is (a scan of ``SCAN`` caps, then a bisection up to ``stop``)."""
    for k in range(1, min(SCAN, stop) + 1):
        if (got := good_at(eco, ref, k, **kw)) is not None:
            return got
    if stop <= SCAN or (top := good_at(eco, ref, stop, **kw)) is None:
        return None
    lo, hi, found = SCAN, stop, [top]  # not at lo, within at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        got = good_at(eco, ref, mid, **kw)
        found += [got] if got is not None else []
        lo, hi = (lo, mid) if got is not None else (mid, hi)
    return min(found)


def budget_rounds_to(p: Plan, ref: Plan) -> int | None:
    """Labour-budget mode: the total rounds over the trials of ``p``'s search until
    its plan, the last reachable trial, has its share within ``SHARE_TOL`` of ``ref``'s
    and its hours within 0.1% (None: never)."""
    opt, total = ref.objective_hours, 0
    for t in p.extra["protocol"]["trials"]:
        total += int(t.get("rounds") or 0)
        if not t["reachable"]:
            continue
        share_ok = ref.fulfilment is None or abs(t["share"] - ref.fulfilment) <= SHARE_TOL
        if share_ok and abs(t["hours"] - opt) <= TOL * max(abs(opt), 1e-9):
            return total
    return None


LABELS = ("cold", "old", "bisect", "warm")


def run_one(
    name: str,
    eco: Economy,
    seed: int,
    prices_only: bool,
    old: bool,
    to: set[str],
    mode: PlanMode = "min-labour",
    only: set[str] | None = None,
    share: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Period 1 cold; period 2 (needs x [0.95, 1.05]) cold and warm (and the old warm;
    in labour-budget mode also the warm start bracketing as a cold one); ``only``
    these starts where given; ``share``: the parallel phase's keywords (labour-budget
    mode)."""
    first = plan_federated(eco, mode=mode, **(share or {}))
    warm = first.extra["protocol"]["warm"]
    start: Any = first
    if prices_only:
        start = {"promoted": warm["promoted"], "prices": warm["prices"]}
    starts: dict[str, Any] = {"cold": None, "warm": start}
    if old:
        starts["old"] = {k: v for k, v in warm.items() if k not in ("streams", "councils")}
    if mode == "labour-budget":
        starts["bisect"] = {k: v for k, v in warm.items() if k != "share"}
    eco2 = perturbed(eco, seed)
    ref = plan(eco2, solver="highs", mode=mode)
    row: dict[str, Any] = {"economy": name, "seed": seed, "mix": len(warm.get("streams", []))}
    row["share_ref"] = ref.fulfilment
    for label in (lb for lb in LABELS if lb in starts and (only is None or lb in only)):
        kw = {"start": starts[label], "mode": mode, **(share or {})}
        cpu = time.process_time()
        full = plan_federated(eco2, **kw)
        row[f"{label}_cpu"] = time.process_time() - cpu
        proto = full.extra["protocol"]
        row[f"{label}_stop"] = proto["rounds"]
        # both without a plan (the essential needs beyond the budgets) agree too
        row[f"{label}_none"] = ref.status == "infeasible" and full.status == "infeasible"
        row[f"{label}_ok"] = (full.status == "optimal" and close_to(full, ref)) or row[
            f"{label}_none"
        ]
        row[f"{label}_msgs"] = proto["messages"]
        row[f"{label}_bytes"] = proto["bytes"]
        if mode == "labour-budget":
            row[f"{label}_to"] = budget_rounds_to(full, ref)
            row[f"{label}_trials"] = len(proto["trials"])
            row[f"{label}_share"] = (full.fulfilment, proto["share_bound"])
            row[f"{label}_hours"] = full.objective_hours / ref.objective_hours - 1
        else:
            row[f"{label}_to"] = rounds_to(eco2, ref, proto["rounds"], **kw) if label in to else "-"
    return row


def _fmt(r: dict[str, Any], label: str) -> str:
    """One start's figures: rounds to 0.1% / to the stop, ok, messages, kB (labour-budget
    mode: trials, share found and certified bound, hours against HiGHS, CPU s)."""
    if f"{label}_stop" not in r:
        return ""
    verdict = "ok" if r[f"{label}_ok"] else "NOT OK"
    if r.get(f"{label}_none"):
        verdict = "no plan, as HiGHS"
    line = (
        f"  {label}: {r[f'{label}_to']!s:>4} / {r[f'{label}_stop']:4d} {verdict}"
        f" {r[f'{label}_msgs']:8d} msgs"
        f" {r[f'{label}_bytes'] / 1e3:8.0f} kB"
    )
    if f"{label}_trials" in r:
        share, bound = r[f"{label}_share"]
        line += (
            f" {r[f'{label}_trials']} trials share {share} <= {bound}"
            f" hours {r[f'{label}_hours']:+.1e} cpu {r[f'{label}_cpu']:.1f} s"
        )
    return line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, nargs="*", default=[8, 20, 50])
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--two-regions", action="store_true", help="also examples/two-regions")
    ap.add_argument("--prices-only", action="store_true", help="warm start from prices alone")
    ap.add_argument("--old", action="store_true", help="also the warm start without streams")
    ap.add_argument("--to", default=",".join(LABELS), help="starts measured to 0.1%%")
    ap.add_argument("--mode", choices=("min-labour", "labour-budget"), default="min-labour")
    ap.add_argument("--budgets-times", type=float, default=1.0, help="scale the hour budgets")
    ap.add_argument("--starts", default=",".join(LABELS), help="period 2's starts to plan")
    ap.add_argument("--share-rounds", type=int, help="parallel trials' rounds (0: none)")
    ap.add_argument("--share-grid", help="parallel trials' shares about last period's")
    args = ap.parse_args()
    share: dict[str, Any] = {}
    if args.share_rounds is not None:
        share["share_rounds"] = args.share_rounds
    if args.share_grid:
        share["share_grid"] = tuple(float(d) for d in args.share_grid.split(","))
    cases: list[tuple[str, Economy, int]] = [
        (f"{g} goods", budgets_times(tight_economy(g, s), args.budgets_times), s)
        for g in args.goods
        for s in _seeds(args.seeds)
    ]
    if args.two_regions:
        from soviets.formats import load_economy

        cases.append(("two-regions", load_economy("examples/two-regions"), 0))
    print(f"mode {args.mode}, budgets x {args.budgets_times}")
    print("economy      seed  mix  start: rounds to 0.1% / to the stop, ok, messages, bytes")
    rows = []
    for name, eco, seed in cases:
        measure, only = set(args.to.split(",")), set(args.starts.split(","))
        r = run_one(name, eco, seed, args.prices_only, args.old, measure, args.mode, only, share)
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
                f" optimal within 0.1% (or no plan, as HiGHS)"
                f" {sum(r[f'{label}_ok'] for r in rs)} of {len(rs)};"
                f" messages median {median(r[f'{label}_msgs'] for r in rs):.0f},"
                f" bytes median {median(r[f'{label}_bytes'] for r in rs) / 1e6:.2f} MB",
                flush=True,
            )
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU {cpu.ru_utime + cpu.ru_stime:.1f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
