"""Input-output tables: the raw matrices of a national or multi-region table.

Two folder layouts are read (see docs/files.md):

* **national**: ``intermediate.csv`` (``code`` + one column per using
  industry), optional ``imports.csv`` (same layout), ``final_demand.csv``
  (``code`` + categories), ``industries.csv`` (``code``, ``description``,
  ``gross_output`` and numeric columns such as ``hours_employees``), and an
  optional ``metadata.toml`` (``unit = "GBP-2010 million"``, ``source``)
  written by the importers;
* **multi-region** (WIOD 2013 world table): rows keyed by ``region``,
  ``sector``; columns ``REGION.sector`` in ``intermediate.csv`` and
  ``REGION.category`` in ``final_demand.csv``; ``gross_output.csv``
  (``region``, ``sector``, ``gross_output``, optional numeric columns such
  as ``value_added``); optional ``regions.csv`` and ``sectors.csv``
  (``code``, ``name``) for descriptions; optional satellite rows
  ``labour.csv`` and ``satellite*.csv`` (``region``, ``sector``, then numeric
  columns such as hours, persons, capital) with their units in an optional
  ``satellite_units.csv`` (``column``, ``unit``, ``description``).

Empty numeric cells in these tables count as 0 (a region with no values in a
satellite column is named in the table's notes).
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import (
    NumberTooLarge,
    format_number,
    new_folder,
    parse_column,
    parse_matrix,
    read_numeric_table,
    read_rows,
    write_csv,
)
from soviets.formats.satellite import read_satellites

#: The note of a table whose value added is derived (:func:`derive_value_added`).
DERIVED_VALUE_ADDED = (
    "value_added derived as gross output - intermediate inputs (the table has no "
    "value-added row; it includes net taxes on products and transport margins)"
)

#: Labour columns tried, in order, when none is chosen.
DEFAULT_LABOUR_COLUMNS: tuple[str, ...] = (
    "hours_persons_engaged",
    "hours_employees",
    "persons_employed",
    "compensation",
    "compensation_of_employees",
    "value_added",
)

#: Labour columns with a known unit: (factor to the model's unit, model unit).
#: WIOD publishes millions of hours worked and thousands of persons engaged.
LABOUR_UNITS: dict[str, tuple[float, str]] = {
    "hours_employees": (1e6, "hours"),
    "persons_employed": (1.0, "thousand persons"),
}


@dataclass
class IOTable:
    """An input-output table in money units, industries (or products) in a fixed order.

    ``intermediate`` is Z (supplier x user, domestic use only), ``imports`` the
    imported intermediate use (same shape) or None, ``final_demand`` one column
    per category in ``categories``, ``gross_output`` is x, ``columns`` holds
    numeric per-industry columns by name (labour, compensation, value added;
    satellite rows such as emissions, with their unit in ``column_units`` when
    it differs from ``unit``).
    Multi-region tables also give the ``region`` of every industry and the
    destination region of every final-demand category (``category_regions``).
    """

    codes: list[str]
    descriptions: list[str]
    intermediate: np.ndarray
    final_demand: np.ndarray
    categories: list[str]
    gross_output: np.ndarray
    columns: dict[str, np.ndarray]
    imports: np.ndarray | None = None
    regions: list[str] | None = None
    category_regions: list[str] | None = None
    unit: str = "USD million"
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    column_units: dict[str, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.codes)

    @property
    def Z(self) -> np.ndarray:  # noqa: N802 (the textbook's name)
        """Intermediate use (domestic), supplier x user."""
        return self.intermediate

    @property
    def x(self) -> np.ndarray:
        """Gross output."""
        return self.gross_output

    @property
    def f(self) -> np.ndarray:
        """Total final demand per industry (all categories)."""
        total: np.ndarray = self.final_demand.sum(axis=1)
        return total

    def technical_coefficients(self, include_imports: bool = False) -> np.ndarray:
        """A = Z diag(x)^-1 (columns of zero-output industries are 0)."""
        z = (
            self.intermediate
            if not include_imports or self.imports is None
            else (self.intermediate + self.imports)
        )
        x = self.gross_output
        inv = np.divide(1.0, x, out=np.zeros_like(x), where=x > 0)
        a: np.ndarray = z * inv[None, :]
        return a

    def leontief_inverse(self, include_imports: bool = False) -> np.ndarray:
        """L = (I - A)^-1."""
        a = self.technical_coefficients(include_imports)
        return np.linalg.inv(np.eye(self.n) - a)

    def balance_error(self) -> float:
        """Largest |Z 1 + f - x| / max(x, 1): how far rows miss the output identity."""
        gap = self.intermediate.sum(axis=1) + self.f - self.gross_output
        return float(np.max(np.abs(gap) / np.maximum(np.abs(self.gross_output), 1.0), initial=0))

    def final_demand_columns(self, chosen: list[str] | None) -> np.ndarray:
        """Indices of the chosen categories (all when None).

        A multi-region table accepts plain category codes (``c37``: every
        region's households) as well as full names (``AUS.c37``).
        """
        if chosen is None:
            return np.arange(len(self.categories))
        short = [c.split(".", 1)[-1] for c in self.categories]
        picked: list[int] = []
        for name in chosen:
            hits = [j for j, c in enumerate(self.categories) if c == name]
            if not hits and self.category_regions is not None:
                hits = [j for j, s in enumerate(short) if s == name]
            if not hits:
                known = ", ".join(
                    dict.fromkeys(short if self.category_regions else self.categories)
                )
                raise InputError(
                    f"unknown final-demand category '{name}' (known: {known})",
                    file=self.files.get("final_demand", "final_demand.csv"),
                    field=name,
                )
            picked.extend(hits)
        return np.array(sorted(set(picked)), dtype=np.int64)

    def labour(self, column: str | None = None) -> tuple[str, np.ndarray, str]:
        """The labour column: (name, total per industry in model units, unit text).

        With no ``column`` the first of :data:`DEFAULT_LABOUR_COLUMNS` present
        is used. A column with a unit in ``column_units`` keeps it;
        ``hours_employees`` of a national table (WIOD: millions of hours) is
        converted to hours; a money column is labelled with the table's
        currency and the column's name ("GBP-2010 million of compensation").
        ``compensation_of_employees`` and ``compensation`` stand for each other.
        """
        file = self.files.get("industries", "industries.csv")
        if column is None:
            found = [c for c in DEFAULT_LABOUR_COLUMNS if c in self.columns]
            if not found:
                raise InputError(
                    "no labour column (expected one of " + ", ".join(DEFAULT_LABOUR_COLUMNS) + ")",
                    file=file,
                )
            column = found[0]
        aliases = {
            "compensation_of_employees": "compensation",
            "compensation": "compensation_of_employees",
        }
        name = column if column in self.columns else aliases.get(column, column)
        if name not in self.columns:
            known = ", ".join(self.columns) or "none"
            raise InputError(
                f"no numeric column '{column}' (known: {known})", file=file, field=column
            )
        values = self.columns[name]
        if name in self.column_units:
            return column, values, self.column_units[name]
        if name in LABOUR_UNITS:
            factor, unit = LABOUR_UNITS[name]
            return column, values * factor, unit
        return column, values, f"{self.unit} of {name.replace('_', ' ')}"


def year_of(path: Path) -> str | None:
    """The year (1900-2099) in a folder's name or its parent's (``wiod/2014`` -> ``2014``)."""
    resolved = path.resolve()
    names = f"{resolved.parent.name}/{resolved.name}"
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", names)
    return years[-1] if years else None


def default_unit(path: Path, currency: str = "USD") -> str:
    """``USD-<year> million`` with the year taken from the path when it has one."""
    year = year_of(path)
    return f"{currency}-{year} million" if year else f"{currency} million"


def _metadata(folder: Path) -> dict[str, str]:
    meta = folder / "metadata.toml"
    if not meta.is_file():
        return {}
    try:
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(meta)) from None
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _keyed_matrix(
    path: Path, keys: list[str], width: int, columns: list[str] | None = None
) -> tuple[list[str], np.ndarray]:
    """Read a table whose first ``width`` columns name the row; rows are put in ``keys`` order.

    When ``columns`` is given, the value columns must be exactly those names
    (in any order) and come back in that order.
    """
    file = str(path)
    fast = read_numeric_table(path, width) if path.is_file() else None
    if fast is not None:
        header, rows, values = fast
    else:
        header, rows = read_rows(path)
    if len(header) <= width:
        raise InputError("no value columns", file=file)
    value_cols = header[width:]
    known = set(keys)
    index: dict[str, int] = {}
    for r, k in enumerate(".".join(row[:width]) for row in rows):
        if k in index:
            raise InputError(f"duplicate row '{k}'", file=file, row=r + 1, field=header[0])
        if k not in known:
            raise InputError(f"unknown industry '{k}'", file=file, row=r + 1, field=header[0])
        index[k] = r
    missing = [k for k in keys if k not in index]
    if missing:
        raise InputError(f"no row for industry '{missing[0]}'", file=file, field=header[0])
    if fast is None:
        values = parse_matrix(rows, file, value_cols, width)
    values = values[[index[k] for k in keys]]
    if columns is not None:
        col_index = {c: j for j, c in enumerate(value_cols)}
        wanted = set(columns)
        for c in value_cols:
            if c not in wanted:
                raise InputError(f"unknown industry column '{c}'", file=file, field=c)
        absent = [c for c in columns if c not in col_index]
        if absent:
            raise InputError(f"missing column '{absent[0]}'", file=file, field=absent[0])
        values = values[:, [col_index[c] for c in columns]]
    return value_cols, values


def read_national(folder: Path) -> IOTable:
    """Read a national input-output folder (layout of data/wiod2016-usa/<year>)."""
    ind_file = folder / "industries.csv"
    header, rows = read_rows(ind_file, required=("code", "gross_output"))
    codes = [r[0] for r in rows]
    for r, code in enumerate(codes, 1):
        if not code:
            raise InputError("empty industry code", file=str(ind_file), row=r, field="code")
        if code in codes[: r - 1]:
            raise InputError(
                f"duplicate industry '{code}'", file=str(ind_file), row=r, field="code"
            )
    ci = {c: j for j, c in enumerate(header)}
    descriptions = [r[ci["description"]] for r in rows] if "description" in ci else list(codes)
    columns: dict[str, np.ndarray] = {}
    for name, j in ci.items():
        if name in ("code", "description", "gross_output"):
            continue
        cells = [r[j] for r in rows]
        try:
            columns[name] = parse_column(cells, str(ind_file), name)
        except NumberTooLarge:
            raise
        except InputError:
            continue  # a text column (labels, classification codes): not a candidate
    x = _gross_output([r[ci["gross_output"]] for r in rows], ind_file)
    _, z = _keyed_matrix(folder / "intermediate.csv", codes, 1, codes)
    imports = None
    if (folder / "imports.csv").is_file():
        _, imports = _keyed_matrix(folder / "imports.csv", codes, 1, codes)
    categories, fd = _keyed_matrix(folder / "final_demand.csv", codes, 1)
    meta = _metadata(folder)
    table = IOTable(codes, descriptions, z, fd, categories, x, columns, imports=imports)
    return _with_provenance(table, folder, meta, ind_file)


def _with_provenance(table: IOTable, folder: Path, meta: dict[str, str], rows: Path) -> IOTable:
    """``table`` read from ``folder`` with its unit and source (from ``meta``, its
    metadata.toml, else the defaults) and the files read (``rows``: the file of the rows)."""
    table.unit = meta.get("unit", default_unit(folder))
    table.source = meta.get("source", str(folder))
    table.files = {
        "industries": str(rows),
        "final_demand": str(folder / "final_demand.csv"),
        "intermediate": str(folder / "intermediate.csv"),
    }
    return table


def _names(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    header, rows = read_rows(path, required=("code", "name"))
    c, n = header.index("code"), header.index("name")
    return {r[c]: r[n] for r in rows}


def read_multiregion(folder: Path) -> IOTable:
    """Read a multi-region folder (layout of data/wiod2013-world-2011).

    Further numeric columns of ``gross_output.csv`` (value added, rows written
    by the importers) become the table's ``columns``. Without a ``value_added``
    column it is derived as gross output minus the column sums of intermediate
    inputs (so it also holds net taxes on products and transport margins).
    Satellite files (``labour.csv``, ``satellite*.csv``) add their columns and
    units (see :mod:`.satellite`).
    """
    go_file = folder / "gross_output.csv"
    header, rows = read_rows(go_file, required=("region", "sector", "gross_output"))
    ri, si, gi = header.index("region"), header.index("sector"), header.index("gross_output")
    regions = [r[ri] for r in rows]
    sectors = [r[si] for r in rows]
    codes = _region_sector_codes(regions, sectors, go_file)
    x = _gross_output([r[gi] for r in rows], go_file)
    int_file = folder / "intermediate.csv"
    _check_key_header(int_file)
    _, z = _keyed_matrix(int_file, codes, 2, codes)
    fd_file = folder / "final_demand.csv"
    _check_key_header(fd_file)
    categories, fd = _keyed_matrix(fd_file, codes, 2)
    cat_regions = _category_regions(categories, set(regions), fd_file)
    region_names = _names(folder / "regions.csv")
    sector_names = _names(folder / "sectors.csv")
    descriptions = [
        f"{region_names.get(a, a)}: {sector_names.get(b, b)}"
        for a, b in zip(regions, sectors, strict=True)
    ]
    meta = _metadata(folder)
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        if j not in (ri, si, gi):
            columns[name] = parse_column([r[j] for r in rows], str(go_file), name)
    notes: list[str] = []
    derive_value_added(columns, x, z, notes)
    sat = read_satellites(folder, codes, regions, x)
    table = IOTable(
        codes,
        descriptions,
        z,
        fd,
        categories,
        x,
        {**columns, **sat.columns},
        column_units=sat.units,
        regions=regions,
        category_regions=cat_regions,
        notes=[*notes, *sat.notes],
    )
    return _with_provenance(table, folder, meta, go_file)


def _region_sector_codes(regions: list[str], sectors: list[str], go_file: Path) -> list[str]:
    """The row codes ``REGION.sector`` of a multi-region table; an empty region or sector
    or a repeated code is an error naming the row of ``gross_output.csv``."""
    codes = [f"{a}.{b}" for a, b in zip(regions, sectors, strict=True)]
    seen: set[str] = set()
    for r, code in enumerate(codes, 1):
        if not regions[r - 1] or not sectors[r - 1]:
            raise InputError("empty region or sector", file=str(go_file), row=r, field="region")
        if code in seen:
            raise InputError(f"duplicate row '{code}'", file=str(go_file), row=r, field="sector")
        seen.add(code)
    return codes


def _category_regions(categories: list[str], regions: set[str], fd_file: Path) -> list[str]:
    """The destination region of each final-demand column ``REGION.category``."""
    found = []
    for c in categories:
        dest = c.split(".", 1)[0]
        if "." not in c or dest not in regions:
            raise InputError(
                f"final-demand column must be REGION.category with a known region, got '{c}'",
                file=str(fd_file),
                field=c,
            )
        found.append(dest)
    return found


def derive_value_added(
    columns: dict[str, np.ndarray], x: np.ndarray, z: np.ndarray, notes: list[str]
) -> None:
    """Where a table has no ``value_added`` column, derive it as gross output ``x`` less
    the column sums of intermediate inputs ``z``, and say so in ``notes``."""
    if "value_added" not in columns:
        columns["value_added"] = x - z.sum(axis=0)
        notes.append(DERIVED_VALUE_ADDED)


def _check_key_header(path: Path) -> None:
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    if [c.strip() for c in header[:2]] != ["region", "sector"]:
        raise InputError(
            "the first two columns must be 'region' and 'sector'", file=str(path), field="region"
        )


def write_io_folder(table: IOTable, out: str | Path) -> Path:
    """Write a national-layout input-output folder (``out`` must not exist or be empty)."""
    out = Path(out)
    with new_folder(out) as tmp:
        _write_keyed(tmp / "intermediate.csv", table.codes, table.codes, table.intermediate)
        if table.imports is not None:
            _write_keyed(tmp / "imports.csv", table.codes, table.codes, table.imports)
        _write_keyed(tmp / "final_demand.csv", table.codes, table.categories, table.final_demand)
        names = list(table.columns)
        write_csv(
            tmp / "industries.csv",
            ["code", "description", "gross_output", *names],
            (
                [c, d, format_number(x), *(format_number(table.columns[n][i]) for n in names)]
                for i, (c, d, x) in enumerate(
                    zip(table.codes, table.descriptions, table.gross_output, strict=True)
                )
            ),
        )
        lines = [f"unit = {_toml_str(table.unit)}", f"source = {_toml_str(table.source)}"]
        (tmp / "metadata.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _write_keyed(path: Path, keys: list[str], columns: list[str], values: np.ndarray) -> None:
    write_csv(
        path,
        ["code", *columns],
        ([k, *(format_number(v) for v in row)] for k, row in zip(keys, values, strict=True)),
    )


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _gross_output(cells: list[str], path: Path) -> np.ndarray:
    """The gross output column (``gross_output``), none of it negative."""
    x = parse_column(cells, str(path), "gross_output")
    bad = np.flatnonzero(x < 0)
    if bad.size:
        raise InputError(
            f"negative gross output {x[bad[0]]}",
            file=str(path),
            row=int(bad[0]) + 1,
            field="gross_output",
        )
    return x
