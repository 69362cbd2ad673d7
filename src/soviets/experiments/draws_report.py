"""Reports of experiments over random draws (robustness, information): CSV
tables with units in their headers, a Markdown report and PNG box plots."""

from __future__ import annotations

import csv
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from soviets.experiments.report import COLOURS  # noqa: E402

#: Measures stored as fractions, shown as percentages.
SHARES = {"essential_met", "normal_met", "value_met", "extra_pct", "lost_pct"}

LABELS = {
    "essential_met": "essential needs met",
    "normal_met": "normal needs met",
    "value_met": "needs met by value",
    "labour": "labour",
    "extra_labour": "extra labour vs no failure",
    "extra_pct": "extra labour vs no failure, relative",
    "true_labour": "labour on the true data",
    "lost_labour": "labour lost vs planning on the truth",
    "lost_pct": "labour lost vs planning on the truth, relative",
}


def header(measure: str, unit: str) -> str:
    """A column header with its unit: ``essential needs met (%)``, ``labour (hours)``."""
    return f"{LABELS.get(measure, measure)} ({'%' if measure in SHARES else unit})"


def scaled(measure: str, value: float | None) -> float | None:
    """The value as shown: percentages for shares."""
    if value is None:
        return None
    return 100.0 * value if measure in SHARES else value


def _cell(measure: str, value: Any) -> str:
    v = scaled(measure, value)
    if v is None:
        return "-"
    return f"{v:.2f}" if measure in SHARES else f"{v:,.1f}"


def write_rows_csv(
    path: Path, rows: list[dict[str, Any]], keys: Sequence[str], measures: Sequence[str], unit: str
) -> None:
    """One row per draw and regime; shares in percent, labour in ``unit``."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [*keys, "regime", *(header(m, unit) for m in measures), "settled", "error", "note"]
        )
        for r in rows:
            vals = [scaled(m, r.get(m)) for m in measures]
            w.writerow(
                [
                    *(" ".join(r[k]) if isinstance(r[k], tuple) else r[k] for k in keys),
                    r["regime"],
                    *("" if v is None else repr(float(v)) for v in vals),
                    r.get("settled", True) if "error" not in r else "",
                    r.get("error", ""),
                    r.get("note", ""),
                ]
            )


def write_summary_csv(path: Path, summary: list[dict[str, Any]], group: str, unit: str) -> None:
    """Mean, std and percentiles of each measure per group value and regime."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [group, "regime", "measure", "unit", "draws", "not settled", "errors"]
            + ["mean", "std", "p5", "p50", "p95"]
        )
        for s in summary:
            m = s["measure"]
            w.writerow(
                [s[group], s["regime"], LABELS.get(m, m), "%" if m in SHARES else unit]
                + [s["n"], s["unsettled"], s["errors"]]
                + [
                    "" if s[k] is None else repr(float(scaled(m, s[k]) or 0.0))
                    for k in ("mean", "std", "p5", "p50", "p95")
                ]
            )


def summary_table(
    summary: list[dict[str, Any]], group: str, group_label: str, measures: Sequence[str], unit: str
) -> list[str]:
    """Markdown: one row per (group, regime), ``mean ± std [p5, p95]`` per measure."""
    by = {(s[group], s["regime"], s["measure"]): s for s in summary}
    order = {r: i for i, r in enumerate(COLOURS)}
    keys = sorted({(s[group], s["regime"]) for s in summary}, key=lambda t: (t[0], order[t[1]]))
    lines = [
        f"| {group_label} | regime | draws | "
        + " | ".join(header(m, unit) + " mean ± std [p5, p50, p95]" for m in measures)
        + " |",
        "| ---: | --- | ---: | " + " | ".join("---:" for _ in measures) + " |",
    ]
    for g, regime in keys:
        cells = []
        n = "-"
        for m in measures:
            s = by.get((g, regime, m))
            if s is None:
                cells.append("-")
                continue
            n = f"{s['n']}" + (f" (+{s['unsettled']} not settled)" if s["unsettled"] else "")
            if s["errors"]:
                n += f" ({s['errors']} errors)"
            if s["mean"] is None:
                cells.append("-")
                continue
            cells.append(
                f"{_cell(m, s['mean'])} ± {_cell(m, s['std'])} "
                f"[{_cell(m, s['p5'])}, {_cell(m, s['p50'])}, {_cell(m, s['p95'])}]"
            )
        lines.append(f"| {g:g} | {regime} | {n} | " + " | ".join(cells) + " |")
    return lines


def box_plot(
    rows: list[dict[str, Any]],
    group: str,
    group_label: str,
    measures: Sequence[str],
    unit: str,
    path: Path,
    title: str,
) -> None:
    """Box plots (whiskers at p5 and p95) of each measure, per group value and regime.

    Only regimes with data in a group get a box: no empty (phantom) boxes.
    """
    groups = sorted({r[group] for r in rows})
    regimes = [r for r in COLOURS if any(x["regime"] == r for x in rows)]
    fig, axes = plt.subplots(1, len(measures), figsize=(5 * len(measures), 4), squeeze=False)
    width = 0.8 / max(1, len(regimes))
    for ax, m in zip(axes[0], measures, strict=True):
        for j, regime in enumerate(regimes):
            data, pos = [], []
            for i, g in enumerate(groups):
                vals = [
                    scaled(m, r.get(m))
                    for r in rows
                    if r[group] == g and r["regime"] == regime and r.get("settled", True)
                ]
                vals = [v for v in vals if v is not None]
                if vals:
                    data.append(vals)
                    pos.append(i + (j - (len(regimes) - 1) / 2) * width)
            if not data:
                continue
            bp = ax.boxplot(
                data,
                positions=pos,
                widths=width * 0.9,
                whis=(5, 95),
                patch_artist=True,
                showfliers=False,
                manage_ticks=False,
            )
            for box in bp["boxes"]:
                box.set_facecolor(COLOURS[regime])
            ax.plot([], [], color=COLOURS[regime], linewidth=8, label=regime)
        ax.set_xticks(np.arange(len(groups)), [f"{g:g}" for g in groups])
        ax.set_xlabel(group_label)
        if m.endswith("_met"):
            ax.set_ylim(0, 105)  # shares of needs on their whole scale, not zoomed in
        ax.set_ylabel(header(m, unit))
        ax.grid(axis="y", linewidth=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(textwrap.fill(title, 10 * 5 * len(measures)))  # about 10 characters an inch
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@dataclass(frozen=True)
class _Plot:
    """One PNG of box plots: its file, measures, title and alt text in the report."""

    name: str
    measures: list[str]
    title: str
    alt: str


@dataclass(frozen=True)
class _Report:
    """What a report over random draws says, in the order it says it."""

    title: str
    intro: str
    keys: tuple[str, ...]  # the columns that name a draw in draws.csv
    group: str
    axis_label: str  # the group's label on the plots
    column_label: str  # the group's label in the summary table
    measures: list[str]
    base_title: str
    base: dict[str, dict[str, Any]]
    shown: Sequence[str]  # the measures of the table without draws
    summary_title: str
    note: str
    plots: list[_Plot]


def _measures(result: dict[str, Any], all_measures: Sequence[str]) -> list[str]:
    """The measures that any row has (all of them where none has any)."""
    return [m for m in all_measures if any(r.get(m) is not None for r in result["rows"])] or list(
        all_measures
    )


def _needs_plotted(measures: Sequence[str]) -> list[str]:
    return [m for m in ("essential_met", "value_met") if m in measures]


def _write_report(result: dict[str, Any], out: Path, command: str, report: _Report) -> list[str]:
    """Write ``report.md``, ``draws.csv``, ``summary.csv`` and the plots; return the file names."""
    out.mkdir(parents=True, exist_ok=True)
    unit = str(result["unit"])
    rows, measures = result["rows"], report.measures
    write_rows_csv(out / "draws.csv", rows, report.keys, measures, unit)
    write_summary_csv(out / "summary.csv", result["summary"], report.group, unit)
    for plot in report.plots:
        box_plot(
            rows, report.group, report.axis_label, plot.measures, unit, out / plot.name, plot.title
        )
    lines = [f"# {report.title}: {result['economy']}", "", report.intro, ""]
    if command:
        lines += ["```", command, "```", ""]
    lines += [
        report.base_title,
        "",
        "| regime | " + " | ".join(header(m, unit) for m in report.shown) + " |",
        "| --- | " + " | ".join("---:" for _ in report.shown) + " |",
    ]
    for r, b in report.base.items():
        lines.append(f"| {r} | " + " | ".join(_cell(m, b.get(m)) for m in report.shown) + " |")
    lines += _unavailable(result)
    lines += ["", report.summary_title, ""]
    lines += summary_table(result["summary"], report.group, report.column_label, measures, unit)
    lines += ["", report.note, ""]
    for plot in report.plots:
        lines += [f"![{plot.alt}]({plot.name})", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
    return ["report.md", "draws.csv", "summary.csv", *(plot.name for plot in report.plots)]


ROBUST_MEASURES = (
    "essential_met",
    "normal_met",
    "value_met",
    "labour",
    "extra_labour",
    "extra_pct",
)


def write_robustness(result: dict[str, Any], out: Path, command: str = "") -> list[str]:
    """Write ``report.md``, ``draws.csv``, ``summary.csv`` and two plots; return the file names."""
    economy, unit = result["economy"], result["unit"]
    measures = _measures(result, ROBUST_MEASURES)
    intro = (
        f"Random failures of k workplace councils (k = {', '.join(map(str, result['ks']))}); "
        "draws per k: "
        + ", ".join(f"{r} {n}" for r, n in result["draws"].items())
        + f"; seed {result['seed']}. Labour in {unit}."
    )
    if "federation" in result["draws"]:
        intro += (
            f" After a failure the federation gets {result['federation_max_rounds']} rounds "
            "to settle."
        )
    axis = "failed workplace councils (k)"
    report = _Report(
        title="Robustness",
        intro=intro,
        keys=("k", "draw", "failed"),
        group="k",
        axis_label=axis,
        column_label="k",
        measures=measures,
        base_title="Without failures:",
        base=result["baseline"],
        shown=ROBUST_MEASURES[:4],
        summary_title="After the failures (over the draws):",
        note="Needs met by count: the average share met over needs, whatever their size. "
        "Needs met by value: the share of the labour value of all needs delivered, at "
        "the labour values of the central plan without failures. Extra labour: a draw's "
        "labour less the same regime's labour without failures (negative when less is made). "
        "A federation that did not settle on a balanced plan within the capacities is "
        "counted under 'not settled' and left out of the distribution.",
        plots=[
            _Plot(
                "robustness-needs.png",
                _needs_plotted(measures),
                f"{economy}: needs met after k councils fail",
                "needs met",
            ),
            _Plot(
                "robustness-labour.png",
                ["extra_pct"],
                f"{economy}: extra labour after k councils fail",
                "extra labour",
            ),
        ],
    )
    return _write_report(result, out, command, report)


INFO_MEASURES = (
    "essential_met",
    "normal_met",
    "value_met",
    "true_labour",
    "lost_labour",
    "lost_pct",
)


def write_information(result: dict[str, Any], out: Path, command: str = "") -> list[str]:
    """Write ``report.md``, ``draws.csv``, ``summary.csv`` and two plots; return the file names."""
    economy, unit = result["economy"], result["unit"]
    measures = _measures(result, INFO_MEASURES)
    cost = result.get("mode", "cost") == "cost"
    what = (
        "reports its hours per unit times a random factor in [1 - x, 1 + x]"
        if cost
        else "holds back a random share in [0, x] of its capacities"
    )
    intro = (
        f"Each workplace council {what}, x = {', '.join(f'{x:g}%' for x in result['xs'])}; "
        "draws per x: "
        + ", ".join(f"{r} {n}" for r, n in result["draws"].items())
        + f"; seed {result['seed']}. Labour in {unit}, evaluated on the true data."
    )
    report = _Report(
        title="Information",
        intro=intro,
        keys=("x", "draw"),
        group="x",
        axis_label="misreport of hours per unit (± %)" if cost else "capacity held back (up to %)",
        column_label="misreport ± %" if cost else "held back ≤ %",
        measures=measures,
        base_title="Each regime planned on the true data:",
        base=result["truth"],
        shown=("essential_met", "normal_met", "value_met", "true_labour"),
        summary_title="Planned on the reports, evaluated on the truth (over the draws):",
        note="Labour lost: the plan's labour at the true hours per unit less the labour of the "
        "same regime's plan on the true data (for the central plan: the true optimum). "
        "A federation that did not settle is counted under 'not settled' and left out.",
        plots=[
            _Plot(
                "information-labour.png",
                ["lost_pct"],
                f"{economy}: labour lost by planning on reports",
                "labour lost",
            ),
            _Plot(
                "information-needs.png",
                _needs_plotted(measures),
                f"{economy}: needs met by plans made on reports",
                "needs met",
            ),
        ],
    )
    return _write_report(result, out, command, report)


def _unavailable(result: dict[str, Any]) -> list[str]:
    """Lines naming the regimes that could not plan the economy at all, with the reason."""
    lines = []
    for regime, error in result.get("unavailable", {}).items():
        lines += ["", f"**{regime}** is left out: it cannot plan this economy ({error})."]
    return lines
