"""Reading and writing plain CSV tables with errors that name file, row and field.

Row numbers in errors count data rows from 1: the header is line 1 of the
file, so data row ``r`` is line ``r + 1``.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from soviets.economy.validate import MAX_MAGNITUDE, too_large
from soviets.errors import InputError


def read_rows(path: Path, required: Sequence[str] = ()) -> tuple[list[str], list[list[str]]]:
    """Read a CSV file: its header and its data rows (cells stripped, short rows padded).

    Raises :class:`InputError` when the file is missing, empty, has a blank or
    duplicate column name, lacks a ``required`` column, or has a row with more
    cells than the header.
    """
    name = str(path)
    if not path.is_file():
        raise InputError("file not found", file=name)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise InputError(f"not a UTF-8 text file ({exc.reason})", file=name) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=name) from None
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("empty file (expected a header line)", file=name)
    header = [c.strip() for c in rows[0]]
    seen: set[str] = set()
    for col in header:
        if not col:
            raise InputError("blank column name in the header", file=name)
        if col in seen:
            raise InputError(f"duplicate column '{col}' in the header", file=name, field=col)
        seen.add(col)
    for col in required:
        if col not in seen:
            raise InputError(f"missing column '{col}'", file=name, field=col)
    width = len(header)
    data: list[list[str]] = []
    for r, raw in enumerate(rows[1:], 1):
        if len(raw) > width and any(c.strip() for c in raw[width:]):
            raise InputError(
                f"{len(raw)} cells but the header has {width} columns", file=name, row=r
            )
        cells = [c.strip() for c in raw[:width]]
        cells.extend([""] * (width - len(cells)))
        data.append(cells)
    return header, data


def read_numeric_table(
    path: Path, width: int
) -> tuple[list[str], list[list[str]], np.ndarray] | None:
    """Fast path for a large table of numbers keyed by its first ``width`` columns.

    Returns the header, the key cells of every row (stripped) and the values,
    parsed by pandas' C reader; or None when anything in the file is out of
    the ordinary (a text or empty cell, a short or long row, a non-finite or
    too large number, an odd header), so that :func:`read_rows` and
    :func:`parse_matrix` read it again and name the file, row and field.
    """
    import pandas as pd

    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            header = [c.strip() for c in next(csv.reader(fh), [])]
        if len(header) <= width or not all(header) or len(set(header)) != len(header):
            return None
        df = pd.read_csv(
            path,
            encoding="utf-8-sig",
            header=0,
            names=header,
            index_col=False,
            dtype={c: str for c in header[:width]},
            keep_default_na=False,
            na_values={c: [""] for c in header[width:]},
            skipinitialspace=True,
        )
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, pd.errors.ParserError):
        return None
    block = df.iloc[:, width:]
    if df.shape[1] != len(header) or any(dt.kind not in "fi" for dt in block.dtypes):
        return None
    values = block.to_numpy(dtype=float)
    if not np.isfinite(values).all() or np.abs(values).max(initial=0.0) > MAX_MAGNITUDE:
        return None
    keys = [[str(c).strip() for c in row] for row in df.iloc[:, :width].itertuples(index=False)]
    return header, keys, values


class NumberTooLarge(InputError):
    """A number beyond :data:`MAX_MAGNITUDE`: the solvers cannot plan with it reliably."""


def parse_matrix(
    cells: Sequence[Sequence[str]], file: str, columns: Sequence[str], first_col: int
) -> np.ndarray:
    """Turn string cells into a float matrix (empty cells are 0).

    ``cells[r][first_col + j]`` is the value of column ``columns[j]``; a cell
    that is not a finite number raises :class:`InputError` naming its row and column.
    """
    block = [row[first_col:] for row in cells]
    try:  # fast path: every cell is a number
        values = np.array([list(map(float, row)) for row in block], dtype=float)
    except ValueError:  # empty cells (0) or a bad cell
        values = np.array(
            [
                [_number(c, file, r, columns[j]) for j, c in enumerate(row)]
                for r, row in enumerate(block, 1)
            ],
            dtype=float,
        )
    values = values.reshape(len(cells), len(columns))
    if not np.isfinite(values).all():
        r, j = np.argwhere(~np.isfinite(values))[0]
        raise InputError(
            f"not a finite number: {block[r][j]!r}", file=file, row=int(r) + 1, field=columns[j]
        )
    big = np.abs(values) > MAX_MAGNITUDE
    if big.any():
        r, j = np.argwhere(big)[0]
        raise NumberTooLarge(too_large(values[r, j]), file=file, row=int(r) + 1, field=columns[j])
    return values


def _number(cell: str, file: str, row: int, column: str) -> float:
    if cell == "":
        return 0.0
    try:
        return float(cell)
    except ValueError:
        raise InputError(f"not a number: {cell!r}", file=file, row=row, field=column) from None


def parse_column(values: Sequence[str], file: str, column: str) -> np.ndarray:
    """Turn one column of string cells into floats (empty cells are 0)."""
    return parse_matrix([[v] for v in values], file, [column], 0)[:, 0]


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly the same float (integers without '.0')."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV table with a header line."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


@contextmanager
def new_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` only if the block succeeds.

    ``out`` must not exist or be an empty folder, so nothing is ever half
    written or overwritten.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("output already exists and is not an empty folder", file=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield tmp
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
