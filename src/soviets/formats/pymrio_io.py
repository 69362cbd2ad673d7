"""Convert between :class:`IOTable` and pymrio's ``IOSystem`` (needs the ``io`` extra).

``to_pymrio`` gives ``Z``, ``Y``, ``x`` and ``unit`` indexed by
(``region``, ``sector``), final demand by (``region``, ``category``), and one
extension per column group, named as in :mod:`.pymrio_folder`
(``extension/stressor``; plain columns go to ``factor_inputs``).
``from_pymrio`` reads them back; a system holding only ``A`` and ``Y`` gets
``x = (I - A)^-1 Y 1`` and ``Z = A diag(x)``.
A national table (no regions) is given the region ``REGION``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from soviets.errors import InputError
from soviets.formats.iotable import IOTable
from soviets.formats.mrio import multiregion_table, split_code
from soviets.formats.pymrio_folder import FACTOR_INPUTS, extension_groups

#: Region given to the rows of a national table.
NATIONAL_REGION = "REGION"


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError:
        raise InputError(
            "pymrio is not installed: pip install 'soviets[io]'", field="pymrio"
        ) from None
    return pymrio


def _keys(table: IOTable) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    if table.regions is None or table.category_regions is None:
        return [(NATIONAL_REGION, c) for c in table.codes], [
            (NATIONAL_REGION, c) for c in table.categories
        ]
    keys = [split_code(table, i) for i in range(table.n)]
    fd = [
        (r, c[len(r) + 1 :]) for r, c in zip(table.category_regions, table.categories, strict=True)
    ]
    return keys, fd


def to_pymrio(table: IOTable) -> Any:
    """A ``pymrio.IOSystem`` holding the table's Z, Y, x, unit and columns as extensions."""
    pymrio = _pymrio()
    import pandas as pd

    keys, fd_keys = _keys(table)
    rows = pd.MultiIndex.from_tuples(keys, names=["region", "sector"])
    fd_cols = pd.MultiIndex.from_tuples(fd_keys, names=["region", "category"])
    extensions = {}
    for ext, items in extension_groups(table).items():
        stressors = pd.Index([s for s, _ in items], name="stressor")
        f = pd.DataFrame(np.array([table.columns[c] for _, c in items]), stressors, rows)
        units = [table.column_units.get(c, table.unit) for _, c in items]
        extensions[ext] = {
            "name": ext,
            "F": f,
            "unit": pd.DataFrame({"unit": units}, index=stressors),
        }
    return pymrio.IOSystem(
        Z=pd.DataFrame(table.intermediate.copy(), rows, rows.copy()),
        Y=pd.DataFrame(table.final_demand.copy(), rows, fd_cols),
        x=pd.DataFrame({"indout": table.gross_output.copy()}, index=rows),
        unit=pd.DataFrame({"unit": [table.unit] * table.n}, index=rows),
        name=table.source or "soviets",
        **extensions,
    )


def from_pymrio(mrio: Any) -> IOTable:
    """An :class:`IOTable` from a ``pymrio.IOSystem`` (Z or A, Y, x when present, extensions)."""
    if mrio.Y is None or (mrio.Z is None and mrio.A is None):
        raise InputError("the pymrio system needs Y and Z (or A)", field="Z")
    core = mrio.Z if mrio.Z is not None else mrio.A
    keys = [tuple(str(v) for v in k) for k in core.index]
    if any(len(k) != 2 for k in keys):
        raise InputError("rows must be keyed by region and sector", field="Z")
    m = core.loc[:, core.index].to_numpy(dtype=float)
    y = mrio.Y.loc[core.index].to_numpy(dtype=float)
    notes: list[str] = []
    if mrio.x is not None:
        x = mrio.x.loc[core.index].to_numpy(dtype=float)[:, 0]
    elif mrio.Z is not None:
        x = m.sum(axis=1) + y.sum(axis=1)
        notes.append("gross output x = Z 1 + Y 1 (the system has no x)")
    else:
        x = np.linalg.solve(np.eye(len(keys)) - m, y.sum(axis=1))
        notes.append("gross output x = (I - A)^-1 Y 1 (the system has no Z and no x)")
    z = m if mrio.Z is not None else m * x[None, :]
    unit = "USD million"
    if mrio.unit is not None:
        found = sorted({str(u) for u in mrio.unit["unit"]})
        unit = " / ".join(found)
    columns: dict[str, np.ndarray] = {}
    column_units: dict[str, str] = {}
    for name, ext in zip(mrio.get_extensions(), mrio.get_extensions(data=True), strict=True):
        if ext.F is None:
            continue
        f = ext.F.loc[:, core.index].to_numpy(dtype=float)
        units = ext.unit["unit"] if ext.unit is not None else None
        for stressor, row in zip(ext.F.index, f, strict=True):
            label = "|".join(map(str, stressor)) if isinstance(stressor, tuple) else str(stressor)
            col = label if name == FACTOR_INPUTS else f"{name}/{label}"
            columns[col] = row
            if units is not None and str(units.get(stressor, "")).strip():
                column_units[col] = str(units[stressor])
        if ext.F_Y is not None:
            notes.append(f"final-demand rows F_Y of extension {name} not kept")
    fd_keys = [tuple(str(v) for v in k) for k in mrio.Y.columns]
    if any(len(k) != 2 for k in fd_keys):
        raise InputError("final-demand columns must be keyed by region and category", field="Y")
    name = mrio.meta.name if getattr(mrio, "meta", None) is not None else ""
    return multiregion_table(
        [(a, b) for a, b in keys],
        z,
        [(a, b) for a, b in fd_keys],
        y,
        x,
        columns=columns,
        column_units=column_units,
        unit=unit,
        source=str(name or "pymrio IOSystem"),
        file="pymrio IOSystem",
        notes=notes,
    )
