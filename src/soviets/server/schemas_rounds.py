"""Bodies of the federated planning round and production endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from soviets.governance.values import Amount, Quantity
from soviets.server.schemas import DbInt, In, Out


class MessageOut(Out):
    """A message of a round. Stored rows (``id`` set): an agreement between councils, or
    the clerk's ``summary`` standing for ``count`` protocol messages of ``size`` bytes.
    Rows of the protocol's log (``seq`` set: its number in the log, ``id`` and ``size``
    null, ``count`` 1): one message of ``kind`` offer, order, allocation, agreement,
    report, commitment, usage, capacity_price, stop or silent, sent in ``round`` of the
    protocol's run ``trial`` (a labour-budget plan's trial, ``result.protocol.trials``)
    from ``sender`` (a council or ``clerk``) to ``receiver`` (a council, ``clerk``, or
    ``board`` for a published offer, read by every council that deals in its good)."""

    id: int | None
    plan_id: int
    seq: int | None = None
    trial: int | None = None
    round: int
    sender: str
    receiver: str
    kind: str
    size: int | None
    count: int
    good: str | None = Field(default=None, description="the good of the message's offer")
    unit: str | None = Field(default=None, description="the good's unit")
    quantity: float | None = Field(
        default=None,
        description="units of the good: offered (available), ordered, allocated, agreed, used",
    )
    price: float | None = Field(default=None, description="hours per unit of the good")
    body: dict[str, Any] = Field(
        description="the message's fields: a stored row's content, or the log's columns "
        "of its kind (quantities in the good's unit, prices and hours in hours)"
    )


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
