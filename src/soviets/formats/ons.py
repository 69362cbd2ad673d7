"""Import the ONS UK input-output analytical tables (product by product).

The folder holds ``intermediate.csv`` (domestic use, ``code`` + one column
per using product), ``final_demand.csv`` (``code`` + nine categories) and
``products.csv`` (``code``, ``label``, ``total_output``,
``compensation_of_employees``, ``gross_operating_surplus``, taxes and imports
rows of the table). The table is already product by product, so only names
change: ``total_output`` becomes ``gross_output`` and
``compensation_of_employees`` becomes ``compensation``; ``value_added`` is the
ONS gross value added (compensation + gross operating surplus + taxes less
subsidies on production).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from soviets.errors import InputError
from soviets.formats.csvfiles import parse_column, read_rows
from soviets.formats.iotable import IOTable, _keyed_matrix, default_unit

#: columns of products.csv kept as numeric columns, with their new names
_KEPT = {
    "compensation_of_employees": "compensation",
    "gross_operating_surplus": "gross_operating_surplus",
    "taxes_less_subsidies_on_production": "taxes_less_subsidies_on_production",
    "taxes_less_subsidies_on_products": "taxes_less_subsidies_on_products",
    "imported_goods_and_services": "imported_goods_and_services",
}


def is_ons_folder(folder: Path) -> bool:
    """True for a raw ONS product-by-product folder."""
    return (folder / "products.csv").is_file() and (folder / "intermediate.csv").is_file()


def read_ons(folder: str | Path) -> IOTable:
    """Read an ONS product-by-product folder as an input-output table (GBP million)."""
    folder = Path(folder)
    prod_file = folder / "products.csv"
    file = str(prod_file)
    header, rows = read_rows(prod_file, required=("code", "total_output", *_KEPT))
    ci = {c: j for j, c in enumerate(header)}
    codes = [r[ci["code"]] for r in rows]
    seen: set[str] = set()
    for r, code in enumerate(codes, 1):
        if not code or code in seen:
            raise InputError(
                f"empty or duplicate product code '{code}'", file=file, row=r, field="code"
            )
        seen.add(code)
    labels = [r[ci["label"]] for r in rows] if "label" in ci else list(codes)
    x = parse_column([r[ci["total_output"]] for r in rows], file, "total_output")
    columns = {
        new: parse_column([r[ci[old]] for r in rows], file, old) for old, new in _KEPT.items()
    }
    columns["value_added"] = (
        columns["compensation"]
        + columns["gross_operating_surplus"]
        + columns["taxes_less_subsidies_on_production"]
    )
    _, z = _keyed_matrix(folder / "intermediate.csv", codes, 1, codes)
    categories, fd = _keyed_matrix(folder / "final_demand.csv", codes, 1)
    if np.any(x < 0):
        i = int(np.flatnonzero(x < 0)[0])
        raise InputError(
            f"negative total output {x[i]}", file=file, row=i + 1, field="total_output"
        )
    return IOTable(
        codes=codes,
        descriptions=labels,
        intermediate=z,
        final_demand=fd,
        categories=categories,
        gross_output=x,
        columns=columns,
        unit=default_unit(folder, "GBP"),
        source=f"ONS input-output analytical tables, product by product ({folder})",
        files={
            "industries": file,
            "final_demand": str(folder / "final_demand.csv"),
            "intermediate": str(folder / "intermediate.csv"),
        },
    )
