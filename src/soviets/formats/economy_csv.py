"""The economy folder: one CSV table per kind of record (docs/files.md).

Columns (required ones marked *):

* ``goods.csv``: good*, unit, kind (produced/primary; default produced), limit
* ``councils.csv``: council*, kind* (workplace/territorial/federation), parent,
  members, hours_available
* ``processes.csv``: process*, council*, labour* (hours per unit), capacity
* ``flows.csv``: process*, good*, quantity* (+ output, - input, per unit of activity)
* ``needs.csv``: council*, good*, quantity*, priority (essential/normal;
  default essential)
* ``stocks.csv`` (optional file): good*, quantity*

Empty cells mean "no limit" (limit, capacity) or "not given"; ``needs.csv``
may be left out for an economy without needs. An optional ``notes.txt``
holds one note per line. Errors name the file, the data row (from 1; data
row ``r`` is line ``r + 1`` of the file) and the column.

Any table may be a Parquet file instead (``flows.parquet``, same columns; read
when pyarrow is installed, written by ``write_economy_folder(..., parquet=True)``).
Reading tries the column-wise fast path first
(:mod:`soviets.formats.economy_columns`); only when it finds something out of
the ordinary are the tables read again row by row, here, to name the problem.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.formats.csvfiles import format_number, new_folder, read_rows, write_csv
from soviets.formats.economy_columns import (
    parquet_rows,
    read_economy_columns,
    table_file,
    write_parquet_tables,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "goods": ("good", "unit", "kind", "limit"),
    "councils": ("council", "kind", "parent", "members", "hours_available"),
    "processes": ("process", "council", "labour", "capacity"),
    "flows": ("process", "good", "quantity"),
    "needs": ("council", "good", "quantity", "priority"),
    "stocks": ("good", "quantity"),
}


def is_economy_folder(folder: Path) -> bool:
    """True for a folder with ``goods.csv`` (or ``goods.parquet``)."""
    return table_file(folder, "goods") is not None


def read_economy_folder(folder: str | Path, *, with_needs: bool = True) -> Economy:
    """Read and validate an economy folder of CSV tables (``with_needs=False``: leave
    ``needs.csv`` to the caller, as the multi-period reader does)."""
    folder = Path(folder)
    fast = read_economy_columns(folder, with_needs=with_needs)
    return fast if fast is not None else read_economy_rows(folder, with_needs=with_needs)


def read_economy_rows(folder: Path, *, with_needs: bool = True) -> Economy:
    """The careful reader: every table row by row, errors naming file, row and field."""
    # Imported here: the Pydantic row models are slow to import and only reading needs them.
    from soviets.formats.rows import REQUIRED_TABLES, TABLES, RawRow, build_economy

    tables: dict[str, list[RawRow]] = {}
    for table, (_, required) in TABLES.items():
        if table == "needs" and not with_needs:
            continue
        path = table_file(folder, table) or folder / f"{table}.csv"
        if not path.is_file():
            if table in REQUIRED_TABLES:
                raise InputError(f"missing table {table}.csv", file=str(path))
            continue
        if path.suffix == ".parquet":
            header, rows = parquet_rows(path, required=required)
        else:
            header, rows = read_rows(path, required=required)
        for col in header:
            if col not in COLUMNS[table]:
                raise InputError(
                    f"unknown column '{col}' (expected {', '.join(COLUMNS[table])})",
                    file=str(path),
                    field=col,
                )
        if not rows and table in REQUIRED_TABLES:
            raise InputError(f"no rows in {table}.csv", file=str(path))
        tables[table] = [
            RawRow(str(path), r, dict(zip(header, cells, strict=True)))
            for r, cells in enumerate(rows, 1)
        ]
    notes_file = folder / "notes.txt"
    notes = notes_file.read_text(encoding="utf-8").splitlines() if notes_file.is_file() else []
    return build_economy(
        tables, strict=False, name=folder.resolve().name, notes=[n for n in notes if n.strip()]
    )


def _opt(value: float) -> str:
    return format_number(value) if np.isfinite(value) else ""


def write_economy_folder(economy: Economy, out: str | Path, *, parquet: bool = False) -> Path:
    """Write an economy as a folder of CSV tables (or Parquet files, ``parquet=True``,
    which needs pyarrow) that reads back to the same economy.

    Numbers are written in the shortest form that reads back exactly; ``out``
    must not exist or be an empty folder (nothing is half written).
    """
    with new_folder(Path(out)) as tmp:
        write_economy_tables(economy, tmp)
        if parquet:
            write_parquet_tables(tmp)
    return Path(out)


def write_economy_tables(economy: Economy, folder: Path) -> None:
    """Write the tables of an economy folder into the existing ``folder``."""
    write_csv(
        folder / "goods.csv",
        COLUMNS["goods"],
        (
            [g, u, "primary" if p else "produced", _opt(lim)]
            for g, u, p, lim in zip(
                economy.good_names,
                economy.good_units,
                economy.good_primary,
                economy.good_limit,
                strict=True,
            )
        ),
    )
    write_csv(
        folder / "councils.csv",
        COLUMNS["councils"],
        (
            [
                c.name,
                c.kind,
                c.parent or "",
                "" if c.members is None else str(int(c.members)),
                "" if c.hours_available is None else format_number(c.hours_available),
            ]
            for c in economy.councils
        ),
    )
    write_csv(
        folder / "processes.csv",
        COLUMNS["processes"],
        (
            [p, economy.councils[c].name, format_number(lab), _opt(cap)]
            for p, c, lab, cap in zip(
                economy.process_names,
                economy.process_council,
                economy.labour,
                economy.capacity,
                strict=True,
            )
        ),
    )
    net = economy.net_output.tocsc()
    net.sort_indices()
    cols = np.repeat(np.arange(economy.n_processes), np.diff(net.indptr))
    write_csv(
        folder / "flows.csv",
        COLUMNS["flows"],
        (
            [economy.process_names[j], economy.good_names[i], format_number(q)]
            for j, i, q in zip(cols, net.indices, net.data, strict=True)
            if q != 0
        ),
    )
    write_csv(
        folder / "needs.csv",
        COLUMNS["needs"],
        (
            [n.council, n.good, format_number(n.quantity), n.priority]
            for n in economy.need_records()
        ),
    )
    stocked = np.flatnonzero(economy.stocks)
    if stocked.size:
        write_csv(
            folder / "stocks.csv",
            COLUMNS["stocks"],
            ([economy.good_names[i], format_number(economy.stocks[i])] for i in stocked),
        )
    if economy.notes:
        (folder / "notes.txt").write_text("\n".join(economy.notes) + "\n", encoding="utf-8")
