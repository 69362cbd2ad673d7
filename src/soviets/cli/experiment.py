"""``soviets experiment``: experiments over random draws, each written to a report folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from soviets.cli.app import app, console
from soviets.cli.worlds import (
    CHOICE_HELP,
    KEEP_HELP,
    TRANSPORT,
    TRANSPORT_HELP,
    TRANSPORT_SECTOR,
    TRANSPORT_SECTOR_HELP,
    load_for_regimes,
    with_choice,
)
from soviets.errors import InputError

if TYPE_CHECKING:
    from soviets.economy import Economy

experiment_app = typer.Typer(
    help="Experiments over random draws (robustness, information), each written to a report.",
    no_args_is_help=True,
)
app.add_typer(experiment_app, name="experiment")

REGIME_HELP = "Regimes, comma-separated: autarky,federation,central."


def _numbers(text: str, option: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{option}: expected comma-separated numbers, got '{text}'") from None


def _regimes(text: str) -> tuple[str, ...]:
    return tuple(r.strip() for r in text.split(",") if r.strip())


def _fewer(text: str | None) -> dict[str, int]:
    """``federation=10,autarky=50`` -> fewer draws for those regimes."""
    out: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, eq, n = part.partition("=")
        if not eq or not n.strip().isdigit():
            raise InputError(f"--draws-for: expected REGIME=N,..., got '{part}'")
        if name.strip() not in ("autarky", "federation", "central"):
            raise InputError(f"--draws-for: unknown regime '{name.strip()}'")
        out[name.strip()] = int(n)
    return out


def _economy(
    path: Path, choice: bool, transport: float, transport_sector: str, keep: int | None
) -> Economy:
    """The economy of PATH as ``soviets compare`` plans it, with choice of technique
    where asked (its name then says so, in the report's titles)."""
    eco, _ = load_for_regimes(path)
    if not choice:
        return eco
    world = with_choice(eco, transport, transport_sector, keep)
    world.name = f"{eco.name} (choice of technique)"
    return world


def _progress(total_label: str):  # type: ignore[no-untyped-def]
    def show(done: int, total: int) -> None:
        console.print(f"{total_label}: {done}/{total} draws", end="\r", highlight=False)

    return show


@experiment_app.command("robustness")
def robustness(
    path: Path = typer.Argument(..., help="Economy file or folder, or input-output folder."),
    out: Path = typer.Option(..., "--out", help="Report folder (report.md, CSV tables, plots)."),
    k: str = typer.Option("1,5,20", "--k", help="Numbers of failed councils, comma-separated."),
    draws: int = typer.Option(100, "--draws", help="Random draws per k."),
    draws_for: str | None = typer.Option(
        None, "--draws-for", help="Fewer draws for some regimes, e.g. federation=10."
    ),
    regimes: str = typer.Option("autarky,federation,central", "--regimes", help=REGIME_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the random draws."),
    workers: int = typer.Option(2, "--workers", help="Parallel processes."),
    choice: bool = typer.Option(False, "--choice-of-technique", help=CHOICE_HELP),
    transport: float = typer.Option(TRANSPORT, help=TRANSPORT_HELP),
    transport_sector: str = typer.Option(TRANSPORT_SECTOR, help=TRANSPORT_SECTOR_HELP),
    keep: int | None = typer.Option(None, help=KEEP_HELP),
) -> None:
    """Random failures of k workplace councils: needs met and extra labour per regime."""
    from soviets.experiments import robustness as rob
    from soviets.experiments.draws_report import write_robustness

    numbers = _numbers(k, "--k")
    if any(v != int(v) for v in numbers):
        raise InputError(f"--k: expected whole numbers of councils, got '{k}'")
    ks = [int(v) for v in numbers]
    eco = _economy(path, choice, transport, transport_sector, keep)
    result = rob.run(
        eco,
        ks,
        draws,
        seed=seed,
        regimes=_regimes(regimes),
        draws_by_regime=_fewer(draws_for),
        workers=workers,
        progress=_progress("robustness"),
    )
    command = "soviets " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    write_robustness(result, out, command)
    console.print(f"\nreport written to {out / 'report.md'}")


@experiment_app.command("information")
def information(
    path: Path = typer.Argument(..., help="Economy file or folder, or input-output folder."),
    out: Path = typer.Option(..., "--out", help="Report folder (report.md, CSV tables, plots)."),
    misreport: str = typer.Option(
        "5,10,25",
        "--misreport",
        help="Levels x in percent, comma-separated: hours per unit reported ± x% "
        "(with --holdback: up to x% of capacity held back).",
    ),
    draws: int = typer.Option(100, "--draws", help="Random draws per misreport level."),
    draws_for: str | None = typer.Option(
        None, "--draws-for", help="Fewer draws for some regimes, e.g. federation=10."
    ),
    regimes: str = typer.Option("autarky,federation,central", "--regimes", help=REGIME_HELP),
    seed: int = typer.Option(0, "--seed", help="Seed of the random draws."),
    workers: int = typer.Option(2, "--workers", help="Parallel processes."),
    holdback: bool = typer.Option(
        False,
        "--holdback",
        help="Councils hold back up to x% of their capacities instead of misreporting hours.",
    ),
    choice: bool = typer.Option(False, "--choice-of-technique", help=CHOICE_HELP),
    transport: float = typer.Option(TRANSPORT, help=TRANSPORT_HELP),
    transport_sector: str = typer.Option(TRANSPORT_SECTOR, help=TRANSPORT_SECTOR_HELP),
    keep: int | None = typer.Option(None, help=KEEP_HELP),
) -> None:
    """Councils misreport their hours per unit by ±x% (or hold back capacity): what each
    regime loses on the true data."""
    from soviets.experiments import information as info
    from soviets.experiments.draws_report import write_information

    xs = [v / 100.0 for v in _numbers(misreport, "--misreport")]
    eco = _economy(path, choice, transport, transport_sector, keep)
    result = info.run(
        eco,
        xs,
        draws,
        seed=seed,
        regimes=_regimes(regimes),
        draws_by_regime=_fewer(draws_for),
        workers=workers,
        progress=_progress("information"),
        mode="capacity" if holdback else "cost",
    )
    command = "soviets " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    write_information(result, out, command)
    console.print(f"\nreport written to {out / 'report.md'}")
