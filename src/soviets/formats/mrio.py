"""Multi-region tables built by the readers, and the multi-region folder they are written to.

Every reader of a published multi-region table (EXIOBASE, OECD ICIO, WIOD,
Eora, pymrio) ends in :func:`multiregion_table`: rows and columns are
region-sectors ``REGION.sector``, final-demand columns ``REGION.category``.
:func:`write_multiregion_folder` writes the layout that
:func:`soviets.formats.iotable.read_multiregion` reads back, numeric columns
(value added, satellite rows) included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import format_number, new_folder, write_csv
from soviets.formats.iotable import IOTable, _toml_str


def multiregion_table(
    keys: Sequence[tuple[str, str]],
    z: np.ndarray,
    fd_keys: Sequence[tuple[str, str]],
    fd: np.ndarray,
    x: np.ndarray,
    *,
    columns: dict[str, np.ndarray] | None = None,
    column_units: dict[str, str] | None = None,
    unit: str,
    source: str,
    file: str,
    region_names: dict[str, str] | None = None,
    sector_names: dict[str, str] | None = None,
    notes: Sequence[str] = (),
) -> IOTable:
    """An :class:`IOTable` from (region, sector) row keys and (region, category) columns.

    Raises :class:`InputError` naming ``file`` for an empty or repeated key
    or a region or sector holding a '.' (the code separator).
    """
    seen: set[tuple[str, str]] = set()
    for r, (region, sector) in enumerate(keys, 1):
        if not region or not sector:
            raise InputError("empty region or sector", file=file, row=r, field="region")
        if "." in region:
            raise InputError(f"region '{region}' contains '.'", file=file, row=r, field="region")
        if (region, sector) in seen:
            raise InputError(f"duplicate row '{region}.{sector}'", file=file, row=r)
        seen.add((region, sector))
    known = {region for region, _ in keys}
    for region, category in fd_keys:
        if region not in known or not category:
            raise InputError(
                f"final-demand column '{region}.{category}' names no region of the table",
                file=file,
                field=f"{region}.{category}",
            )
    regions = region_names or {}
    sectors = sector_names or {}
    return IOTable(
        codes=[f"{a}.{b}" for a, b in keys],
        descriptions=[f"{regions.get(a, a)}: {sectors.get(b, b)}" for a, b in keys],
        intermediate=np.asarray(z, dtype=float),
        final_demand=np.asarray(fd, dtype=float),
        categories=[f"{a}.{c}" for a, c in fd_keys],
        gross_output=np.asarray(x, dtype=float),
        columns=dict(columns or {}),
        regions=[a for a, _ in keys],
        category_regions=[a for a, _ in fd_keys],
        unit=unit,
        source=source,
        files={"industries": file, "final_demand": file, "intermediate": file},
        notes=list(notes),
        column_units=dict(column_units or {}),
    )


def split_code(table: IOTable, i: int) -> tuple[str, str]:
    """(region, sector) of row ``i`` of a multi-region table."""
    assert table.regions is not None
    region = table.regions[i]
    return region, table.codes[i][len(region) + 1 :]


def write_multiregion_folder(table: IOTable, out: str | Path) -> Path:
    """Write a multi-region folder (``out`` must not exist or be empty).

    Numeric columns go into ``gross_output.csv`` after ``gross_output``;
    ``regions.csv`` and ``sectors.csv`` are written when every description
    reads ``region name: sector name``.
    """
    if table.regions is None or table.category_regions is None:
        raise InputError("not a multi-region table (it has no regions)", file=table.source)
    out = Path(out)
    keys = [split_code(table, i) for i in range(table.n)]
    names = list(table.columns)
    with new_folder(out) as tmp:
        _write_rows(tmp / "intermediate.csv", keys, table.codes, table.intermediate)
        _write_rows(tmp / "final_demand.csv", keys, table.categories, table.final_demand)
        values = np.column_stack([table.gross_output, *(table.columns[c] for c in names)])
        _write_rows(tmp / "gross_output.csv", keys, ["gross_output", *names], values)
        parts = [d.split(": ", 1) for d in table.descriptions]
        if all(len(p) == 2 for p in parts):
            region_names = {k[0]: p[0] for k, p in zip(keys, parts, strict=True)}
            sector_names = {k[1]: p[1] for k, p in zip(keys, parts, strict=True)}
            write_csv(tmp / "regions.csv", ["code", "name"], region_names.items())
            write_csv(tmp / "sectors.csv", ["code", "name"], sector_names.items())
        lines = [f"unit = {_toml_str(table.unit)}", f"source = {_toml_str(table.source)}"]
        (tmp / "metadata.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _write_rows(
    path: Path, keys: list[tuple[str, str]], columns: list[str], values: np.ndarray
) -> None:
    write_csv(
        path,
        ["region", "sector", *columns],
        (
            [a, b, *(format_number(v) for v in row)]
            for (a, b), row in zip(keys, values, strict=True)
        ),
    )
