"""Satellite rows of a multi-region table: labour, persons, skills, capital.

A multi-region folder may hold ``labour.csv`` and any number of
``satellite*.csv`` files, each keyed by ``region``, ``sector`` like
``gross_output.csv`` (every region-sector once), then numeric columns. Their
units come from an optional ``satellite_units.csv`` (``column``, ``unit``,
``description``). Empty cells count as 0; a region with no value at all in a
column is named in a note, so the rule applied to it can be stated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import parse_matrix, read_rows

UNITS_FILE = "satellite_units.csv"

#: Files of a multi-region folder that are not satellite rows.
TABLE_FILES = frozenset(
    {
        "intermediate.csv",
        "final_demand.csv",
        "final_demand_categories.csv",
        "gross_output.csv",
        "regions.csv",
        "sectors.csv",
        UNITS_FILE,
    }
)


@dataclass
class Satellites:
    """Columns read from the satellite files, their units and notes for the reader."""

    columns: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def satellite_files(folder: Path) -> list[Path]:
    """``labour.csv`` first, then ``satellite*.csv`` in name order."""
    found = sorted(p for p in folder.glob("satellite*.csv") if p.name != UNITS_FILE and p.is_file())
    labour = folder / "labour.csv"
    return ([labour] if labour.is_file() else []) + found


def read_satellites(
    folder: Path, codes: list[str], regions: list[str], gross_output: np.ndarray
) -> Satellites:
    """Read every satellite file of ``folder`` for the region-sectors ``codes``."""
    out = Satellites()
    files = satellite_files(folder)
    for path in files:
        _read_one(path, codes, regions, gross_output, out)
    units = _read_units(folder / UNITS_FILE, out.columns)
    for name in out.columns:
        out.units[name] = units.get(name, f"{name} (unit not stated)")
    bare = [name for name in out.columns if name not in units]
    if bare:
        out.notes.append(
            f"satellite columns without a unit (add them to {UNITS_FILE}): {', '.join(bare)}"
        )
    known = TABLE_FILES | {p.name for p in files}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in known:
            out.notes.append(
                f"{path.name} ignored (satellite rows go in labour.csv or satellite*.csv)"
            )
    return out


def _read_one(
    path: Path, codes: list[str], regions: list[str], x: np.ndarray, out: Satellites
) -> None:
    file = str(path)
    header, rows = read_rows(path, required=("region", "sector"))
    if header[:2] != ["region", "sector"]:
        raise InputError("the first two columns must be 'region' and 'sector'", file=file)
    names = header[2:]
    if not names:
        raise InputError("no value columns", file=file)
    for name in names:
        if name in out.columns or name == "value_added":
            raise InputError(f"column '{name}' given twice in the satellite files", file=file)
    index: dict[str, int] = {}
    for r, row in enumerate(rows, 1):
        key = f"{row[0]}.{row[1]}"
        if key in index:
            raise InputError(f"duplicate row '{key}'", file=file, row=r, field="sector")
        index[key] = r - 1
    known = set(codes)
    extra = [k for k in index if k not in known]
    if extra:
        at = index[extra[0]] + 1
        raise InputError(f"unknown region-sector '{extra[0]}'", file=file, row=at, field="region")
    missing = [k for k in codes if k not in index]
    if missing:
        raise InputError(f"no row for region-sector '{missing[0]}'", file=file, field="region")
    order = [index[k] for k in codes]
    values = parse_matrix(rows, file, names, 2)[order]
    empty = np.array([[c == "" for c in rows[i][2:]] for i in order], dtype=bool)
    region_arr = np.asarray(regions)
    total = max(float(x.sum()), 1.0)
    blank: dict[tuple[str, ...], list[str]] = {}  # columns without values -> regions
    for region in dict.fromkeys(regions):
        cols = tuple(n for j, n in enumerate(names) if empty[region_arr == region, j].all())
        if cols:
            blank.setdefault(cols, []).append(region)
    for j, name in enumerate(names):
        out.columns[name] = values[:, j]
    for cols, where in blank.items():
        share = float(x[np.isin(region_arr, where)].sum()) / total
        which = "any column" if len(cols) == len(names) else ", ".join(cols)
        out.notes.append(
            f"{path.name}: no values for {', '.join(where)} ({share:.2%} of gross output) "
            f"in {which}; read as 0"
        )


def _read_units(path: Path, columns: dict[str, np.ndarray]) -> dict[str, str]:
    if not path.is_file():
        return {}
    file = str(path)
    header, rows = read_rows(path, required=("column", "unit"))
    c, u = header.index("column"), header.index("unit")
    units: dict[str, str] = {}
    for r, row in enumerate(rows, 1):
        if row[c] not in columns:
            known = ", ".join(columns) or "none"
            raise InputError(
                f"unit for unknown column '{row[c]}' (known: {known})",
                file=file,
                row=r,
                field="column",
            )
        if not row[u]:
            raise InputError("empty unit", file=file, row=r, field="unit")
        units[row[c]] = row[u]
    return units
