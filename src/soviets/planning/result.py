"""The plan: what every solver (central, fast, federated) returns.

A :class:`Plan` holds arrays aligned with its :class:`~soviets.economy.Economy`
(per process, per good, per need, per council). :meth:`Plan.to_dict` gives the
stable JSON schema documented in ``docs/planning.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from soviets.economy import Economy
from soviets.planning.jsonable import json_number

PlanStatus = Literal["optimal", "feasible", "infeasible"]
PlanMode = Literal["min-labour", "labour-budget"]


@dataclass(frozen=True)
class Certificate:
    """Proof of quality: ``primal`` hours of the plan, ``dual`` a lower bound on
    the hours of any feasible plan, and their relative ``gap``.
    """

    primal: float
    dual: float

    @property
    def gap(self) -> float:
        """Relative gap ``(primal - dual) / max(1, |primal|)`` (never negative)."""
        if not (math.isfinite(self.primal) and math.isfinite(self.dual)):
            return math.inf
        return max(0.0, self.primal - self.dual) / max(1.0, abs(self.primal))

    def to_dict(self) -> dict[str, float | None]:
        return {
            "primal": json_number(self.primal),
            "dual": json_number(self.dual),
            "gap": json_number(self.gap),
        }


@dataclass
class Plan:
    """A plan for one period.

    Arrays: ``activity`` per process, ``labour_values`` per good (hours per unit,
    the shadow price of one more unit delivered; 0 for goods in surplus),
    ``need_met`` per need (quantity delivered), ``council_hours`` per council
    (hours worked by each workplace council). ``unmet`` and ``binding`` explain
    infeasible or constrained plans with names a person can act on.
    """

    economy: Economy
    status: PlanStatus
    mode: PlanMode
    solver: str
    objective_hours: float
    activity: np.ndarray
    labour_values: np.ndarray
    need_met: np.ndarray
    certificate: Certificate
    unmet: list[dict[str, Any]] = field(default_factory=list)
    binding: list[dict[str, Any]] = field(default_factory=list)
    fulfilment: float | None = None  # labour-budget mode: smallest ratio of normal needs met
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. agreements, protocol

    @property
    def council_hours(self) -> np.ndarray:
        """Hours worked per council (sum over its processes of labour x activity)."""
        eco = self.economy
        return np.bincount(
            eco.process_council,
            weights=eco.labour * self.activity,
            minlength=len(eco.councils),
        )

    def hours_per_member_week(self, weeks: float = 52.0) -> float | None:
        """Hours of work per member of territorial councils per week, if members are known."""
        members = self.economy.total_members()
        if members <= 0 or not math.isfinite(self.objective_hours):
            return None
        return self.objective_hours / members / weeks

    def needs_met_by_council(self) -> dict[str, dict[str, float]]:
        """Quantity delivered per territorial council and good."""
        eco = self.economy
        out: dict[str, dict[str, float]] = {}
        for c, g, q in zip(eco.need_council, eco.need_good, self.need_met, strict=True):
            cname = eco.councils[c].name
            gname = eco.good_names[g]
            out.setdefault(cname, {})
            out[cname][gname] = out[cname].get(gname, 0.0) + float(q)
        return out

    def share_of_needs_met(self, essential: bool | None = None) -> float:
        """Share of needed quantity met (all needs, or only essential / normal ones)."""
        eco = self.economy
        mask = np.ones(eco.n_needs, dtype=bool)
        if essential is not None:
            mask = eco.need_essential == essential
        asked = float(eco.need_quantity[mask].sum())
        if asked <= 0:
            return 1.0
        return float(np.minimum(self.need_met[mask], eco.need_quantity[mask]).sum()) / asked

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready data (schema in ``docs/planning.md``)."""
        eco = self.economy
        hours = self.council_hours
        result: dict[str, Any] = {
            "status": self.status,
            "mode": self.mode,
            "solver": self.solver,
            "economy": eco.name,
            "unit": eco.labour_unit,
            "objective_hours": json_number(self.objective_hours),
            "hours_per_member_week": json_number(self.hours_per_member_week()),
            "activity": {
                p: float(a) for p, a in zip(eco.process_names, self.activity, strict=True)
            },
            "labour_values": {
                g: json_number(v)
                for g, v, prim in zip(
                    eco.good_names, self.labour_values, eco.good_primary, strict=True
                )
                if not prim
            },
            "needs_met": self.needs_met_by_council(),
            "share_of_needs_met": {
                "all": self.share_of_needs_met(),
                "essential": self.share_of_needs_met(True),
                "normal": self.share_of_needs_met(False),
            },
            "council_hours": {
                c.name: float(h)
                for c, h in zip(eco.councils, hours, strict=True)
                if c.kind == "workplace"
            },
            "certificate": self.certificate.to_dict(),
            "fulfilment": json_number(self.fulfilment),
            "unmet": self.unmet,
            "binding": self.binding,
            "notes": list(eco.notes),
        }
        result.update(self.extra)
        return result


def infeasible_plan(
    eco: Economy,
    mode: PlanMode,
    solver: str,
    activity: np.ndarray,
    need_met: np.ndarray,
    unmet: list[dict[str, Any]],
    binding: list[dict[str, Any]],
    extra: dict[str, Any],
) -> Plan:
    """No plan meets the needs: the best partial plan, what is unmet and what binds."""
    return Plan(
        economy=eco,
        status="infeasible",
        mode=mode,
        solver=solver,
        objective_hours=float("nan"),
        activity=activity,
        labour_values=np.full(eco.n_goods, np.nan),
        need_met=need_met,
        certificate=Certificate(primal=float("nan"), dual=float("nan")),
        unmet=unmet,
        binding=binding,
        extra=extra,
    )


Priced = tuple[np.ndarray, np.ndarray]  # indices of the scarce things, and their shadow prices
NONE: Priced = (np.zeros(0, dtype=np.int64), np.zeros(0))


def binding_list(
    eco: Economy,
    objective: str,
    capacities: Priced = NONE,
    limits: Priced = NONE,
    hours: Priced = NONE,
) -> list[dict[str, Any]]:
    """``binding`` entries, dearest first: capacities (process indices), limits of primary
    goods (good indices) and council hours (council indices), each with its shadow price."""
    found: list[dict[str, Any]] = []
    for j, price in zip(*capacities, strict=True):
        found.append(
            {
                "kind": "capacity",
                "process": eco.process_names[j],
                "council": eco.councils[eco.process_council[j]].name,
                "capacity": float(eco.capacity[j]),
                "shadow_price": float(price),
                "objective": objective,
            }
        )
    for g, price in zip(*limits, strict=True):
        found.append(
            {
                "kind": "limit",
                "good": eco.good_names[g],
                "limit": float(eco.good_limit[g]),
                "shadow_price": float(price),
                "objective": objective,
            }
        )
    for c, price in zip(*hours, strict=True):
        found.append(
            {
                "kind": "hours",
                "council": eco.councils[c].name,
                "hours_available": float(eco.council_hours[c]),
                "shadow_price": float(price),
                "objective": objective,
            }
        )
    found.sort(key=lambda b: -b["shadow_price"])
    return found
