"""Seeded synthetic multi-year economies: a generated economy plus capital and growing needs.

:func:`generate_multiyear` takes :func:`~soviets.economy.generate.generate_economy`
(no capacities, no limits, so capital is what binds) and adds, per process,
``capital_goods`` capital goods drawn among the produced goods, with
quantities (units held per unit of activity) that trade against labour: the
labour-saving processes of a good hold more capital. Depreciation is drawn
in [0.05, 0.2] per year, build time one year. Needs grow by ``growth`` a
year. The stock at the start of year 1 is what the least-labour technology
needs to meet year 1's needs and make twice the investment that keeps
year 2 going on the same technology (depreciation plus growth), times a
margin drawn in [1.2, 1.4], and at least 5 % of the average such process's
(so every good can be made in year 1): year 1 is feasible by construction.
Other processes start with no capital. With ``labour_slack`` every year gets an economy-wide labour
supply of ``labour_slack`` times the hours of that technology meeting the
year's needs without investment (tight for values near 1).

>>> m = generate_multiyear(goods=30, years=3, seed=1)
>>> m.n_periods, m.economy.n_processes, m.n_capital  # a pair drawn twice is kept once
(3, 90, 176)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from soviets.economy.generate import generate_economy
from soviets.economy.model import Economy
from soviets.economy.multiyear import Capital, MultiYearEconomy, Period, PeriodNeed
from soviets.errors import InputError


def generate_multiyear(
    goods: int = 1000,
    techs: int = 3,
    inputs: int = 4,
    years: int = 5,
    seed: int = 0,
    growth: float = 0.05,
    capital_goods: int = 2,
    labour_slack: float | None = None,
) -> MultiYearEconomy:
    """A seeded multi-year economy (see the module docstring)."""
    if years < 1:
        raise InputError(f"must be >= 1, got {years}", field="years")
    if capital_goods < 1 or capital_goods > goods:
        raise InputError(f"must be between 1 and goods, got {capital_goods}", field="capital_goods")
    base = generate_economy(
        goods=goods, techs=techs, inputs=inputs, capacity_share=0.0, emission_cap=None, seed=seed
    )
    rng = np.random.default_rng(seed + 7919)
    produced = np.flatnonzero(~base.good_primary)
    n_p = base.n_processes
    out = base.main_output
    labour = base.labour
    mean_l = np.bincount(out, weights=labour, minlength=base.n_goods) / np.maximum(
        np.bincount(out, minlength=base.n_goods), 1
    )
    intensity = np.clip(mean_l[out] / labour, 0.2, 5.0)  # labour-saving: more capital
    held = rng.choice(produced, size=(n_p, capital_goods))
    qty = rng.lognormal(np.log(0.15 / capital_goods), 0.5, size=(n_p, capital_goods))
    qty *= intensity[:, None]
    delta = rng.uniform(0.05, 0.2, size=base.n_goods)

    chosen = _cheapest(out, labour, base.n_goods)
    demand = np.bincount(base.need_good, weights=base.need_quantity, minlength=base.n_goods)
    x1 = _activity(base.inputs, out, chosen, demand)
    floor = 0.05 * float(x1[chosen].mean())  # goods no need asks for can still be made
    for _ in range(3):  # year 1 also makes the investment that keeps year 2 going
        use = qty * np.maximum(x1, floor)[:, None] * (delta[held] + growth) * 2.0
        invest = np.bincount(held.ravel(), weights=use.ravel(), minlength=base.n_goods)
        x1 = _activity(base.inputs, out, chosen, demand + invest)
    x1 = np.where(chosen, np.maximum(x1, floor), 0.0)
    margin = rng.uniform(1.2, 1.4, size=(n_p, capital_goods))
    capital = _capital(base, held, qty, x1, margin, delta)
    periods, needs = _years(base, float(labour @ x1), years, growth, labour_slack)
    return MultiYearEconomy.from_records(
        base,
        periods=periods,
        capital=capital,
        needs=needs,
        name=f"generated multi-year economy ({goods} goods, {years} years, seed {seed})",
    )


def _capital(
    base: Economy,
    held: np.ndarray,
    qty: np.ndarray,
    x1: np.ndarray,
    margin: np.ndarray,
    delta: np.ndarray,
) -> list[Capital]:
    """Each process's capital goods (``held``, a repeated good counted once) with
    ``qty`` per unit of activity and the stock for activity ``x1`` times ``margin``."""
    capital = []
    for p in range(base.n_processes):
        seen: set[int] = set()
        for j in range(held.shape[1]):
            g = int(held[p, j])
            if g in seen:
                continue
            seen.add(g)
            capital.append(
                Capital(
                    process=base.process_names[p],
                    good=base.good_names[g],
                    quantity=float(qty[p, j]),
                    stock=float(qty[p, j] * x1[p] * margin[p, j]),
                    depreciation=float(delta[g]),
                )
            )
    return capital


def _years(
    base: Economy, hours1: float, years: int, growth: float, labour_slack: float | None
) -> tuple[list[Period], list[PeriodNeed]]:
    """Periods ``year1..`` (labour supply ``labour_slack`` times the first year's
    hours, growing) and the base economy's needs growing by ``growth`` a year."""
    periods = [
        Period(
            f"year{t + 1}",
            None if labour_slack is None else labour_slack * hours1 * (1 + growth) ** t,
        )
        for t in range(years)
    ]
    needs = [
        PeriodNeed(f"year{t + 1}", n.council, n.good, n.quantity * (1 + growth) ** t, n.priority)
        for t in range(years)
        for n in base.need_records()
    ]
    return periods, needs


def _cheapest(out: np.ndarray, labour: np.ndarray, n_goods: int) -> np.ndarray:
    """Per process, True for the one with least direct labour of its good."""
    order = np.lexsort((labour, out))
    first = np.ones(order.size, dtype=bool)
    first[1:] = out[order][1:] != out[order][:-1]
    chosen = np.zeros(out.size, dtype=bool)
    chosen[order[first]] = True
    return chosen


def _activity(inputs: sp.csc_matrix, out: np.ndarray, chosen: np.ndarray, demand: np.ndarray):
    """Activities of the chosen processes meeting ``demand`` (least solution, iterated)."""
    procs = np.flatnonzero(chosen)
    pick = sp.csr_matrix((np.ones(procs.size), (procs, out[procs])), shape=(out.size, demand.size))
    mix = (inputs @ pick).tocsr()
    z = demand.copy()
    for _ in range(10_000):
        new = demand + mix @ z
        if np.max(np.abs(new - z)) <= 1e-13 * max(1.0, np.max(new)):
            z = new
            break
        z = new
    return pick @ z
