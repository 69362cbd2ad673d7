"""The hours-needs frontier of each regime, its table (CSV) and its plot (PNG).

* ``central``: :func:`soviets.planning.frontier.compute` (one labour-budget
  plan of the whole federation per offer of hours);
* ``autarky``: every region alone (:func:`soviets.experiments.regimes.region_economy`,
  the same rule as ``soviets compare``), each with its own labour-budget
  frontier at the same offers; hours summed, needs met mapped back to the
  federation's needs and counted with the federation's weights;
* ``federation``: the federated protocol in labour-budget mode, one run per
  offer, when :func:`soviets.federation.plan_federated` accepts
  ``mode="labour-budget"``; until then it is refused with a clear message
  (:func:`federated_labour_budget` is the hook).

Input-output tables have no members: :func:`with_table_persons` gives each
region's territorial council the persons of a column of the table
(``employees`` when present: they are the people whose hours the
``hours_employees`` row counts), so the x-axis reads hours per person
employed per week.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.experiments.regimes import _local_good, region_economy, regions
from soviets.planning import frontier as fr

FRONTIER_REGIMES = ("central", "autarky", "federation")
#: Persons columns of a table, tried in order; WIOD gives them in thousands.
PERSON_COLUMNS = ("employees", "persons_employed")


def with_table_persons(eco: Economy, table: Any, column: str | None = None) -> tuple[Economy, str]:
    """``eco`` (read from input-output ``table``) with each territorial council's members
    set to the persons of ``column`` in its region; returns the economy and a label of
    who the persons are."""
    names = [column] if column else [c for c in PERSON_COLUMNS if c in table.columns]
    if not names or names[0] not in table.columns:
        known = ", ".join(sorted(table.columns)) or "none"
        raise InputError(
            f"no persons column {column or ' or '.join(PERSON_COLUMNS)} in the table "
            f"(columns: {known})",
            field="persons",
        )
    col = names[0]
    persons = np.asarray(table.columns[col], dtype=float) * 1000.0  # thousands of persons
    where = table.regions or ["national"] * table.n
    by_region: dict[str, float] = {}
    for r, p in zip(where, persons, strict=True):
        by_region[r] = by_region.get(r, 0.0) + float(p)
    councils = [
        replace(c, members=int(round(by_region.get(c.name, 0.0)))) if c.kind == "territorial" else c
        for c in eco.councils
    ]
    label = "employee" if col == "employees" else "person employed"
    return replace(eco, councils=councils), f"{label} ({col} column of the table)"


def regime_frontier(
    eco: Economy,
    regime: str,
    *,
    points: int = 21,
    offers: list[float] | None = None,
    keep_other_hours: bool = False,
) -> fr.Frontier:
    """The federation-wide frontier of one regime (see the module docstring)."""
    if regime == "central":
        return fr.compute(eco, points=points, offers=offers, keep_other_hours=keep_other_hours)
    if offers is None:
        offers = [p.offered for p in fr.compute(eco, points=points).points]
    if regime == "autarky":
        return _autarky(eco, offers, keep_other_hours)
    if regime == "federation":
        return federated_labour_budget(eco, offers, keep_other_hours)
    raise InputError(f"unknown regime '{regime}' ({', '.join(FRONTIER_REGIMES)})", field="regime")


def _autarky(eco: Economy, offers: list[float], keep_other_hours: bool) -> fr.Frontier:
    values = fr.least_labour_values(eco)
    known = set(eco.good_names)
    names = set(regions(eco))
    subs = []
    solves = 1
    seconds = 0.0
    for region in regions(eco):
        if not (eco.councils[eco.council_index[region]].members or 0):
            raise InputError(f"region '{region}' has no members: no offer of hours per member")
        sub = _under_region(region_economy(eco, region), region)
        f = fr.compute(sub, offers=offers, keep_other_hours=keep_other_hours)
        solves += f.solves
        seconds += f.seconds
        subs.append((region, sub, f))
    points = []
    for k, h in enumerate(offers):
        met = np.zeros(eco.n_needs)
        hours = 0.0
        per: dict[str, float] = {}
        ok = True
        for region, sub, f in subs:
            pt = f.points[k]
            hours += pt.hours
            per[region] = pt.hours
            ok &= pt.essential_all_met
            got: dict[tuple[str, bool], float] = {}
            asked: dict[tuple[str, bool], float] = {}
            for g, e, q, m in zip(
                sub.need_good, sub.need_essential, sub.need_quantity, pt.met, strict=True
            ):
                key = (sub.good_names[g], bool(e))
                got[key] = got.get(key, 0.0) + float(m)
                asked[key] = asked.get(key, 0.0) + float(q)
            me = eco.council_index[region]
            for n in np.flatnonzero(eco.need_council == me):
                key = (
                    _local_good(eco.good_names[eco.need_good[n]], region, known, names),
                    bool(eco.need_essential[n]),
                )
                ratio = got.get(key, 0.0) / asked[key] if asked.get(key, 0.0) > 0 else 1.0
                met[n] = eco.need_quantity[n] * min(1.0, ratio)
        points.append(fr.summarise(eco, h, met, hours, per, ok, values))
    full = next((p.offered for p in points if _all_met(p)), None)
    return fr.Frontier(
        scope="federation",
        unit=eco.labour_unit,
        members=eco.total_members(),
        points=points,
        current=fr.current_offer(eco, fr.territorial(eco)),
        full=full,
        least_labour_week=None,
        solves=solves,
        seconds=seconds,
        notes=["autarky: every region plans alone (soviets compare's rule for shared limits)"],
    )


def _under_region(sub: Economy, region: str) -> Economy:
    """``sub`` with every council of the region under its territorial council, so that the
    region's offer of hours limits the work of all its workplaces."""
    councils = [
        c if c.name == region or c.parent is not None else replace(c, parent=region)
        for c in sub.councils
    ]
    return replace(sub, councils=councils)


def _all_met(p: fr.Point) -> bool:
    return p.total.essential_count >= 1.0 - 1e-9 and (p.total.normal_count or 1.0) >= 1.0 - 1e-9


def federated_labour_budget(
    eco: Economy, offers: list[float], keep_other_hours: bool
) -> fr.Frontier:
    """The federated protocol's frontier: one labour-budget run per offer.

    Each point is a bisection over federated plans (about sixteen where the
    budgets bind, docs/federation-protocol.md).
    """
    from soviets.federation import plan_federated

    values = fr.least_labour_values(eco)
    terr = fr.territorial(eco)
    points = []
    for h in offers:
        e = fr.with_offer(eco, {i: h for i in terr}, keep_other_hours)
        p = plan_federated(e, mode="labour-budget")
        per = {}
        sub = fr.central._hours_matrix(e, np.array(terr, dtype=np.int64)) @ p.activity
        for k, i in enumerate(terr):
            per[e.councils[i].name] = float(sub[k])
        points.append(
            fr.summarise(eco, h, p.need_met, p.objective_hours, per, p.status == "optimal", values)
        )
    return fr.Frontier(
        scope="federation",
        unit=eco.labour_unit,
        members=eco.total_members(),
        points=points,
        current=fr.current_offer(eco, terr),
        full=next((p.offered for p in points if _all_met(p)), None),
        least_labour_week=None,
        solves=len(points),
    )


# ------------------------------------------------------------------ output
def _pct(x: float | None) -> str:
    return "" if x is None else f"{100.0 * x:.6g}"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.6g}"


def write_csv(path: Path, frontiers: dict[str, fr.Frontier], unit: str, who: str) -> None:
    """One row per regime, scope and offer; units in the headers."""
    header = [
        "regime",
        "scope",
        f"hours offered per {who} per week (h)",
        f"planned work ({unit})",
        f"planned work per {who} per week (h)",
        "essential needs met by count (%)",
        "essential needs met by value (%)",
        "normal needs met by count (%)",
        "normal needs met by value (%)",
        "all essential needs met",
        "current choice",
    ]
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for key, f in frontiers.items():
            regime = key.partition(":")[0]
            for p in f.points:
                scopes = [("federation", p.total)] if f.scope == "federation" else []
                scopes += [(c, s) for c, s in p.councils.items() if f.scope in ("federation", c)]
                for scope, s in scopes:
                    w.writerow(
                        [
                            regime,
                            scope,
                            _num(p.offered),
                            _num(p.hours) if scope == "federation" else "",
                            _num(s.worked),
                            _pct(s.essential_count),
                            _pct(s.essential_value),
                            _pct(s.normal_count),
                            _pct(s.normal_value),
                            "yes" if p.essential_all_met else "no",
                            "yes"
                            if f.current is not None and abs(p.offered - f.current) < 1e-12
                            else "",
                        ]
                    )


def plot(path: Path, frontiers: dict[str, fr.Frontier], who: str, title: str) -> None:
    """Needs met (%) against hours offered per member per week; the current choice marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    styles = {"central": "-", "autarky": "--", "federation": ":"}
    any_normal = any(p.total.normal_count is not None for f in frontiers.values() for p in f.points)
    current = None
    for key, f in frontiers.items():
        regime, _, scope = key.partition(":")
        x = [p.offered for p in f.points]
        pick = [(p.total if scope in ("", "federation") else p.councils[scope]) for p in f.points]
        tag = regime if scope in ("", "federation") else f"{regime}, {scope}"
        ls = styles.get(regime, "-")
        series = [
            (
                "essential",
                "tab:red",
                [s.essential_count for s in pick],
                [s.essential_value for s in pick],
            )
        ]
        if any_normal:
            series.append(
                (
                    "normal",
                    "tab:blue",
                    [s.normal_count or 0.0 for s in pick],
                    [s.normal_value or 0.0 for s in pick],
                )
            )
        for kind, color, by_count, by_value in series:
            ax.plot(
                x,
                [100 * v for v in by_count],
                ls,
                color=color,
                lw=1.8,
                label=f"{kind} needs met, by count ({tag})",
            )
            ax.plot(
                x,
                [100 * v for v in by_value],
                ls,
                color=color,
                lw=0.9,
                alpha=0.55,
                label=f"{kind} needs met, by value ({tag})",
            )
        if f.current is not None:
            current = f.current
    if current is not None:
        ax.axvline(current, color="black", lw=1)
        ax.annotate(
            f"current choice {current:.3g} h",
            (current, 50),
            rotation=90,
            ha="right",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel(f"hours offered per {who} per week (h)")
    ax.set_ylabel("needs met (%): by count (thick), by value in hours (thin)")
    ax.set_ylim(-2, 102)
    ax.set_xlim(left=0)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
