"""The hours-needs frontier of a federation or a territorial council (before a
``set_hours`` vote): :func:`soviets.governance.hours.frontier` decides who may see it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from soviets.governance import hours
from soviets.planning.jsonable import json_safe
from soviets.server.api.common import STANDARD, PathId
from soviets.server.deps import ApiActor, Db

router = APIRouter(tags=["plans"], responses=STANDARD)


@router.get("/councils/{council_id}/frontier")
def get_frontier(
    council_id: PathId,
    actor: ApiActor,
    db: Db,
    period: Annotated[str | None, Query(max_length=100)] = None,
    points: Annotated[int, Query(ge=2, le=101)] = 21,
) -> dict[str, Any]:
    """Labour-budget plans for a grid of hours offered per member per week: hours planned
    and the share of essential and normal needs met at each (the current choice marked)."""
    f = hours.frontier(db, actor.id, council_id, period=period, points=points)
    data: dict[str, Any] = json_safe(f.to_dict())
    return data
