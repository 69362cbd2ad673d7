"""An input-output toolkit that returns pandas DataFrames (see docs/io-toolkit.md).

>>> from soviets import io
>>> t = io.read("data/wiod2013-world-2011")      # doctest: +SKIP
>>> io.L(t).loc["DEU"]                            # doctest: +SKIP
>>> io.accounts(t)["D_cba_reg"]                   # doctest: +SKIP

Rows and columns are labelled ``(region, sector, name)`` for a multi-region
table and ``(code, name)`` for a national one; accounts have rows
``(extension, unit)``. The package stands at the level of ``formats``: it
reads tables with :mod:`soviets.formats` and needs nothing from planning.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from soviets.formats import read_io_tables
from soviets.formats.iotable import IOTable
from soviets.formats.pymrio_io import from_pymrio, to_pymrio
from soviets.io.accounts import Accounts, compute_accounts, extensions
from soviets.io.frames import frames, industry_index, matrix_A, matrix_L, write_frames
from soviets.io.transform import aggregate, apply_scenario, read_concordance, type_ii

__all__ = [
    "A",
    "L",
    "Accounts",
    "IOTable",
    "accounts",
    "aggregate",
    "compute_accounts",
    "export_matrices",
    "from_pymrio",
    "multipliers",
    "read",
    "read_concordance",
    "scenario",
    "to_pymrio",
    "type_ii_multipliers",
    "write_frames",
]


def read(path: str | Path) -> IOTable:
    """Read a national, multi-region, BEA or ONS input-output folder, or a published
    table (EXIOBASE 3, OECD ICIO, WIOD, Eora26, a pymrio saved folder; docs/readers.md)."""
    return read_io_tables(path)


def A(table: IOTable, include_imports: bool = False) -> pd.DataFrame:  # noqa: N802
    """Technical coefficients ``A = Z diag(x)^-1``."""
    return matrix_A(table, include_imports)


def L(table: IOTable, include_imports: bool = False) -> pd.DataFrame:  # noqa: N802
    """The Leontief inverse ``(I - A)^-1``."""
    return matrix_L(table, include_imports)


def multipliers(table: IOTable, names: list[str] | None = None) -> pd.DataFrame:
    """``M = S L`` for every extension (rows ``(extension, unit)``, one column per industry)."""
    return frames(compute_accounts(table, names))["M"]


def accounts(
    table: IOTable,
    names: list[str] | None = None,
    population: dict[str, float] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every account of every extension: ``S``, ``M``, ``D_cba``, ``D_pba``, ``D_imp``,
    ``D_exp`` per industry, the same per region (``*_reg``) and per person (``*_cap``,
    with ``population`` by region; ``national`` for a national table)."""
    return frames(compute_accounts(table, names, population))


def type_ii_multipliers(
    table: IOTable, compensation: str = "compensation", households: str | None = None
) -> pd.DataFrame:
    """Type II multipliers (households endogenous): one row per extension, then
    ``output`` and ``household income`` rows; one column per industry."""
    m2, output, income = type_ii(table, compensation, households)
    ext = extensions(table)
    index = pd.Index([*ext.names, "output", "household income"], name="multiplier")
    return pd.DataFrame([*m2, output, income], index=index, columns=industry_index(table))


def scenario(
    table: IOTable, changes: str | Path, population: dict[str, float] | None = None
) -> tuple[pd.Series, dict[str, pd.DataFrame]]:
    """New gross output and accounts after the final-demand changes in a CSV file
    (columns ``code``, ``category``, ``change``)."""
    changed = apply_scenario(table, changes)
    x = pd.Series(changed.gross_output, index=industry_index(changed), name="gross_output")
    return x, frames(compute_accounts(changed, population=population))


def export_matrices(
    table: IOTable, folder: str | Path, fmt: str = "csv", include_imports: bool = False
) -> list[Path]:
    """Write ``A`` and ``L`` as ``A.csv``/``L.csv`` (or ``.parquet``) in ``folder``."""
    tables = {"A": A(table, include_imports), "L": L(table, include_imports)}
    return write_frames(tables, Path(folder), fmt)
