"""Needs: members of a territorial council register their needs for a period."""

from __future__ import annotations

from fastapi import APIRouter, Query

from soviets.governance import authz
from soviets.governance.errors import NotFound
from soviets.ledger import needs
from soviets.ledger.models import Need
from soviets.server import present, queries
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import NeedIn, NeedOut, PeriodOut

router = APIRouter(tags=["needs"], responses=STANDARD)


@router.get("/periods", response_model=list[PeriodOut])
def periods(actor: ApiActor, db: Db) -> list[PeriodOut]:
    """The planning periods, latest first."""
    return [PeriodOut.model_validate(p) for p in queries.periods(db)]


@router.get("/councils/{council_id}/needs", response_model=list[NeedOut])
def list_needs(
    council_id: PathId,
    actor: ApiActor,
    db: Db,
    period: str = Query(min_length=1, max_length=50),
) -> list[NeedOut]:
    """The council's needs for a period, proposed and approved."""
    authz.require_read(db, actor.id, council_id)
    rows = needs.needs_of(db, period=period, council_id=council_id)
    return [present.need(db, n) for n in rows]


@router.post(
    "/councils/{council_id}/needs", status_code=201, response_model=NeedOut, responses=WRITE
)
def register_need(council_id: PathId, body: NeedIn, actor: ApiActor, db: Db) -> NeedOut:
    """Register one of your needs (the council approves its needs list by vote)."""
    authz.require_member(db, actor.id, council_id)
    made = needs.register_need(
        db,
        council_id=council_id,
        period=body.period,
        good=body.good,
        quantity=body.quantity,
        priority=body.priority,
        person_id=actor.id,
    )
    return present.need(db, made)


@router.post("/needs/{need_id}/withdraw", response_model=NeedOut, responses=WRITE)
def withdraw_need(need_id: PathId, actor: ApiActor, db: Db) -> NeedOut:
    """Withdraw one of your needs while it is still proposed (not once approved)."""
    need = db.get(Need, need_id)
    if need is None:
        raise NotFound(f"no need #{need_id}")
    authz.require_member(db, actor.id, need.council_id)
    return present.need(db, needs.withdraw_need(db, need_id=need_id, person_id=actor.id))
