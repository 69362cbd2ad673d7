"""Planning: labour values and the central plan (see DESIGN.md section 3).

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
"""

from __future__ import annotations

from soviets.economy import Economy
from soviets.errors import ModelError
from soviets.planning import central, fast
from soviets.planning.result import Certificate, Plan, PlanMode
from soviets.planning.values import Values, compute_values, labour_values, leontief_inverse

MODES: tuple[str, ...] = ("min-labour", "labour-budget")
SOLVERS: tuple[str, ...] = ("auto", "fast", "highs")

__all__ = [
    "MODES",
    "SOLVERS",
    "Certificate",
    "Plan",
    "Values",
    "compute_values",
    "labour_values",
    "leontief_inverse",
    "plan",
]


def plan(economy: Economy, mode: PlanMode = "min-labour", solver: str = "auto") -> Plan:
    """Plan one period of ``economy``.

    ``solver``: ``highs`` solves the full LP; ``fast`` uses the fast path
    (one good per process, only labour scarce, min-labour mode; otherwise
    :class:`ModelError`); ``auto`` uses the fast path where it applies and
    HiGHS elsewhere. When the fast path cannot settle a plan (a good nobody
    makes is needed beyond its stock, or no plan exists) it hands the
    economy to HiGHS and the plan says so in ``handover``.
    """
    if mode not in MODES:
        raise ModelError(f"unknown mode '{mode}': choose one of {', '.join(MODES)}")
    if solver not in SOLVERS:
        raise ModelError(f"unknown solver '{solver}': choose one of {', '.join(SOLVERS)}")
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
