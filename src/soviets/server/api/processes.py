"""Processes of workplace councils, and the goods catalogue they use."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import authz
from soviets.ledger import processes
from soviets.server import present, queries
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import GoodOut, ProcessIn, ProcessOut

router = APIRouter(tags=["processes"], responses=STANDARD)


@router.get("/goods", response_model=list[GoodOut])
def goods(actor: ApiActor, db: Db) -> list[GoodOut]:
    """The goods catalogue shared by all councils."""
    return [GoodOut.model_validate(g) for g in queries.goods(db)]


@router.get("/councils/{council_id}/processes", response_model=list[ProcessOut])
def list_processes(council_id: PathId, actor: ApiActor, db: Db) -> list[ProcessOut]:
    """The council's processes with their flows, labour and capacity."""
    authz.require_read(db, actor.id, council_id)
    return [present.process(p) for p in queries.processes_of(db, council_id)]


@router.post(
    "/councils/{council_id}/processes",
    status_code=201,
    response_model=ProcessOut,
    responses=WRITE,
)
def register_process(council_id: PathId, body: ProcessIn, actor: ApiActor, db: Db) -> ProcessOut:
    """Register a process of your workplace council."""
    authz.require_member(db, actor.id, council_id)
    made = processes.register_process(
        db,
        name=body.name,
        council_id=council_id,
        labour=body.labour,
        flows=body.flows,
        capacity=body.capacity,
    )
    return present.process(made)
