"""The planners the service runs: the composition root that hands the federated
protocol to the governance layer (which never imports the federation).

``$SOVIETS_FEDERATION_RUNTIME`` chooses where the councils' agents run:
``inprocess`` (default) or ``ray`` (one actor per shard of councils, on a
loopback cluster or the cluster at ``$SOVIETS_RAY_ADDRESS``). The protocol's whole
message log goes with the plan as plain bytes (``extra["message_log"]``), which the
ledger keeps (:mod:`soviets.ledger.message_logs`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from soviets.economy import Economy
from soviets.errors import InputError
from soviets.federation import RUNTIMES, MessageLog, plan_federated
from soviets.governance.rounds import Planner
from soviets.ledger.message_logs import LOG_KEY
from soviets.planning.result import Plan, PlanMode


def federated_planner(runtime: str | None = None, address: str | None = None) -> Planner:
    """A planner that runs the federated protocol with the configured runtime and hands
    its message log on with the plan."""
    runtime = runtime or os.environ.get("SOVIETS_FEDERATION_RUNTIME") or "inprocess"
    address = address or os.environ.get("SOVIETS_RAY_ADDRESS") or None
    if runtime not in RUNTIMES:
        raise InputError(
            f"unknown federation runtime '{runtime}': choose one of {', '.join(RUNTIMES)}",
            field="SOVIETS_FEDERATION_RUNTIME",
        )

    def plan(
        economy: Economy,
        /,
        *,
        mode: PlanMode = "min-labour",
        start: dict[str, Any] | None = None,
    ) -> Plan:
        log = MessageLog()
        plan = plan_federated(
            economy, runtime=runtime, address=address, mode=mode, start=start, message_log=log
        )
        return replace(plan, extra={**plan.extra, LOG_KEY: log.dump()})

    return plan
