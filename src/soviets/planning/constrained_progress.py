"""A Rich progress display for long plans: sweeps, certified gap, elapsed time."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.progress import Progress, TextColumn, TimeElapsedColumn


class RichProgress:
    """Show the solver's last check on one line (on standard error)."""

    def __init__(self, console: Console | None = None, unit: str = "hours") -> None:
        self._unit = "h" if unit == "hours" else unit
        self._bar = Progress(
            TextColumn("[bold]planning[/bold]"),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._task = self._bar.add_task("plan", total=None, detail="warm start")
        self._bar.start()

    def update(self, entry: dict[str, Any]) -> None:
        gap = entry["gap"]
        shown = "-" if not math.isfinite(gap) else f"{gap:.1e}"
        primal = entry["primal"]
        hours = (
            "no feasible plan yet" if not math.isfinite(primal) else f"{primal:,.0f} {self._unit}"
        )
        detail = (
            f"iteration {entry['iteration']:,}  sweeps {entry['sweeps']:,}  "
            f"plan {hours}  gap {shown}"
        )
        self._bar.update(self._task, detail=detail)

    def close(self) -> None:
        self._bar.stop()
