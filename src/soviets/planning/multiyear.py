"""Multi-period plans solved by HiGHS on the full LP (the reference solver).

:func:`solve` builds the LP of :mod:`.multiyear_lp`, solves it, then solves it
once more among the plans within 1e-9 (relative) of the optimum for the one
that :func:`~soviets.planning.multiyear_lp.tie_break_cost` prefers (least total
hours; for ``min-hours`` the latest work): the optimum is unique, the plan
often is not, and that is the one reported. The certificate is the first
objective's: its value at the reported plan and HiGHS's dual bound checked by
weak duality (:func:`soviets.planning.highs.dual_bound`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp

from soviets.economy import MultiYearEconomy
from soviets.errors import ModelError
from soviets.planning import highs, multiperiod_fast
from soviets.planning.jsonable import json_number
from soviets.planning.multiyear_lp import Layout, MultiYearLP, Objective, build, tie_break
from soviets.planning.result import Certificate

Status = Literal["optimal", "feasible", "infeasible"]  # feasible: a time limit, certified


@dataclass(frozen=True)
class Bounds:
    """Certificate of a multi-period plan in the objective's own sense: ``primal`` its
    value at the plan, ``dual`` a bound no plan can beat (lower for ``min``, upper for
    ``max``), ``gap`` their relative distance as in :class:`Certificate`."""

    sense: Literal["min", "max"]
    primal: float
    dual: float

    @property
    def gap(self) -> float:
        s = 1.0 if self.sense == "min" else -1.0
        return Certificate(s * self.primal, s * self.dual).gap

    def to_dict(self) -> dict[str, Any]:
        return {
            "sense": self.sense,
            **Certificate(self.primal, self.dual).to_dict(),
            "gap": json_number(self.gap),
        }


@dataclass(eq=False)
class MultiYearPlan:
    """A plan over the periods of ``model``; arrays are periods x (processes, capital
    pairs, goods). ``fulfilment`` is per period (``max-fulfilment`` only);
    ``need_met`` is per need of ``model`` (quantity delivered)."""

    model: MultiYearEconomy
    objective: Objective
    status: Status
    solver: str
    activity: np.ndarray
    capital: np.ndarray
    investment: np.ndarray
    inventory: np.ndarray
    need_met: np.ndarray
    fulfilment: np.ndarray | None
    certificate: Bounds
    notes: list[str] = field(default_factory=list)
    unmet: list[dict[str, Any]] = field(default_factory=list)

    @property
    def hours(self) -> np.ndarray:
        """Hours worked per period."""
        return self.activity @ self.model.economy.labour

    @property
    def free_time(self) -> np.ndarray:
        """Hours of the labour supply not worked, per period (nan: supply unknown)."""
        return self.model.labour_supply() - self.hours

    @property
    def free_time_per_member(self) -> np.ndarray:
        """Free hours per member per period (nan where supply or members are unknown)."""
        members = self.model.members()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(members > 0, self.free_time / members, np.nan)

    def by_good(self, per_pair: np.ndarray) -> np.ndarray:
        """Sum a periods x capital-pairs array over pairs of the same good (periods x goods)."""
        n_g = self.model.economy.n_goods
        return (
            np.stack(
                [
                    np.bincount(self.model.capital_good, weights=row, minlength=n_g)
                    for row in per_pair
                ]
            )
            if per_pair.shape[0]
            else np.zeros((0, n_g))
        )

    def needs_by_good(self, asked: bool = False) -> np.ndarray:
        """Quantity delivered to needs (or asked, ``asked=True``), periods x goods."""
        m = self.model
        n_g = m.economy.n_goods
        q = m.need_quantity if asked else self.need_met
        flat = m.need_period * n_g + m.need_good
        return np.bincount(flat, weights=q, minlength=m.n_periods * n_g).reshape(m.n_periods, n_g)

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data (schema in docs/multiyear.md)."""
        m = self.model
        eco = m.economy
        goods = eco.good_names
        invest, stock = self.by_good(self.investment), self.by_good(self.capital)
        met, asked = self.needs_by_good(), self.needs_by_good(asked=True)
        capital_goods = sorted(set(m.capital_good.tolist()))
        supply, members = m.labour_supply(), m.members()
        workplace = [i for i, c in enumerate(eco.councils) if c.kind == "workplace"]
        periods = []
        for t, name in enumerate(m.period_names):
            council = np.bincount(
                eco.process_council,
                weights=eco.labour * self.activity[t],
                minlength=len(eco.councils),
            )
            periods.append(
                {
                    "period": name,
                    "hours": float(self.hours[t]),
                    "hours_available": json_number(supply[t]),
                    "free_time_hours": json_number(self.free_time[t]),
                    "members": int(members[t]) if members[t] > 0 else None,
                    "free_time_per_member_hours": json_number(self.free_time_per_member[t]),
                    "fulfilment": None if self.fulfilment is None else float(self.fulfilment[t]),
                    "investment": {goods[g]: float(invest[t, g]) for g in capital_goods},
                    "capital_stock": {goods[g]: float(stock[t, g]) for g in capital_goods},
                    "inventory": {
                        goods[g]: float(self.inventory[t, g])
                        for g in np.flatnonzero(~eco.good_primary)
                    },
                    "needs_asked": {
                        goods[g]: float(asked[t, g]) for g in np.flatnonzero(asked.sum(0))
                    },
                    "needs_met": {goods[g]: float(met[t, g]) for g in np.flatnonzero(asked.sum(0))},
                    "activity": {
                        p: float(a)
                        for p, a in zip(eco.process_names, self.activity[t], strict=True)
                    },
                    "council_hours": {eco.councils[i].name: float(council[i]) for i in workplace},
                }
            )
        return {
            "kind": "multiyear-plan",
            "status": self.status,
            "solver": self.solver,
            "economy": m.name,
            "objective": {
                "name": self.objective.name,
                "sense": self.objective.sense,
                "unit": self.objective.unit,
                "last_years": self.objective.last_years
                if self.objective.name == "max-free-time"
                else None,
                "floor": self.objective.floor if self.objective.name == "max-free-time" else None,
            },
            "certificate": self.certificate.to_dict(),
            "total_hours": float(self.hours.sum()),
            "units": {g: u for g, u in zip(goods, eco.good_units, strict=True)},
            "periods": periods,
            "unmet": self.unmet,
            "notes": list(m.notes) + self.notes,
        }


def solve(
    model: MultiYearEconomy, objective: Objective | None = None, time_limit: float | None = None
) -> MultiYearPlan:
    """The multi-period plan of ``model`` for ``objective`` by HiGHS (module docstring).

    An infeasible model gives a plan of status ``infeasible`` whose ``unmet``
    lists the shortfalls per period and good; an unbounded one raises
    :class:`ModelError`.
    """
    my = build(model, objective)
    sol = solve_lp(my.lp, time_limit)
    if sol.status == "infeasible":
        return _infeasible(model, my, time_limit)
    x = sol.x
    notes = []
    again = solve_lp(tie_break(my, sol.objective), time_limit)
    if again.status == "optimal":
        x = again.x
    else:
        notes.append("the choice among optimal plans (tie-break) failed; an optimal plan")
    s = 1.0 if my.sense == "min" else -1.0
    primal = float(np.dot(my.lp.cost, x))
    plan = _plan(model, my, x, "optimal", Bounds(my.sense, s * primal, s * sol.dual_bound))
    plan.notes += notes
    return plan


def solve_fast(
    model: MultiYearEconomy,
    objective: Objective | None = None,
    gap: float = 1e-6,
    time_limit: float = 60.0,
) -> MultiYearPlan:
    """The multi-period plan of ``model`` by the structure-exploiting solver
    (:mod:`soviets.planning.multiperiod_fast`): status ``optimal`` when the certified
    gap is at most ``gap``, ``feasible`` at ``time_limit`` seconds with the best
    certified plan. No tie-break among optimal plans. Raises :class:`ModelError`
    when it finds no plan in the time (the bound is in the message) and for what
    that solver does not handle (``max-fulfilment``, several outputs per process).
    """
    objective = objective or Objective()
    my = build(model, objective)
    r = multiperiod_fast.solve(model, objective, gap=gap, time_limit=time_limit, my=my)
    if r.x is None:
        raise ModelError(
            f"the fast multi-year solver found no plan in {time_limit:g} s "
            f"(no plan can take fewer than {r.certificate.dual:.6g} hours); "
            "try a longer --time-limit or --solver highs"
        )
    status: Status = "optimal" if r.status == "optimal" else "feasible"
    cert = Bounds(my.sense, r.certificate.primal, r.certificate.dual)
    return _plan(model, my, r.x, status, cert, solver="fast")


def solve_lp(lp: highs.LinearProgram, time_limit: float | None = None) -> highs.Solution:
    """Solve a multi-period LP with HiGHS, its costs scaled to a largest entry of 1.

    Without the scaling HiGHS's dual simplex sometimes stopped with "excessive
    dual values" on WIOD USA over five years (hours up to 3e4 per unit);
    objective, dual bound and duals are scaled back. Raises :class:`ModelError`
    for an unbounded LP or a stop without a plan; ``status`` is ``optimal`` or
    ``infeasible``.
    """
    scale = float(np.max(np.abs(lp.cost), initial=0.0)) or 1.0
    sol = highs.solve(dataclasses.replace(lp, cost=lp.cost / scale), time_limit)
    sol = dataclasses.replace(
        sol,
        objective=sol.objective * scale,
        dual_bound=sol.dual_bound * scale,
        row_dual=sol.row_dual * scale,
        col_dual=sol.col_dual * scale,
    )
    if sol.status == "unbounded":
        raise ModelError("the plan is unbounded: the objective can grow without limit")
    return highs.plan_or_proof(sol)


def _plan(
    model: MultiYearEconomy,
    my: MultiYearLP,
    x: np.ndarray,
    status: Status,
    cert: Bounds,
    solver: str = "highs",
) -> MultiYearPlan:
    lay = my.layout
    eco = model.economy
    n_t = model.n_periods

    def per_period(kind: str) -> np.ndarray:
        return np.stack([x[lay.col(kind, t)] for t in range(n_t)])

    inventory = np.zeros((n_t, eco.n_goods))
    inventory[:, lay.produced] = per_period("inventory")
    fulfilment = None
    share = np.ones(model.n_needs)
    if my.objective.name == "max-fulfilment":
        fulfilment = x[lay.extra(0) : lay.extra(0) + n_t].copy()
        share = np.where(model.need_essential, 1.0, fulfilment[model.need_period])
    elif my.objective.name == "max-free-time":
        share = np.where(model.need_essential, 1.0, my.objective.floor)
    return MultiYearPlan(
        model=model,
        objective=my.objective,
        status=status,
        solver=solver,
        activity=per_period("activity"),
        capital=per_period("capital"),
        investment=per_period("investment"),
        inventory=inventory,
        need_met=share * model.need_quantity,
        fulfilment=fulfilment,
        certificate=cert,
    )


def _infeasible(
    model: MultiYearEconomy, my: MultiYearLP, time_limit: float | None
) -> MultiYearPlan:
    """No plan: the least relative shortfall of the needs, period by period and good by good.

    The same LP gets a shortfall column on every balance row that asks for
    something; minimising the sum of shortfall / asked gives what cannot be
    delivered with the capital, labour and stocks given.
    """
    lp, lay = my.lp, my.layout
    rows = np.flatnonzero(
        np.isin(np.arange(lp.row_lower.size), _balance_rows(lay)) & (lp.row_lower > 0)
    )
    short = sp.csc_matrix(
        (np.ones(rows.size), (rows, np.arange(rows.size))), shape=(lp.row_lower.size, rows.size)
    )
    elastic = highs.LinearProgram(
        cost=np.concatenate([np.zeros(lp.cost.size), 1.0 / lp.row_lower[rows]]),
        col_lower=np.concatenate([lp.col_lower, np.zeros(rows.size)]),
        col_upper=np.concatenate([lp.col_upper, lp.row_lower[rows]]),
        matrix=sp.hstack([lp.matrix, short]).tocsc(),
        row_lower=lp.row_lower,
        row_upper=lp.row_upper,
    )
    sol = solve_lp(elastic, time_limit)
    eco = model.economy
    unmet = []
    z = sol.x[lp.cost.size :] if sol.status == "optimal" else np.full(rows.size, np.nan)
    for r, missing in zip(rows, z, strict=True):
        if not missing > 1e-9 * lp.row_lower[r]:
            continue
        t, i = divmod(int(r), lay.block_rows)
        g = int(lay.produced[i])
        unmet.append(
            {
                "period": model.period_names[t],
                "good": eco.good_names[g],
                "unit": eco.good_units[g],
                "short": float(missing),
                "needed_beyond_stock": float(lp.row_lower[r]),
            }
        )
    nan = np.full(lp.cost.shape, np.nan)
    plan = _plan(model, my, nan, "infeasible", Bounds(my.sense, math.nan, math.nan))
    plan.need_met[:] = np.nan
    plan.unmet = unmet
    first = unmet[0]["period"] if unmet else model.period_names[0]
    plan.notes.append(
        f"no plan meets the needs: from period '{first}' on, the capital, labour and stocks "
        "given cannot make what is asked (see unmet)"
    )
    return plan


def _balance_rows(lay: Layout) -> np.ndarray:
    return np.concatenate(
        [
            np.arange(lay.row("balance", t).start, lay.row("balance", t).stop)
            for t in range(lay.n_periods)
        ]
    )
