"""Tab-separated tables with several header rows and index columns, in a folder or a zip.

This is the text layout pymrio saves (``df.to_csv(sep="\\t")`` of a frame
with a multi-level index and columns) and EXIOBASE 3 is published in: the
first ``n_header`` lines give the column labels (one line per level, the
labels start after ``n_index`` cells), then a line of index names when there
are several header lines, then one line per row: ``n_index`` key cells and
the values. Empty value cells count as 0.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import format_number


class Source:
    """The files of a folder or of a zip archive (read from the archive, never unpacked).

    In a zip, names are taken relative to the folder that holds ``marker``
    (the archive's top folder when there is one).
    """

    def __init__(self, path: str | Path, marker: str = "file_parameters.json") -> None:
        self.path = Path(path)
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if not self.path.exists():
            raise InputError("no such file or folder", file=str(self.path))
        if self.path.is_file():
            try:
                self.zip = zipfile.ZipFile(self.path)
            except zipfile.BadZipFile:
                raise InputError(
                    "expected a folder or a zip archive", file=str(self.path)
                ) from None
            tops = sorted(
                (n for n in self.zip.namelist() if PurePosixPath(n).name == marker),
                key=lambda n: n.count("/"),
            )
            if tops:
                self.prefix = tops[0][: -len(marker)]

    def sub(self, folder: str) -> Source:
        """The files of one folder inside."""
        inner = copy.copy(self)
        if self.zip is not None:
            inner.prefix = f"{self.prefix}{folder}/"
        else:
            inner.path = self.path / folder
        return inner

    def files(self) -> list[str]:
        """Names of the files directly inside."""
        if self.zip is not None:
            inner = (
                n[len(self.prefix) :] for n in self.zip.namelist() if n.startswith(self.prefix)
            )
            return sorted(n for n in inner if n and "/" not in n)
        return sorted(p.name for p in self.path.iterdir() if p.is_file())

    def label(self, name: str) -> str:
        """How errors name a file: ``folder/name`` or ``archive.zip:inner/name``."""
        if self.zip is not None:
            return f"{self.path}:{self.prefix}{name}"
        return str(self.path / name)

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return self.prefix + name in self.zip.namelist()
        return (self.path / name).is_file()

    def folders(self) -> list[str]:
        """Names of the folders directly inside."""
        if self.zip is not None:
            inner = {
                n[len(self.prefix) :].split("/", 1)[0]
                for n in self.zip.namelist()
                if n.startswith(self.prefix) and "/" in n[len(self.prefix) :]
            }
            return sorted(inner)
        return sorted(p.name for p in self.path.iterdir() if p.is_dir())

    def read_text(self, name: str) -> str:
        if not self.exists(name):
            raise InputError("file not found", file=self.label(name))
        try:
            if self.zip is not None:
                return self.zip.read(self.prefix + name).decode("utf-8-sig")
            return (self.path / name).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not a UTF-8 text file ({exc.reason})", file=self.label(name)
            ) from None

    def read_json(self, name: str) -> dict[str, Any]:
        try:
            data = json.loads(self.read_text(name))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc}", file=self.label(name)) from None
        if not isinstance(data, dict):
            raise InputError("expected a JSON object", file=self.label(name))
        return data


@dataclass
class TabTable:
    """A table read from a tab file: row keys, column keys (tuples, one item per level)."""

    rows: list[tuple[str, ...]]
    cols: list[tuple[str, ...]]
    values: np.ndarray
    file: str

    def row_order(self, keys: list[tuple[str, ...]], what: str) -> np.ndarray:
        """Indices that put the rows in ``keys`` order (every key exactly once)."""
        return _order(self.rows, keys, self.file, what)

    def col_order(self, keys: list[tuple[str, ...]], what: str) -> np.ndarray:
        """Indices that put the columns in ``keys`` order (every key exactly once)."""
        return _order(self.cols, keys, self.file, what)


def _order(
    have: list[tuple[str, ...]], keys: list[tuple[str, ...]], file: str, what: str
) -> np.ndarray:
    index = {k: j for j, k in enumerate(have)}
    if len(index) != len(have):
        dup = next(k for j, k in enumerate(have) if index[k] != j)
        raise InputError(f"duplicate {what} '{'.'.join(dup)}'", file=file)
    missing = [k for k in keys if k not in index]
    extra = set(have) - set(keys)
    if missing or extra:
        k = missing[0] if missing else sorted(extra)[0]
        verb = "no" if missing else "unexpected"
        raise InputError(f"{verb} {what} '{'.'.join(k)}'", file=file, field=".".join(k))
    return np.array([index[k] for k in keys], dtype=np.int64)


def read_tab(source: Source, name: str, n_index: int, n_header: int) -> TabTable:
    """Read one tab file of ``source`` (see the module docstring)."""
    file = source.label(name)
    lines = source.read_text(name).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < n_header:
        raise InputError(f"expected {n_header} header lines", file=file)
    heads = [ln.split("\t")[n_index:] for ln in lines[:n_header]]
    width = max(len(h) for h in heads)
    while width and not any(len(h) >= width and h[width - 1].strip() for h in heads):
        width -= 1  # trailing tabs
    cols = [tuple((h[j] if j < len(h) else "").strip() for h in heads) for j in range(width)]
    body = lines[n_header:]
    if n_header > 1 and body and not "".join(body[0].split("\t")[n_index:]).strip():
        body = body[1:]  # the line of index names
    rows: list[tuple[str, ...]] = []
    for r, line in enumerate(body, 1):
        cells = line.split("\t", n_index)
        if len(cells) < n_index:
            raise InputError(f"expected {n_index} key cells", file=file, row=r)
        rows.append(tuple(c.strip() for c in cells[:n_index]))
    values = _fast_values(body, n_index, width)
    if values is None:  # an empty or bad cell somewhere: cell by cell
        values = np.zeros((len(body), width))
        for r, line in enumerate(body, 1):
            cells = line.split("\t")[n_index:]
            values[r - 1] = _slow_row(cells, width, cols, file, r)
    if not np.isfinite(values).all():
        r, j = np.argwhere(~np.isfinite(values))[0]
        raise InputError(
            "not a finite number", file=file, row=int(r) + 1, field=".".join(cols[int(j)])
        )
    return TabTable(rows, cols, values, file)


def _fast_values(body: list[str], n_index: int, width: int) -> np.ndarray | None:
    """All value cells at C speed, or None when a cell is empty or not a number."""
    if not body or not width:
        return np.zeros((len(body), width))
    try:
        values = np.loadtxt(
            io.StringIO("\n".join(body)),
            delimiter="\t",
            usecols=range(n_index, n_index + width),
            ndmin=2,
            comments=None,
        )
    except ValueError:
        return None
    return values if values.shape == (len(body), width) else None


def _slow_row(
    cells: list[str], width: int, cols: list[tuple[str, ...]], file: str, r: int
) -> np.ndarray:
    """One row cell by cell: empty cells are 0, a bad cell is reported."""
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        raise InputError(f"{len(cells)} values but {width} columns", file=file, row=r)
    row = np.zeros(width)
    for j, cell in enumerate(cells[:width]):
        text = cell.strip()
        if not text:
            continue
        try:
            row[j] = float(text)
        except ValueError:
            raise InputError(
                f"not a number: {text!r}", file=file, row=r, field=".".join(cols[j])
            ) from None
    return row


def read_text_column(source: Source, name: str) -> dict[tuple[str, ...], str]:
    """A one-header-line file with a text column (``unit.txt``): key cells -> the last cell.

    The key is every cell but the last (some files state a wrong ``nr_index_col``).
    """
    out: dict[tuple[str, ...], str] = {}
    for line in source.read_text(name).splitlines()[1:]:
        cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
        if len(cells) > 1:
            out[tuple(cells[:-1])] = cells[-1]
    return out


def write_tab(
    path: Path,
    index_names: list[str],
    rows: Sequence[tuple[str, ...]],
    col_names: list[str],
    cols: Sequence[tuple[str, ...]],
    values: np.ndarray | list[list[str]],
) -> None:
    """Write a table in the layout :func:`read_tab` reads (and pandas writes)."""
    n_index = len(index_names)
    lines: list[list[str]] = []
    if len(col_names) == 1:
        lines.append([*index_names, *(c[0] for c in cols)])
    else:
        for level, name in enumerate(col_names):
            lines.append([name, *([""] * (n_index - 1)), *(c[level] for c in cols)])
        lines.append([*index_names, *([""] * len(cols))])
    for key, row in zip(rows, values, strict=True):
        cells = [v if isinstance(v, str) else format_number(v) for v in row]
        lines.append([*key, *cells])
    path.write_text("".join("\t".join(ln) + "\n" for ln in lines), encoding="utf-8")
