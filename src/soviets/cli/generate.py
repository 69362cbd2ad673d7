"""``soviets generate``: write a seeded synthetic economy folder."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json

if TYPE_CHECKING:
    from soviets.economy import Economy


class TableFormat(enum.StrEnum):
    csv = "csv"
    parquet = "parquet"


# numpy, the economy and the formats are imported inside the functions that use
# them, so that starting ``soviets`` (``--help``, ``version``) stays quick.


def describe(eco: Economy) -> dict[str, Any]:
    """What was generated (the JSON schema of ``soviets generate --json``)."""
    import numpy as np

    limited = np.flatnonzero(eco.good_primary & np.isfinite(eco.good_limit))
    return {
        "name": eco.name,
        "goods": int((~eco.good_primary).sum()),
        "primary_goods": int(eco.good_primary.sum()),
        "processes": eco.n_processes,
        "flows": int(eco.net_output.nnz),
        "capacities": int(np.isfinite(eco.capacity).sum()),
        "limits": {eco.good_names[i]: float(eco.good_limit[i]) for i in limited},
        "councils": len(eco.councils),
        "councils_with_hours": int(np.isfinite(eco.council_hours).sum()),
        "members": eco.total_members(),
        "needs": eco.n_needs,
        "essential_needs": int(eco.need_essential.sum()),
        "notes": list(eco.notes),
    }


EmissionCapOpt = Annotated[
    float,
    typer.Option(
        "--emission-cap",
        help="Emission limit as a share of the emissions of the plan that makes every good "
        "by its cheapest processes, up to their capacities (0: no limit).",
    ),
]

FormatOpt = Annotated[
    TableFormat,
    typer.Option(
        "--format",
        help="csv: one CSV table per kind of record. parquet: the same tables as Parquet "
        "files (needs pyarrow: the io extra), a third of the size on disk.",
    ),
]


@app.command("generate")
def generate_command(
    out: Annotated[Path, typer.Argument(help="Folder to write (must not exist or be empty).")],
    goods: Annotated[int, typer.Option("--goods", help="Produced goods.")] = 1000,
    techs: Annotated[int, typer.Option("--techs", help="Alternative processes per good.")] = 3,
    inputs: Annotated[int, typer.Option("--inputs", help="Produced inputs per process.")] = 8,
    capacity_share: Annotated[
        float, typer.Option("--capacity-share", help="Share of processes with a capacity.")
    ] = 0.3,
    primary: Annotated[
        int, typer.Option("--primary", help="Primary inputs (the first is 'emission').")
    ] = 1,
    regions: Annotated[
        int, typer.Option("--regions", help="Regions, one territorial council each.")
    ] = 1,
    councils: Annotated[
        int | None,
        typer.Option("--councils", help="Workplace councils (default: goods/100, 1 to 50)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    emission_cap: EmissionCapOpt = 0.9,
    hour_budgets: Annotated[
        bool,
        typer.Option("--hour-budgets", help="Give workplace councils hours_available."),
    ] = False,
    final_share: Annotated[
        float, typer.Option("--final-share", help="Share of goods that are needed.")
    ] = 0.6,
    essential_share: Annotated[
        float, typer.Option("--essential-share", help="Share of needed goods that are essential.")
    ] = 0.5,
    stock_share: Annotated[
        float, typer.Option("--stock-share", help="Share of goods with a stock.")
    ] = 0.0,
    file_format: FormatOpt = TableFormat.csv,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Write a seeded synthetic economy shaped like real input-output tables.

    The same options and seed always write the same economy. See
    ``soviets.economy.generate`` for the shape of the tables.
    """
    from soviets.economy.generate import generate_economy
    from soviets.formats import write_economy_folder

    start = time.perf_counter()
    eco = generate_economy(
        goods=goods,
        techs=techs,
        inputs=inputs,
        capacity_share=capacity_share,
        primary=primary,
        regions=regions,
        councils=councils,
        seed=seed,
        emission_cap=emission_cap if emission_cap > 0 else None,
        hour_budgets=hour_budgets,
        final_share=final_share,
        essential_share=essential_share,
        stock_share=stock_share,
    )
    built = time.perf_counter() - start
    write_economy_folder(eco, out, parquet=file_format is TableFormat.parquet)
    info = describe(eco) | {
        "folder": str(out),
        "seconds_generate": round(built, 3),
        "seconds_write": round(time.perf_counter() - start - built, 3),
    }
    if json:
        print_json(info)
    else:
        _print_generated(info, f"Generated {eco.name} in {out}")


def _print_generated(info: dict[str, Any], title: str) -> None:
    """The table of what was generated (counts, limits, seconds taken)."""
    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key in (
        "goods",
        "primary_goods",
        "processes",
        "flows",
        "capacities",
        "councils",
        "councils_with_hours",
        "members",
        "needs",
        "essential_needs",
    ):
        table.add_row(key.replace("_", " "), f"{info[key]:,}")
    for good, limit in info["limits"].items():
        table.add_row(f"limit of {good}", f"{limit:,.6g}")
    table.add_row(
        "time",
        f"{info['seconds_generate']:.2f} s to generate, {info['seconds_write']:.2f} s to write",
    )
    console.print(table)
