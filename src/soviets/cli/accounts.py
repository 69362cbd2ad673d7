"""``soviets accounts``: footprints, production-based and trade accounts of every extension."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json, print_notes

if TYPE_CHECKING:
    from soviets.io.accounts import Accounts

ACCOUNTS = ("D_cba", "D_pba", "D_imp", "D_exp")
TITLES = {
    "D_cba": "footprint (consumption)",
    "D_pba": "production",
    "D_imp": "imports embodied",
    "D_exp": "exports embodied",
}


def _population(path: Path | None, regions: list[str]) -> dict[str, float]:
    """``--population``: a CSV with columns ``region`` and ``persons`` (regions of the table)."""
    if path is None:
        return {}
    from soviets.errors import InputError
    from soviets.formats.csvfiles import parse_column, read_rows

    header, rows = read_rows(path, required=("region", "persons"))
    ri, pi = header.index("region"), header.index("persons")
    persons = parse_column([r[pi] for r in rows], str(path), "persons")
    known = set(regions)
    for i, row in enumerate(rows, 1):
        if row[ri] not in known:
            raise InputError(
                f"unknown region '{row[ri]}' (known: {', '.join(regions)})",
                file=str(path),
                row=i,
                field="region",
            )
        if persons[i - 1] <= 0:
            raise InputError("persons must be positive", file=str(path), row=i, field="persons")
    return {r[ri]: float(p) for r, p in zip(rows, persons, strict=True)}


@app.command("accounts")
def accounts_command(
    path: Annotated[Path, typer.Argument(help="Input-output folder (national or multi-region).")],
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write every account as CSV files in DIR.")
    ] = None,
    parquet: Annotated[
        Path | None,
        typer.Option("--parquet", help="Write every account as Parquet files in DIR (pyarrow)."),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Draw one chart per extension in DIR (PNG).")
    ] = None,
    matrices: Annotated[
        bool, typer.Option("--matrices", help="With --csv/--parquet: also write A and L.")
    ] = False,
    population: Annotated[
        Path | None,
        typer.Option("--population", help="CSV of region,persons: accounts per person too."),
    ] = None,
) -> None:
    """Multipliers, footprints (consumption-based), production-based accounts, imports and
    exports embodied, per region and per person, for every extension of the table."""
    from soviets.io import compute_accounts, export_matrices, read, write_frames
    from soviets.io.accounts import category_regions, industry_regions
    from soviets.io.frames import frames

    table = read(path)
    regions = list(dict.fromkeys(industry_regions(table) + category_regions(table)))
    acc = compute_accounts(table, population=_population(population, regions))
    for folder, fmt in ((csv, "csv"), (parquet, "parquet")):
        if folder is not None:
            write_frames(frames(acc), folder, fmt)
            if matrices:
                export_matrices(table, folder, fmt)
    if plot is not None:
        from soviets.io.plots import plot_accounts

        plot_accounts(acc, plot)
    if json:
        print_json(to_json(acc))
        return
    _print(acc)


def to_json(acc: Accounts) -> dict[str, Any]:
    """The JSON document of ``soviets accounts --json`` (null for no value)."""
    from soviets.planning.jsonable import json_number

    codes = acc.table.codes
    made = acc.made
    out: dict[str, Any] = {
        "table": acc.table.source,
        "unit": acc.table.unit,
        "regions": acc.regions,
        "negative_final_demand": acc.negative_demand,
        "extensions": [],
        "notes": acc.notes,
    }
    for k, name in enumerate(acc.ext.names):
        entry: dict[str, Any] = {"name": name, "unit": acc.ext.units[k]}
        for key, arr in (("intensity", acc.S), ("multiplier", acc.M)):
            entry[key] = {
                c: (json_number(arr[k, i]) if made[i] else None) for i, c in enumerate(codes)
            }
        regional: dict[str, dict[str, Any]] = {}
        for key in ACCOUNTS:
            per_region = getattr(acc, f"{key}_reg")[k]
            per_person = acc.per_person(getattr(acc, f"{key}_reg"))[k]
            for ri, r in enumerate(acc.regions):
                cell = regional.setdefault(r, {})
                cell[key] = json_number(per_region[ri])
                if acc.population:
                    cell[f"{key}_per_person"] = json_number(per_person[ri])
                if key == "D_cba" and acc.negative_demand < 0:
                    cell["D_cba_nonnegative"] = json_number(acc.D_cba_nonnegative[k, ri])
        entry["regions"] = regional
        out["extensions"].append(entry)
    return out


def _fmt(x: float) -> str:
    import math

    if not math.isfinite(x):
        return "-"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.6g}"


def _print(acc: Accounts) -> None:
    """One table per extension (rows: regions); a national table: one row per extension."""
    if len(acc.regions) == 1:
        table = _account_table(f"Accounts of {acc.table.source}", "extension (unit)", acc)
        for k, name in enumerate(acc.ext.names):
            table.add_row(f"{name} ({acc.ext.units[k]})", *_cells(acc, k, 0))
        console.print(table)
    else:
        for k, name in enumerate(acc.ext.names):
            title = f"{name} ({acc.ext.units[k]}) in {acc.table.source}"
            table = _account_table(title, "region", acc)
            for ri, r in enumerate(acc.regions):
                table.add_row(r, *_cells(acc, k, ri))
            console.print(table)
    console.print(
        "footprint: embodied in the region's final demand, wherever made (D_cba); production: "
        "made in the region (D_pba); imports/exports: embodied in what crosses its border; "
        "per-industry intensities and multipliers: --json, --csv",
        style="dim",
    )
    print_notes(acc.notes)


def _account_table(title: str, first: str, acc: Accounts) -> Table:
    table = Table(title=title)
    table.add_column(first, overflow="fold")
    # in a narrow terminal numbers fold onto a second line rather than being cut
    for key in ACCOUNTS:
        table.add_column(TITLES[key], justify="right", overflow="fold")
    if acc.negative_demand < 0:
        table.add_column("footprint, negative demand left out", justify="right", overflow="fold")
    if acc.population:
        table.add_column("footprint per person", justify="right", overflow="fold")
    return table


def _cells(acc: Accounts, k: int, ri: int) -> list[str]:
    row = [_fmt(getattr(acc, f"{key}_reg")[k, ri]) for key in ACCOUNTS]
    if acc.negative_demand < 0:
        row.append(_fmt(acc.D_cba_nonnegative[k, ri]))
    if acc.population:
        row.append(_fmt(acc.per_person(acc.D_cba_reg)[k, ri]))
    return row
