"""``soviets compare``: one economy planned as autarky, federation and central plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json
from soviets.cli.worlds import (
    CHOICE_HELP,
    KEEP_HELP,
    TRANSPORT,
    TRANSPORT_HELP,
    TRANSPORT_SECTOR,
    TRANSPORT_SECTOR_HELP,
    load_for_regimes,
    transport_sector_of,
)
from soviets.errors import SovietsError


@app.command()
def compare(
    path: Path = typer.Argument(..., help="Economy file or folder, or input-output folder."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    out: Path | None = typer.Option(None, "--out", help="Write report.md and PNG plots here."),
    runtime: str = typer.Option("inprocess", help="Federation runtime: inprocess or ray."),
    no_failure: bool = typer.Option(False, "--no-failure", help="Skip the failure experiment."),
    choice: bool = typer.Option(False, "--choice-of-technique", help=CHOICE_HELP),
    transport: float = typer.Option(TRANSPORT, help=TRANSPORT_HELP),
    transport_sector: str = typer.Option(TRANSPORT_SECTOR, help=TRANSPORT_SECTOR_HELP),
    keep: int | None = typer.Option(None, help=KEEP_HELP),
    missing: str = typer.Option(
        "drop", help="Autarky's rule for inputs a region cannot make: drop or keep."
    ),
    solver: str = typer.Option(
        "auto",
        help="Solver of the central plan and of each region in autarky (see soviets plan); "
        "auto: the fast path wherever it applies, else as in soviets plan.",
    ),
) -> None:
    """Plan PATH under autarky, federation and central planning, and compare them."""
    from soviets.experiments.regimes import compare as run_compare
    from soviets.experiments.regimes import compare_with_choice
    from soviets.experiments.report import markdown, write_figures

    try:
        eco, persons = load_for_regimes(path)
        if choice:
            eco, result = compare_with_choice(
                eco,
                runtime,
                not no_failure,
                transport=transport,
                transport_sector=transport_sector_of(transport_sector),
                keep=keep,
                persons=persons,
                missing=missing,
                solver=solver,
            )
        else:
            result = run_compare(
                eco,
                runtime=runtime,
                failure=not no_failure,
                persons=persons,
                missing=missing,
                solver=solver,
            )
    except SovietsError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    if out is not None:
        stem = Path(str(path).rstrip("/")).stem or "economy"
        figures = write_figures(eco, result, out, stem)
        (out / "report.md").write_text(markdown(result, figures, "."), encoding="utf-8")
    data = {k: v for k, v in result.items() if not k.startswith("_")}
    if json_out:
        print_json(data)
        return
    console.print(_regimes_table(data))
    if "failure" in data:
        _print_failure(data["failure"])
    if out is not None:
        console.print(f"report written to {out / 'report.md'}")


def _regimes_table(data: dict[str, Any]) -> Table:
    """The table of ``soviets compare``: one row per regime."""
    from soviets.experiments.report import normal_cell, saved_text, unit_of
    from soviets.planning.labels import share_text

    table = Table(title=f"Regimes compared: {data['economy']}")
    unit = unit_of(data)
    for col in (
        "regime",
        "hours" if unit == "hours" else f"labour ({unit})",
        ("h" if unit == "hours" else "")
        + ("/person/week" if data.get("persons") else "/member/week"),
        "saved",
        "essential met",
        "by value",
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
            saved_text(r.get("hours_saved")),
            share_text(r["essential_met"], 2),
            share_text(r["essential_met_value"], 2),
            normal_cell(data, r["normal_met"]),
            *(f"{r[k]:,}" if r[k] is not None else "-" for k in ("rounds", "messages", "bytes")),
        )
    caption = [f"by value: delivered/asked in {data.get('value_unit', 'units')}"]
    if data.get("baseline_hours") is not None:
        caption.append(f"saved: against {data['baseline_hours']:,.1f} (fixed techniques)")
    if not data["normal_needs"]:
        caption.append("normal met: - (no normal needs)")
    table.caption = "; ".join(caption)
    return table


def _print_failure(failure: dict[str, Any]) -> None:
    """What each regime met when the largest supplier failed."""
    from soviets.planning.labels import share_text

    console.print(f"When [bold]{failure['council']}[/bold] fails:")
    for r in failure["regimes"]:
        console.print(
            f"  {r['regime']:<10} essential met {share_text(r['essential_met'], 2)} "
            f"(lost {100 * r['essential_lost']:.2f} points), "
            f"{r['unmet_needs']} needs not fully met"
        )
