"""Markdown report and PNG plots of a regimes comparison (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from soviets.economy import Economy  # noqa: E402
from soviets.federation.directory import region_of  # noqa: E402
from soviets.planning.labels import share_text  # noqa: E402

COLOURS = {"autarky": "#8c6d31", "federation": "#3182bd", "central": "#d6616b"}


def unit_of(result: dict[str, Any]) -> str:
    """The unit of the labour totals of a comparison (hours unless the data say otherwise)."""
    return str(result.get("unit", "hours"))


def normal_cell(result: dict[str, Any], share: float, digits: int = 2) -> str:
    """The share of normal needs met, or "-" where there are no normal needs."""
    if result.get("normal_needs", 1) == 0:
        return "-"
    return share_text(share, digits)


def region_flows(eco: Economy, plan: Any) -> tuple[list[str], np.ndarray]:
    """Agreements between regions, valued in labour (quantity x labour value)."""
    where = dict(zip((c.name for c in eco.councils), region_of(eco), strict=True))
    value = dict(zip(eco.good_names, plan.labour_values, strict=True))
    names = sorted({where.get(a, "stewards") for a in where.values()})
    names = [n for n in names if eco.councils[eco.council_index[n]].kind == "territorial"]
    index = {n: i for i, n in enumerate(names)}
    flows = np.zeros((len(names), len(names)))
    for a in plan.extra.get("agreements", []):
        src = where.get(a["supplier"])
        dst = where.get(a["receiver"])
        v = value.get(a["good"], 0.0)
        if src in index and dst in index and np.isfinite(v):
            flows[index[src], index[dst]] += a["quantity"] * v
    return names, flows


def saved_text(saved: float | None) -> str:
    """Labour saved against the baseline, one decimal ("-" when there is no baseline)."""
    if saved is None:
        return "-"
    text = f"{saved:,.1f}"
    return "0.0" if text == "-0.0" else text


def plot_regimes(result: dict[str, Any], path: Path) -> None:
    rows = result["regimes"]
    names = [r["regime"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar(names, [r["hours"] for r in rows], color=[COLOURS[n] for n in names])
    ax1.set_title(f"Total labour ({unit_of(result)})")
    ax1.ticklabel_format(axis="y", style="sci", scilimits=(0, 4))
    x = np.arange(len(names))
    ax2.bar(x - 0.2, [100 * r["essential_met"] for r in rows], 0.4, label="essential")
    if result.get("normal_needs", 1):
        ax2.bar(x + 0.2, [100 * r["normal_met"] for r in rows], 0.4, label="normal")
    else:
        ax2.text(0.5, 0.5, "no normal needs", transform=ax2.transAxes, ha="center")
    if any("essential_met_value" in r for r in rows):
        ax2.scatter(
            x - 0.2,
            [100 * r.get("essential_met_value", r["essential_met"]) for r in rows],
            marker="D",
            color="#31a354",
            zorder=3,
            label=f"essential, by value ({result.get('value_unit', 'units')})",
        )
    if "failure" in result:
        fail = result["failure"]["regimes"]
        ax2.scatter(
            x - 0.2,
            [100 * r["essential_met"] for r in fail],
            marker="v",
            color="k",
            zorder=3,
            label=f"after {result['failure']['council']} fails",
        )
    ax2.set_xticks(x, names)
    ax2.set_ylim(0, 105)
    ax2.set_title("Needs met (bars: average share per need, %)")
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_convergence(plan: Any, central_hours: float, path: Path, unit: str = "hours") -> None:
    proto = plan.extra["protocol"]
    hist = np.asarray(proto["history"], dtype=float)
    bounds = np.array([np.nan if b is None else b for b in proto["bounds"]], dtype=float)
    rounds = np.arange(1, len(hist) + 1)
    scale = max(1.0, abs(central_hours))
    fig, ax = plt.subplots(figsize=(7, 4))
    with np.errstate(invalid="ignore", divide="ignore"):
        ax.semilogy(
            rounds, np.abs(hist - central_hours) / scale, label="|labour - central| / central"
        )
        ax.semilogy(
            rounds,
            np.maximum(central_hours - bounds, 1e-16) / scale,
            label="(central - dual bound) / central",
            linestyle="--",
        )
    mix = proto.get("mix", [])
    if mix:
        r_mix = [m[0] for m in mix]
        v_mix = [max(abs(m[1] - central_hours) / scale, 1e-16) for m in mix]
        ax.semilogy(
            r_mix, v_mix, "o-", color="k", markersize=3, label="agreed mix of proposals so far"
        )
    for r in proto.get("epoch_rounds", [])[:-1]:
        ax.axvline(r, color="grey", linewidth=0.5)
    ax.set_ylim(1e-16, None)
    ax.axhline(1e-3, color="k", linewidth=0.8, linestyle=":", label="0.1%")
    ax.set_xlabel("round")
    ax.set_title(f"Federation: labour ({unit}) against the central optimum")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_network(names: list[str], flows: np.ndarray, path: Path, unit: str = "hours") -> None:
    fig, ax = plt.subplots(figsize=(7, 6) if len(names) > 5 else (5, 4))
    data = np.where(flows > 0, flows, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        im = ax.imshow(np.log10(data), cmap="viridis")
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6 if len(names) > 10 else 9)
    ax.set_yticks(range(len(names)), names, fontsize=6 if len(names) > 10 else 9)
    ax.set_xlabel("receiving region")
    ax.set_ylabel("supplying region")
    ax.set_title(f"Agreements between regions (log10 {unit} embodied)")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_figures(eco: Economy, result: dict[str, Any], out: Path, stem: str) -> dict[str, str]:
    """Write the three plots; returns their file names."""
    out.mkdir(parents=True, exist_ok=True)
    fed = result["_plans"]["federation"]
    central = result["_plans"]["central"]
    files = {
        "regimes": f"{stem}-regimes.png",
        "convergence": f"{stem}-convergence.png",
        "network": f"{stem}-network.png",
    }
    plot_regimes(result, out / files["regimes"])
    plot_convergence(fed, central.objective_hours, out / files["convergence"], eco.labour_unit)
    names, flows = region_flows(eco, fed)
    plot_network(names, flows, out / files["network"], eco.labour_unit)
    return files


def markdown(result: dict[str, Any], figures: dict[str, str] | None, fig_dir: str) -> str:
    """The comparison as a Markdown section."""
    lines = [f"### {result['economy']}", ""]
    unit = unit_of(result)
    who = "person" if result.get("persons") else "member"
    lines.append(
        f"| regime | total labour ({unit}) | {unit}/{who}/week | saved ({unit}) | essential met "
        "| essential met by value | normal met | normal met by value | rounds | messages | bytes |"
    )
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in result["regimes"]:
        per = r["hours_per_member_week"]
        saved = r.get("hours_saved")
        counts = [f"{r[k]:,}" if r[k] is not None else "-" for k in ("rounds", "messages", "bytes")]
        lines.append(
            f"| {r['regime']} | {r['hours']:,.1f} | {'-' if per is None else f'{per:.2f}'} "
            f"| {saved_text(saved)} "
            f"| {share_text(r['essential_met'], 2)} "
            f"| {share_text(r.get('essential_met_value', r['essential_met']), 2)} "
            f"| {normal_cell(result, r['normal_met'])} "
            f"| {normal_cell(result, r.get('normal_met_value', r['normal_met']))} | "
            + " | ".join(counts)
            + " |"
        )
    lines.append("")
    notes = [f"By value: delivered over asked, summed in {result.get('value_unit', 'units')}."]
    if result.get("baseline_hours") is not None:
        notes.append(
            f"Saved: against {result['baseline_hours']:,.1f} {unit}, the central plan with "
            "each region's own techniques."
        )
    if result.get("persons"):
        notes.append(f"Per person: {result['persons']:,.0f} persons from the table.")
    lines.append(" ".join(notes))
    lines.append("")
    lines.append(
        f"Federation against central: {100 * result['federation_gap_to_central']:+.2e}% "
        "of the central plan's labour."
    )
    if "failure" in result:
        f = result["failure"]
        lines += [
            "",
            f"When the largest supplier council **{f['council']}** fails (the "
            f"federation loses it at round {f['federation_fails_at_round']}):",
            "",
            f"| regime | labour ({unit}) | essential met | essential met by value | normal met "
            "| needs not fully met |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in f["regimes"]:
            by_value = r.get("essential_met_value", r["essential_met"])
            lines.append(
                f"| {r['regime']} | {r['hours']:,.1f} | {share_text(r['essential_met'], 2)} "
                f"| {share_text(by_value, 2)} "
                f"| {normal_cell(result, r['normal_met'])} | {r['unmet_needs']} |"
            )
    if figures:
        lines += [""] + [f"![{k}]({fig_dir}/{v})" for k, v in figures.items()]
    lines.append("")
    return "\n".join(lines)
