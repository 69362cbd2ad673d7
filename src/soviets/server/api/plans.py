"""Plans of federations: run the planner on the ledger, read stored plans.

A federation's plans are readable by its delegates and by the members of its
member councils. Running the planner is for the federation's delegates; the
plan is adopted by an ``adopt_plan`` proposal
(:mod:`soviets.governance.planning_service` decides).
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import planning_service, rounds
from soviets.planning.multiyear_lp import Objective
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.planners import federated_planner
from soviets.server.schemas import MultiYearPlanIn, PlanIn, PlanOut

router = APIRouter(tags=["plans"], responses=STANDARD)


@router.get("/councils/{council_id}/plans", response_model=list[PlanOut])
def list_plans(council_id: PathId, actor: ApiActor, db: Db) -> list[PlanOut]:
    """A federation's plans, newest first (summaries; the full result is on each plan)."""
    return [present.plan(p) for p in planning_service.plans_of(db, actor.id, council_id)]


@router.post(
    "/councils/{council_id}/plans", status_code=201, response_model=PlanOut, responses=WRITE
)
def run_plan(council_id: PathId, body: PlanIn, actor: ApiActor, db: Db) -> PlanOut:
    """Run the planner for the federation and period and store the plan (delegates);
    ``"regime": "federated"`` runs a federated planning round instead, in either mode."""
    if body.regime == "federated":
        planner = federated_planner()
        record = rounds.start_round(db, actor.id, council_id, body.period, planner, body.mode)
    else:
        record = planning_service.run_plan(db, actor.id, council_id, body.period, mode=body.mode)
    return present.plan(record, full=True)


@router.post(
    "/councils/{council_id}/plans/multiyear",
    status_code=201,
    response_model=list[PlanOut],
    responses=WRITE,
)
def run_multiyear_plan(
    council_id: PathId, body: MultiYearPlanIn, actor: ApiActor, db: Db
) -> list[PlanOut]:
    """Plan several periods together for the federation (delegates): one stored plan per
    period, each adopted by an ``adopt_plan`` proposal like a one-period plan."""
    goal = Objective(body.objective, last_years=body.last_years, floor=body.floor)
    records = planning_service.plan_periods(db, actor.id, council_id, body.periods, goal)
    return [present.plan(r, full=True) for r in records]


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: PathId, actor: ApiActor, db: Db) -> PlanOut:
    """One plan with the planner's full result."""
    return present.plan(planning_service.get_plan(db, actor.id, plan_id), full=True)
