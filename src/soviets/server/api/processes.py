"""Processes of workplace councils, and the goods catalogue they use.

A new or changed process takes the council's vote (``register_process``,
``change_process`` proposals) unless its ``process.change`` rule lets a
coordinator do it alone; :mod:`soviets.governance.production` decides.
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import production
from soviets.server import present, queries
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import GoodOut, ProcessChangeIn, ProcessIn, ProcessOut

router = APIRouter(tags=["processes"], responses=STANDARD)


@router.get("/goods", response_model=list[GoodOut])
def goods(actor: ApiActor, db: Db) -> list[GoodOut]:
    """The goods catalogue shared by all councils."""
    return [GoodOut.model_validate(g) for g in queries.goods(db)]


@router.get("/councils/{council_id}/processes", response_model=list[ProcessOut])
def list_processes(council_id: PathId, actor: ApiActor, db: Db) -> list[ProcessOut]:
    """The council's processes with their flows, labour and capacity."""
    return [present.process(p) for p in production.processes_of(db, actor.id, council_id)]


@router.post(
    "/councils/{council_id}/processes",
    status_code=201,
    response_model=ProcessOut,
    responses=WRITE,
)
def register_process(council_id: PathId, body: ProcessIn, actor: ApiActor, db: Db) -> ProcessOut:
    """Register a process of your workplace council (a coordinator, where its rules allow)."""
    made = production.register_process(db, actor.id, council_id, **body.model_dump())
    return present.process(made)


@router.put("/processes/{process_id}", response_model=ProcessOut, responses=WRITE)
def change_process(
    process_id: PathId, body: ProcessChangeIn, actor: ApiActor, db: Db
) -> ProcessOut:
    """Change a process's labour, flows and capacity (a coordinator, where its rules allow)."""
    return present.process(production.change_process(db, actor.id, process_id, **body.model_dump()))
