"""``soviets check``, ``soviets import bea|ons|5yearplan`` and ``soviets export``: economy files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json

if TYPE_CHECKING:
    from soviets.economy import Economy
    from soviets.formats.iotable import IOTable

# Commands import numpy, the economy model and the formats inside their bodies,
# so that starting ``soviets`` (``--help``, ``version``) stays quick.

LabourOpt = Annotated[
    str | None,
    typer.Option(
        "--labour",
        help="Input-output tables: column used as labour (default hours_employees, "
        "persons_employed, compensation, value_added: the first present).",
    ),
]
FinalDemandOpt = Annotated[
    str | None,
    typer.Option(
        "--final-demand",
        help="Input-output tables: comma-separated final-demand categories that become "
        "needs (default all), e.g. CONS_h,CONS_g.",
    ),
]
ImportsOpt = Annotated[
    bool,
    typer.Option(
        "--include-imports",
        help="Input-output tables: count imported intermediates as domestic inputs.",
    ),
]

KINDS = {
    "toml": "TOML economy file",
    "economy": "economy folder (CSV)",
    "multiyear": "multi-period economy folder (CSV)",
    "io": "input-output folder (national)",
    "multiregion": "input-output folder (multi-region)",
    "bea": "BEA make/use tables",
    "ons": "ONS product-by-product tables",
    "exiobase": "EXIOBASE 3 table",
    "oecd": "OECD ICIO table",
    "wiod": "WIOD world table",
    "pymrio": "pymrio saved table",
    "eora": "Eora26 table",
}


def _load(path: Path, labour: str | None, final_demand: str | None, imports: bool) -> Economy:
    from soviets.formats import load_economy

    categories = [c.strip() for c in final_demand.split(",") if c.strip()] if final_demand else None
    return load_economy(path, labour=labour, final_demand=categories, include_imports=imports)


def summary(economy: Economy, kind: str) -> dict[str, Any]:
    """A short description of an economy (the JSON schema of ``soviets check``)."""
    import numpy as np

    from soviets.economy import COUNCIL_KINDS

    councils = {k: sum(c.kind == k for c in economy.councils) for k in COUNCIL_KINDS}
    return {
        "name": economy.name,
        "format": kind,
        "goods": economy.n_goods,
        "primary_goods": int(economy.good_primary.sum()),
        "processes": economy.n_processes,
        "flows": int(economy.net_output.nnz),
        "councils": councils,
        "members": economy.total_members(),
        "needs": economy.n_needs,
        "essential_needs": int(economy.need_essential.sum()),
        "goods_in_stock": int(np.count_nonzero(economy.stocks)),
        "single_output": economy.single_output,
        "notes": list(economy.notes),
    }


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="Economy folder, TOML file or input-output folder.")],
    labour: LabourOpt = None,
    final_demand: FinalDemandOpt = None,
    include_imports: ImportsOpt = False,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Validate an economy and print a summary (exit code 2 on a mistake in the files)."""
    from soviets.formats import detect

    kind = detect(path)
    if kind == "multiyear":
        from soviets.cli.multiyear import load

        model = load(path, None)
        info = summary(model.economy, kind)
        info.update(
            periods=model.period_names,
            capital=model.n_capital,
            needs=model.n_needs,
            essential_needs=int(model.need_essential.sum()),
            notes=list(model.notes),
        )
    else:
        info = summary(_load(path, labour, final_demand, include_imports), kind)
    if json:
        print_json(info)
        return
    table = Table(title=f"{path} ({KINDS[kind]})", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("goods", f"{info['goods']} ({info['primary_goods']} primary)")
    table.add_row("processes", f"{info['processes']} ({info['flows']} flows)")
    for k, v in info["councils"].items():
        table.add_row(f"{k} councils", str(v))
    if info["members"]:
        table.add_row("members", str(info["members"]))
    if kind == "multiyear":
        table.add_row("periods", f"{len(info['periods'])} ({', '.join(info['periods'])})")
        table.add_row("capital stocks", str(info["capital"]))
    table.add_row("needs", f"{info['needs']} ({info['essential_needs']} essential)")
    table.add_row("goods in stock", str(info["goods_in_stock"]))
    console.print(table)
    for note in info["notes"]:
        console.print(f"- {note}", markup=False, highlight=False)
    console.print("ok: the economy is valid", style="green")


import_app = typer.Typer(
    help="Write an input-output or multi-period folder from other formats.", no_args_is_help=True
)
app.add_typer(import_app, name="import")


@import_app.command("bea")
def import_bea(
    src: Annotated[Path, typer.Argument(help="Folder with BEA make.csv and use.csv.")],
    out: Annotated[Path, typer.Argument(help="New input-output folder to write.")],
) -> None:
    """BEA make and use tables -> commodity-by-commodity input-output folder."""
    from soviets.formats import read_bea

    _write_io(read_bea(src), out, "commodities")


@import_app.command("ons")
def import_ons(
    src: Annotated[Path, typer.Argument(help="Folder with ONS products.csv, intermediate.csv.")],
    out: Annotated[Path, typer.Argument(help="New input-output folder to write.")],
) -> None:
    """ONS product-by-product tables -> input-output folder."""
    from soviets.formats import read_ons

    _write_io(read_ons(src), out, "products")


def _write_io(table: IOTable, out: Path, rows: str) -> None:
    """Write ``table`` as an input-output folder and say what was written."""
    from soviets.formats import write_io_folder

    write_io_folder(table, out)
    typer.echo(f"wrote {out}: {table.n} {rows}, {len(table.categories)} final-demand columns")


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Any economy or input-output folder.")],
    out: Annotated[Path, typer.Argument(help="New economy folder (CSV) to write.")],
    labour: LabourOpt = None,
    final_demand: FinalDemandOpt = None,
    include_imports: ImportsOpt = False,
) -> None:
    """Write any loadable economy as an economy folder of CSV tables."""
    from soviets.formats import write_economy_folder

    economy = _load(path, labour, final_demand, include_imports)
    write_economy_folder(economy, out)
    typer.echo(
        f"wrote {out}: {economy.n_goods} goods, {economy.n_processes} processes, "
        f"{economy.n_needs} needs"
    )


@import_app.command("5yearplan")
def import_fiveyearplan(
    src: Annotated[
        Path,
        typer.Argument(help="Folder with flows.csv, cap.csv, dep.csv, labtarg.csv (5yearplan)."),
    ],
    out: Annotated[Path, typer.Argument(help="New multi-period economy folder to write.")],
    hours_per_unit: Annotated[
        float,
        typer.Option(
            "--hours-per-labour-unit",
            help="Hours in one unit of the format's labour figures (it names no unit).",
        ),
    ] = 1.0,
) -> None:
    """Cockshott's 5yearplan input -> multi-period economy folder (plan it with
    ``--objective max-fulfilment``)."""
    from soviets.formats.fiveyearplan import read_fiveyearplan
    from soviets.formats.multiyear_csv import write_multiyear_folder

    model = read_fiveyearplan(src, hours_per_labour_unit=hours_per_unit)
    write_multiyear_folder(model, out)
    typer.echo(
        f"wrote {out}: {model.economy.n_goods} goods, {model.n_periods} periods, "
        f"{model.n_capital} capital stocks, {model.n_needs} targets"
    )
