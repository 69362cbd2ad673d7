"""Turn an input-output table into an economy.

Every industry (product, or region.sector) becomes one good and one process
of the same name, run by its own workplace council ``ws:<code>``. One unit of
a good is one unit of money of gross output (``USD-2014 million``). The
process makes one unit and uses the column of ``A = Z diag(x)^-1``: the
domestic technical coefficients; labour per unit is the chosen labour column
divided by gross output. Final demand becomes the needs (``essential``) of one
territorial council per region (``national`` for a national table; the region
code in a multi-region table, all under a federation council ``world``).

**Negative final demand.** Net final demand can be negative (inventories run
down; in BEA tables imports enter final demand with a minus sign). A negative
net final demand of a council for a good is read as goods taken from stock:
the council needs nothing of it and the good's ``stocks`` grow by that
amount. Since the plan must satisfy ``N x + s >= d``, the balance
``(I - A) x >= d - s = f`` is exactly the published final demand, so the plan
of final demand reproduces gross output (flooring at zero would not).

Industries with zero gross output are kept with zero coefficients, no labour
and capacity 0 (they made nothing in the table's period), and noted.

**Units.** ``Economy.labour_unit`` is the unit of the labour column (hours,
persons, or the table's currency of compensation or value added): every
total and label downstream uses it.

**Regions without labour data** (the rest of the world in the WIOD 2013
tables): their labour counts as 0, so their output is treated like an import
from outside the labour accounted for; labour values and plan totals are the
labour of the regions with data. A note gives what such a region would add at
the other regions' output-weighted mean labour per unit of each sector.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from soviets.economy import Council, Economy
from soviets.formats.iotable import IOTable


def io_to_economy(
    table: IOTable,
    *,
    labour: str | None = None,
    final_demand: list[str] | None = None,
    include_imports: bool = False,
    name: str = "",
) -> Economy:
    """Build the economy of an input-output table (see the module docstring)."""
    n = table.n
    x = table.gross_output
    notes = [f"input-output table {table.source} ({n} industries, unit {table.unit})"]
    notes.extend(table.notes)

    a = table.technical_coefficients(include_imports=include_imports)
    net = sp.csc_matrix(np.eye(n) - a)
    net.eliminate_zeros()

    column, totals, labour_unit = table.labour(labour)
    per_unit = np.divide(totals, x, out=np.zeros(n), where=x > 0)
    if column == "value_added" and table.regions is not None:
        notes.append(
            f"labour column: value added (gross output - intermediate inputs), {table.unit}"
        )
    else:
        notes.append(
            f"labour column: {column} ({labour_unit} per {table.unit} of gross output); "
            f"total {totals.sum():.6g} {labour_unit}"
        )
    notes.extend(_labour_notes(table, a, totals, labour_unit, column))
    if np.any(per_unit < 0):
        bad = [table.codes[i] for i in np.flatnonzero(per_unit < 0)]
        notes.append(f"negative labour per unit in {len(bad)} industries: {', '.join(bad[:10])}")

    notes.extend(_flow_notes(table, include_imports))
    councils, council_of = _councils(table)
    first_ws = len(councils) - n
    need_c, need_g, need_q, stocks = _needs(table, final_demand, council_of, notes)
    notes.extend(_balance_notes(table))

    need_council = np.concatenate(need_c) if need_c else np.zeros(0, dtype=np.int64)
    return Economy(
        good_names=list(table.codes),
        good_units=[table.unit] * n,
        good_primary=np.zeros(n, dtype=bool),
        good_limit=np.full(n, np.inf),
        councils=councils,
        process_names=list(table.codes),
        process_council=np.arange(first_ws, first_ws + n, dtype=np.int64),
        labour=per_unit,
        capacity=np.where(x > 0, np.inf, 0.0),
        net_output=net,
        need_council=need_council,
        need_good=np.concatenate(need_g).astype(np.int64) if need_g else np.zeros(0, np.int64),
        need_quantity=np.concatenate(need_q) if need_q else np.zeros(0),
        need_essential=np.ones(need_council.shape[0], dtype=bool),
        stocks=stocks,
        name=name or table.source,
        notes=notes,
        labour_unit=labour_unit,
    )


def _labour_notes(
    table: IOTable, a: np.ndarray, totals: np.ndarray, unit: str, column: str
) -> list[str]:
    """Regions without labour data, labour in idle industries, labour embodied vs total."""
    x = table.gross_output
    notes: list[str] = []
    if table.regions is not None and column != "value_added":
        regions = np.asarray(table.regions)
        sectors = np.asarray([c.split(".", 1)[-1] for c in table.codes])
        by_region = {r: float(totals[regions == r].sum()) for r in dict.fromkeys(table.regions)}
        without = [r for r, t in by_region.items() if t == 0 and x[regions == r].sum() > 0]
        have = ~np.isin(regions, without)
        for r in without:
            mine = regions == r
            estimate = 0.0
            for s in np.unique(sectors[mine]):
                peers = have & (sectors == s)
                out = float(x[peers].sum())
                if out > 0:
                    estimate += (
                        float(totals[peers].sum()) / out * float(x[mine & (sectors == s)].sum())
                    )
            share = float(x[mine].sum()) / max(float(x.sum()), 1.0)
            notes.append(
                f"{r} has no {column} (rule: counted as 0; its output, {share:.2%} of gross "
                f"output, enters like an import from outside the labour accounted for, so "
                f"totals are the labour of the other regions); at their output-weighted mean "
                f"per sector it would add {estimate:,.0f} {unit} "
                f"({estimate / max(float(totals.sum()), 1.0):+.2%})"
            )
    idle = np.flatnonzero((x <= 0) & (totals != 0))
    if idle.size:
        notes.append(
            f"{float(totals[idle].sum()):,.6g} {unit} in industries with zero gross output "
            f"({', '.join(table.codes[i] for i in idle[:10])}) are in no labour value"
        )
    if table.balance_error() > 1e-9:
        per_unit = np.divide(totals, x, out=np.zeros_like(x), where=x > 0)
        values = np.linalg.solve((np.eye(table.n) - a).T, per_unit)
        embodied = float(values @ table.f)
        counted = float(totals[x > 0].sum())
        notes.append(
            f"labour embodied in final demand {embodied:,.0f} {unit} against "
            f"{counted:,.0f} {unit} worked ({embodied / counted - 1:+.2e} relative, "
            "the rows' shortfall of Z 1 + f against x embodies the rest)"
            if counted
            else f"labour embodied in final demand {embodied:,.0f} {unit}"
        )
    return notes


def _flow_notes(table: IOTable, include_imports: bool) -> list[str]:
    """Notes on negative flows, industries that make nothing and imported intermediates."""
    notes: list[str] = []
    x = table.gross_output
    negative = np.argwhere(table.intermediate < 0)
    if negative.size:
        i, j = negative[np.argmin(table.intermediate[negative[:, 0], negative[:, 1]])]
        notes.append(
            f"warning: {negative.shape[0]} negative intermediate flows (smallest "
            f"{table.intermediate[i, j]:g}: {table.codes[i]} to {table.codes[j]} in "
            f"{table.files.get('intermediate', 'intermediate.csv')}) read as by-products: "
            "the Leontief inverse and labour values still exist where I - A is invertible"
        )
    zero = np.flatnonzero(x <= 0)
    if zero.size:
        notes.append(
            f"industries with zero gross output ({zero.size}) kept with zero coefficients "
            "and capacity 0: "
            + ", ".join(table.codes[i] for i in zero[:20])
            + (" ..." if zero.size > 20 else "")
        )
    if table.imports is not None:
        total_imp = float(table.imports.sum())
        share = total_imp / max(float(table.intermediate.sum() + total_imp), 1.0)
        if include_imports:
            notes.append(
                f"imported intermediates ({total_imp:,.0f} {table.unit}) treated as domestic "
                "inputs: the plan of final demand no longer reproduces gross output"
            )
        else:
            notes.append(
                f"imported intermediates left out of domestic technology: {total_imp:,.0f} "
                f"{table.unit} ({share:.1%} of intermediate use)"
            )
    return notes


def _councils(table: IOTable) -> tuple[list[Council], dict[str, int]]:
    """Territorial councils (under a federation ``world`` for several regions), then one
    workplace council per industry, last; and each council's index by name."""
    regions = table.regions or ["national"] * table.n
    councils: list[Council] = []
    if table.regions is not None:
        councils.append(Council("world", "federation"))
        councils.extend(Council(r, "territorial", parent="world") for r in dict.fromkeys(regions))
    else:
        councils.append(Council("national", "territorial"))
    councils.extend(
        Council(f"ws:{c}", "workplace", parent=r) for c, r in zip(table.codes, regions, strict=True)
    )
    return councils, {c.name: i for i, c in enumerate(councils)}


def _needs(
    table: IOTable, final_demand: list[str] | None, council_of: dict[str, int], notes: list[str]
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Needs (council, good, quantity blocks) of each destination region's final demand,
    and stocks from negative net final demand; appends the notes on both."""
    territories = list(dict.fromkeys(table.regions or ["national"]))
    cols = table.final_demand_columns(final_demand)
    dest = table.category_regions or ["national"] * len(table.categories)
    chosen = [table.categories[j] for j in cols]
    notes.append(
        "needs: final demand "
        + ("(all categories)" if final_demand is None else "(" + ", ".join(chosen) + ")")
    )
    need_c, need_g, need_q = [], [], []
    stocks = np.zeros(table.n)
    for t in territories:
        mask = np.array([dest[j] == t for j in cols], dtype=bool)
        demand = table.final_demand[:, cols[mask]].sum(axis=1)
        pos = np.flatnonzero(demand > 0)
        need_c.append(np.full(pos.size, council_of[t], dtype=np.int64))
        need_g.append(pos)
        need_q.append(demand[pos])
        stocks += np.maximum(-demand, 0.0)
    if np.any(stocks > 0):
        notes.append(
            f"negative net final demand of {int(np.count_nonzero(stocks))} goods "
            f"({stocks.sum():,.0f} {table.unit}) read as stock drawn down"
        )
    return need_c, need_g, need_q, stocks


def _balance_notes(table: IOTable) -> list[str]:
    """A note where rows miss the identity ``Z 1 + f = x``."""
    if not table.balance_error() > 1e-9:
        return []
    x = table.gross_output
    gap = np.abs(table.intermediate.sum(axis=1) + table.f - x)
    return [
        f"rows miss the identity Z 1 + f = x by up to {gap.max():,.6g} {table.unit} "
        f"(in all {gap.sum() / max(x.sum(), 1.0):.2g} of gross output): the plan of "
        "final demand reproduces gross output only that closely"
    ]
