"""Bodies of the federated planning round and production endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from soviets.governance.values import Amount, Quantity
from soviets.server.schemas import DbInt, In, Out


class MessageOut(Out):
    """A recorded message of a round (``count`` protocol messages of ``size`` bytes)."""

    id: int
    plan_id: int
    round: int
    sender: str
    receiver: str
    kind: str
    size: int
    count: int
    body: dict[str, Any]


class RefuseIn(In):
    """Refuse a proposed agreement for your council; optionally the part it accepts."""

    council_id: DbInt
    accepted_quantity: Amount = 0.0
    reason: str = Field(default="", max_length=2000)


class RefusalOut(Out):
    """A council's refusal of an agreement."""

    agreement_id: int
    council_id: int
    actor_id: int
    accepted_quantity: float
    reason: str
    refused_at: datetime


class ProductionIn(In):
    """Record a run of a process: ``activity`` units in a period."""

    period: str = Field(min_length=1, max_length=50)
    activity: Quantity


class ProductionOut(Out):
    """A production record: hours worked and goods made (+) and consumed (-)."""

    id: int
    period_id: int
    council_id: int
    process_id: int
    actor_id: int
    activity: float
    hours: float
    flows: dict[str, float]
    recorded_at: datetime


class ActualOut(BaseModel):
    """Plan against actual for one line (``what``: hours, output or delivery)."""

    what: str
    council: str
    good: str
    agreement_id: int | None
    unit: str
    planned: float
    actual: float
    short: float
