"""Read Eora26 tables (basic prices), unpacked or as the release zip.

The folder holds ``Eora26_<year>_bp_T.txt`` (intermediate use, region-sector
x region-sector), ``_FD.txt`` (final demand), ``_VA.txt`` (primary inputs x
region-sector) and optionally ``_Q.txt`` (satellite accounts x
region-sector): tab-separated numbers without labels. The labels are in
``labels_T.txt`` (country name, country code, ``Industries``, sector),
``labels_FD.txt`` (country name, code, ``Final Demand``, category),
``labels_VA.txt`` and ``labels_Q.txt`` (category, name). Rows and columns
labelled ``Statistical Discrepancies`` (the rest of the world's balancing
entries) are left out, with a note. Primary inputs become numeric columns
under their labels (when there are several) and their sum ``value_added``;
satellite rows become ``satellite/<category>|<name>``. Eora gives no gross
output: ``x = Z 1 + y``. The files state no monetary unit: the table says
``USD thousand`` (our reading of Eora's documentation; pymrio assumes USD
million), with a note to check it against the release used.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.iotable import IOTable
from soviets.formats.mrio import multiregion_table
from soviets.formats.tabfiles import Source

DISCREPANCY = "statistical discrepancies"


def _labels(source: Source, name: str, width: int) -> list[list[str]]:
    rows = []
    for r, line in enumerate(source.read_text(name).splitlines(), 1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < width:
            raise InputError(
                f"expected {width} tab-separated labels", file=source.label(name), row=r
            )
        rows.append(cells[:width])
    return rows


def _matrix(source: Source, name: str, shape: tuple[int, int]) -> np.ndarray:
    file = source.label(name)
    try:
        values = np.loadtxt(io.StringIO(source.read_text(name)), delimiter="\t", ndmin=2)
    except ValueError as exc:
        raise InputError(f"not a table of numbers: {exc}", file=file) from None
    if values.shape != shape:
        raise InputError(f"expected {shape[0]} x {shape[1]} values, got {values.shape}", file=file)
    if not np.isfinite(values).all():
        r, j = np.argwhere(~np.isfinite(values))[0]
        raise InputError("not a finite number", file=file, row=int(r) + 1, field=f"column {j + 1}")
    return values


def read_eora(path: str | Path) -> IOTable:
    """Read an Eora26 folder or zip (see the module docstring)."""
    source = Source(path, marker="labels_T.txt")
    found = [n for n in source.files() if re.fullmatch(r"Eora26_\d{4}_bp_T\.txt", n)]
    if len(found) != 1:
        raise InputError(
            "expected exactly one Eora26_<year>_bp_T.txt", file=source.label("Eora26_*_bp_T.txt")
        )
    stem = found[0][: -len("T.txt")]
    year = found[0].split("_")[1]
    t_labels = _labels(source, "labels_T.txt", 4)
    fd_labels = _labels(source, "labels_FD.txt", 4)
    va_labels = _labels(source, "labels_VA.txt", 2)
    n, m = len(t_labels), len(fd_labels)
    z = _matrix(source, stem + "T.txt", (n, n))
    fd = _matrix(source, stem + "FD.txt", (n, m))
    va = _matrix(source, stem + "VA.txt", (len(va_labels), n))
    keep = [i for i, lab in enumerate(t_labels) if lab[3].lower() != DISCREPANCY]
    keep_fd = [j for j, lab in enumerate(fd_labels) if lab[3].lower() != DISCREPANCY]
    notes = []
    if len(keep) < n or len(keep_fd) < m:
        notes.append(
            f"left out {n - len(keep)} rows and columns and {m - len(keep_fd)} final-demand "
            "columns labelled Statistical Discrepancies"
        )
    z = z[np.ix_(keep, keep)]
    fd = fd[np.ix_(keep, keep_fd)]
    columns = {lab[1]: va[k, keep] for k, lab in enumerate(va_labels) if len(va_labels) > 1}
    columns["value_added"] = va[:, keep].sum(axis=0)
    column_units: dict[str, str] = {}
    q_name = stem + "Q.txt"
    if source.exists(q_name) and source.exists("labels_Q.txt"):
        q_labels = _labels(source, "labels_Q.txt", 2)
        q = _matrix(source, q_name, (len(q_labels), n))
        for k, (category, name) in enumerate(q_labels):
            col = f"satellite/{category}|{name}"
            columns[col] = q[k, keep]
            unit = re.search(r"\(([^()]*)\)\s*$", category)
            if unit:
                column_units[col] = unit.group(1)
    return multiregion_table(
        [(t_labels[i][1], t_labels[i][3]) for i in keep],
        z,
        [(fd_labels[j][1], fd_labels[j][3]) for j in keep_fd],
        fd,
        z.sum(axis=1) + fd.sum(axis=1),
        columns=columns,
        column_units=column_units,
        unit=f"USD-{year} thousand",
        source=f"Eora26 {year}, basic prices ({Path(path).name})",
        file=source.label(found[0]),
        region_names={t_labels[i][1]: t_labels[i][0] for i in keep},
        notes=[
            *notes,
            "gross output x = Z 1 + y (Eora gives none)",
            "the files state no monetary unit: USD thousand assumed, check the release",
        ],
    )
