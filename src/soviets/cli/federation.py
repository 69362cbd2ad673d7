"""``soviets compare``: one economy planned as autarky, federation and central plan."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json
from soviets.errors import SovietsError


@app.command()
def compare(
    path: Path = typer.Argument(..., help="Economy file or folder, or input-output folder."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    out: Path | None = typer.Option(None, "--out", help="Write report.md and PNG plots here."),
    runtime: str = typer.Option("inprocess", help="Federation runtime: inprocess or ray."),
    no_failure: bool = typer.Option(False, "--no-failure", help="Skip the failure experiment."),
) -> None:
    """Plan PATH under autarky, federation and central planning, and compare them."""
    from soviets.experiments.regimes import compare as run_compare
    from soviets.experiments.report import markdown, normal_cell, unit_of, write_figures
    from soviets.formats import load_economy
    from soviets.planning.labels import share_text

    try:
        eco = load_economy(path)
        result = run_compare(eco, runtime=runtime, failure=not no_failure)
    except SovietsError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    figures = None
    if out is not None:
        stem = Path(str(path).rstrip("/")).stem or "economy"
        figures = write_figures(eco, result, out, stem)
        (out / "report.md").write_text(markdown(result, figures, "."), encoding="utf-8")
    data = {k: v for k, v in result.items() if not k.startswith("_")}
    if json_out:
        print_json(data)
        return
    table = Table(title=f"Regimes compared: {result['economy']}")
    unit = unit_of(data)
    for col in (
        "regime",
        "hours" if unit == "hours" else f"labour ({unit})",
        "h/member/week" if unit == "hours" else "per member/week",
        "essential met",
        "normal met",
        "rounds",
        "messages",
        "bytes",
    ):
        table.add_column(col, justify="left" if col == "regime" else "right")
    for r in data["regimes"]:
        per = r["hours_per_member_week"]
        table.add_row(
            r["regime"],
            f"{r['hours']:,.1f}",
            "-" if per is None else f"{per:.2f}",
            share_text(r["essential_met"], 2),
            normal_cell(data, r["normal_met"]),
            *(f"{r[k]:,}" if r[k] is not None else "-" for k in ("rounds", "messages", "bytes")),
        )
    if not data["normal_needs"]:
        table.caption = "normal met: - (no normal needs)"
    console.print(table)
    if "failure" in data:
        f = data["failure"]
        console.print(f"When [bold]{f['council']}[/bold] fails:")
        for r in f["regimes"]:
            console.print(
                f"  {r['regime']:<10} essential met {share_text(r['essential_met'], 2)} "
                f"(lost {100 * r['essential_lost']:.2f} points), "
                f"{r['unmet_needs']} needs not fully met"
            )
    if out is not None:
        console.print(f"report written to {out / 'report.md'}")
