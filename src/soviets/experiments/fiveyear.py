"""A five-year plan of the WIOD USA economy from 2010 data.

Run ``python -m soviets.experiments.fiveyear``.

Builds the multi-year economy of ``data/wiod2016-usa/2010`` with capital from
the socio-economic accounts (:func:`soviets.formats.capital.multiyear_economy`),
plans the least hours over five years, and again with year-1 investment at
least ``--extra`` times 2010's fixed capital formation, spread over the
capital pairs in proportion to their stocks (the federation investing more
in year 1). Prints hours per year and hours worked and freed per employee and
week (against the 2010 week of the same data), and writes a plot.
HiGHS's interior-point method solves the LP (its dual simplex stops without
a status on this LP's scaling).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

from soviets.errors import ModelError, SovietsError
from soviets.formats.capital import capital_coefficients, multiyear_economy
from soviets.planning import highs
from soviets.planning.multiyear_lp import MultiYearLP, build

WEEKS = 52.0
WIDTHS = (6, 13, 16, 13, 20)


def _solve(lp: highs.LinearProgram) -> np.ndarray:
    a = sp.csc_matrix(lp.matrix)
    a.sort_indices()
    h = highs.quiet_highs()
    h.setOptionValue("solver", "ipm")
    h.passModel(highs.highs_model(lp, a))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise ModelError(f"HiGHS found no plan: {h.modelStatusToString(h.getModelStatus())}")
    return np.asarray(h.getSolution().col_value, dtype=float)


def _rows(my: MultiYearLP, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lay = my.layout
    hours = np.array(
        [
            my.hours_cost[lay.col("activity", t)] @ x[lay.col("activity", t)]
            for t in range(lay.n_periods)
        ]
    )
    invest = np.array([x[lay.col("investment", t)].sum() for t in range(lay.n_periods)])
    return hours, invest


def with_terminal_capital(my: MultiYearLP, model, growth: float) -> highs.LinearProgram:
    """``my``'s LP plus a terminal condition: every capital pair hands over to the year
    after the plan the stock that year's output needs (the last year's, grown by
    ``growth``), so the plan cannot live off its capital in its last years."""
    lay, lp = my.layout, my.lp
    last = lay.n_periods - 1
    n_c = model.n_capital
    pairs = np.arange(n_c)
    k_cols = lay.col("capital", last).start + pairs
    v_cols = lay.col("investment", last).start + pairs
    x_cols = lay.col("activity", last).start + model.capital_process
    keep = 1.0 - model.capital_depreciation
    rows = np.concatenate([pairs, pairs, pairs])
    cols = np.concatenate([k_cols, v_cols, x_cols])
    vals = np.concatenate([keep, np.ones(n_c), -(1 + growth) * model.capital_quantity])
    extra = sp.csr_matrix((vals, (rows, cols)), shape=(n_c, lp.cost.size))
    upper = lp.col_upper.copy()
    upper[v_cols] = np.inf
    return highs.LinearProgram(
        lp.cost,
        lp.col_lower,
        upper,
        sp.vstack([lp.matrix, extra]).tocsc(),
        np.concatenate([lp.row_lower, np.zeros(n_c)]),
        np.concatenate([lp.row_upper, np.full(n_c, np.inf)]),
    )


def run(folder: str, utilisation: float, growth: float, extra: float) -> dict:
    """Both plans' hours and investment per year, and the 2010 week for comparison."""
    model = multiyear_economy(folder, years=5, growth=growth, utilisation=utilisation)
    coef = capital_coefficients(folder)
    my = build(model)
    lp = with_terminal_capital(my, model, growth)
    x = _solve(lp)
    hours, invest = _rows(my, x)
    # the federation invests in year 1 at least ``extra`` times the table year's fixed
    # capital formation, spread over the capital pairs in proportion to their stocks
    first = my.layout.col("investment", 0)
    lower = lp.col_lower.copy()
    wanted = extra * coef.investment.sum()
    lower[first] = np.maximum(x[first], wanted * model.capital_stock / model.capital_stock.sum())
    more = highs.LinearProgram(lp.cost, lower, lp.col_upper, lp.matrix, lp.row_lower, lp.row_upper)
    hours2, invest2 = _rows(my, _solve(more))
    employees = model.members()
    actual_week = coef.hours.sum() / employees[0] / WEEKS
    return {
        "years": model.period_names,
        "employees": employees,
        "actual_week": actual_week,
        "plans": {
            "least hours": (hours, invest),
            f"year-1 investment >= {extra:g} x 2010 GFCF": (hours2, invest2),
        },
        "notes": model.notes
        + ["terminal condition: capital handed to the year after the plan for its grown output"],
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--folder", default="data/wiod2016-usa/2010")
    p.add_argument("--utilisation", type=float, default=0.8)
    p.add_argument("--growth", type=float, default=0.02)
    p.add_argument("--extra", type=float, default=0.5)
    p.add_argument("--plot", default="fiveyear.png")
    args = p.parse_args(argv)
    try:
        r = run(args.folder, args.utilisation, args.growth, args.extra)
    except SovietsError as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"2010 actual: {r['actual_week']:.1f} hours per employee per week")
    for name, (hours, invest) in r["plans"].items():
        print(f"\n{name}")
        head = ("year", "hours (bn h)", "h/employee/week", "freed h/week", "investment (USD bn)")
        print(" ".join(f"{h:>{w}}" for h, w in zip(head, WIDTHS, strict=True)))
        for t, year in enumerate(r["years"]):
            week = hours[t] / r["employees"][t] / WEEKS
            cells: tuple[object, ...]  # the year, then formatted figures
            cells = (year, f"{hours[t] / 1e9:.1f}", f"{week:.1f}", f"{r['actual_week'] - week:.1f}")
            cells += (f"{invest[t] / 1e3:.0f}",)
            print(" ".join(f"{c:>{w}}" for c, w in zip(cells, WIDTHS, strict=True)))
    for note in r["notes"]:
        print("note:", note)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, (hours, _) in r["plans"].items():
        ax.plot(r["years"], hours / r["employees"] / WEEKS, marker="o", label=name)
    ax.axhline(r["actual_week"], color="grey", ls="--", label="2010 actual")
    ax.set_ylabel("hours per employee per week (h)")
    ax.set_xlabel("plan year")
    ax.legend()
    fig.tight_layout()
    fig.savefig(Path(args.plot))
    print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
