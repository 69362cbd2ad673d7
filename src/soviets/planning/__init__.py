"""Planning: labour values and the central plan (see docs/planning.md).

>>> from soviets.economy import Council, Economy, Good, Need, Process
>>> eco = Economy.from_records(
...     goods=[Good("grain", "t"), Good("bread", "t")],
...     councils=[Council("farm", "workplace"), Council("village", "territorial")],
...     processes=[Process("grow", "farm", 2.0, {"grain": 1.0}),
...                Process("bake", "farm", 1.0, {"bread": 1.0, "grain": -0.5})],
...     needs=[Need("village", "bread", 10.0)])
>>> p = plan(eco)
>>> p.status, p.solver, p.objective_hours
('optimal', 'fast', 20.0)
>>> plan(eco, solver="highs").objective_hours
20.0
>>> round(plan(eco, solver="constrained").objective_hours, 6)
20.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning import central, fast
from soviets.planning.result import Certificate, Plan, PlanMode
from soviets.planning.values import Values, compute_values, labour_values, leontief_inverse

MODES: tuple[str, ...] = ("min-labour", "labour-budget")
SOLVERS: tuple[str, ...] = ("auto", "fast", "highs", "constrained")
# Above this many processes ``auto`` uses the constrained solver for single-output
# economies: HiGHS's simplex and interior-point methods cannot factor I - A at that
# size in reasonable time, nor can the fast path's LU (a generated economy of 8000
# goods x 3 processes: HiGHS over 8 minutes, the fast path 76 s, constrained 0.2 s).
AUTO_LARGE = 20_000

__all__ = [
    "AUTO_LARGE",
    "MODES",
    "SOLVERS",
    "Certificate",
    "Plan",
    "Values",
    "compute_values",
    "default_gap",
    "labour_values",
    "leontief_inverse",
    "plan",
]


def plan(
    economy: Economy,
    mode: PlanMode = "min-labour",
    solver: str = "auto",
    *,
    gap: float | None = None,
    time_limit: float | None = None,
    progress: bool | Callable[[dict[str, Any]], None] = False,
    backend: str = "numpy",
) -> Plan:
    """Plan one period of ``economy``.

    ``solver``: ``highs`` solves the full LP; ``fast`` uses the fast path
    (one good per process, only labour scarce, min-labour mode; otherwise
    :class:`ModelError`); ``constrained`` uses the structure-exploiting solver
    (:mod:`soviets.planning.constrained`) and stops at the certified relative
    ``gap`` (default :func:`default_gap`) or after ``time_limit`` seconds,
    showing a progress display on standard error if ``progress`` is True (or
    calling it with a dict at every check, if a function); ``auto``
    uses the constrained solver for single-output economies of more than
    :data:`AUTO_LARGE` processes, else the fast path where it applies and
    HiGHS elsewhere. When the fast path cannot settle a plan (a good nobody
    makes is needed beyond its stock, or no plan exists) it hands the
    economy to HiGHS and the plan says so in ``handover``. ``gap``,
    ``time_limit``, ``progress`` and ``backend`` (``numpy``, or ``cupy`` or
    ``torch`` on a CUDA GPU) only apply to the constrained solver.
    """
    if mode not in MODES:
        raise ModelError(f"unknown mode '{mode}': choose one of {', '.join(MODES)}")
    if solver not in SOLVERS:
        raise ModelError(f"unknown solver '{solver}': choose one of {', '.join(SOLVERS)}")
    if solver == "auto" and economy.single_output and economy.n_processes > AUTO_LARGE:
        solver = "constrained"
    if solver == "constrained":
        from soviets.planning import constrained

        return constrained.solve(
            economy,
            mode,
            gap=default_gap(economy, mode) if gap is None else gap,
            time_limit=time_limit,
            progress=progress,
            backend=backend,
        )
    if solver == "highs":
        return central.solve(economy, mode)
    reason = fast.not_applicable(economy, mode)
    if reason is not None:
        if solver == "fast":
            raise ModelError(f"the fast solver does not apply: {reason} (use --solver auto)")
        return central.solve(economy, mode)
    result = fast.solve(economy)
    if result is None:
        result = central.solve(economy, mode)
        result.extra["handover"] = "the fast path could not settle this plan; HiGHS solved it"
    return result


def default_gap(economy: Economy, mode: PlanMode) -> float:
    """The constrained solver's default certified gap for ``economy`` and ``mode``.

    1e-9 when only labour is scarce (min-labour mode, no finite capacity, no
    finite primary-input limit): the fixed point then settles the plan to
    rounding error. 1e-6 otherwise, where the price iterations converge slowly.
    """
    limits = economy.good_limit[economy.good_primary]
    if mode == "min-labour" and not (
        np.isfinite(economy.capacity).any() or np.isfinite(limits).any()
    ):
        return 1e-9
    return 1e-6
