"""Information: what each regime loses when councils misreport their costs.

In every draw each workplace council reports its hours per unit of activity
multiplied by its own random factor, drawn uniformly from ``[1 - x, 1 + x]``
(x = 5%, 10%, 25% ...; one factor per council, applied to every process it
runs). Each regime plans on the reported data:

* ``central``: one plan on every council's reports;
* ``federation``: each council's offers are built from its own reported
  hours (the protocol runs on the reported economy);
* ``autarky``: each region plans alone on its own councils' reports.

The plan is then evaluated on the TRUE data: its labour at the true hours
per unit, and the needs it meets (reports change costs, not what can be
made, so the needs a plan meets are what it delivers). Labour lost is the
true labour of the plan less the labour of the same regime planned on the
true data; for ``central`` that is the true optimum, so it is never
negative while every need is met.

With one technique per good (the fixed-technique world table) the plan
does not depend on costs and nothing is lost: misreporting matters only
where there is a choice (of technique, of supplier, of scarce capacity).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.experiments.regimes import REGIMES, Outcome, plan_central
from soviets.experiments.robustness import (
    baselines,
    central_values,
    check_request,
    round_budget,
    run_draws,
    run_regime,
    summarise,
    value_met,
    value_weights,
    workplace_councils,
)

MEASURES = ("essential_met", "normal_met", "value_met", "true_labour", "lost_labour", "lost_pct")


def misreported(eco: Economy, factors: dict[str, float]) -> Economy:
    """``eco`` with each named council's hours per unit multiplied by its factor."""
    per_council = np.ones(len(eco.councils))
    for name, f in factors.items():
        per_council[eco.council_index[name]] = f
    return dataclasses.replace(eco, labour=eco.labour * per_council[eco.process_council])


def held_back(eco: Economy, factors: dict[str, float]) -> Economy:
    """``eco`` with each named council's capacities multiplied by its factor (at most 1)."""
    per_council = np.ones(len(eco.councils))
    for name, f in factors.items():
        per_council[eco.council_index[name]] = f
    return dataclasses.replace(eco, capacity=eco.capacity * per_council[eco.process_council])


#: What councils misreport: their hours per unit (``cost``: factor in [1 - x, 1 + x])
#: or their capacity (``capacity``: they hold back a share in [0, x] of it).
MODES = {"cost": misreported, "capacity": held_back}


def draw_reports(
    councils: Sequence[str], xs: Sequence[float], draws: int, seed: int, mode: str = "cost"
) -> list[tuple[float, int, dict[str, float]]]:
    """``draws`` sets of misreporting factors for every x: (x, draw number, factors)."""
    if mode not in MODES:
        raise ModelError(f"unknown misreport '{mode}': choose one of {', '.join(MODES)}")
    out = []
    for x in xs:
        if not 0 <= x < 1:
            raise ModelError(f"misreport must be between 0% and 100% (got {100 * x:g}%)")
        rng = np.random.default_rng([seed, int(round(x * 1e6))])
        for d in range(draws):
            f = rng.uniform(1 - x, 1 + x if mode == "cost" else 1.0, size=len(councils))
            out.append((x, d, dict(zip(councils, (float(v) for v in f), strict=True))))
    return out


def measure_true(
    eco: Economy, out: Outcome, truth_labour: float, weights: np.ndarray
) -> dict[str, Any]:
    """The plan made on reports, evaluated on the true data of ``eco``."""
    if out.activity is None:
        raise ModelError(f"the {out.regime} outcome carries no activity to evaluate")
    true = float(eco.labour @ out.activity)
    lost = true - truth_labour
    if abs(lost) <= 1e-12 * abs(truth_labour):
        lost = 0.0  # rounding: the sums of the same plan in another order
    return {
        "essential_met": out.essential_met,
        "normal_met": out.normal_met if np.any(~eco.need_essential) else None,
        "value_met": value_met(eco, out.met, weights),
        "true_labour": true,
        "reported_labour": out.hours,
        "lost_labour": lost,
        "lost_pct": lost / abs(truth_labour) if truth_labour else None,
        "unmet_needs": out.unmet,
        "settled": bool(out.extra.get("settled", True)),
        "overrun": float(out.extra.get("overrun", 0.0)),
    }


_STATE: dict[str, Any] = {}


def _init(
    eco: Economy,
    weights: np.ndarray,
    truth: dict[str, float],
    runtime: str,
    mode: str,
    max_rounds: int,
) -> None:
    _STATE.update(
        eco=eco, weights=weights, truth=truth, runtime=runtime, mode=mode, max_rounds=max_rounds
    )


def _one_draw(
    task: tuple[float, int, dict[str, float], tuple[str, ...]],
) -> list[dict[str, Any]]:
    x, d, factors, regimes = task
    eco: Economy = _STATE["eco"]
    reported = MODES[_STATE["mode"]](eco, factors)
    pct = round(100 * x, 6)
    rows = []
    for regime in regimes:
        head = {"x": pct, "draw": d, "regime": regime}
        try:
            out = run_regime(regime, reported, (), _STATE["runtime"], _STATE["max_rounds"])
        except ModelError as err:
            rows.append({**head, "error": str(err)})
            continue
        rows.append({**head, **measure_true(eco, out, _STATE["truth"][regime], _STATE["weights"])})
    return rows


def run(
    eco: Economy,
    xs: Sequence[float] = (0.05, 0.10, 0.25),
    draws: int = 100,
    *,
    seed: int = 0,
    regimes: Sequence[str] = REGIMES,
    draws_by_regime: dict[str, int] | None = None,
    workers: int | None = None,
    runtime: str = "inprocess",
    progress: Callable[[int, int], None] | None = None,
    mode: str = "cost",
) -> dict[str, Any]:
    """The information experiment (see the module docstring); ``xs`` as fractions.

    ``mode``: ``cost`` (hours per unit misreported by a factor in [1 - x, 1 + x])
    or ``capacity`` (each council holds back a share in [0, x] of its capacities).

    Returns ``{"economy", "unit", "seed", "truth": {regime: measures on the
    true data}, "rows": [...], "summary": [...]}``; rows carry ``x`` in percent.
    """
    check_request(regimes, draws)
    reports = draw_reports(workplace_councils(eco), xs, draws, seed, mode)  # checks xs first
    central = plan_central(eco)
    weights = value_weights(eco, central_values(central))
    truth_out, unavailable = baselines(eco, regimes, runtime, central)
    regimes = [r for r in regimes if r in truth_out]
    budget = round_budget(truth_out)
    truth = {r: o.hours for r, o in truth_out.items()}
    truth_rows = {r: measure_true(eco, o, truth[r], weights) for r, o in truth_out.items()}
    limits = {r: min(draws, (draws_by_regime or {}).get(r, draws)) for r in regimes}
    tasks = []
    for x, d, factors in reports:
        tasks.append((x, d, factors, tuple(r for r in regimes if d < limits[r])))
    rows = run_draws(
        tasks, _one_draw, _init, (eco, weights, truth, runtime, mode, budget), workers, progress
    )
    summary = summarise(rows, regimes, group="x", measures=MEASURES)
    return {
        "economy": eco.name,
        "unit": eco.labour_unit,
        "seed": seed,
        "mode": mode,
        "xs": [round(100 * x, 6) for x in xs],
        "draws": limits,
        "truth": truth_rows,
        "unavailable": unavailable,
        "rows": rows,
        "summary": summary,
    }
