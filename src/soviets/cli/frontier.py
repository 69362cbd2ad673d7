"""``soviets frontier``: hours of work per member per week against the needs they meet."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from soviets.cli.app import app, console, print_json, print_notes
from soviets.cli.io import FinalDemandOpt, ImportsOpt, LabourOpt

if TYPE_CHECKING:
    from soviets.economy import Economy
    from soviets.planning.frontier import Frontier


class FrontierRegime(StrEnum):
    central = "central"
    autarky = "autarky"
    federation = "federation"
    all = "all"


@app.command("frontier")
def frontier_command(
    path: Annotated[Path, typer.Argument(help="Economy folder, TOML file or input-output folder.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for frontier.csv and frontier.png (default: none)."),
    ] = None,
    points: Annotated[
        int, typer.Option("--points", min=2, max=500, help="Offers of hours on the grid.")
    ] = 21,
    regime: Annotated[
        FrontierRegime,
        typer.Option(
            "--regime",
            help="central: one labour-budget plan of the whole federation per offer; autarky: "
            "every region alone; federation: the federated protocol in labour-budget mode "
            "(slow: a bisection over federated plans per offer); all: central and autarky, "
            "on one plot.",
        ),
    ] = FrontierRegime.central,
    councils: Annotated[
        bool,
        typer.Option(
            "--councils/--no-councils",
            help="Also each territorial council's own frontier (its offer varied, the others "
            "keep theirs). Central regime only.",
        ),
    ] = True,
    keep_workplace_hours: Annotated[
        bool,
        typer.Option(
            "--keep-workplace-hours",
            help="Keep the hours_available of councils that are not territorial as limits.",
        ),
    ] = False,
    persons: Annotated[
        str | None,
        typer.Option(
            "--persons",
            help="Input-output tables: the column of persons the hours are shared among "
            "(default employees, else persons_employed; thousands of persons).",
        ),
    ] = None,
    labour: LabourOpt = None,
    final_demand: FinalDemandOpt = None,
    include_imports: ImportsOpt = False,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """The hours-needs frontier: labour-budget plans for a grid of hours offered per member
    per week, with the share of essential and normal needs each one meets."""
    from soviets.cli.plan import _load

    eco = _load(path, labour, final_demand, include_imports)
    eco, who = _members(eco, path, persons)
    result, notes = _regime_frontiers(eco, regime, points, keep_workplace_hours)
    if councils and "central" in result:
        result |= _council_frontiers(eco, points, keep_workplace_hours)
    if out is not None:
        _write_files(out, result, eco, who, str(eco.name or path))
    if json:
        _print_json(result, eco, who, notes)
        return
    _print(result, who, eco.labour_unit)
    print_notes(eco.notes + notes + [n for f in result.values() for n in f.notes])
    if out is not None:
        console.print(f"wrote {out / 'frontier.csv'} and {out / 'frontier.png'}", markup=False)


def _members(eco: Economy, path: Path, persons: str | None) -> tuple[Economy, str]:
    """The economy whose members share the hours, and what one member is called.

    An input-output table's members are the persons of one of its columns
    (``persons``); an economy folder's are its councils' members.
    """
    from soviets.experiments import frontier as xf
    from soviets.formats import detect, read_io_tables

    if detect(path) not in ("toml", "economy"):
        eco, who_long = xf.with_table_persons(eco, read_io_tables(path), persons)
        eco.notes.append(f"members: persons of the table, one {who_long}")
        return eco, who_long.split(" (")[0]
    if persons is not None:
        from soviets.errors import InputError

        raise InputError("--persons applies only to input-output tables", file=str(path))
    return eco, "member"


def _regime_frontiers(
    eco: Economy, regime: FrontierRegime, points: int, keep_workplace_hours: bool
) -> tuple[dict[str, Frontier], list[str]]:
    """The federation's frontier under each regime asked for, and notes on those not drawn.

    The central frontier sets the grid of offers the other regimes are drawn on.
    With ``--regime all`` a regime that cannot run is named in the notes and the
    others are still drawn; a single regime's error is raised.
    """
    from soviets.experiments import frontier as xf
    from soviets.planning import frontier as fr

    every = regime is FrontierRegime.all
    regimes = ["central", "autarky"] if every else [regime.value]
    base = fr.compute(eco, points=points, keep_other_hours=keep_workplace_hours)
    offers = [p.offered for p in base.points]
    result: dict[str, Frontier] = {}
    notes: list[str] = []
    if every:
        notes.append(
            "federation: not drawn with --regime all (each offer costs about sixteen "
            "federated plans); ask for --regime federation"
        )
    for r in regimes:
        if r == "central":
            result["central"] = base
            continue
        try:
            result[r] = xf.regime_frontier(
                eco, r, offers=offers, keep_other_hours=keep_workplace_hours
            )
        except Exception as exc:  # a regime that cannot run is named, the others still drawn
            if not every:
                raise
            notes.append(f"{r}: {exc}")
    return result, notes


def _council_frontiers(
    eco: Economy, points: int, keep_workplace_hours: bool
) -> dict[str, Frontier]:
    """Each territorial council's own central frontier, keyed ``central:NAME`` (none if
    the economy has one territorial council: its frontier is the federation's)."""
    from soviets.planning import frontier as fr

    territorial = fr.territorial(eco)
    if len(territorial) <= 1:
        return {}
    names = [eco.councils[i].name for i in territorial]
    return {
        f"central:{name}": fr.compute(
            eco, council=name, points=points, keep_other_hours=keep_workplace_hours
        )
        for name in names
    }


def _write_files(out: Path, result: dict[str, Frontier], eco: Economy, who: str, name: str) -> None:
    """frontier.csv (every frontier), frontier.png (the federation's) and one
    frontier-COUNCIL.png per council's own frontier."""
    from soviets.experiments import frontier as xf

    out.mkdir(parents=True, exist_ok=True)
    xf.write_csv(out / "frontier.csv", result, eco.labour_unit, who)
    title = f"{name}: labour-budget plans, {eco.total_members():,} {who}s"
    federation_only = {k: v for k, v in result.items() if ":" not in k}
    xf.plot(out / "frontier.png", federation_only, who, title)
    for key, f in result.items():
        if ":" in key:
            scope = key.partition(":")[2]
            xf.plot(out / f"frontier-{scope}.png", {key: f}, who, f"{title}; {scope} alone")


def _print_json(result: dict[str, Frontier], eco: Economy, who: str, notes: list[str]) -> None:
    from soviets.planning.jsonable import json_safe

    data: dict[str, Any] = {
        "economy": eco.name,
        "unit": eco.labour_unit,
        "per": who,
        "notes": eco.notes + notes,
        "frontiers": {k: v.to_dict() for k, v in result.items()},
    }
    print_json(json_safe(data))


def _print(result: dict[str, Frontier], who: str, unit: str) -> None:
    from rich.table import Table

    from soviets.planning.labels import share_text

    for key, f in result.items():
        t = Table(title=f"{key}: {f.solves} solves in {f.seconds:.2f} s")
        for h in (
            f"offered (h per {who} per week)",
            f"planned ({unit})",
            f"planned (h per {who} per week)",
            "essential met (count)",
            "essential met (value)",
            "normal met (count)",
            "normal met (value)",
            "",
        ):
            t.add_column(h, justify="right")
        scope = key.partition(":")[2]
        for p in f.points:
            s = p.councils[scope] if scope else p.total
            mark = "current" if f.current is not None and abs(p.offered - f.current) < 1e-12 else ""
            if f.full is not None and abs(p.offered - f.full) < 1e-12:
                mark = (mark + " all needs met").strip()
            t.add_row(
                f"{p.offered:,.3f}",
                f"{p.hours:,.0f}",
                "-" if s.worked is None else f"{s.worked:,.3f}",
                share_text(s.essential_count),
                share_text(s.essential_value),
                "-" if s.normal_count is None else share_text(s.normal_count),
                "-" if s.normal_value is None else share_text(s.normal_value),
                mark,
            )
        console.print(t)
