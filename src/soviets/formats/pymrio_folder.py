"""pymrio's saved folder (``IOSystem.save_all``), read and written without pymrio.

The folder (or a zip of it) holds ``file_parameters.json`` (``systemtype``
``IOSystem`` and, per table, the file name, the number of index columns and
of header lines), the tables as tab files (see :mod:`.tabfiles`): ``Z``
(or only ``A``), ``Y``, ``x`` (column ``indout``), ``unit``, and one folder
per extension (``systemtype`` ``Extension``) with ``F`` (stressor x
region-sector), ``F_Y`` and ``unit``. EXIOBASE 3 is published in this
layout (see :mod:`.exiobase`).

In the :class:`IOTable` every stressor row of an extension becomes a numeric
column named ``extension/stressor`` (index levels joined by ``|``), except
those of the ``factor_inputs`` extension, which keep their bare names; the
table's own columns go back the same way. Missing tables are derived:
``x = Z 1 + Y 1`` (or ``x = (I - A)^-1 Y 1`` when only ``A`` is given) and
``Z = A diag(x)``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import new_folder
from soviets.formats.iotable import IOTable
from soviets.formats.mrio import multiregion_table, split_code
from soviets.formats.tabfiles import Source, TabTable, read_tab, read_text_column, write_tab

#: Extension whose stressors are the table's plain columns (value added, labour).
FACTOR_INPUTS = "factor_inputs"
PARAMS = "file_parameters.json"


def _table(source: Source, params: dict[str, Any], key: str) -> TabTable | None:
    files = params.get("files", {})
    if key not in files:
        return None
    spec = files[key]
    try:
        name, n_index, n_header = spec["name"], int(spec["nr_index_col"]), int(spec["nr_header"])
    except (KeyError, TypeError, ValueError):
        raise InputError(
            f"entry '{key}' needs name, nr_index_col and nr_header", file=source.label(PARAMS)
        ) from None
    return read_tab(source, name, n_index, n_header)


def read_pymrio_folder(path: str | Path, what: str = "pymrio saved folder") -> IOTable:
    """Read a pymrio saved folder or zip (see the module docstring)."""
    source = Source(path)
    params = source.read_json(PARAMS)
    if params.get("systemtype") != "IOSystem":
        raise InputError("systemtype must be 'IOSystem'", file=source.label(PARAMS))
    z_tab = _table(source, params, "Z")
    a_tab = _table(source, params, "A") if z_tab is None else None
    y_tab = _table(source, params, "Y")
    core = z_tab or a_tab
    if core is None or y_tab is None:
        raise InputError("expected Z (or A) and Y in 'files'", file=source.label(PARAMS))
    keys = core.rows
    if any(len(k) != 2 for k in keys):
        raise InputError("rows must be keyed by region and sector", file=core.file)
    m = core.values[:, core.col_order(keys, "column")]
    y = y_tab.values[y_tab.row_order(keys, "row")]
    if any(len(c) != 2 for c in y_tab.cols):
        raise InputError("columns must be keyed by region and category", file=y_tab.file)
    notes: list[str] = []
    x_tab = _table(source, params, "x")
    if x_tab is not None:
        x = x_tab.values[x_tab.row_order(keys, "row"), 0]
    elif z_tab is not None:
        x = m.sum(axis=1) + y.sum(axis=1)
        notes.append("gross output x = Z 1 + Y 1 (the folder has no x)")
    else:
        x = np.linalg.solve(np.eye(len(keys)) - m, y.sum(axis=1))
        notes.append("gross output x = (I - A)^-1 Y 1 (the folder has no Z and no x)")
    z = m if z_tab is not None else m * x[None, :]
    if z_tab is None:
        notes.append("intermediate use Z = A diag(x)")
    unit = _unit(source, params, keys, notes)
    columns, column_units = _extensions(source, keys, notes)
    meta = source.read_json("metadata.json") if source.exists("metadata.json") else {}
    name = str(params.get("name") or meta.get("name") or "")
    return multiregion_table(
        [(a, b) for a, b in keys],
        z,
        [(a, b) for a, b in y_tab.cols],
        y,
        x,
        columns=columns,
        column_units=column_units,
        unit=unit,
        source=f"{what} {name} ({path})".replace("  ", " "),
        file=core.file,
        notes=notes,
    )


def _unit(
    source: Source, params: dict[str, Any], keys: list[tuple[str, ...]], notes: list[str]
) -> str:
    spec = params.get("files", {}).get("unit")
    if not spec:
        return "USD million"
    units = read_text_column(source, spec["name"])
    found = sorted({units.get(k, "") for k in keys} - {""})
    if len(found) > 1:
        notes.append("rows in several units: " + ", ".join(found))
    return " / ".join(found) if found else "USD million"


def _extensions(
    source: Source, keys: list[tuple[str, ...]], notes: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Numeric columns and their units from the extension folders."""
    columns: dict[str, np.ndarray] = {}
    column_units: dict[str, str] = {}
    for folder in source.folders():
        name = f"{folder}/{PARAMS}"
        if not source.exists(name):
            continue
        params = source.read_json(name)
        if params.get("systemtype") != "Extension":
            continue
        sub = source.sub(folder)
        f_tab = _table(sub, params, "F")
        if f_tab is None:
            continue
        values = f_tab.values[:, f_tab.col_order(keys, "column")]
        units: dict[tuple[str, ...], str] = {}
        spec = params.get("files", {}).get("unit")
        if spec:
            units = read_text_column(sub, spec["name"])
        for stressor, row in zip(f_tab.rows, values, strict=True):
            label = "|".join(stressor)
            col = label if folder == FACTOR_INPUTS else f"{folder}/{label}"
            columns[col] = row
            if units.get(stressor):
                column_units[col] = units[stressor]
        if "F_Y" in params.get("files", {}):
            notes.append(f"final-demand rows F_Y of extension {folder} not kept")
    return columns, column_units


def extension_groups(table: IOTable) -> dict[str, list[tuple[str, str]]]:
    """Extension name -> [(stressor, column name)] for the table's columns."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for col in table.columns:
        ext, _, stressor = col.partition("/") if "/" in col else (FACTOR_INPUTS, "", col)
        groups.setdefault(ext, []).append((stressor, col))
    return groups


def write_pymrio_folder(table: IOTable, out: str | Path) -> Path:
    """Write a multi-region table as a pymrio saved folder (``pymrio.load_all`` reads it)."""
    if table.regions is None or table.category_regions is None:
        raise InputError("not a multi-region table (it has no regions)", file=table.source)
    out = Path(out)
    keys = [split_code(table, i) for i in range(table.n)]
    fd_keys = [
        (r, c[len(r) + 1 :]) for r, c in zip(table.category_regions, table.categories, strict=True)
    ]
    idx = ["region", "sector"]
    with new_folder(out) as tmp:
        write_tab(tmp / "Z.txt", idx, keys, idx, keys, table.intermediate)
        write_tab(tmp / "Y.txt", idx, keys, ["region", "category"], fd_keys, table.final_demand)
        write_tab(tmp / "x.txt", idx, keys, ["indout"], [("indout",)], table.gross_output[:, None])
        write_tab(tmp / "unit.txt", idx, keys, ["unit"], [("unit",)], [[table.unit]] * table.n)
        files = {
            name: {"name": f"{name}.txt", "nr_index_col": "2", "nr_header": str(h)}
            for name, h in (("Z", 2), ("Y", 2), ("x", 1), ("unit", 1))
        }
        _write_params(tmp, {"files": files, "systemtype": "IOSystem"})
        meta: dict[str, object] = {
            "name": table.source,
            "description": table.source,
            "system": None,
            "version": None,
            "history": [],
        }
        (tmp / "metadata.json").write_text(json.dumps(meta, indent=4), encoding="utf-8")
        for ext, items in extension_groups(table).items():
            folder = tmp / ext
            folder.mkdir()
            stressors = [(s,) for s, _ in items]
            values = np.array([table.columns[c] for _, c in items])
            write_tab(folder / "F.txt", ["stressor"], stressors, idx, keys, values)
            units = [[table.column_units.get(c, table.unit)] for _, c in items]
            write_tab(folder / "unit.txt", ["stressor"], stressors, ["unit"], [("unit",)], units)
            files = {
                "F": {"name": "F.txt", "nr_index_col": "1", "nr_header": "2"},
                "unit": {"name": "unit.txt", "nr_index_col": "1", "nr_header": "1"},
            }
            _write_params(folder, {"files": files, "systemtype": "Extension", "name": ext})
    return out


def _write_params(folder: Path, params: dict[str, Any]) -> None:
    (folder / PARAMS).write_text(json.dumps(params, indent=4), encoding="utf-8")
