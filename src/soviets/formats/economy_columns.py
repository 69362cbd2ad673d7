"""The fast path of the economy folder: every table read column-wise by Arrow.

:func:`read_economy_columns` reads the tables of an economy folder (CSV, or
Parquet where a table has a ``.parquet`` file) with pyarrow's multithreaded C++
readers and builds the :class:`~soviets.economy.Economy` from whole columns,
without a Python object per flow. It is only a fast path: it returns ``None``
as soon as anything is out of the ordinary (pyarrow not installed, a cell that
is not a number, an empty or padded name, an unknown or duplicate name, a
number out of range, a blank line, ...), and the careful reader
(:func:`soviets.formats.economy_csv.read_economy_folder`) then reads the folder
row by row and names the file, row and field of the first problem.

The tables of goods, councils and stocks are checked by
:func:`soviets.economy.validate.validate_records` itself; the large ones
(processes, flows, needs) by the vectorised checks below, which accept only
what ``validate_records`` accepts (``_Check.processes``, ``_Check.flows`` and
``_Check.needs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from soviets.economy import Council, Economy, Good
from soviets.economy.records import PRIORITIES
from soviets.economy.validate import MAX_MAGNITUDE, refuse_free_production, validate_records
from soviets.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

#: table -> (its columns, the numeric ones among them, the required ones)
SCHEMA: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "goods": (("good", "unit", "kind", "limit"), ("limit",), ("good",)),
    "councils": (  # members: text, read as whole numbers
        ("council", "kind", "parent", "members", "hours_available"),
        ("hours_available",),
        ("council", "kind"),
    ),
    "processes": (
        ("process", "council", "labour", "capacity"),
        ("labour", "capacity"),
        ("process", "council", "labour"),
    ),
    "flows": (("process", "good", "quantity"), ("quantity",), ("process", "good", "quantity")),
    "needs": (
        ("council", "good", "quantity", "priority"),
        ("quantity",),
        ("council", "good", "quantity"),
    ),
    "stocks": (("good", "quantity"), ("quantity",), ("good", "quantity")),
}
REQUIRED_TABLES = ("goods", "councils", "processes", "flows")

# A character Python's str.strip() may remove is a separator (Z*) or a control
# character (C*): a name that starts or ends with one goes to the careful reader.
_EDGE = r"^[\pZ\pC]|[\pZ\pC]$"


class _Unusual(Exception):
    """Something the fast path leaves to the careful reader."""


def read_economy_columns(folder: Path, *, with_needs: bool = True) -> Economy | None:
    """The economy of ``folder`` read column-wise, or None (then read it row by row)."""
    try:
        import pyarrow as pa
    except ImportError:  # an optional dependency (the io extra): read row by row
        return None
    try:
        return _read(folder, with_needs)
    except (_Unusual, InputError, pa.ArrowException, OSError, UnicodeDecodeError, ValueError):
        return None


def table_file(folder: Path, table: str) -> Path | None:
    """``table.parquet`` (first) or ``table.csv`` in ``folder``; None if neither is there."""
    for suffix in (".parquet", ".csv"):
        path = folder / f"{table}{suffix}"
        if path.is_file():
            return path
    return None


def read_table(path: Path, table: str) -> pa.Table:
    """One table with its numbers as float64 and its names as text (empty cells null)."""
    import pyarrow as pa

    columns, numeric, _ = SCHEMA[table]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        data = pq.read_table(path)
    else:
        import pyarrow.csv as pcsv

        data = pcsv.read_csv(
            path,
            # as Python's csv module: a quoted cell may hold a newline; a blank line is a row
            parse_options=pcsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.float64() if c in numeric else pa.string() for c in columns},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    names = data.column_names
    if len(set(names)) != len(names) or not set(names) <= set(columns):
        raise _Unusual
    for c in names:
        want = pa.float64() if c in numeric else pa.string()
        if not data.schema.field(c).type.equals(want):
            raise _Unusual
    return data


def _read(folder: Path, with_needs: bool) -> Economy:
    tables: dict[str, pa.Table] = {}
    for table in SCHEMA:
        if table == "needs" and not with_needs:
            continue
        path = table_file(folder, table)
        if path is None:
            if table in REQUIRED_TABLES:
                raise _Unusual
            continue
        data = read_table(path, table)
        if any(c not in data.column_names for c in SCHEMA[table][2]):
            raise _Unusual
        if data.num_rows == 0 and table in REQUIRED_TABLES:
            raise _Unusual
        tables[table] = data
    goods = _goods(tables["goods"])
    councils = _councils(tables["councils"])
    stocks = _stocks(tables["stocks"]) if "stocks" in tables else []
    validate_records(goods, councils, [], [], [], stocks)
    good_names = [g.name for g in goods]
    primary = np.array([g.kind == "primary" for g in goods], dtype=bool)
    need_council, need_good, need_quantity, need_essential = _needs(
        tables.get("needs"), councils, good_names, primary
    )
    procs = tables["processes"]
    process_names = _names(procs, "process")
    workplaces = [c.name for c in councils if c.kind == "workplace"]
    _lookup(procs["council"], workplaces)  # every process run by a workplace council
    process_council = _lookup(procs["council"], [c.name for c in councils])
    labour = _numbers(procs, "labour", required=True, nonnegative=True)
    capacity = _numbers(procs, "capacity", required=False, nonnegative=True)
    net = _flows(tables, process_names, good_names, primary)
    stock_vec = np.zeros(len(goods))
    good_index = {g: i for i, g in enumerate(good_names)}
    for good, q in stocks:
        stock_vec[good_index[good]] = q
    notes_file = folder / "notes.txt"
    notes = notes_file.read_text(encoding="utf-8").splitlines() if notes_file.is_file() else []
    economy = Economy(
        good_names=good_names,
        good_units=[g.unit for g in goods],
        good_primary=primary,
        good_limit=np.array([np.inf if g.limit is None else g.limit for g in goods], dtype=float),
        councils=councils,
        process_names=process_names,
        process_council=process_council,
        labour=labour,
        capacity=np.where(np.isnan(capacity), np.inf, capacity),
        net_output=net,
        need_council=need_council,
        need_good=need_good,
        need_quantity=need_quantity,
        need_essential=need_essential,
        stocks=stock_vec,
        name=folder.resolve().name,
        notes=[n for n in notes if n.strip()],
    )
    refuse_free_production(economy)
    return economy


# ------------------------------------------------------------------ columns
def _texts(data: pa.Table, column: str) -> list[str | None]:
    """A text column as Python strings (None for empty cells); padded names are unusual."""
    import pyarrow.compute as pc

    if column not in data.column_names:
        return [None] * data.num_rows
    col = data[column]
    if pc.any(pc.match_substring_regex(col, _EDGE)).as_py():
        raise _Unusual
    values: list[str | None] = col.to_pylist()
    return values


def _names(data: pa.Table, column: str) -> list[str]:
    """A column of names: none empty, none padded (their uniqueness is checked by the caller)."""
    values = _texts(data, column)
    if any(not v for v in values):
        raise _Unusual
    names = [v for v in values if v]
    if len(set(names)) != len(names):
        raise _Unusual
    return names


def _numbers(data: pa.Table, column: str, *, required: bool, nonnegative: bool) -> np.ndarray:
    """A numeric column as floats (nan where empty, when not ``required``); all in range."""
    if column not in data.column_names:
        if required:
            raise _Unusual
        return np.full(data.num_rows, np.nan)
    col = data[column]
    if col.null_count and required:
        raise _Unusual
    values = np.array(col.to_numpy(zero_copy_only=False), dtype=float)
    given = values[~np.isnan(values)] if col.null_count else values
    if col.null_count != values.size - given.size or not np.isfinite(given).all():
        raise _Unusual  # a nan written as text, or an infinity
    if given.size and (np.abs(given).max() > MAX_MAGNITUDE or (nonnegative and given.min() < 0)):
        raise _Unusual
    return values


def _lookup(values: Any, names: list[str]) -> np.ndarray:
    """Index of each value among ``names`` (every value must be one of them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index = pc.index_in(values, value_set=pa.array(names, type=pa.string()))
    if index.null_count:
        raise _Unusual
    return np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64)


# ------------------------------------------------------------------- tables
def _goods(data: pa.Table) -> list[Good]:
    limits = data["limit"].to_pylist() if "limit" in data.column_names else [None] * data.num_rows
    return [
        Good(g, u or "", k or "produced", lim)
        for g, u, k, lim in zip(
            _names(data, "good"), _texts(data, "unit"), _texts(data, "kind"), limits, strict=True
        )
    ]


def _councils(data: pa.Table) -> list[Council]:
    members = [None if m is None else _whole(m) for m in _texts(data, "members")]
    hours = (
        data["hours_available"].to_pylist()
        if "hours_available" in data.column_names
        else [None] * data.num_rows
    )
    kinds = _texts(data, "kind")
    if any(k is None for k in kinds):
        raise _Unusual
    return [
        Council(c, k or "", p, m, h)
        for c, k, p, m, h in zip(
            _names(data, "council"), kinds, _texts(data, "parent"), members, hours, strict=True
        )
    ]


def _whole(text: str) -> int:
    """A count of members written in plain digits (anything else: the careful reader)."""
    if not text.isascii() or not text.isdigit():
        raise _Unusual
    return int(text)


def _needs(
    data: pa.Table | None, councils: list[Council], good_names: list[str], primary: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Council, good, quantity and essential flag of every need; as ``_Check.needs``: a
    territorial council, a produced good, a quantity in range, a known priority, no
    need twice (council, good and priority)."""
    if data is None:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    territorial = [i for i, c in enumerate(councils) if c.kind == "territorial"]
    where = _lookup(data["council"], [councils[i].name for i in territorial])
    council = np.asarray(territorial, dtype=np.int64)[where]
    good = _lookup(data["good"], good_names)
    if primary[good].any():
        raise _Unusual
    quantity = _numbers(data, "quantity", required=True, nonnegative=True)
    essential = np.ones(data.num_rows, dtype=bool)
    if "priority" in data.column_names:
        priority = pc.fill_null(data["priority"], "essential")
        if not pc.all(pc.is_in(priority, value_set=pa.array(list(PRIORITIES)))).as_py():
            raise _Unusual
        essential = np.asarray(pc.equal(priority, "essential").to_numpy(zero_copy_only=False))
    keys = np.sort((council * len(good_names) + good) * 2 + essential)
    if (keys[1:] == keys[:-1]).any():
        raise _Unusual  # the same need twice
    return council, good, quantity, essential


def _stocks(data: pa.Table) -> list[tuple[str, float]]:
    quantity = _numbers(data, "quantity", required=True, nonnegative=False)
    goods = _texts(data, "good")
    if any(not g for g in goods):
        raise _Unusual
    return [(g or "", float(q)) for g, q in zip(goods, quantity, strict=True)]


def _flows(
    tables: dict[str, pa.Table],
    process_names: list[str],
    good_names: list[str],
    primary: np.ndarray,
) -> sp.csc_matrix:
    """The net-output matrix; as ``_Check.flows``: known names, one flow per process and
    good, numbers in range, no primary input made, every process makes something.

    The flows table is taken out of ``tables`` and let go as soon as its columns are
    indices and numbers (at 10^6 goods its names alone take a gigabyte).
    """
    n_goods, n_processes = len(good_names), len(process_names)
    data = tables.pop("flows")
    proc = _lookup(data["process"], process_names)
    good = _lookup(data["good"], good_names)
    qty = _numbers(data, "quantity", required=True, nonnegative=False)
    del data
    made = qty > 0
    if (made & primary[good]).any():
        raise _Unusual
    if (np.bincount(proc[made], minlength=n_processes) == 0).any():
        raise _Unusual
    del made
    # Column by column (process), rows (goods) ascending within each: the order in
    # which scipy stores a matrix built from the careful reader's (row, column) lists.
    pairs = proc * n_goods + good
    order = np.argsort(pairs, kind="stable")
    pairs = pairs[order]
    if (pairs[1:] == pairs[:-1]).any():
        raise _Unusual  # a second flow of the same good in one process
    del pairs
    indptr = np.concatenate(([0], np.cumsum(np.bincount(proc, minlength=n_processes))))
    net = sp.csc_matrix((qty[order], good[order], indptr), shape=(n_goods, n_processes))
    net.eliminate_zeros()
    return net


# ------------------------------------------------------------------ Parquet
def _pyarrow_or_error(path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(
            "Parquet tables need pyarrow: pip install 'soviets[io]'", file=str(path)
        ) from None


def parquet_rows(path: Path, required: tuple[str, ...] = ()) -> tuple[list[str], list[list[str]]]:
    """A Parquet table as the careful reader's text rows (numbers in their shortest form,
    empty cells ''), so that its problems are named by file, row and field as for CSV."""
    _pyarrow_or_error(path)
    import pyarrow.parquet as pq

    from soviets.formats.csvfiles import format_number

    try:
        data = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", file=str(path)) from None
    header = list(data.column_names)
    for col in required:
        if col not in header:
            raise InputError(f"missing column '{col}'", file=str(path), field=col)

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return format_number(value) if np.isfinite(value) else repr(value)
        return str(value)

    columns = [[text(v) for v in data[c].to_pylist()] for c in header]
    return header, [list(row) for row in zip(*columns, strict=True)]


def write_parquet_tables(folder: Path) -> None:
    """Replace every CSV table of an economy folder by a Parquet file of the same columns."""
    _pyarrow_or_error(folder)
    import pyarrow.parquet as pq

    for table in SCHEMA:
        path = folder / f"{table}.csv"
        if path.is_file():
            pq.write_table(read_table(path, table), folder / f"{table}.parquet")
            path.unlink()
