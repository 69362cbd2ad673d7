"""Goods no plan can make, and the best partial plan where only they are missing.

A process whose capacity is 0 never runs; a process that uses a good with no
process left to make it, no stock and no primary supply never runs either
(the good can only be used up, and nothing asks for less than 0 of it). Removing
such processes until none is left gives the processes that may run; a good that
none of them makes, with no stock and no primary supply, is **unmakeable**: no
plan delivers any of it, so a need for it cannot be met by any regime.

No plan runs the other processes or delivers any unmakeable good, so the
planner's best partial plan (least relative shortfall, then least labour) is
the best partial plan of the economy reduced to the processes that may run,
the goods they touch and the needs for makeable goods: the needs for
unmakeable goods add the same full shortfall to every plan. The reduced
programme is much smaller than :func:`soviets.planning.central.diagnose`'s
on the whole economy (the world table with one failed council: 26 of 1,435
processes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from soviets.economy import Economy
from soviets.planning.delivery import unmet_needs
from soviets.planning.result import Plan

#: Plans an economy: (hours, needs met, plan).
Solver = Callable[[Economy], tuple[float, np.ndarray, Plan]]


def may_run(eco: Economy) -> np.ndarray:
    """Per process: whether it can run at all (capacity above 0 and every input makeable)."""
    inputs = eco.inputs.tocsc()
    outputs = eco.outputs.tocsr()
    supplied = (eco.stocks > 0) | (eco.good_primary & (eco.good_limit > 0))
    live = eco.capacity > 0
    while True:
        made = supplied | (outputs @ live.astype(float) > 0)
        lacking = ~made
        uses_lacking = (inputs.T @ lacking.astype(float)) > 0
        now = live & ~uses_lacking
        if np.array_equal(now, live):
            return live
        live = now


def unmakeable(eco: Economy, live: np.ndarray | None = None) -> np.ndarray:
    """Per good: True where no plan can deliver any of it (see the module docstring)."""
    live = may_run(eco) if live is None else live
    supplied = (eco.stocks > 0) | (eco.good_primary & (eco.good_limit > 0))
    return ~(supplied | (eco.outputs.tocsr() @ live.astype(float) > 0))


@dataclass(frozen=True)
class Reduced:
    """``economy`` reduced to the processes that may run, the goods they touch and the
    needs for makeable goods; ``processes``, ``goods`` and ``needs`` index the original."""

    original: Economy
    economy: Economy
    processes: np.ndarray
    goods: np.ndarray
    needs: np.ndarray
    goods_lost: int

    def lift(self, p: Plan, hours: float) -> Plan:
        """A plan of the reduced economy as a plan of the original (activity and needs
        met per process and need of the original, labour values inf for the goods left
        out, status ``infeasible``: the needs for unmakeable goods are unmet)."""
        eco = self.original
        activity = np.zeros(eco.n_processes)
        activity[self.processes] = p.activity
        met = np.zeros(eco.n_needs)
        met[self.needs] = p.need_met
        values = np.full(eco.n_goods, np.inf)
        values[self.goods] = p.labour_values
        reach = {"processes": int(self.processes.size), "goods_lost": self.goods_lost}
        return replace(
            p,
            economy=eco,
            status="infeasible",
            objective_hours=float(hours),
            activity=activity,
            labour_values=values,
            need_met=met,
            unmet=unmet_needs(eco, met, essential_only=False),
            extra={**p.extra, "reach": reach},
        )


def reduced(eco: Economy) -> Reduced | None:
    """``eco`` reduced to what can still run when a needed good is unmakeable, else None."""
    live = may_run(eco)
    lost = unmakeable(eco, live)
    needed = lost[eco.need_good] & (eco.need_quantity > eco.stocks[eco.need_good])
    if not needed.any():
        return None
    procs = np.flatnonzero(live)
    touched = np.diff(eco.net_output.tocsr()[:, procs].indptr) > 0
    keep_needs = np.flatnonzero(~lost[eco.need_good])
    asked = np.zeros(eco.n_goods, dtype=bool)
    asked[eco.need_good[keep_needs]] = True
    goods = np.flatnonzero(touched | (eco.stocks > 0) | asked)
    new_good = np.full(eco.n_goods, -1, dtype=np.int64)
    new_good[goods] = np.arange(goods.size)
    sub = replace(
        eco,
        good_names=[eco.good_names[g] for g in goods],
        good_units=[eco.good_units[g] for g in goods],
        good_primary=eco.good_primary[goods],
        good_limit=eco.good_limit[goods],
        process_names=[eco.process_names[j] for j in procs],
        process_council=eco.process_council[procs],
        labour=eco.labour[procs],
        capacity=eco.capacity[procs],
        net_output=eco.net_output.tocsr()[goods][:, procs].tocsc(),
        need_council=eco.need_council[keep_needs],
        need_good=new_good[eco.need_good[keep_needs]],
        need_quantity=eco.need_quantity[keep_needs],
        need_essential=eco.need_essential[keep_needs],
        stocks=eco.stocks[goods],
        notes=[*eco.notes, "reduced to the processes that can run"],
    )
    return Reduced(eco, sub, procs, goods, keep_needs, int(lost.sum()))


def partial_by_reach(eco: Economy, solve: Solver) -> Plan | None:
    """The planner's best partial plan of ``eco`` when a needed good is unmakeable, else None.

    ``solve(sub_economy) -> (hours, need_met, plan)`` plans the economy reduced to
    the processes that may run, the goods they touch and the needs for makeable
    goods (:func:`reduced`; its own best partial plan where it cannot meet them
    all); the result is mapped back to ``eco`` (:meth:`Reduced.lift`). None where
    no needed good is unmakeable.
    """
    red = reduced(eco)
    if red is None:
        return None
    hours, met_sub, p = solve(red.economy)
    return red.lift(replace(p, need_met=met_sub), hours)
