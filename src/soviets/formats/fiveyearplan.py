"""The input format of W. P. Cockshott's ``5yearplan`` (programme ``nyearplan``).

Four tables in one folder, read by the original's rules (docs/multiyear.md):
``flows.csv`` (current inputs per industry, then rows ``labour`` and ``output``),
``cap.csv`` (capital stocks held), ``dep.csv`` (yearly wear-out shares) and
``labtarg.csv`` (per plan year: consumption targets and the labour supply).

Reading rules kept from the original: records end with LF and fields are
split at every comma (no quoting); a cell is a number only when its first
character is a digit ``0``-``9``, any other cell (empty, text, signed,
quoted) counts as 0; missing cells at the end of a record count as 0. What
the original would stop on (a header that does not match, a row label out of
place, a record longer than its header) or cannot plan (an output of 0, a
cell that starts with a digit but is not a number) is an :class:`InputError`
naming the file, the data row and the column. Cells that are not empty and
count as 0 are listed in the model's notes.

The model built (its LP is the original's, see docs/multiyear.md): one good,
one process (``make <good>``) and one workplace council (``<good> works``) per
industry; one unit of activity makes one unit of the good and uses
``F[i][j]/output[j]`` of each good ``i`` and ``labour[j]/output[j]`` labour;
capital pair (``make j``, ``i``) wherever ``K[i][j] != 0``, with
``K[i][j]/output[j]`` held per unit, stock ``K[i][j]`` in year 1, depreciation
``dep[i][j]`` and build time 1; the labour supply of each year; each positive
target a normal need of the territorial council ``population``; goods cannot
be stored from one year to the next (loss 1). Plan it with the
``max-fulfilment`` objective to solve the original's programme.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from soviets.economy import (
    Capital,
    Council,
    Economy,
    Good,
    MultiYearEconomy,
    Period,
    PeriodNeed,
    Process,
)
from soviets.errors import InputError

FILES = ("flows.csv", "cap.csv", "dep.csv", "labtarg.csv")
POPULATION = "population"
_NUMBER = re.compile(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?[fFdD]?\s*")


class _Table:
    """One file split into records and cells, with the header kept apart."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = str(folder / name)
        path = folder / name
        if not path.is_file():
            raise InputError(
                "file not found (a 5yearplan folder has " + ", ".join(FILES) + ")", file=self.name
            )
        try:
            text = path.read_bytes().decode("ascii")
        except UnicodeDecodeError:
            raise InputError("not a plain ASCII file", file=self.name) from None
        records = text.split("\n")
        if records and records[-1] == "":
            records.pop()
        if not records:
            raise InputError("empty file (expected a header record)", file=self.name)
        self.header = records[0].split(",")
        if self.header[-1].endswith("\r"):
            raise InputError(
                "the header ends with a carriage return: records must end with LF, not CRLF",
                file=self.name,
            )
        self.rows = [r.split(",") for r in records[1:]]
        for r, cells in enumerate(self.rows, 1):
            if len(cells) > len(self.header):
                raise InputError(
                    f"{len(cells)} cells but the header has {len(self.header)}",
                    file=self.name,
                    row=r,
                )
        self.zeros: list[str] = []

    def label(self, r: int) -> str:
        return self.rows[r - 1][0]

    def value(self, r: int, col: int) -> float:
        """The number in data row ``r`` (from 1), column ``col`` (the corner is 0)."""
        cells = self.rows[r - 1]
        cell = cells[col] if col < len(cells) else ""
        if not cell[:1].isdigit() or not cell[:1].isascii():
            if cell.strip():
                self.zeros.append(f"{self.name}, row {r}, field '{self.header[col]}': {cell!r}")
            return 0.0
        if not _NUMBER.fullmatch(cell):
            raise InputError(
                f"not a number: {cell!r}", file=self.name, row=r, field=self.header[col]
            )
        return float(cell.rstrip().rstrip("fFdD"))


def read_fiveyearplan(folder: str | Path, hours_per_labour_unit: float = 1.0) -> MultiYearEconomy:
    """Read a 5yearplan folder as a multi-period economy (see the module docstring).

    ``hours_per_labour_unit`` converts the format's labour unit (it names none;
    e.g. worker-years) to hours; the default 1 keeps the numbers as they are.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not a folder", file=str(folder))
    if not (np.isfinite(hours_per_labour_unit) and hours_per_labour_unit > 0):
        raise InputError(f"hours per labour unit must be > 0, got {hours_per_labour_unit}")
    flows, cap, dep, targ = (_Table(folder, f) for f in FILES)
    products = flows.header[1:]
    n = len(products)
    if n == 0:
        raise InputError("the header names no products", file=flows.name)
    _check_layout(flows, cap, dep, targ, products)
    row_of, years, labour_col = _special_rows(flows, targ)

    matrix = {
        t.name: np.array([[t.value(i, j) for j in range(1, n + 1)] for i in range(1, n + 1)])
        for t in (flows, cap, dep)
    }
    f, k, d = matrix[flows.name], matrix[cap.name], matrix[dep.name]
    q = np.array([flows.value(row_of["output"], j) for j in range(1, n + 1)])
    lab = np.array([flows.value(row_of["labour"], j) for j in range(1, n + 1)])
    _check_values(flows, dep, products, row_of["output"], f, q, d)
    economy = _economy(products, f, q, lab, hours_per_labour_unit, folder.resolve().name)
    periods, needs = _plan_years(targ, years, labour_col, products, hours_per_labour_unit)
    capital = [
        Capital(f"make {products[j]}", products[i], k[i, j] / q[j], k[i, j], d[i, j], 1)
        for j in range(n)
        for i in range(n)
        if k[i, j] != 0
    ]
    notes = [
        "imported from the 5yearplan format: plan it with --objective max-fulfilment",
        f"labour: {hours_per_labour_unit:g} hour(s) per unit of the format's labour column",
    ]
    notes += [f"industry '{products[j]}' uses no labour" for j in np.flatnonzero(lab == 0)]
    zeros = flows.zeros + cap.zeros + dep.zeros + targ.zeros
    notes += [f"read as 0 by the format's rules: {z}" for z in zeros]
    return MultiYearEconomy.from_records(
        economy,
        periods=periods,
        capital=capital,
        needs=needs,
        storage_loss={p: 1.0 for p in products},
        name=economy.name,
        notes=notes,
    )


def _check_layout(
    flows: _Table, cap: _Table, dep: _Table, targ: _Table, products: list[str]
) -> None:
    """Every table has the header of flows.csv; the products label the rows in that order."""
    n = len(products)
    for t in (cap, dep, targ):
        if t.header[: n + 1] != flows.header or (t is not targ and len(t.header) != n + 1):
            raise InputError(
                f"the header must be {','.join(flows.header)} as in flows.csv"
                + (" (then more columns)" if t is targ else ""),
                file=t.name,
            )
    for t in (flows, cap, dep):
        for i, good in enumerate(products, 1):
            if i > len(t.rows):
                raise InputError(
                    f"{len(t.rows)} data rows; row {i} must be labelled '{good}'", file=t.name
                )
            if t.label(i) != good:
                raise InputError(
                    f"must be '{good}' (the products label the rows in header order)",
                    file=t.name,
                    row=i,
                    field=t.header[0],
                )


def _special_rows(flows: _Table, targ: _Table) -> tuple[dict[str, int], list[int], int]:
    """The rows ``output`` and ``labour`` of flows.csv, the plan years' rows of
    targets.csv, and the column of targets.csv with the labour supply."""
    row_of = {}
    for label in ("output", "labour"):
        found = [r for r in range(1, len(flows.rows) + 1) if flows.label(r) == label]
        if len(found) != 1:
            raise InputError(
                f"expected one row labelled '{label}', found {len(found)}", file=flows.name
            )
        row_of[label] = found[0]
    years = [r for r in range(1, len(targ.rows) + 1) if targ.label(r).startswith("year")]
    if not years:
        raise InputError("no plan years (rows labelled year1, year2, ...)", file=targ.name)
    labour_col = row_of["labour"]  # the original reads the supply at the labour row's position
    if labour_col >= len(targ.header) or targ.header[labour_col] != "labour":
        raise InputError(
            f"column {labour_col} must be 'labour' (the position of the labour row in flows.csv)",
            file=targ.name,
        )
    return row_of, years, labour_col


def _check_values(
    flows: _Table,
    dep: _Table,
    products: list[str],
    output_row: int,
    f: np.ndarray,
    q: np.ndarray,
    d: np.ndarray,
) -> None:
    """Outputs above 0, less own use than output, wear-out shares at most 1."""
    for j, good in enumerate(products):
        if q[j] <= 0:
            raise InputError(
                "output must be > 0 (every unit of input, labour and capital is per unit of it)",
                file=flows.name,
                row=output_row,
                field=good,
            )
        if f[j, j] >= q[j]:
            raise InputError(
                f"industry '{good}' uses at least as much of its own good as it makes",
                file=flows.name,
                row=j + 1,
                field=good,
            )
    for i, j in zip(*np.nonzero(d > 1), strict=True):
        raise InputError(
            f"a wear-out share must be <= 1, got {d[i, j]}",
            file=dep.name,
            row=int(i) + 1,
            field=products[j],
        )


def _economy(
    products: list[str],
    f: np.ndarray,
    q: np.ndarray,
    lab: np.ndarray,
    hours_per_unit: float,
    name: str,
) -> Economy:
    """One workplace council and process per product (``lab`` units of labour, of
    ``hours_per_unit`` hours each, per ``q`` units made), and the population."""
    n = len(products)
    goods = [Good(p, f"unit of {p}") for p in products]
    councils = [Council(f"{p} works", "workplace") for p in products]
    councils.append(Council(POPULATION, "territorial"))
    processes = [
        Process(
            f"make {p}",
            f"{p} works",
            labour=float(lab[j] / q[j] * hours_per_unit),
            flows={products[i]: (1.0 if i == j else 0.0) - f[i, j] / q[j] for i in range(n)},
        )
        for j, p in enumerate(products)
    ]
    return Economy.from_records(goods=goods, councils=councils, processes=processes, name=name)


def _plan_years(
    targ: _Table, years: list[int], labour_col: int, products: list[str], hours_per_unit: float
) -> tuple[list[Period], list[PeriodNeed]]:
    """The periods (labour supply in hours) and the population's needs, one per target > 0."""
    periods, needs = [], []
    for year in range(1, len(years) + 1):  # plan year t is the t-th record, whatever its label
        label = targ.label(year)
        supply = targ.value(year, labour_col) * hours_per_unit
        periods.append(Period(label, hours_available=supply))
        for i, p in enumerate(products):
            target = targ.value(year, i + 1)
            if target > 0:
                needs.append(PeriodNeed(label, POPULATION, p, target, "normal"))
    return periods, needs
