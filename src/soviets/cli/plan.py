"""``soviets plan`` and ``soviets values``: the central plan and labour values."""

from __future__ import annotations

import enum
import math
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from soviets.cli.app import app, console, print_json, print_notes
from soviets.cli.io import FinalDemandOpt, ImportsOpt, LabourOpt

if TYPE_CHECKING:
    from soviets.economy import Economy
    from soviets.planning import Plan

# numpy and the planning package are imported inside the functions that use
# them, so that starting ``soviets`` (``--help``, ``version``) stays quick.

TOP_GOODS = 10
TOP_BINDING = 10  # constraints shown under "What binds" (all of them are in --json)


class Mode(enum.StrEnum):
    min_labour = "min-labour"
    labour_budget = "labour-budget"


class Regime(enum.StrEnum):
    central = "central"
    federated = "federated"


class Runtime(enum.StrEnum):
    inprocess = "inprocess"
    ray = "ray"


class Backend(enum.StrEnum):
    numpy = "numpy"
    cupy = "cupy"
    torch = "torch"


class Goal(enum.StrEnum):
    min_hours = "min-hours"
    max_free_time = "max-free-time"
    max_fulfilment = "max-fulfilment"


class Solver(enum.StrEnum):
    auto = "auto"
    fast = "fast"
    highs = "highs"
    constrained = "constrained"


def _gap(text: str) -> float:
    """``--gap``: a relative gap strictly between 0 and 1."""
    value = _number(text)
    if not 0 < value < 1:
        _bad("--gap", text, "a relative gap above 0 and below 1, e.g. 1e-6")
    return value


def _seconds(text: str) -> float:
    """``--time-limit``: a positive, finite number of seconds."""
    value = _number(text)
    if not 0 < value < math.inf:
        _bad("--time-limit", text, "a positive number of seconds")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _bad(option: str, text: str, expected: str) -> None:
    from soviets.errors import SovietsError

    # a SovietsError, not typer.BadParameter: the command line prints it on one line, exit 2
    raise SovietsError(f"{option} must be {expected}, got '{text}'")


PathArg = Annotated[Path, typer.Argument(help="Economy folder, TOML file or input-output folder.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _load(path: Path, labour: str | None, final_demand: str | None, imports: bool) -> Economy:
    from soviets.formats import load_economy

    categories = [c.strip() for c in final_demand.split(",") if c.strip()] if final_demand else None
    return load_economy(path, labour=labour, final_demand=categories, include_imports=imports)


ModeOpt = Annotated[
    Mode,
    typer.Option(
        "--mode",
        help="min-labour: meet every need with the fewest hours. labour-budget: councils' "
        "hours_available are limits; essential needs first, then the worst-served normal "
        "needs as well as possible, then the fewest hours.",
    ),
]

SolverOpt = Annotated[
    Solver,
    typer.Option(
        "--solver",
        help="auto: the constrained solver for economies of more than 20,000 processes "
        "that make one good each, else the fast path where it applies, else HiGHS. "
        "fast: only the fast path. highs: the full linear programme. constrained: the "
        "structure-exploiting solver for large economies (capacities, limits, hours), "
        "stopping at a certified gap.",
    ),
]

GapOpt = Annotated[
    float | None,
    typer.Option(
        "--gap",
        parser=_gap,
        metavar="<float>",
        help="Constrained solver: stop when the certified relative gap between the plan's "
        "hours and the lower bound is at most this (default 1e-9 when only labour is "
        "scarce, else 1e-6).",
    ),
]

TimeLimitOpt = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        parser=_seconds,
        metavar="<seconds>",
        help="Constrained solver: stop after about this many seconds with the best "
        "certified plan so far (status 'feasible' if the gap is not reached).",
    ),
]

ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Constrained solver: show iterations and the certified gap on standard error "
        "(default: when it is a terminal and --json is not given).",
    ),
]

BackendOpt = Annotated[
    Backend,
    typer.Option(
        "--backend",
        help="Constrained solver: run its first-order iterations on the CPU (numpy) or on "
        "a CUDA GPU (cupy or torch, if installed); certificates stay on the CPU.",
    ),
]

RegimeOpt = Annotated[
    Regime,
    typer.Option(
        "--regime",
        help="central: one optimisation over the whole economy. federated: autonomous "
        "councils reach the plan by exchanging offers, orders and agreements.",
    ),
]

RuntimeOpt = Annotated[
    Runtime,
    typer.Option(
        "--runtime",
        help="Federated regime only: run the councils in this process, or as Ray actors "
        "(a local cluster on 127.0.0.1 unless --address is given).",
    ),
]

AddressOpt = Annotated[
    str | None,
    typer.Option("--address", help="Federated regime with Ray: join this Ray cluster."),
]

YearsOpt = Annotated[
    int | None,
    typer.Option(
        "--years",
        help="Plan several periods: the first N of periods.csv, or N copies of a "
        "one-period economy (default: every period of a folder with periods.csv).",
    ),
]

ObjectiveOpt = Annotated[
    Goal | None,
    typer.Option(
        "--objective",
        help="Several periods: min-hours (least hours over all periods, every need met), "
        "max-free-time (least hours in the last --last-years periods, normal needs met at "
        "least --floor each period), max-fulfilment (largest sum of each period's share "
        "of normal needs met, within each period's labour). Default min-hours.",
    ),
]

LastYearsOpt = Annotated[
    int | None,
    typer.Option("--last-years", help="max-free-time: periods counted at the end (1)."),
]

FloorOpt = Annotated[
    float | None,
    typer.Option(
        "--floor",
        help="max-free-time: least share of every normal need met each period (1).",
    ),
]

PlotOpt = Annotated[
    Path | None,
    typer.Option("--plot", help="Several periods: write a chart of hours and free time."),
]


@app.command("plan")
def plan_command(
    path: PathArg,
    mode: ModeOpt = Mode.min_labour,
    solver: SolverOpt = Solver.auto,
    gap: GapOpt = None,
    time_limit: TimeLimitOpt = None,
    progress: ProgressOpt = None,
    backend: BackendOpt = Backend.numpy,
    regime: RegimeOpt = Regime.central,
    runtime: RuntimeOpt = Runtime.inprocess,
    address: AddressOpt = None,
    labour: LabourOpt = None,
    final_demand: FinalDemandOpt = None,
    include_imports: ImportsOpt = False,
    years: YearsOpt = None,
    objective: ObjectiveOpt = None,
    last_years: LastYearsOpt = None,
    floor: FloorOpt = None,
    plot: PlotOpt = None,
    json: JsonOpt = False,
) -> None:
    """Plan one period (activity of every process, hours, needs met, labour values), or
    several periods (folder with periods.csv, or --years).

    Exit code 0 for a plan, 1 when no plan meets the needs (the unmet needs and
    what binds are printed), 2 for a mistake in the input.
    """
    if years is not None or (path / "periods.csv").is_file():
        _refuse_one_period_options(
            mode, solver, regime, runtime, address, backend, labour, gap, time_limit
        )
        from soviets.cli.multiyear import run

        demand = [c.strip() for c in final_demand.split(",") if c.strip()] if final_demand else None
        run(
            path,
            years,
            {"final_demand": demand, "include_imports": include_imports},
            (objective or Goal.min_hours).value,
            1 if last_years is None else last_years,
            1.0 if floor is None else floor,
            plot,
            json,
            fast=solver is Solver.fast,
            gap=1e-6 if gap is None else gap,
            time_limit=60.0 if time_limit is None else time_limit,
        )
        return
    _refuse_period_options(objective, last_years, floor, plot)
    _refuse_mixed_options(mode, solver, regime, runtime, address, backend, gap, time_limit)
    show_progress = sys.stderr.isatty() and not json if progress is None else progress
    start = time.perf_counter()
    eco = _load(path, labour, final_demand, include_imports)
    loaded = time.perf_counter()
    if regime is Regime.federated:
        from soviets.federation import plan_federated

        result = plan_federated(eco, runtime=runtime.value, address=address, mode=mode.value)
    else:
        from soviets.planning import plan as make_plan

        result = make_plan(
            eco,
            mode=mode.value,
            solver=solver.value,
            gap=gap,
            time_limit=time_limit,
            progress=show_progress,
            backend=backend.value,
        )
    seconds = {"load": loaded - start, "solve": time.perf_counter() - loaded}
    try:
        _report(result, json, seconds)
    finally:
        if show_progress:  # the time to write the plan is known only once it is written
            written = time.perf_counter() - start - sum(seconds.values())
            typer.echo(f"{_times(seconds)}, write {written:.2f} s", err=True)


def _times(seconds: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items())


def _refuse_one_period_options(
    mode: Mode,
    solver: Solver,
    regime: Regime,
    runtime: Runtime,
    address: str | None,
    backend: Backend,
    labour: str | None,
    gap: float | None,
    time_limit: float | None,
) -> None:
    """Refuse, for plans over several periods, the options of one-period plans."""
    from soviets.errors import SovietsError

    one_period = {
        "--mode": mode is not Mode.min_labour,
        "--solver constrained": solver is Solver.constrained,
        "--regime": regime is not Regime.central,
        "--runtime": runtime is not Runtime.inprocess,
        "--address": address is not None,
        "--backend": backend is not Backend.numpy,
        "--labour": labour is not None,  # the tables report hours; other columns are not
    }
    used = [k for k, v in one_period.items() if v]
    if used:
        raise SovietsError(f"{', '.join(used)}: not for plans over several periods")
    tuned = [n for n, v in (("--gap", gap), ("--time-limit", time_limit)) if v is not None]
    if tuned and solver is not Solver.fast:
        raise SovietsError(
            f"{' and '.join(tuned)}: for plans over several periods only with --solver fast"
        )


def _refuse_period_options(
    objective: Goal | None, last_years: int | None, floor: float | None, plot: Path | None
) -> None:
    """Refuse, for a one-period plan, the options of plans over several periods."""
    from soviets.errors import SovietsError

    multi = {"--objective": objective, "--last-years": last_years, "--floor": floor, "--plot": plot}
    used = [k for k, v in multi.items() if v is not None]
    if used:
        raise SovietsError(f"{', '.join(used)}: only for plans over several periods (--years)")


def _refuse_mixed_options(
    mode: Mode,
    solver: Solver,
    regime: Regime,
    runtime: Runtime,
    address: str | None,
    backend: Backend,
    gap: float | None,
    time_limit: float | None,
) -> None:
    """Refuse one-period options that do not go together (regime, runtime, solver tuning)."""
    from soviets.errors import SovietsError

    if regime is Regime.central and (runtime is not Runtime.inprocess or address):
        raise SovietsError("--runtime and --address apply to --regime federated only")
    tuned = [n for n, v in (("--gap", gap), ("--time-limit", time_limit)) if v is not None]
    if backend is not Backend.numpy:
        tuned.append("--backend")
    if tuned and (regime is Regime.federated or solver in (Solver.fast, Solver.highs)):
        verb = "applies" if len(tuned) == 1 else "apply"
        raise SovietsError(f"{' and '.join(tuned)} {verb} to --solver constrained or auto only")


def _report(result: Plan, json: bool, seconds: dict[str, float]) -> None:
    """Print the plan (tables or JSON) with the wall ``seconds`` of reading the economy and
    of planning; exit 1 when no plan meets the needs."""
    from soviets.planning.jsonable import json_safe

    if json:
        print_json(json_safe(result.to_dict()) | {"seconds": seconds})
    else:
        _print_plan(result)
        console.print(f"time: {_times(seconds)}", style="dim")
    if result.status == "infeasible":
        raise typer.Exit(code=1)


def _print_plan(p: Plan) -> None:
    from soviets.planning.labels import certificate_text, share_text

    eco = p.economy
    head = f"[bold]Plan of {eco.name or 'the economy'}[/bold] ({p.mode}, solver {p.solver})"
    console.print(head)
    if p.status == "infeasible":
        _print_infeasible(p)
        return
    summary = Table(show_header=False, box=None, pad_edge=False)
    summary.add_column(style="bold")
    summary.add_column()
    summary.add_row("status", f"[green]{p.status}[/green]")
    unit = eco.labour_unit
    summary.add_row("total work", f"{p.objective_hours:,.0f} {unit}")
    members = eco.total_members()
    per_week = p.hours_per_member_week()
    if per_week is not None:
        summary.add_row("per member", f"{per_week:,.2f} {unit} a week ({members:,} members)")
    shares = [f"all {share_text(p.share_of_needs_met())}"]
    if eco.need_essential.any() and not eco.need_essential.all():
        shares += [
            f"essential {share_text(p.share_of_needs_met(True))}",
            f"normal {share_text(p.share_of_needs_met(False))}",
        ]
    elif eco.need_essential.all():
        shares.append("no normal needs")
    summary.add_row("needs met", ", ".join(shares))
    if p.fulfilment is not None:
        bound = p.extra.get("protocol", {}).get("share_bound")
        if bound is not None and bound > p.fulfilment:  # the federation's certificate
            met = (
                f"every normal need met at least {share_text(p.fulfilment, 3)}; no plan "
                f"within the hours voted meets more than {share_text(bound, 3)}"
            )
        else:
            met = f"every normal need met at least {share_text(p.fulfilment)}"
        summary.add_row("fulfilment", met)
    c = p.certificate
    summary.add_row("certificate", certificate_text(c.primal, c.dual, c.gap, unit))
    console.print(summary)
    console.print(_top_goods(p))
    if p.binding:
        console.print(_binding_table(p.binding))
    _print_notes(p)


def _top_goods(p: Plan) -> Table:
    """Goods whose needs embody the most hours (labour value x quantity needed)."""
    import numpy as np

    eco = p.economy
    needed = eco.demand
    embodied = np.where(needed > 0, p.labour_values * needed, 0.0)
    total = float(embodied.sum())
    order = np.argsort(-embodied, kind="stable")[:TOP_GOODS]
    shown = [i for i in order if embodied[i] > 0]
    units = {eco.good_units[i] for i in shown}
    common = units.pop() if len(units) == 1 else None
    table = Table(
        title=f"Top {len(shown)} goods by labour embodied in the needs",
        caption=f"labour in {eco.labour_unit}",
    )
    table.add_column("good")
    table.add_column(f"needed ({common})" if common else "needed", justify="right")
    table.add_column("labour per unit", justify="right")
    table.add_column("labour embodied", justify="right")
    table.add_column("share", justify="right")
    for i in shown:
        unit = "" if common is not None or not eco.good_units[i] else f" {eco.good_units[i]}"
        table.add_row(
            eco.good_names[i],
            f"{_qty(needed[i])}{unit}",
            f"{p.labour_values[i]:,.6g}",
            f"{embodied[i]:,.0f}",
            f"{embodied[i] / total:.1%}" if total > 0 else "",
        )
    return table


def _binding_table(binding: list[dict[str, Any]]) -> Table:
    """The first :data:`TOP_BINDING` binding constraints, in the solver's order (dearest first)."""
    shown = binding[:TOP_BINDING]
    title = (
        "What binds"
        if len(shown) == len(binding)
        else f"What binds: {len(shown)} of {len(binding):,}"
    )
    caption = None if len(shown) == len(binding) else "the dearest first; --json lists them all"
    table = Table(title=title, caption=caption)
    table.add_column("kind")
    table.add_column("what")
    table.add_column("bound", justify="right")
    table.add_column("shadow price", justify="right")
    table.add_column("limits")
    for b in shown:
        what = b.get("process") or b.get("good") or b.get("council") or ""
        if b["kind"] == "capacity":
            what = f"{b['process']} ({b['council']})"
        bound = b.get("capacity", b.get("limit", b.get("hours_available", b.get("stock"))))
        price = b.get("shadow_price")
        table.add_row(
            b["kind"],
            what,
            "" if bound is None else _qty(bound),
            "" if price is None else f"{price:.4g}",
            b.get("objective", ""),
        )
    return table


def _print_infeasible(p: Plan) -> None:
    """Why no plan: the needs that cannot be met and what binds (a solver's answer), or
    where the federated protocol stopped unsettled, its own reason (the limits its
    councils' last state overdraws)."""
    console.print("[bold red]no plan meets the needs[/bold red]")
    if p.unmet:
        table = Table(title="Needs that cannot be met")
        table.add_column("council")
        table.add_column("good")
        table.add_column("priority")
        table.add_column("asked", justify="right")
        table.add_column("can deliver", justify="right")
        for u in p.unmet:
            table.add_row(
                u["council"], u["good"], u["priority"], _qty(u["asked"]), _qty(u["can_deliver"])
            )
        console.print(table)
    failure = p.extra.get("protocol", {}).get("failure")
    if failure:
        console.print(f"the federated protocol: {failure}")
    elif p.binding:
        console.print(_binding_table(p.binding))
    else:
        console.print("nothing binds: the goods cannot be made from what there is")
    _print_notes(p)


def _print_notes(p: Plan) -> None:
    print_notes([*p.economy.notes, *([p.extra["handover"]] if "handover" in p.extra else [])])


@app.command("values")
def values_command(
    path: PathArg,
    labour: LabourOpt = None,
    final_demand: FinalDemandOpt = None,
    include_imports: ImportsOpt = False,
    json: JsonOpt = False,
) -> None:
    """Labour values (hours embodied per unit), multipliers and the cheapest process per good."""
    from soviets.planning import compute_values

    eco = _load(path, labour, final_demand, include_imports)
    result = compute_values(eco)
    data = {"unit": eco.labour_unit, **result.to_dict()}
    if json:
        print_json(data)
        return
    alternatives = eco.n_processes > int((~eco.good_primary).sum())
    names = _industry_names(path)
    table = Table(
        title=f"Labour values of {eco.name or 'the economy'} ({eco.labour_unit} per unit)"
    )
    table.add_column("good")
    if names:
        table.add_column("name")
    if alternatives:
        table.add_column("cheapest process")
    table.add_column("direct", justify="right")
    table.add_column("value", justify="right")
    table.add_column("multiplier", justify="right")
    table.add_column("output multiplier", justify="right")
    for g, v in data["labour_values"].items():
        row = [g, names[g]] if names else [g]
        if alternatives:
            row.append(data["technology"][g] or "-")
        row += [
            _fmt(data["direct_labour"][g]),
            _fmt(v),
            _fmt(data["labour_multipliers"][g]),
            _fmt(data["output_multipliers"][g]),
        ]
        table.add_row(*row)
    console.print(table)
    console.print(
        "direct: labour per unit of activity of the process; value: direct and indirect "
        "labour per unit of the good; multiplier: value / direct; output multiplier: "
        "activity of all processes per unit of the good (column sums of the Leontief inverse)",
        style="dim",
    )
    print_notes(eco.notes)


def _industry_names(path: Path) -> dict[str, str]:
    """The names of an input-output table's industries by code (empty for economy files)."""
    from soviets.formats import detect, read_io_tables

    if detect(path) not in ("io", "multiregion", "bea", "ons"):
        return {}
    table = read_io_tables(path)
    if table.descriptions == table.codes:
        return {}
    return dict(zip(table.codes, table.descriptions, strict=True))


def _fmt(x: float | None) -> str:
    return "-" if x is None else _qty(x)


def _qty(x: float) -> str:
    """A number for a table: whole numbers with separators from 10,000 on."""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.6g}"
