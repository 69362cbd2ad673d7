"""Federated planning rounds and the plan carried out.

Starting a round is ``POST /councils/{id}/plans`` with ``"regime": "federated"``
(:mod:`soviets.server.api.plans`); here: the round's messages, refusing an
agreement, re-planning, production records and plan against actual. Who may
do what is decided by :mod:`soviets.governance.rounds`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from soviets.governance import rounds
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.planners import federated_planner
from soviets.server.schemas import PlanOut
from soviets.server.schemas_rounds import (
    ActualOut,
    MessageOut,
    ProductionIn,
    ProductionOut,
    RefusalOut,
    RefuseIn,
)

router = APIRouter(tags=["rounds"], responses=STANDARD)


@router.get("/plans/{plan_id}/messages", response_model=list[MessageOut])
def messages(
    plan_id: PathId,
    actor: ApiActor,
    db: Db,
    response: Response,
    council_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    round: Annotated[int | None, Query(ge=-1, le=2_147_483_647)] = None,
    kind: Annotated[str | None, Query(max_length=30)] = None,
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
    limit: Annotated[int, Query(ge=1, le=rounds.MAX_PAGE)] = rounds.PAGE,
) -> list[MessageOut]:
    """A page of the round's messages (members of the federation's councils): the stored
    agreements and the clerk's summary, then every message of the protocol's log; with
    ``council_id`` only what that council sent or received (and the summary), with
    ``round`` and ``kind`` only those. ``X-Total-Count``: how many match."""
    query = rounds.MessageQuery(council_id, round, kind, offset, limit)
    page = rounds.round_messages(db, actor.id, plan_id, query)
    response.headers["X-Total-Count"] = str(page.total)
    return [MessageOut.model_validate(m) for m in page.rows]


@router.post(
    "/agreements/{agreement_id}/refuse",
    status_code=201,
    response_model=RefusalOut,
    responses=WRITE,
)
def refuse(agreement_id: PathId, body: RefuseIn, actor: ApiActor, db: Db) -> RefusalOut:
    """Refuse a proposed agreement for your council (a coordinator, where its rules let
    coordinators consent to agreements)."""
    refusal = rounds.refuse_agreement(
        db,
        actor.id,
        agreement_id,
        body.council_id,
        accepted_quantity=body.accepted_quantity,
        reason=body.reason,
    )
    return RefusalOut.model_validate(refusal)


@router.post("/plans/{plan_id}/replan", status_code=201, response_model=PlanOut, responses=WRITE)
def replan(plan_id: PathId, actor: ApiActor, db: Db) -> PlanOut:
    """Re-open the protocol with the round's refusals as constraints (delegates)."""
    record = rounds.replan_round(db, actor.id, plan_id, federated_planner())
    return present.plan(record, full=True)


@router.post("/plans/{plan_id}/revise", status_code=201, response_model=PlanOut, responses=WRITE)
def revise(plan_id: PathId, actor: ApiActor, db: Db) -> PlanOut:
    """Re-plan the rest of the period of an adopted plan whose deliveries fell short
    (delegates): the needs less what was delivered, planned again by the protocol and
    stored as a revision of the plan, to adopt by the federation's vote."""
    record = rounds.revise_plan(db, actor.id, plan_id, federated_planner())
    return present.plan(record, full=True)


@router.post(
    "/processes/{process_id}/production",
    status_code=201,
    response_model=ProductionOut,
    responses=WRITE,
)
def produce(process_id: PathId, body: ProductionIn, actor: ApiActor, db: Db) -> ProductionOut:
    """Record a run of the process (members of its workplace council): its inputs are
    taken from the council's stocks, its outputs added, its hours recorded."""
    record = rounds.record_production(
        db, actor.id, process_id, period=body.period, activity=body.activity
    )
    return ProductionOut.model_validate(record)


@router.get("/plans/{plan_id}/actual", response_model=list[ActualOut])
def actual(plan_id: PathId, actor: ApiActor, db: Db) -> list[ActualOut]:
    """Plan against actual: hours and output per workplace council, agreed against
    delivered per agreement."""
    return [ActualOut(**row.to_dict()) for row in rounds.plan_vs_actual(db, actor.id, plan_id)]
