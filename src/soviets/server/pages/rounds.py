"""Pages of a federated planning round and of the plan carried out: refuse an
agreement, re-plan the round, record production; the plan page's sections on the
protocol's messages and on plan against actual (:func:`context`).

Handlers only translate form fields; :mod:`soviets.governance.rounds` checks who
may do what.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from soviets.governance import production, rounds
from soviets.governance.errors import Forbidden, InputError
from soviets.ledger.models import PlanRecord
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor
from soviets.server.pages.inventory import number
from soviets.server.planners import federated_planner

router = APIRouter()
Id = Annotated[int, Form(ge=1, le=2_147_483_647)]


def message_query(
    council: str | None, round_no: str | None, kind: str | None, offset: int
) -> rounds.MessageQuery:
    """The plan page's filters of the messages (blank: no filter) as a query of a page."""
    return rounds.MessageQuery(
        council_id=_whole(council, "council"),
        round_no=_whole(round_no, "round"),
        kind=kind or None,
        offset=offset,
        limit=rounds.PAGE,
    )


def _whole(value: str | None, name: str) -> int | None:
    """A whole number from a filter's field (None when blank)."""
    if value is None or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{name} must be a whole number, got '{value}'", field=name) from None


def context(
    db: Session, person_id: int, record: PlanRecord, mine: set[int], query: rounds.MessageQuery
) -> dict[str, Any]:
    """What the plan page shows of a round and of the plan carried out: a page of the
    messages (``query``), refusals, plan against actual, and the processes of my
    workplace councils whose production I may record."""
    found: dict[str, Any] = {
        "messages": [],
        "refusals": {},
        "message_council": query.council_id,
        "message_query": query,
        "message_kinds": rounds.MESSAGE_KINDS,
        "message_page": None,
    }
    if record.solver == "federated":
        page = rounds.round_messages(db, person_id, record.id, query)
        found |= {"messages": page.rows, "message_page": page}
        found["message_councils"] = rounds.round_councils(db, person_id, record.id)
        found["refusals"] = rounds.refusals_by_agreement(db, person_id, record.id)
    found["actual"] = rounds.plan_vs_actual(db, person_id, record.id)
    planned = set(record.activity or {})
    mine_processes = []
    for council_id in sorted(mine):
        try:
            listed = production.processes_of(db, person_id, council_id)
        except Forbidden:
            continue
        mine_processes += [p for p in listed if p.name in planned]
    found["my_processes"] = mine_processes
    return found


@router.post("/agreements/{agreement_id}/refuse")
def refuse(
    agreement_id: PathId,
    found: FormActor,
    db: Db,
    council_id: Id,
    reason: Annotated[str, Form(max_length=2000)] = "",
    accepted_quantity: Annotated[str, Form(max_length=50)] = "0",
) -> Response:
    """Refuse an agreement for my council (where its rules let a coordinator consent)."""
    refusal = rounds.refuse_agreement(
        db,
        found[1].id,
        agreement_id,
        council_id,
        accepted_quantity=number(accepted_quantity or "0", "accepted_quantity"),
        reason=reason,
    )
    plan_id = rounds.plan_of_agreement(db, found[1].id, refusal.agreement_id)
    return RedirectResponse(f"/plans/{plan_id}?notice=agreement-refused#agreements", 303)


@router.post("/plans/{plan_id}/replan")
def replan(plan_id: PathId, found: FormActor, db: Db) -> Response:
    """Re-open the protocol with the round's refusals as constraints (delegates)."""
    record = rounds.replan_round(db, found[1].id, plan_id, federated_planner())
    return RedirectResponse(f"/plans/{record.id}?notice=replanned", status_code=303)


@router.post("/plans/{plan_id}/revise")
def revise(plan_id: PathId, found: FormActor, db: Db) -> Response:
    """Re-plan the rest of the period after a shortfall of deliveries (delegates)."""
    record = rounds.revise_plan(db, found[1].id, plan_id, federated_planner())
    return RedirectResponse(f"/plans/{record.id}?notice=revised", status_code=303)


@router.post("/processes/{process_id}/production-runs")
def produce(
    process_id: PathId,
    found: FormActor,
    db: Db,
    period: Annotated[str, Form(min_length=1, max_length=50)],
    activity: Annotated[str, Form(max_length=50)],
    plan_id: Id,
) -> Response:
    """Record a run of my workplace council's process (inputs consumed, hours recorded)."""
    rounds.record_production(
        db, found[1].id, process_id, period=period, activity=number(activity, "activity")
    )
    return RedirectResponse(f"/plans/{plan_id}?notice=production-recorded#actual", 303)
