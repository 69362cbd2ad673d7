"""Needs and periods: members of a territorial council register their needs for a period;
a federation's delegates open the next planning period."""

from __future__ import annotations

from fastapi import APIRouter, Query

from soviets.governance import planning_service
from soviets.server import present, queries
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import NeedIn, NeedOut, PeriodIn, PeriodOut

router = APIRouter(tags=["needs"], responses=STANDARD)


@router.get("/periods", response_model=list[PeriodOut])
def periods(actor: ApiActor, db: Db) -> list[PeriodOut]:
    """The planning periods, latest first."""
    return [PeriodOut.model_validate(p) for p in queries.periods(db)]


@router.post(
    "/councils/{council_id}/periods", status_code=201, response_model=PeriodOut, responses=WRITE
)
def open_period(council_id: PathId, body: PeriodIn, actor: ApiActor, db: Db) -> PeriodOut:
    """Open a planning period (delegates of the federation); it may overlap no other."""
    made = planning_service.open_period(db, actor.id, council_id, **body.model_dump())
    return PeriodOut.model_validate(made)


@router.get("/councils/{council_id}/needs", response_model=list[NeedOut])
def list_needs(
    council_id: PathId,
    actor: ApiActor,
    db: Db,
    period: str = Query(min_length=1, max_length=50),
) -> list[NeedOut]:
    """The council's needs for a period, proposed and approved."""
    rows = planning_service.needs_of(db, actor.id, council_id, period)
    return [present.need(db, n) for n in rows]


@router.post(
    "/councils/{council_id}/needs", status_code=201, response_model=NeedOut, responses=WRITE
)
def register_need(council_id: PathId, body: NeedIn, actor: ApiActor, db: Db) -> NeedOut:
    """Register one of your needs (the council approves its needs list by vote)."""
    made = planning_service.register_need(db, actor.id, council_id, **body.model_dump())
    return present.need(db, made)


@router.post("/needs/{need_id}/withdraw", response_model=NeedOut, responses=WRITE)
def withdraw_need(need_id: PathId, actor: ApiActor, db: Db) -> NeedOut:
    """Withdraw one of your needs while it is still proposed (not once approved)."""
    return present.need(db, planning_service.withdraw_need(db, actor.id, need_id))
