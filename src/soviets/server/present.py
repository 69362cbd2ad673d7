"""Turn ledger and governance records into the API's response bodies."""

from __future__ import annotations

from sqlalchemy.orm import Session

from soviets.governance import effects, proposals, ratification, views
from soviets.ledger import agreements as ledger_agreements
from soviets.ledger import plans as ledger_plans
from soviets.ledger.models import Agreement, Good, Membership, Need, Period, PlanRecord, Process
from soviets.ledger.models import Proposal as ProposalRow
from soviets.server import queries
from soviets.server.schemas import (
    AgreementOut,
    MembershipOut,
    NeedOut,
    PlanOut,
    ProcessOut,
    ProposalOut,
)


def proposal(db: Session, actor_id: int, row: ProposalRow) -> ProposalOut:
    """A proposal with its options' labels, its typed effect and the effect in words, and its
    decoded result."""
    return ProposalOut(
        id=row.id,
        council_id=row.council_id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        method=row.method,
        quorum=row.quorum,
        floor=row.floor,
        weighting=row.weighting,
        electorate_members=row.electorate_members,
        secret=row.secret,
        payload=row.payload_data,
        effect=None
        if row.method == "schulze"
        else effects.parse_effect(row.kind, ratification.split_terms(row.payload_data)[0]),
        effect_text=proposals.effect_text(db, actor_id, row.id),
        options=[o.label for o in row.options],
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        status=row.status,
        outcome=row.outcome,
        created_by=row.created_by,
        created_at=row.created_at,
        opened_at=row.opened_at,
        electorate_size=row.electorate_size,
        closed_at=row.closed_at,
        ballots_counted=row.ballots_counted,
        winner=row.winner,
        result=row.result_data,
        discussion_ends_at=row.discussion_ends_at,
        amendments=row.amendments,
        amended_body=row.amended_body,
        voted_payload=row.voted_payload,
        chain_head=views.decision_head(db, actor_id, row.id) if row.closed_at else None,
    )


def membership(row: Membership) -> MembershipOut:
    """A membership with the member's name."""
    return MembershipOut(
        id=row.id,
        person_id=row.person_id,
        person_name=row.person.name,
        council_id=row.council_id,
        role=row.role,
        joined_at=row.joined_at,
        left_at=row.left_at,
    )


def need(db: Session, row: Need) -> NeedOut:
    """A need with its good and period named."""
    period = db.get(Period, row.period_id)
    return NeedOut(
        id=row.id,
        period=period.name if period else "",
        council_id=row.council_id,
        person_id=row.person_id,
        good=row.good.name,
        unit=row.good.unit,
        quantity=row.quantity,
        priority=row.priority,
        status=row.status,
        created_at=row.created_at,
    )


def process(row: Process) -> ProcessOut:
    """A process with its flows by good name."""
    return ProcessOut(
        id=row.id,
        name=row.name,
        council_id=row.council_id,
        labour=row.labour,
        capacity=row.capacity,
        flows={f.good.name: f.quantity for f in row.flows},
    )


def plan(row: PlanRecord, *, full: bool = False) -> PlanOut:
    """A stored plan (with the planner's full result when ``full``)."""
    return PlanOut(
        id=row.id,
        federation_id=row.federation_id,
        period=row.period.name,
        status=row.status,
        solver=row.solver,
        plan_status=row.plan_status,
        objective_hours=row.objective_hours,
        certificate=row.certificate,
        council_hours=row.council_hours,
        created_at=row.created_at,
        adopted_at=row.adopted_at,
        proposal_id=row.proposal_id,
        revises_plan_id=row.revises_plan_id,
        mode=ledger_plans.mode_of(row),
        fulfilment=row.result.get("fulfilment"),
        result=row.result if full else None,
    )


def agreement(db: Session, row: Agreement) -> AgreementOut:
    """An agreement with its delivered quantity and the councils that accepted it."""
    good: Good = row.good
    return AgreementOut(
        id=row.id,
        plan_id=row.plan_id,
        period=row.period.name,
        supplier_council_id=row.supplier_council_id,
        receiver_council_id=row.receiver_council_id,
        good=good.name,
        unit=good.unit,
        quantity=row.quantity,
        delivered=ledger_agreements.delivered(db, row.id),
        status=row.status,
        accepted_by=queries.accepted_by(db, row.id),
    )
