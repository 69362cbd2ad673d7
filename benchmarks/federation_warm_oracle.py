"""Warm start with an oracle's slack: could a slack that knows each seller's rise reach
10 rounds? (issue 15, seventh round; an experiment, nothing of it is in the protocol)

    python -m benchmarks.federation_warm_oracle [--goods 8 20] [--seeds 0-4] [--two-regions]
        [--oracle trace|settled|state] [--margin 0.001] [--signed] [--cap] [--not-at-capacity]

Each council's round-0 orders as a seller (its remembered orders, which the protocol
takes ``agents.WARM_SLACK`` = 5% over) are replaced, per stream, by what an oracle
computed centrally from every council's memory and the new needs:

* ``trace``: each remembered order times ``1 + rise + margin``, the rise of its offer
  being the trace of the needs' changes along last period's agreements at last
  period's technique and merit order (a territorial council's change is its new need
  over what it was allocated of that good; a workplace's, per input, the mix of its
  processes' rises by use; a process's, the mix of its outputs' rises by quantity
  ordered; an offer's, the mix of its buyers' by quantity). ``--signed``: needs that
  fell count too (default: their positive part). ``--cap``: a buyer's rise of a good
  goes only to the sellers that delivered it in full (the sellers at capacity keep
  last period's orders);
* ``settled``: each seller's orders of the state its stream settles on (a first run of
  the same warm start whose clerk does not stop on the streams), times ``1 + margin``;
* ``state``: every council's whole memory of that settled state (its board, what it
  held as buyer and the shares it expected, its orders as seller times
  ``1 + margin``, its activities).

``--not-at-capacity``: no margin on the orders of a process at its capacity
(``settled`` and ``state``). Prints, per economy, the rounds to a plan within 0.1%
of HiGHS (``federation_warm.rounds_to``) and to the clerk's certified stop, for the
warm start as it is and with the oracle.
"""

from __future__ import annotations

import argparse
import os
import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

import soviets.federation.agents as agents
import soviets.federation.protocol as protocol
from benchmarks.federation_robust import _seeds, perturbed
from benchmarks.federation_warm import rounds_to
from soviets.economy import Economy
from soviets.economy.generate import tight_economy
from soviets.federation import plan_federated
from soviets.federation.directory import Directory, Papers, Recall
from soviets.planning import plan

Fix = Callable[[Directory, list[Papers]], list[Papers]]
Key = tuple[int, int]  # (council id, stream: 0 the main market, s proposal s)


@dataclass(frozen=True)
class Oracle:
    """Which oracle, and how it sizes the round-0 orders."""

    kind: str = "trace"
    margin: float = 0.0
    signed: bool = False
    cap: bool = False
    not_at_capacity: bool = False


def _streams(pp: Papers) -> list[Recall | None]:
    """A council's memory per stream: the main market's, then each proposal's."""
    return [pp.recall, *pp.proposals]


def _with_streams(pp: Papers, rcs: list[Recall | None]) -> Papers:
    """``pp`` with its memory per stream replaced."""
    return replace(pp, recall=rcs[0], proposals=tuple(rcs[1:]))


def _need_changes(
    d: Directory, papers: list[Papers], rc: list[Recall | None], signed: bool
) -> dict[Key, float]:
    """(territorial council, good) -> its new need over what it was allocated, less 1
    (its positive part unless ``signed``)."""
    delta: dict[Key, float] = {}
    for pp, r in zip(papers, rc, strict=True):
        if r is None or pp.kind != "territorial":
            continue
        g_of = d.offer_good[r.bought_offer]
        for g, q in zip(pp.need_good, pp.need_qty, strict=True):
            old = float(r.bought_qty[g_of == g].sum())
            if old > 0:
                change = float(q) / old - 1.0
                delta[(pp.council, int(g))] = change if signed else max(change, 0.0)
    return delta


def _free_shares(d: Directory, papers: list[Papers], rc: list[Recall | None]) -> dict[Key, float]:
    """(buyer, offer) -> the share of the buyer's rise of that good the offer takes:
    0 where it was short last period, else all it got of the good over what the
    sellers that delivered in full gave (``--cap``)."""
    share: dict[Key, float] = {}
    for pp, r in zip(papers, rc, strict=True):
        if r is None or r.bought_offer.size == 0:
            continue
        g_of = d.offer_good[r.bought_offer]
        short = r.bought_qty < r.bought_ordered * (1 - 1e-9)
        for g in np.unique(g_of):
            m = g_of == g
            total, free = r.bought_qty[m].sum(), r.bought_qty[m & ~short].sum()
            for o, sh in zip(r.bought_offer[m], short[m], strict=True):
                share[(pp.council, int(o))] = 0.0 if sh or free <= 0 else float(total / free)
    return share


def _input_rises(pp: Papers, r: Recall, rho: np.ndarray, sold: np.ndarray) -> dict[int, float]:
    """A workplace's rise per input good: its processes' rises (each the mix of its
    outputs' rises by quantity ordered) mixed by their use of the good."""
    n = pp.labour.size
    q = sold[pp.out_offer]
    num, den = np.zeros(n), np.zeros(n)
    np.add.at(num, pp.out_proc, q * rho[pp.out_offer])
    np.add.at(den, pp.out_proc, q)
    proc = np.divide(num, den, out=np.zeros(n), where=den > 0)
    act = r.activity if r.activity.size == n else np.zeros(n)
    use = pp.in_coef * act[pp.in_proc]
    out = {}
    for g in np.unique(pp.in_good):
        m = pp.in_good == g
        if use[m].sum() > 0:
            out[int(g)] = float((use[m] * proc[pp.in_proc[m]]).sum() / use[m].sum())
    return out


def trace_rises(d: Directory, papers: list[Papers], rc: list[Recall | None], o: Oracle):
    """Per offer id: the trace of the needs' changes along one stream's agreements."""
    delta = _need_changes(d, papers, rc, o.signed)
    share = _free_shares(d, papers, rc) if o.cap else {}
    sold = np.zeros(d.n_offers)
    for r in rc:
        if r is not None:
            np.add.at(sold, r.sold_offer, r.sold_qty)
    rho = np.zeros(d.n_offers)
    for _ in range(500):
        beta = dict(delta)
        for pp, r in zip(papers, rc, strict=True):
            if r is not None and pp.kind != "territorial" and pp.in_good.size:
                beta |= {(pp.council, g): v for g, v in _input_rises(pp, r, rho, sold).items()}
        num = np.zeros(d.n_offers)
        for r in rc:
            if r is None:
                continue
            b = [
                beta.get((int(c), int(d.offer_good[o_])), 0.0) * share.get((int(c), int(o_)), 1.0)
                for c, o_ in zip(r.sold_buyer, r.sold_offer, strict=True)
            ]
            np.add.at(num, r.sold_offer, r.sold_qty * np.asarray(b, float))
        new = np.divide(num, sold, out=np.zeros(d.n_offers), where=sold > 0)
        done = float(np.max(np.abs(new - rho), initial=0.0)) < 1e-13
        rho = new
        if done:
            break
    return rho


def _scaled(r: Recall, factor: np.ndarray) -> Recall:
    """``r`` with its orders as seller sized so that the protocol's 5% over gives
    ``factor`` times them."""
    return replace(r, sold_qty=r.sold_qty * factor / (1.0 + agents.WARM_SLACK))


def trace_fix(o: Oracle) -> Fix:
    """The ``trace`` oracle: every remembered order times 1 + its offer's rise + margin."""

    def fix(d: Directory, papers: list[Papers]) -> list[Papers]:
        per = [_streams(pp) for pp in papers]
        for s in range(max(len(x) for x in per)):
            rc = [x[s] if s < len(x) else None for x in per]
            rho = trace_rises(d, papers, rc, o)
            for x in per:
                if s < len(x) and (r := x[s]) is not None:
                    x[s] = _scaled(r, 1.0 + rho[r.sold_offer] + o.margin)
        return [_with_streams(pp, x) for pp, x in zip(papers, per, strict=True)]

    return fix


def settled_fix(o: Oracle, settled: dict[Key, Recall]) -> Fix:
    """The ``settled`` and ``state`` oracles: each stream's memory from its settled state."""

    def one(pp: Papers, r: Recall | None, s: int) -> Recall | None:
        c = settled.get((pp.council, s))
        if r is None or c is None:
            return r
        proc = dict(zip(pp.out_offer.tolist(), pp.out_proc.tolist(), strict=True))
        full = (
            c.activity >= pp.capacity * (1 - 1e-9) if c.activity.size == pp.capacity.size else None
        )
        at = np.array([full is not None and bool(full[proc[int(x)]]) for x in c.sold_offer], bool)
        factor = 1.0 + np.where(at & o.not_at_capacity, 0.0, o.margin)
        if o.kind == "state":
            return _scaled(c, factor)
        mine = replace(r, sold_buyer=c.sold_buyer, sold_offer=c.sold_offer, sold_qty=c.sold_qty)
        return _scaled(mine, factor)

    def fix(d: Directory, papers: list[Papers]) -> list[Papers]:
        return [
            _with_streams(pp, [one(pp, r, s) for s, r in enumerate(_streams(pp))]) for pp in papers
        ]

    return fix


@contextmanager
def patched(fix: Fix) -> Iterator[None]:
    """Warm starts made inside hand each council the oracle's memory."""
    orig = protocol._recalled

    def recalled(d: Directory, *args: Any, **kw: Any) -> list[Papers]:
        return fix(d, orig(d, *args, **kw))

    protocol._recalled = recalled
    try:
        yield
    finally:
        protocol._recalled = orig


def settled_states(eco2: Economy, start: Any) -> dict[Key, Recall]:
    """Each council's memory of each stream's settled state: the warm start run with a
    clerk that never stops on the streams (they end settled, or after 60 rounds)."""
    got: dict[Key, Recall] = {}
    orig = agents.Council._fold

    def fold(self: agents.Council, k: int, inbox: Any) -> None:
        streams = [self.main, *self.streams]
        got.update({(self.main.me, s): a.as_recall() for s, a in enumerate(streams)})
        orig(self, k, inbox)

    agents.Council._fold = fold  # type: ignore[method-assign]
    try:
        plan_federated(eco2, start=start, gap_tol=-1.0, max_rounds=protocol.PARALLEL_ROUNDS + 2)
    finally:
        agents.Council._fold = orig  # type: ignore[method-assign]
    return got


def run_one(eco: Economy, seed: int, o: Oracle) -> tuple[Any, ...]:
    """Rounds to 0.1% and to the stop, warm as it is and with the oracle."""
    first = plan_federated(eco)
    eco2 = perturbed(eco, seed)
    ref = plan(eco2, solver="highs")
    out: list[Any] = []
    fixes: list[Fix | None] = [None]
    if o.kind == "trace":
        fixes.append(trace_fix(o))
    else:
        fixes.append(settled_fix(o, settled_states(eco2, first)))
    for fix in fixes:
        with patched(fix) if fix else _nothing():
            p = plan_federated(eco2, start=first)
            stop = int(p.extra["protocol"]["rounds"])
            out += [rounds_to(eco2, ref, stop, start=first), stop]
    return tuple(out)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--goods", type=int, nargs="*", default=[8, 20])
    ap.add_argument("--seeds", default="0-4")
    ap.add_argument("--two-regions", action="store_true")
    ap.add_argument("--oracle", choices=("trace", "settled", "state"), default="trace")
    ap.add_argument("--margin", type=float, default=0.0)
    ap.add_argument("--signed", action="store_true")
    ap.add_argument("--cap", action="store_true")
    ap.add_argument("--not-at-capacity", action="store_true")
    a = ap.parse_args()
    o = Oracle(a.oracle, a.margin, a.signed, a.cap, a.not_at_capacity)
    cases = [(f"{g} goods", tight_economy(g, s), s) for g in a.goods for s in _seeds(a.seeds)]
    if a.two_regions:
        from soviets.formats import load_economy

        cases.append(("two-regions", load_economy("examples/two-regions"), 0))
    print(o)
    print("economy      seed  warm: to 0.1% / stop   oracle: to 0.1% / stop")
    for name, eco, seed in cases:
        w_to, w_stop, o_to, o_stop = run_one(eco, seed, o)
        print(
            f"{name:12s} {seed:4d}  {w_to!s:>4} / {w_stop:4d}   {o_to!s:>4} / {o_stop:4d}",
            flush=True,
        )
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU {cpu.ru_utime + cpu.ru_stime:.1f} s; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
