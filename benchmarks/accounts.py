"""All accounts of five extensions on the WIOD world table: soviets.io against pymrio.

    python -m benchmarks.accounts [--repeats 3]

Both sides start from the CSV files of ``data/wiod2013-world-2011`` (1,435
industries, 41 regions) and end with every account of five extensions
(``S``, ``M``, ``D_cba``, ``D_pba``, ``D_imp``, ``D_exp``, per industry and per
region). The table has one extension, value added; four more are made from
it with fixed random shares (seed 0), the same for both.

* **ours**: ``soviets.io.read`` + ``soviets.io.accounts`` (DataFrames);
* **pymrio**: the CSV files read with pandas, ``pymrio.IOSystem`` built with
  the five rows as one extension, then ``calc_all()``.

Prints the best and median of ``--repeats`` runs of each, their ratio and the
largest relative difference between the two sides' regional footprints.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from soviets import io
from soviets.formats.iotable import IOTable

WIOD = Path(__file__).resolve().parents[1] / "data" / "wiod2013-world-2011"
N_EXTENSIONS = 5


def shares(n: int) -> np.ndarray:
    """Fixed shares that turn value added into the four made-up extensions."""
    return np.random.default_rng(0).uniform(0.1, 2.0, size=(N_EXTENSIONS - 1, n))


def with_extensions(table: IOTable) -> IOTable:
    """The table with four more extensions beside value added."""
    va = table.columns["value_added"]
    for k, row in enumerate(shares(table.n), 2):
        table.columns[f"extension_{k}"] = va * row
    return table


def ours() -> pd.DataFrame:
    table = with_extensions(io.read(WIOD))
    return io.accounts(table)["D_cba_reg"]


def theirs() -> pd.DataFrame:
    import pymrio

    z = pd.read_csv(WIOD / "intermediate.csv", index_col=[0, 1])
    y = pd.read_csv(WIOD / "final_demand.csv", index_col=[0, 1])
    x = pd.read_csv(WIOD / "gross_output.csv", index_col=[0, 1])
    z.columns = pd.MultiIndex.from_tuples([tuple(c.split(".", 1)) for c in z.columns])
    y.columns = pd.MultiIndex.from_tuples([tuple(c.split(".", 1)) for c in y.columns])
    x.columns = ["indout"]
    va = x["indout"].to_numpy() - z.sum(axis=0).to_numpy()
    rows = np.vstack([va, va * shares(len(va))])
    names = ["value_added", *(f"extension_{k}" for k in range(2, N_EXTENSIONS + 1))]
    f = pd.DataFrame(rows, index=names, columns=z.index)
    mrio = pymrio.IOSystem(Z=z, Y=y, x=x, ext={"name": "ext", "F": f})
    mrio.calc_all()
    return mrio.ext.D_cba_reg


def timed(fn: Callable[[], pd.DataFrame], repeats: int) -> tuple[list[float], pd.DataFrame]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    assert result is not None
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    t_ours, d_ours = timed(ours, args.repeats)
    t_theirs, d_theirs = timed(theirs, args.repeats)
    a = d_ours.droplevel("unit").sort_index(axis=1).to_numpy()
    b = d_theirs.sort_index(axis=1).to_numpy()
    gap = float(np.max(np.abs(a - b) / np.abs(b).max(axis=1, keepdims=True)))
    table = Table(title=f"WIOD 2011 world table, {N_EXTENSIONS} extensions: load + all accounts")
    for col in ("", "best (s)", "median (s)"):
        table.add_column(col, justify="right" if col else "left")
    table.add_row("soviets.io", f"{min(t_ours):.2f}", f"{statistics.median(t_ours):.2f}")
    table.add_row("pymrio", f"{min(t_theirs):.2f}", f"{statistics.median(t_theirs):.2f}")
    table.add_row(
        "ratio pymrio / ours",
        f"{min(t_theirs) / min(t_ours):.1f}x",
        f"{statistics.median(t_theirs) / statistics.median(t_ours):.1f}x",
    )
    console = Console()
    console.print(table)
    console.print(f"largest relative difference of the regional footprints: {gap:.1e}")


if __name__ == "__main__":
    main()
