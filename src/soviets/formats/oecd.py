"""Read the OECD Inter-Country Input-Output (ICIO) tables, one CSV file per year.

Rows and columns are labelled ``CTRY_SECTOR`` (``AUS_01T03``; the country is
the text before the first ``_``). Final-demand columns are ``CTRY_HFCE``,
``CTRY_NPISH``, ``CTRY_GGFC``, ``CTRY_GFCF``, ``CTRY_INVNT``,
``CTRY_DPABR`` (``CTRY_P33`` in 2018), or ``HFCE_CTRY`` with the country last
(2016 edition). The rows below the industries are value added and taxes:
``VA`` and ``TLS`` (2021 on), ``VALU`` and ``CTRY_TAXSUB`` (2018),
``VA+TAXSUB`` (2016); they become numeric columns, value added under the
name ``value_added`` and the rest as labelled. Gross output is the ``OUT``
(``OUTPUT``) row, or the ``OUT`` (``TOTAL``) column where there is no such
row. A column with no country (``DISC``, the 2016 statistical discrepancy)
is kept as the numeric column ``discrepancy`` of the supplying industry, so
``Z 1 + y + discrepancy = x``. Values are millions of US dollars.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import parse_matrix
from soviets.formats.iotable import IOTable, year_of
from soviets.formats.mrio import multiregion_table

TOTAL_ROWS = ("OUT", "OUTPUT")
TOTAL_COLS = ("OUT", "TOTAL")
VALUE_ADDED_ROWS = ("VA", "VALU", "VA+TAXSUB")


def is_oecd_file(path: Path) -> bool:
    """True for a CSV file whose first data row and column are ``CTRY_SECTOR`` labels."""
    if not path.is_file() or path.suffix.lower() != ".csv":
        return False
    with path.open(encoding="utf-8-sig") as fh:
        first = fh.readline()
    return any(t in first.split(",")[-1] for t in ("TOTAL", "OUT", "DISC", "P33", "DPABR"))


def read_oecd(path: str | Path) -> IOTable:
    """Read one OECD ICIO CSV file (see the module docstring)."""
    path = Path(path)
    file = str(path)
    header, rows = _read_csv(path)
    labels = [r[0] for r in rows]
    cols = header[1:]
    row_index = {k: i for i, k in enumerate(labels)}
    industries = [c for c in cols if c in row_index and c not in TOTAL_COLS]
    if not industries:
        raise InputError("no CTRY_SECTOR label is both a row and a column", file=file)
    keys: list[tuple[str, str]] = []
    for c in industries:
        region, _, sector = c.partition("_")
        if not sector:
            raise InputError(f"industry '{c}' is not CTRY_SECTOR", file=file, field=c)
        keys.append((region, sector))
    values = parse_matrix(rows, file, cols, 1)
    col_index = {c: j for j, c in enumerate(cols)}
    ind_rows = [row_index[c] for c in industries]
    ind_cols = [col_index[c] for c in industries]
    z = values[np.ix_(ind_rows, ind_cols)]
    regions = {a for a, _ in keys}
    fd_keys: list[tuple[str, str]] = []
    fd_cols: list[int] = []
    columns: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for j, c in enumerate(cols):
        if c in industries or c in TOTAL_COLS:
            continue
        first, _, rest = c.partition("_")
        if first in regions and rest:
            fd_keys.append((first, rest))
        elif rest and rest in regions:
            fd_keys.append((rest, first))
        elif not rest:
            columns["discrepancy"] = values[ind_rows, j]
            notes.append(f"column {c} (no country) kept as the numeric column 'discrepancy'")
            continue
        else:
            raise InputError(f"column '{c}' names no country of the table", file=file, field=c)
        fd_cols.append(j)
    fd = values[np.ix_(ind_rows, fd_cols)]
    x = _gross_output(labels, cols, values, ind_rows, ind_cols, file)
    for i, label in enumerate(labels):
        if label in row_index and (label in industries or label in TOTAL_ROWS):
            continue
        name = "value_added" if label in VALUE_ADDED_ROWS else label
        columns[name] = values[i, ind_cols]
    year = year_of(path.parent / path.stem)
    return multiregion_table(
        keys,
        z,
        fd_keys,
        fd,
        x,
        columns=columns,
        unit=f"USD-{year} million" if year else "USD million",
        source=f"OECD Inter-Country Input-Output table ({path.name})",
        file=file,
        notes=notes,
    )


def _gross_output(
    labels: list[str],
    cols: list[str],
    values: np.ndarray,
    ind_rows: list[int],
    ind_cols: list[int],
    file: str,
) -> np.ndarray:
    for name in TOTAL_ROWS:
        if name in labels:
            return values[labels.index(name), ind_cols]
    for name in TOTAL_COLS:
        if name in cols:
            return values[ind_rows, cols.index(name)]
    raise InputError("no gross output: expected an OUT or OUTPUT row or a TOTAL column", file=file)


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file whose first header cell may be blank."""
    file = str(path)
    if not path.is_file():
        raise InputError("file not found", file=file)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            lines = [[c.strip() for c in r] for r in csv.reader(fh) if any(c.strip() for c in r)]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=file) from None
    if len(lines) < 2:
        raise InputError("expected a header line and data rows", file=file)
    header, rows = lines[0], lines[1:]
    seen: set[str] = set()
    for c in header[1:]:
        if not c or c in seen:
            raise InputError(f"blank or duplicate column '{c}'", file=file, field=c)
        seen.add(c)
    labels: set[str] = set()
    for r, row in enumerate(rows, 1):
        if row[0] in labels:
            raise InputError(f"duplicate row '{row[0]}'", file=file, row=r, field=header[0])
        labels.add(row[0])
        if len(row) != len(header):
            raise InputError(f"{len(row)} cells but the header has {len(header)}", file=file, row=r)
    return header, rows
