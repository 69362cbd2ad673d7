"""Robustness: what each regime still delivers when k workplace councils fail.

For each ``k`` (say 1, 5, 20) the experiment draws ``draws`` random sets of k
workplace councils (those that run at least one process) with a seeded
random generator; in each draw the failed councils produce nothing:

* ``central`` and ``autarky`` plan again on the economy whose failed
  processes have capacity 0 (where needs can no longer be met, the
  planner's best partial plan: least relative shortfall, then least labour,
  the rule of :mod:`soviets.experiments.regimes`);
* ``federation`` runs the protocol with the failed councils taking no part
  at all (``removed``); where a needed good is out of reach of every plan,
  on the economy reduced to what can still run (see
  :func:`soviets.experiments.regimes.plan_federation`).

Every draw is measured against the same regime without failures: needs met
by count (the average share over needs, essential and normal, as in
``soviets compare``), needs met by value (the share of the labour value of
all needs delivered, valued at the labour values of the central plan
without failures), and extra labour (the draw's total labour less the
regime's labour without failures; it can be negative when less is made).

Draws are independent and run in parallel processes (``workers``); the
draws themselves are made before any planning, from ``numpy``'s generator
seeded with ``(seed, k)``, so results do not depend on the number of
workers.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.errors import ModelError, SovietsError
from soviets.experiments.regimes import (
    REGIMES,
    Outcome,
    plan_autarky,
    plan_central,
    plan_federation,
)

#: Measures of one regime in one draw, with their units ("%" or the labour unit).
MEASURES = ("essential_met", "normal_met", "value_met", "labour", "extra_labour", "extra_pct")


def workplace_councils(eco: Economy) -> list[str]:
    """Workplace councils that run at least one process (the councils that can fail)."""
    running = set(int(c) for c in eco.process_council)
    return [c.name for i, c in enumerate(eco.councils) if c.kind == "workplace" and i in running]


def with_failed(eco: Economy, failed: Sequence[str]) -> Economy:
    """``eco`` where the processes of the ``failed`` councils have capacity 0."""
    idx = [eco.council_index[name] for name in failed]
    down = np.isin(eco.process_council, idx)
    return dataclasses.replace(eco, capacity=np.where(down, 0.0, eco.capacity))


def value_weights(eco: Economy, labour_values: np.ndarray) -> np.ndarray:
    """Labour value of each need as asked (quantity x value of its good; 0 where unknown)."""
    v = np.where(np.isfinite(labour_values), np.maximum(labour_values, 0.0), 0.0)
    return eco.need_quantity * v[eco.need_good]


def value_met(eco: Economy, met: np.ndarray | None, weights: np.ndarray) -> float | None:
    """Share of the labour value of all needs that ``met`` delivers (None without ``met``)."""
    total = float(weights.sum())
    if met is None or total <= 0:
        return None
    q = np.where(eco.need_quantity > 0, eco.need_quantity, 1.0)
    share = np.minimum(met, eco.need_quantity) / q
    return float((share * weights).sum() / total)


def run_regime(
    regime: str,
    eco: Economy,
    failed: Sequence[str] = (),
    runtime: str = "inprocess",
    max_rounds: int = 1000,
    before: Outcome | None = None,
) -> Outcome:
    """One regime's plan of ``eco`` with the ``failed`` councils producing nothing.

    ``before``: autarky's outcome without failures (made here when not given):
    regions without a failed council keep their plan, and a failed council's
    good is not dropped from its region's recipes as an input the region lacks.
    A federation whose councils did not settle on a balanced plan within the
    capacities (``protocol["failure"]``) gets ``extra["settled"] = False`` and
    the largest relative capacity overrun in ``extra["overrun"]``.
    """
    if regime == "central":
        return plan_central(with_failed(eco, failed) if failed else eco)
    if regime == "autarky":
        if not failed:
            return plan_autarky(eco)
        return plan_autarky(with_failed(eco, failed), before=(eco, before or plan_autarky(eco)))
    if regime == "federation":
        work = with_failed(eco, failed) if failed else eco
        out, p = plan_federation(
            work, runtime=runtime, removed=tuple(failed), max_rounds=max_rounds
        )
        proto = p.extra["protocol"]
        out.extra["settled"] = "failure" not in proto
        out.extra["overrun"] = max(proto["balance_residual"], proto["capacity_overrun"])
        return out
    raise ModelError(f"unknown regime '{regime}': choose from {', '.join(REGIMES)}")


def measure(
    eco: Economy, out: Outcome, base_labour: float | None, weights: np.ndarray
) -> dict[str, Any]:
    """The measures of one outcome (shares as fractions, labour in the economy's unit)."""
    extra = None if base_labour is None else out.hours - base_labour
    pct = None if extra is None or base_labour in (None, 0) else extra / abs(base_labour)
    return {
        "essential_met": out.essential_met,
        "normal_met": out.normal_met if np.any(~eco.need_essential) else None,
        "value_met": value_met(eco, out.met, weights),
        "labour": out.hours,
        "extra_labour": extra,
        "extra_pct": pct,
        "unmet_needs": out.unmet,
        "settled": bool(out.extra.get("settled", True)),
        "overrun": float(out.extra.get("overrun", 0.0)),
    }


def draw_failures(
    councils: Sequence[str], ks: Sequence[int], draws: int, seed: int
) -> list[tuple[int, int, tuple[str, ...]]]:
    """``draws`` random sets of k councils for every k: (k, draw number, councils)."""
    out = []
    for k in ks:
        if k < 1 or k > len(councils):
            raise ModelError(
                f"cannot fail {k} councils: the economy has {len(councils)} workplace councils"
            )
        rng = np.random.default_rng([seed, k])
        for d in range(draws):
            pick = rng.choice(len(councils), size=k, replace=False)
            out.append((k, d, tuple(sorted(councils[i] for i in pick))))
    return out


# State of a worker process: the economy, the weights and the no-failure labour.
_STATE: dict[str, Any] = {}


def baselines(
    eco: Economy, regimes: Sequence[str], runtime: str, central: Outcome | None = None
) -> tuple[dict[str, Outcome], dict[str, str]]:
    """Each regime's plan of ``eco`` as it is; a regime that cannot plan it (its
    error) is left out of the experiment and named with its error."""
    out: dict[str, Outcome] = {}
    unavailable: dict[str, str] = {}
    for r in regimes:
        if r == "central" and central is not None:
            out[r] = central
            continue
        try:
            out[r] = run_regime(r, eco, (), runtime)
        except SovietsError as err:
            unavailable[r] = str(err)
    return out, unavailable


def round_budget(outcomes: dict[str, Outcome]) -> int:
    """Rounds a federation gets after a change: three times its rounds without it, at
    least 100 (the budget of the failure case of ``soviets compare``)."""
    fed = outcomes.get("federation")
    return max(100, 3 * ((fed.rounds if fed else 0) or 0))


def _init(
    eco: Economy,
    weights: np.ndarray,
    base: dict[str, float],
    runtime: str,
    max_rounds: int,
    autarky: Outcome | None = None,
) -> None:
    _STATE.update(
        eco=eco,
        weights=weights,
        base=base,
        runtime=runtime,
        max_rounds=max_rounds,
        autarky=autarky,
    )


def _one_draw(task: tuple[int, int, tuple[str, ...], tuple[str, ...]]) -> list[dict[str, Any]]:
    k, d, failed, regimes = task
    eco: Economy = _STATE["eco"]
    rows = []
    for regime in regimes:
        try:
            out = run_regime(
                regime, eco, failed, _STATE["runtime"], _STATE["max_rounds"], _STATE["autarky"]
            )
        except ModelError as err:
            rows.append({"k": k, "draw": d, "regime": regime, "failed": failed, "error": str(err)})
            continue
        row = {"k": k, "draw": d, "regime": regime, "failed": failed}
        row.update(measure(eco, out, _STATE["base"].get(regime), _STATE["weights"]))
        rows.append(row)
    return rows


def check_request(regimes: Sequence[str], draws: int) -> None:
    """Refuse an unknown regime or fewer than one draw (before any plan is made)."""
    for r in regimes:
        if r not in REGIMES:
            raise ModelError(f"unknown regime '{r}': choose from {', '.join(REGIMES)}")
    if draws < 1:
        raise ModelError("draws must be at least 1")


def run_draws(
    tasks: Sequence[Any],
    one_draw: Callable[[Any], list[dict[str, Any]]],
    init: Callable[..., None],
    initargs: tuple[Any, ...],
    workers: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    """The rows of every task, in order: in this process (``workers`` 1) or in a pool of
    processes each set up once by ``init(*initargs)`` (default: up to 2)."""
    workers = workers or min(2, os.cpu_count() or 1)
    rows: list[dict[str, Any]] = []
    if workers <= 1:
        init(*initargs)
        for i, got in enumerate(map(one_draw, tasks)):
            rows += got
            if progress:
                progress(i + 1, len(tasks))
        return rows
    with ProcessPoolExecutor(workers, initializer=init, initargs=initargs) as ex:
        for i, got in enumerate(ex.map(one_draw, tasks)):
            rows += got
            if progress:
                progress(i + 1, len(tasks))
    return rows


def run(
    eco: Economy,
    ks: Sequence[int] = (1, 5, 20),
    draws: int = 100,
    *,
    seed: int = 0,
    regimes: Sequence[str] = REGIMES,
    draws_by_regime: dict[str, int] | None = None,
    workers: int | None = None,
    runtime: str = "inprocess",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The robustness experiment (see the module docstring).

    ``draws_by_regime`` gives a regime fewer draws (the first ones of each
    k, so every regime's draws are the same sets of councils). Returns
    ``{"economy", "unit", "seed", "baseline": {regime: measures},
    "rows": [one dict per draw and regime], "summary": [...]}``.
    """
    check_request(regimes, draws)
    failures = draw_failures(workplace_councils(eco), ks, draws, seed)  # checks ks first
    central = plan_central(eco)
    weights = value_weights(eco, central_values(central))
    base_out, unavailable = baselines(eco, regimes, runtime, central)
    regimes = [r for r in regimes if r in base_out]
    budget = round_budget(base_out)
    base = {r: o.hours for r, o in base_out.items()}
    baseline = {r: measure(eco, base_out[r], base[r], weights) for r in regimes}
    limits = {r: min(draws, (draws_by_regime or {}).get(r, draws)) for r in regimes}
    tasks = []
    for k, d, failed in failures:
        todo = tuple(r for r in regimes if d < limits[r])
        tasks.append((k, d, failed, todo))
    initargs = (eco, weights, base, runtime, budget, base_out.get("autarky"))
    rows = run_draws(tasks, _one_draw, _init, initargs, workers, progress)
    return {
        "economy": eco.name,
        "unit": eco.labour_unit,
        "seed": seed,
        "ks": list(ks),
        "draws": limits,
        "baseline": baseline,
        "federation_max_rounds": budget,
        "unavailable": unavailable,
        "rows": rows,
        "summary": summarise(rows, regimes),
    }


def central_values(central: Outcome) -> np.ndarray:
    """Labour values of the central plan without failures (the prices of needs by value)."""
    assert central.values is not None, "a central outcome carries its labour values"
    return np.asarray(central.values, dtype=float)


def stats(values: Sequence[float]) -> dict[str, float]:
    """Mean, standard deviation and the 5th, 50th and 95th percentiles."""
    a = np.asarray(values, dtype=float)
    p5, p50, p95 = np.percentile(a, [5, 50, 95])
    return {
        "n": int(a.size),
        "mean": float(a.mean()),
        "std": float(a.std(ddof=1)) if a.size > 1 else 0.0,
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
    }


def summarise(
    rows: list[dict[str, Any]],
    regimes: Sequence[str],
    group: str = "k",
    measures: Sequence[str] = MEASURES,
) -> list[dict[str, Any]]:
    """Distribution of every measure per (group value, regime) over the draws.

    Draws that failed (``error``) or whose plan did not settle (a federation
    over a capacity) are counted in ``errors`` and ``unsettled`` and left out
    of the distribution: their numbers describe no plan that can be carried out.
    """
    out = []
    for g in sorted({r[group] for r in rows}):
        for regime in regimes:
            mine = [r for r in rows if r[group] == g and r["regime"] == regime]
            errors = sum(1 for r in mine if "error" in r)
            unsettled = sum(1 for r in mine if not r.get("settled", True))
            ok = [r for r in mine if r.get("settled", True) and "error" not in r]
            if mine and not ok:
                out.append(
                    {group: g, "regime": regime, "measure": measures[0], "errors": errors}
                    | {"unsettled": unsettled, "n": 0}
                    | dict.fromkeys(("mean", "std", "p5", "p50", "p95"))
                )
            for m in measures:
                vals = [r[m] for r in ok if r.get(m) is not None]
                if vals:
                    out.append(
                        {
                            group: g,
                            "regime": regime,
                            "measure": m,
                            "errors": errors,
                            "unsettled": unsettled,
                            **stats(vals),
                        }
                    )
    return out
