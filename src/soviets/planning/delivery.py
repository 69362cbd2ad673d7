"""Share out what a plan makes among the needs asking for it, and assemble the Plan.

Needs are summed per good in the material balance; afterwards what is
available of each good (net output plus stocks) goes to essential needs
first, then to normal needs pro rata (every normal need for that good gets
the same share of what it asked for).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from soviets.economy import Economy
from soviets.planning.result import Certificate, Plan, PlanMode

MET_RTOL = 1e-9  # a need met to this relative precision counts as fully met


def available(eco: Economy, activity: np.ndarray) -> np.ndarray:
    """Net output of the plan plus stocks, per good."""
    return eco.net_output @ activity + eco.stocks


def allocate(eco: Economy, supply: np.ndarray) -> np.ndarray:
    """Quantity delivered to each need from ``supply`` per good (essential needs first)."""
    essential = eco.essential_demand
    share_e, share_n = split(np.maximum(supply, 0.0), essential, eco.demand - essential)
    share = np.where(eco.need_essential, share_e[eco.need_good], share_n[eco.need_good])
    return eco.need_quantity * share


def split(
    have: np.ndarray, essential: np.ndarray, normal: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the essential and of the normal needs met from ``have`` (per good, or
    per council and good): essential needs first, then normal ones pro rata."""
    return _share(have, essential), _share(np.maximum(have - essential, 0.0), normal)


def _share(have: np.ndarray, asked: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(asked > 0, np.minimum(1.0, have / np.where(asked > 0, asked, 1.0)), 1.0)
    return np.where(have >= asked * (1.0 - MET_RTOL), 1.0, share)


def unmet_needs(eco: Economy, need_met: np.ndarray, essential_only: bool) -> list[dict[str, Any]]:
    """The needs a plan cannot meet, as records naming council and good."""
    short = need_met < eco.need_quantity * (1.0 - MET_RTOL)
    if essential_only:
        short &= eco.need_essential
    return [
        {
            "council": eco.councils[eco.need_council[k]].name,
            "good": eco.good_names[eco.need_good[k]],
            "priority": "essential" if eco.need_essential[k] else "normal",
            "asked": float(eco.need_quantity[k]),
            "can_deliver": float(need_met[k]),
        }
        for k in np.flatnonzero(short)
    ]


def make_plan(
    eco: Economy,
    *,
    mode: PlanMode,
    solver: str,
    activity: np.ndarray,
    labour_values: np.ndarray,
    certificate: Certificate,
    binding: list[dict[str, Any]] | None = None,
    fulfilment: float | None = None,
    extra: dict[str, Any] | None = None,
) -> Plan:
    """An optimal plan: hours from the activity, needs met from what it makes."""
    activity = np.maximum(np.asarray(activity, dtype=float), 0.0)
    return Plan(
        economy=eco,
        status="optimal",
        mode=mode,
        solver=solver,
        objective_hours=float(np.dot(eco.labour, activity)),
        activity=activity,
        labour_values=labour_values,
        need_met=allocate(eco, available(eco, activity)),
        certificate=certificate,
        binding=binding or [],
        fulfilment=fulfilment,
        extra=extra or {},
    )
