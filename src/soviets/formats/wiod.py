"""Read the World Input-Output Tables as released by WIOD (2013 and 2016 releases).

**Workbook** (``wiot09_row_sep12.xlsx``, ``WIOT2014_Nov16_ROW.xlsx``): the
first sheet holds a few title lines, then four header rows above the
columns (industry code such as ``AtB`` or ``A01``, description, country,
column number ``c1``, ``c2`` ...; final-demand columns continue the numbering,
``c37`` ... in 2013, ``c57`` ... in 2016; the last column is total output).
Each data row starts with the same four cells (code, description, country,
row number ``c1`` ... in 2013, ``r1`` ... in 2016). Rows without a country
below the industries are the value-added block: total intermediate use
(``r60``/``r64``, skipped), taxes less subsidies, adjustments, value added (``r64``/``r69``, kept as
``value_added``) and output at basic prices (``r69``/``r71``, the gross
output); without a value-added row, ``value_added`` is gross output minus
intermediate inputs. Sectors and final-demand categories keep their column numbers
(``AUS.c1``, ``AUS.c37``), like ``data/wiod2013-world-2011``.

**RData** (the R package ``wiod`` by B. Quast, ``wiot_2009.RData``): one
data frame ``wiot`` in the same layout (columns ``IndustryCode``,
``IndustryDescription``, ``Country``, ``RNr``, ``Year``, then ``AUS1`` ...
for industries, ``AUS37`` ... for final demand and ``TOT``), read with the
``rdata`` package (``io`` extra). It has no value-added rows: ``value_added``
is derived as gross output minus intermediate inputs, as for
``data/wiod2013-world-2011``.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.iotable import DERIVED_VALUE_ADDED, IOTable, derive_value_added
from soviets.formats.mrio import multiregion_table

_COL = re.compile(r"^c(\d+)$")
_ROW = re.compile(r"^[rc](\d+)$")
#: value-added block rows kept under a plain name (2013 and 2016 codes and labels)
_FACTOR_NAMES = {
    "value added at basic prices": "value_added",
    "va": "value_added",
    "taxes less subsidies on products": "taxes_less_subsidies_on_products",
    "txsp": "taxes_less_subsidies_on_products",
    "cif/ fob adjustments on exports": "cif_fob_adjustments",
    "exp_adj": "cif_fob_adjustments",
    "direct purchases abroad by residents": "direct_purchases_abroad",
    "purr": "direct_purchases_abroad",
    "purchases on the domestic territory by non-residents": "purchases_by_non_residents",
    "purnr": "purchases_by_non_residents",
    "international transport margins": "international_transport_margins",
    "inttmm": "international_transport_margins",
    "intttm": "international_transport_margins",
}
_OUTPUT = ("output at basic prices", "go", "total output")
_SKIP = ("total intermediate consumption", "ii_fob", "tot")


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _number(cell: object, file: str, row: int, field: str) -> float:
    if cell is None or cell == "":
        return 0.0
    try:
        value = float(cell)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"not a number: {cell!r}", file=file, row=row, field=field) from None
    if not np.isfinite(value):
        raise InputError("not a finite number", file=file, row=row, field=field)
    return value


def parse_wiot(grid: Sequence[Sequence[object]], file: str, source: str) -> IOTable:
    """A WIOT laid out as in the workbook (see the module docstring), as cell rows."""
    head = next((h for h in range(min(len(grid), 20)) if _is_column_numbers(grid[h])), None)
    if head is None or head < 3:
        raise InputError("no header row of column numbers c1, c2 ... found", file=file)
    codes, names, regions, numbers = (list(map(_text, grid[head - k])) for k in (3, 2, 1, 0))
    first = 4
    width = max(len(r) for r in grid)
    for lst in (codes, names, regions, numbers):
        lst.extend([""] * (width - len(lst)))
    col_keys = [(regions[j], numbers[j]) for j in range(first, width)]
    body = [
        (h, list(grid[h])) for h in range(head + 1, len(grid)) if any(_text(c) for c in grid[h])
    ]
    for _, cells in body:
        cells.extend([None] * (width - len(cells)))
    kinds = _Rows.of(body, file)
    industries, ind_rows = kinds.industries, kinds.industry_rows
    index = {k: first + j for j, k in enumerate(col_keys)}
    missing = [k for k in industries if k not in index]
    if missing:
        raise InputError(
            f"row {'.'.join(missing[0])} has no column of the same country and number", file=file
        )
    ind_set = set(industries)
    regions_set = {r for r, _ in industries}
    fd_keys = [k for k in col_keys if k not in ind_set and k[0] in regions_set and k[1]]
    values = {h: cells for h, cells in body}

    def block(rows: list[int], cols: list[int]) -> np.ndarray:
        return np.array(
            [
                [_number(values[h][j], file, h + 1, _label(numbers, regions, j)) for j in cols]
                for h in rows
            ],
            dtype=float,
        ).reshape(len(rows), len(cols))

    ind_cols = [index[k] for k in industries]
    z = block(ind_rows, ind_cols)
    fd = block(ind_rows, [index[k] for k in fd_keys])
    notes: list[str] = []
    if kinds.output_row is not None:
        x = block([kinds.output_row], ind_cols)[0]
    else:
        x = z.sum(axis=1) + fd.sum(axis=1)
        notes.append("gross output taken as Z 1 + y (no output row)")
    columns = {name: block([h], ind_cols)[0] for name, h in kinds.factor_rows}
    derive_value_added(columns, x, z, notes)
    sector_names = {s: _text(values[h][1]) for (_, s), h in zip(industries, ind_rows, strict=True)}
    sector_names.update({n: names[index[(r, n)]] for r, n in fd_keys if names[index[(r, n)]]})
    return multiregion_table(
        industries,
        z,
        fd_keys,
        fd,
        x,
        columns=columns,
        unit="USD million",
        source=source,
        file=file,
        sector_names=sector_names,
        notes=notes,
    )


@dataclass
class _Rows:
    """The body rows of a WIOT by kind: industries (country and column number c1 ...),
    factor rows (value added and its parts, by name) and the gross-output row."""

    industries: list[tuple[str, str]] = field(default_factory=list)
    industry_rows: list[int] = field(default_factory=list)
    factor_rows: list[tuple[str, int]] = field(default_factory=list)
    output_row: int | None = None

    @staticmethod
    def of(body: list[tuple[int, list[object]]], file: str) -> _Rows:
        """Classify ``body`` (grid row index, cells) by the first four cells of each row."""
        rows = _Rows()
        for h, cells in body:
            code, label, region, rnr = (_text(c) for c in cells[:4])
            if region and region.upper() != "TOT":
                number = _ROW.match(rnr)
                if not number:
                    raise InputError(
                        f"expected a row number r1 (or c1) ... got '{rnr}'", file=file, row=h + 1
                    )
                rows.industries.append((region, f"c{number.group(1)}"))
                rows.industry_rows.append(h)
                continue
            key = label.lower().rstrip()
            if key in _OUTPUT or code.lower() in _OUTPUT:
                rows.output_row = h
            elif key not in _SKIP and code.lower() not in _SKIP:
                name = _FACTOR_NAMES.get(key) or _FACTOR_NAMES.get(code.lower()) or code or rnr
                rows.factor_rows.append((name, h))
        return rows


def _label(numbers: list[str], regions: list[str], j: int) -> str:
    return f"{regions[j]}.{numbers[j]}" if regions[j] else numbers[j]


def _is_column_numbers(row: Sequence[object]) -> bool:
    cells = [_text(c) for c in row[4:]]
    return sum(bool(_COL.match(c)) for c in cells) >= max(2, len([c for c in cells if c]) // 2)


def read_wiod_xlsx(path: str | Path) -> IOTable:
    """Read a WIOD world input-output table workbook (``.xlsx``)."""
    import zipfile

    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=str(path))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(f"not an .xlsx workbook: {exc}", file=str(path)) from None
    try:
        sheet = book.worksheets[0]
        grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    title = _text(grid[0][0]) if grid and grid[0] else ""
    table = parse_wiot(grid, str(path), f"WIOD {title or 'world input-output table'} ({path.name})")
    year = re.search(r"(?:19|20)\d\d", title)
    if year:
        table.unit = f"USD-{year.group(0)} million"
    return table


#: WIOD 2013 final-demand categories, in the order of each country's columns
FINAL_2013 = ("c37", "c38", "c39", "c41", "c42")


def read_wiod_rdata(path: str | Path) -> IOTable:
    """Read a ``wiot_<year>.RData`` file: a list with ``inter``, ``final``, ``output``,
    ``countries``, ``industries`` and ``year`` (the ``wiod`` R package's layout).

    Rows are country by country, industries within; ``final`` has the same
    number of columns for every destination country (the five WIOD 2013
    categories ``c37``, ``c38``, ``c39``, ``c41``, ``c42`` when there are five).
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("file not found", file=file)
    try:
        import rdata
    except ImportError:
        raise InputError(
            "reading .RData needs rdata: pip install 'soviets[io]'", file=file
        ) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the list's R class ("iot") has no converter
            objects = rdata.read_rda(path)
    except Exception as exc:  # noqa: BLE001 (the parser raises many kinds on a bad file)
        raise InputError(f"not a readable R data file: {exc}", file=file) from None
    found = [
        (str(name), {str(k): v for k, v in obj.items()})
        for name, obj in objects.items()
        if isinstance(obj, dict) and {"inter", "final", "output"} <= {str(k) for k in obj}
    ]
    if not found:
        raise InputError("no object with inter, final and output", file=file)
    name, obj = found[0]
    for part in ("countries", "industries"):
        if part not in obj:
            raise InputError(f"object {name} has no {part}", file=file, field=part)
    countries = [str(c) for c in np.asarray(obj["countries"]).ravel()]
    industries = [str(c) for c in np.asarray(obj["industries"]).ravel()]
    n = len(countries) * len(industries)
    try:
        inter = np.asarray(obj["inter"], dtype=float)
        final = np.asarray(obj["final"], dtype=float)
        output = np.asarray(obj["output"], dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"object {name}: not numeric ({exc})", file=file) from None
    if inter.shape != (n, n) or output.shape != (n,) or final.ndim != 2 or final.shape[0] != n:
        raise InputError(
            f"object {name}: expected inter {n}x{n}, final {n} rows and output {n} values for "
            f"{len(countries)} countries x {len(industries)} industries",
            file=file,
            field="inter",
        )
    per, rest = divmod(final.shape[1], len(countries))
    if rest:
        raise InputError(
            f"object {name}: {final.shape[1]} final-demand columns for {len(countries)} countries",
            file=file,
            field="final",
        )
    categories = FINAL_2013 if per == len(FINAL_2013) else tuple(f"f{j + 1}" for j in range(per))
    year = int(np.asarray(obj["year"]).ravel()[0]) if "year" in obj else None
    return multiregion_table(
        [(c, s) for c in countries for s in industries],
        inter,
        [(c, k) for c in countries for k in categories],
        final,
        output,
        columns={"value_added": output - inter.sum(axis=0)},
        unit=f"USD-{year} million" if year else "USD million",
        source=f"WIOD world input-output table, R object {name} ({path.name})",
        file=file,
        notes=[DERIVED_VALUE_ADDED],
    )
