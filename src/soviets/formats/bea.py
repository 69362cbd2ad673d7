"""Import BEA make and use tables as a commodity-by-commodity input-output table.

The BEA publishes a Use table U (commodities x industries, with final-demand
columns ``F...`` and value-added rows ``V001`` compensation of employees,
``V002`` taxes on production and imports less subsidies, ``V003`` gross
operating surplus) and a Make table V (industries x commodities).

Industry-technology assumption (Miller & Blair, *Input-Output Analysis*,
2nd ed., 2009, ch. 5, "industry-based technology"): with industry output
``g = V 1`` and commodity output ``q = V' 1``,

* ``B = U diag(g)^-1`` - commodity inputs per unit of industry output,
* ``D = V diag(q)^-1`` - market shares: the part of commodity j made by industry i,
* ``A = B D`` - commodity-by-commodity direct requirements.

The commodity-by-commodity intermediate flows written to the folder are
``Z = A diag(q) = U diag(g)^-1 V``, whose row sums equal those of U, so
``Z 1 + f = q`` holds as in the published table (up to its rounding).
Value-added rows are moved to commodities the same way:
``w_commodity = w diag(g)^-1 V`` (``compensation`` from V001).

Final demand keeps all twenty BEA columns, including exports (F040) and
imports (F050, negative): the use table records total use, domestic and
imported together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import parse_matrix, read_rows
from soviets.formats.iotable import IOTable, default_unit

VALUE_ADDED_ROWS: dict[str, str] = {
    "V001": "compensation",
    "V002": "taxes_on_production_and_imports",
    "V003": "gross_operating_surplus",
}


def is_bea_folder(folder: Path) -> bool:
    """True for a raw BEA make/use folder."""
    return (folder / "make.csv").is_file() and (folder / "use.csv").is_file()


def _table(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    header, rows = read_rows(path, required=("code",))
    if header[0] != "code":
        raise InputError("the first column must be 'code'", file=str(path), field=header[0])
    return [r[0] for r in rows], header[1:], parse_matrix(rows, str(path), header[1:], 1)


def _pick(names: list[str], wanted: list[str], file: Path, what: str) -> list[int]:
    index = {n: i for i, n in enumerate(names)}
    for w in wanted:
        if w not in index:
            raise InputError(f"missing {what} '{w}'", file=str(file), field=w)
    return [index[w] for w in wanted]


def read_bea(folder: str | Path) -> IOTable:
    """Read a BEA make/use folder (``make.csv``, ``use.csv``, optional ``codes.csv``)."""
    folder = Path(folder)
    make_file, use_file = folder / "make.csv", folder / "use.csv"
    m_rows, m_cols, make = _table(make_file)
    u_rows, u_cols, use = _table(use_file)
    industries = [r for r in m_rows if not r.startswith("Total")]
    commodities = [c for c in m_cols if not c.startswith("Total")]
    if not industries or not commodities:
        raise InputError("no industries or commodities in the make table", file=str(make_file))
    categories = [c for c in u_cols if c.startswith("F")]
    if not categories:
        raise InputError("no final-demand columns (F...) in the use table", file=str(use_file))

    v = make[
        np.ix_(
            _pick(m_rows, industries, make_file, "industry row"),
            _pick(m_cols, commodities, make_file, "commodity column"),
        )
    ]
    c_rows = _pick(u_rows, commodities, use_file, "commodity row")
    ind_cols = _pick(u_cols, industries, use_file, "industry column")
    u = use[np.ix_(c_rows, ind_cols)]
    f = use[np.ix_(c_rows, _pick(u_cols, categories, use_file, "final-demand column"))]
    va_rows = _pick(u_rows, list(VALUE_ADDED_ROWS), use_file, "value-added row")
    w = use[np.ix_(va_rows, ind_cols)]

    g = v.sum(axis=1)
    q = v.sum(axis=0)
    if np.any(g <= 0):
        i = int(np.flatnonzero(g <= 0)[0])
        raise InputError(
            f"industry '{industries[i]}' makes nothing",
            file=str(make_file),
            row=m_rows.index(industries[i]) + 1,
            field="code",
        )
    transfer = v / g[:, None]  # diag(g)^-1 V: industry output to commodities
    z = u @ transfer
    columns = {name: w[k] @ transfer for k, name in enumerate(VALUE_ADDED_ROWS.values())}
    columns["value_added"] = sum(columns.values())

    names = _names(folder / "codes.csv")
    return IOTable(
        codes=commodities,
        descriptions=[names.get(c, c) for c in commodities],
        intermediate=z,
        final_demand=f,
        categories=categories,
        gross_output=q,
        columns=columns,
        unit=default_unit(folder),
        source=f"BEA make and use tables, commodity by commodity, industry technology ({folder})",
        files={
            "industries": str(make_file),
            "final_demand": str(use_file),
            "intermediate": str(use_file),
        },
        notes=[
            "BEA use table holds total (domestic and imported) use; imports are negative "
            "final demand (F050)"
        ],
    )


def _names(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    header, rows = read_rows(path, required=("code", "name"))
    c, n = header.index("code"), header.index("name")
    return {r[c]: r[n] for r in rows if r[n]}
