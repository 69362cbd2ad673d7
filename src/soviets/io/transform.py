"""New tables from a table: final-demand scenarios, aggregation, households made endogenous."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import scipy.linalg as la

from soviets.errors import InputError
from soviets.formats.csvfiles import parse_column, read_rows
from soviets.formats.iotable import IOTable
from soviets.io.accounts import extensions, leontief_factor


def apply_scenario(table: IOTable, changes: str | Path) -> IOTable:
    """The table after the final-demand changes in a CSV file, technology held fixed.

    The file has columns ``code``, ``category``, ``change`` (added to that
    cell of final demand, in the table's unit). Gross output becomes
    ``x' = L y'``, intermediate use ``A diag(x')`` and every extension keeps
    its intensity (``F' = S diag(x')``).
    """
    file = str(changes)
    header, rows = read_rows(Path(changes), required=("code", "category", "change"))
    ci, ki, vi = header.index("code"), header.index("category"), header.index("change")
    amounts = parse_column([r[vi] for r in rows], file, "change")
    code_of = {c: i for i, c in enumerate(table.codes)}
    cat_of = {c: j for j, c in enumerate(table.categories)}
    fd = table.final_demand.copy()
    for r, (row, amount) in enumerate(zip(rows, amounts, strict=True), 1):
        if row[ci] not in code_of:
            raise InputError(f"unknown industry '{row[ci]}'", file=file, row=r, field="code")
        if row[ki] not in cat_of:
            raise InputError(
                f"unknown final-demand category '{row[ki]}'", file=file, row=r, field="category"
            )
        fd[code_of[row[ci]], cat_of[row[ki]]] += amount
    a = table.technical_coefficients()
    x_new = la.lu_solve(leontief_factor(table), fd.sum(axis=1), check_finite=False)
    x = table.gross_output
    ratio = np.divide(x_new, x, out=np.zeros_like(x), where=x > 0)
    return dataclasses.replace(
        table,
        intermediate=a * x_new[None, :],
        final_demand=fd,
        gross_output=x_new,
        columns={k: v * ratio for k, v in table.columns.items()},
        imports=None if table.imports is None else table.imports * ratio[None, :],
        notes=[*table.notes, f"scenario: final-demand changes from {file}"],
    )


def read_concordance(path: str | Path) -> dict[str, str]:
    """A concordance file: columns ``code`` and ``group`` (every code once)."""
    file = str(path)
    header, rows = read_rows(Path(path), required=("code", "group"))
    ci, gi = header.index("code"), header.index("group")
    out: dict[str, str] = {}
    for r, row in enumerate(rows, 1):
        if row[ci] in out:
            raise InputError(f"duplicate code '{row[ci]}'", file=file, row=r, field="code")
        if not row[gi]:
            raise InputError("empty group", file=file, row=r, field="group")
        out[row[ci]] = row[gi]
    return out


def aggregate(
    table: IOTable,
    sectors: str | Path | None = None,
    regions: str | Path | None = None,
) -> IOTable:
    """Sum industries (and regions) into groups given by concordance files (``code,group``).

    For a national table ``sectors`` maps industry codes; for a multi-region
    table it maps sector codes (the part after ``REGION.``) and ``regions``
    maps region codes. Codes missing from a concordance keep their own group.
    """
    sec = read_concordance(sectors) if sectors is not None else {}
    reg = read_concordance(regions) if regions is not None else {}
    if table.regions is None and reg:
        raise InputError("a national table has no regions to aggregate", file=str(regions))
    _known(sec, _sectors(table), sectors)
    _known(reg, table.regions or [], regions)

    def group(code: str) -> str:
        if table.regions is None:
            return sec.get(code, code)
        r, s = code.split(".", 1)
        return f"{reg.get(r, r)}.{sec.get(s, s)}"

    new_codes = list(dict.fromkeys(group(c) for c in table.codes))
    row_of = {c: i for i, c in enumerate(new_codes)}
    c = np.zeros((len(new_codes), table.n))
    c[[row_of[group(code)] for code in table.codes], np.arange(table.n)] = 1.0
    cat_group = [
        f"{reg.get(k.split('.', 1)[0], k.split('.', 1)[0])}.{k.split('.', 1)[1]}"
        if table.category_regions is not None
        else k
        for k in table.categories
    ]
    new_cats = list(dict.fromkeys(cat_group))
    d = np.zeros((len(table.categories), len(new_cats)))
    d[np.arange(len(table.categories)), [new_cats.index(k) for k in cat_group]] = 1.0
    new_regions = None
    if table.regions is not None:
        new_regions = [code.split(".", 1)[0] for code in new_codes]
    return dataclasses.replace(
        table,
        codes=new_codes,
        descriptions=list(new_codes),
        intermediate=c @ table.intermediate @ c.T,
        final_demand=c @ table.final_demand @ d,
        categories=new_cats,
        gross_output=c @ table.gross_output,
        columns={k: c @ v for k, v in table.columns.items()},
        imports=None if table.imports is None else c @ table.imports @ c.T,
        regions=new_regions,
        category_regions=None
        if table.category_regions is None
        else [k.split(".", 1)[0] for k in new_cats],
        notes=[*table.notes, f"aggregated: {table.n} industries into {len(new_codes)}"],
    )


def _sectors(table: IOTable) -> list[str]:
    if table.regions is None:
        return list(table.codes)
    return [c.split(".", 1)[1] for c in table.codes]


def _known(mapping: dict[str, str], codes: list[str], path: str | Path | None) -> None:
    known = set(codes)
    for r, code in enumerate(mapping, 1):
        if code not in known:
            raise InputError(f"unknown code '{code}'", file=str(path), row=r, field="code")


def type_ii(
    table: IOTable,
    compensation: str = "compensation",
    households: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Type II multipliers: households made endogenous (the model closed for households).

    ``A`` is bordered by a row of compensation per unit of output and a column
    of household consumption per unit of total compensation (the categories
    named ``households``; default the first category). Returns the Type II
    multipliers of every extension (extensions x industries), the Type II
    output multipliers and the household income multipliers.
    """
    file = table.files.get("industries", "industries.csv")
    if compensation not in table.columns:
        raise InputError(
            f"no compensation column '{compensation}' for Type II multipliers",
            file=file,
            field=compensation,
        )
    cols = table.final_demand_columns([households] if households else [table.categories[0]])
    wages = table.columns[compensation]
    income = float(wages.sum())
    if income <= 0:
        raise InputError("total compensation must be positive", file=file, field=compensation)
    n = table.n
    x = table.gross_output
    inv_x = np.divide(1.0, x, out=np.zeros(n), where=x > 0)
    bordered = np.zeros((n + 1, n + 1))
    bordered[:n, :n] = table.technical_coefficients()
    bordered[n, :n] = wages * inv_x
    bordered[:n, n] = table.final_demand[:, cols].sum(axis=1) / income
    lu = la.lu_factor(np.eye(n + 1) - bordered, check_finite=False)
    ext = extensions(table)
    s = np.hstack([ext.F * inv_x[None, :], np.zeros((len(ext.names), 1))])
    m2 = la.lu_solve(lu, s.T, trans=1, check_finite=False).T[:, :n]
    output = la.lu_solve(lu, np.r_[np.ones(n), 0.0], trans=1, check_finite=False)[:n]
    household = la.lu_solve(lu, np.r_[np.zeros(n), 1.0], trans=1, check_finite=False)[:n]
    return m2, output, household
