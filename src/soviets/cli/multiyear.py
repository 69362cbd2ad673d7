"""``soviets plan`` over several periods: tables, JSON and the plot of hours and free time.

Called by :func:`soviets.cli.plan.plan_command` when the folder has
``periods.csv`` or ``--years`` is given; this module registers no command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from soviets.cli.app import console, print_json, print_notes

if TYPE_CHECKING:
    from soviets.economy import MultiYearEconomy
    from soviets.planning.multiyear import MultiYearPlan


def load(path: Path, years: int | None, options: dict[str, Any] | None = None) -> MultiYearEconomy:
    """The multi-period economy at ``path``: a multi-period folder (its first ``years``
    periods), or any economy repeated over ``years`` periods (``options`` go to
    :func:`soviets.formats.load_economy`: input-output tables only)."""
    from soviets.economy import MultiYearEconomy
    from soviets.errors import InputError
    from soviets.formats import load_economy
    from soviets.formats.multiyear_csv import is_multiyear_folder, read_multiyear_folder

    options = {k: v for k, v in (options or {}).items() if v}
    if path.is_dir() and is_multiyear_folder(path):
        if options:
            raise InputError(
                "--final-demand and --include-imports apply only to input-output tables",
                file=str(path),
            )
        model = read_multiyear_folder(path)
        if years is None:
            return model
        if not 1 <= years <= model.n_periods:
            raise InputError(
                f"--years must be between 1 and the {model.n_periods} periods of periods.csv, "
                f"got {years}",
                file=str(path / "periods.csv"),
            )
        return model.first_periods(years)
    if years is None:
        raise InputError("no periods.csv: give --years to plan several periods", file=str(path))
    return MultiYearEconomy.repeat(load_economy(path, **options), years)


def run(
    path: Path,
    years: int | None,
    options: dict[str, Any],
    objective: str,
    last_years: int,
    floor: float,
    plot: Path | None,
    json: bool,
    fast: bool = False,
    gap: float = 1e-6,
    time_limit: float = 60.0,
) -> None:
    """Plan, print (tables or JSON), plot; exit code 1 when no plan meets the needs.
    ``fast``: the structure-exploiting solver, stopping at ``gap`` or ``time_limit`` s."""
    from soviets.planning.jsonable import json_safe
    from soviets.planning.multiyear import solve, solve_fast
    from soviets.planning.multiyear_lp import Objective

    model = load(path, years, options)
    goal = Objective(objective, last_years=last_years, floor=floor)  # type: ignore[arg-type]
    result = solve_fast(model, goal, gap, time_limit) if fast else solve(model, goal)
    if plot is not None and result.status != "infeasible":
        write_plot(result, plot)
    if json:
        print_json(json_safe(result.to_dict()))
    else:
        show(result)
        if plot is not None and result.status != "infeasible":
            console.print(f"plot written to {plot}")
    if result.status == "infeasible":
        raise typer.Exit(code=1)


def show(p: MultiYearPlan) -> None:
    """Print the plan: summary, one row per period, and per-good tables by period."""
    m = p.model
    data = p.to_dict()
    obj = data["objective"]
    console.print(
        f"[bold]Plan of {m.name or 'the economy'} over {m.n_periods} periods[/bold] "
        f"({obj['name']}, solver {p.solver})"
    )
    if p.status == "infeasible":
        console.print("[bold red]no plan meets the needs[/bold red]")
        table = Table(title="Least shortfall (relative to what is asked)")
        for col in ("period", "good", "unit", "needed beyond stock", "short"):
            table.add_column(col, justify="right" if col[0] in "ns" else "left")
        for u in data["unmet"]:
            table.add_row(
                u["period"],
                u["good"],
                u["unit"] or "-",
                _q(u["needed_beyond_stock"]),
                _q(u["short"]),
            )
        console.print(table)
        _notes(data["notes"])
        return
    c = data["certificate"]
    bound = "<=" if c["sense"] == "max" else ">="
    unit = m.economy.labour_unit
    h = "h" if unit == "hours" else unit
    goal_unit = unit if obj["unit"] == "hours" else obj["unit"]
    console.print(
        f"objective ({goal_unit}): plan {_q(c['primal'])} {bound} bound {_q(c['dual'])}, "
        f"gap {c['gap']:.1e}; total work {_q(data['total_hours'])} {unit}"
    )
    years = Table(title="Per period")
    for col in (
        "period",
        f"{'hours worked' if unit == 'hours' else 'labour'} ({h})",
        f"labour supply ({h})",
        f"free time ({h})",
        f"free time per member ({h})",
    ):
        years.add_column(col, justify="left" if col == "period" else "right")
    if p.fulfilment is not None:
        years.add_column("fulfilment (share of targets)", justify="right")
    for y in data["periods"]:
        row = [
            y["period"],
            _q(y["hours"]),
            _q(y["hours_available"]),
            _q(y["free_time_hours"]),
            _q(y["free_time_per_member_hours"]),
        ]
        if p.fulfilment is not None:
            row.append(f"{y['fulfilment']:.4g}")
        years.add_row(*row)
    console.print(years)
    units = data["units"]
    for key, title in (
        ("investment", "Investment (units of the good added to capital)"),
        ("capital_stock", "Capital stock held (units of the good)"),
        ("needs_met", "Needs met (units of the good)"),
    ):
        goods = list(data["periods"][0][key])
        if not goods:
            continue
        table = Table(title=title)
        table.add_column("good")
        table.add_column("unit")
        for y in data["periods"]:
            table.add_column(y["period"], justify="right")
        for g in goods:
            table.add_row(g, units[g] or "-", *(_q(y[key][g]) for y in data["periods"]))
        console.print(table)
    _notes(data["notes"])


def write_plot(p: MultiYearPlan, out: Path) -> None:
    """Bar charts of hours worked and free time per member (or in all) per period."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from soviets.errors import InputError

    names = p.model.period_names
    per_member = p.free_time_per_member
    free, label = (
        (per_member, "free time per member (hours)")
        if np.all(np.isfinite(per_member))
        else (p.free_time, "free time, all members (hours)")
    )
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    pos = np.arange(len(names))
    top.bar(pos, p.hours, color="tab:red")
    supply = p.model.labour_supply()
    if np.any(np.isfinite(supply)):
        top.plot(pos, supply, "k_", markersize=30, label="labour supply")
        top.legend()
    top.set_ylabel("hours worked (hours)")
    top.set_title(f"{p.model.name or 'plan'}: {p.objective.name}")
    bottom.bar(pos, np.nan_to_num(free), color="tab:green")
    bottom.set_ylabel(label)
    bottom.set_xlabel("period")
    bottom.set_xticks(pos, names)
    fig.tight_layout()
    try:
        fig.savefig(out)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write the plot: {exc}", file=str(out)) from None
    finally:
        plt.close(fig)


def _notes(notes: list[str]) -> None:
    print_notes(notes)


def _q(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) < 1e-9:  # rounding noise of the solver, e.g. free time of a fully worked period
        x = 0.0
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.6g}"
