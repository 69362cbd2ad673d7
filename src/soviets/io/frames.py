"""pandas views of input-output matrices and accounts, labelled with codes and names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.linalg as la

from soviets.errors import InputError
from soviets.formats.iotable import IOTable
from soviets.io.accounts import Accounts, leontief_factor


def industry_index(table: IOTable) -> pd.MultiIndex:
    """``(region, sector, name)`` for a multi-region table, ``(code, name)`` for a national one."""
    if table.regions is not None:
        sectors = [c.split(".", 1)[1] if "." in c else c for c in table.codes]
        return pd.MultiIndex.from_arrays(
            [table.regions, sectors, table.descriptions], names=["region", "sector", "name"]
        )
    return pd.MultiIndex.from_arrays([table.codes, table.descriptions], names=["code", "name"])


def matrix_A(table: IOTable, include_imports: bool = False) -> pd.DataFrame:  # noqa: N802
    """Technical coefficients ``A = Z diag(x)^-1`` (columns of zero-output industries are 0)."""
    index = industry_index(table)
    return pd.DataFrame(
        table.technical_coefficients(include_imports), index=index, columns=index.copy()
    )


def matrix_L(table: IOTable, include_imports: bool = False) -> pd.DataFrame:  # noqa: N802
    """The Leontief inverse ``L = (I - A)^-1``."""
    lu = leontief_factor(table, include_imports)
    index = industry_index(table)
    inverse = la.lu_solve(lu, np.eye(table.n), check_finite=False)
    return pd.DataFrame(inverse, index=index, columns=index.copy())


def extension_index(acc: Accounts) -> pd.MultiIndex:
    """``(extension, unit)`` rows of the accounts."""
    return pd.MultiIndex.from_arrays([acc.ext.names, acc.ext.units], names=["extension", "unit"])


def frames(acc: Accounts) -> dict[str, pd.DataFrame]:
    """Every account as a DataFrame: rows ``(extension, unit)``, industry or region columns.

    ``S`` and ``M`` are NaN for industries with zero gross output; ``*_reg``
    are per region; ``*_cap`` per person where the population is known.
    """
    rows = extension_index(acc)
    cols = industry_index(acc.table)
    regions = pd.Index(acc.regions, name="region")
    made = acc.made[None, :]
    out = {
        "S": pd.DataFrame(np.where(made, acc.S, np.nan), index=rows, columns=cols),
        "M": pd.DataFrame(np.where(made, acc.M, np.nan), index=rows, columns=cols),
    }
    for name in ("D_cba", "D_pba", "D_imp", "D_exp"):
        out[name] = pd.DataFrame(getattr(acc, name), index=rows, columns=cols)
    for name in ("D_cba", "D_pba", "D_imp", "D_exp"):
        per_region = getattr(acc, f"{name}_reg")
        out[f"{name}_reg"] = pd.DataFrame(per_region, index=rows, columns=regions)
        if acc.population:
            out[f"{name}_cap"] = pd.DataFrame(
                acc.per_person(per_region), index=rows, columns=regions
            )
    if acc.negative_demand < 0:
        out["D_cba_nonnegative_reg"] = pd.DataFrame(
            acc.D_cba_nonnegative, index=rows, columns=regions
        )
    return out


def write_frames(tables: dict[str, pd.DataFrame], folder: Path, fmt: str) -> list[Path]:
    """Write each frame as ``<name>.csv`` or ``<name>.parquet`` in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path)
        elif fmt == "parquet":
            _require_pyarrow()
            flat = df.copy()
            flat.columns = [
                "|".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in flat.columns
            ]
            flat.reset_index().to_parquet(path, index=False)
        else:
            raise InputError(f"unknown format '{fmt}' (csv or parquet)", field="format")
        written.append(path)
    return written


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(
            "Parquet needs pyarrow: pip install 'soviets[io]'", field="--parquet"
        ) from None
