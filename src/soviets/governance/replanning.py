"""Re-planning by the service's clock: an adopted plan whose deliveries are overdue and short.

A plan's agreements are due evenly over the rest of its period: by a given day, the share
of the days from the plan's adoption (or the period's start, if later) to the period's end
that have passed. An agreement is *overdue and short* when what was delivered under it lies
behind that schedule by more than :data:`SLACK` of its quantity. ``soviets tick`` and the
server's clock (:func:`soviets.server.deadlines.tick`) then re-plan the rest of the period
as a delegate's :func:`~soviets.governance.rounds.revise_plan` does (warm-started, the
councils whose agreements change told by a *Plan changed* notice), and open the
federation's ``adopt_plan`` vote on the revision, drafted in the name of the delegate who
proposed the plan's adoption (else the first delegate seated in the federation; with
none seated, the revision waits for a delegate to propose it). The clock revises a plan
once: a plan already revised (adopted or not) is left to the delegates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.errors import SovietsError
from soviets.governance import authz, proposals, rounds
from soviets.ledger import rounds as ledger_rounds
from soviets.ledger.models import Delegate, Period, PlanRecord, Proposal

SLACK = 0.1
"""How far behind its schedule an agreement's deliveries may lie (a share of its quantity)."""


@dataclass(frozen=True)
class Revised:
    """One automatic revision: the plan revised, its revision and the federation's vote on
    it, or why the plan could not be revised (``error``; nothing of it was kept)."""

    plan_id: int
    revision_id: int | None = None
    proposal_id: int | None = None
    error: str | None = None


def describe(r: Revised) -> str:
    """One line on an automatic revision (for the log and ``soviets tick``)."""
    if r.error is not None:
        return f"not re-planned: {r.error}"
    vote = (
        "no delegate seated to propose it"
        if r.proposal_id is None
        else (f"the federation votes on proposal #{r.proposal_id}")
    )
    return f"the rest of the period re-planned as plan #{r.revision_id}; {vote}"


def schedule_share(start: date, end: date, today: date) -> float:
    """The share of an agreement due by ``today`` when it is due evenly from ``start`` to
    ``end`` (both included): 0 before ``start``, 1 from ``end`` on."""
    days = (end - start).days + 1
    return min(1.0, max(0.0, ((today - start).days + 1) / days)) if days > 0 else 1.0


def _start(session: Session, record: PlanRecord, period: Period) -> date:
    adoption = session.get(Proposal, record.proposal_id) if record.proposal_id else None
    adopted = adoption.closed_at if adoption and adoption.closed_at else record.created_at
    return max(period.starts_on, adopted.date())


def overdue(session: Session, record: PlanRecord, today: date) -> list[ledger_rounds.Actual]:
    """The plan's agreements whose deliveries lie behind their schedule by more than
    :data:`SLACK` of the quantity agreed."""
    period = record.period
    share = schedule_share(_start(session, record, period), period.ends_on, today)
    return [
        a
        for a in ledger_rounds.plan_against_actual(session, record)
        if a.what == "delivery" and a.planned * share - a.actual > SLACK * a.planned
    ]


def _proposer(session: Session, record: PlanRecord, now: datetime) -> int | None:
    """Who drafts the vote on a revision: the proposer of the plan's adoption, else the
    first delegate seated; a person with a vote in the federation at ``now``, or None."""
    federation = authz.get_council(session, record.federation_id)
    adoption = session.get(Proposal, record.proposal_id) if record.proposal_id else None
    seated: list[int] = list(
        session.scalars(
            select(Delegate.person_id)
            .where(Delegate.federation_id == federation.id, Delegate.status == "active")
            .order_by(Delegate.id)
        )
    )
    first: list[int] = [] if adoption is None else [adoption.created_by]
    for person_id in [*first, *seated]:
        if authz.is_voter(session, person_id, federation, now):
            return person_id
    return None


def _open_vote(session: Session, record: PlanRecord, new: PlanRecord, now: datetime) -> int | None:
    proposer = _proposer(session, record, now)
    if proposer is None:
        return None
    made = proposals.create_proposal(
        session,
        proposer,
        record.federation_id,
        kind="adopt_plan",
        title=f"Adopt plan #{new.id}, the rest of the period re-planned",
        body=(
            f"Deliveries under plan #{record.id} are overdue and short, so the service's clock "
            f"re-planned the rest of the period (plan #{new.id}) and opened this vote in the "
            "name of the delegate who proposed the plan's adoption."
        ),
        payload={"plan_id": new.id},
        now=now,
    )
    proposals.open_proposal(session, proposer, made.id, now=now)
    return made.id


def replan_overdue(
    session: Session, planner: rounds.Planner, now: datetime | None = None
) -> list[Revised]:
    """Revise every adopted, unrevised plan of a period not yet over whose deliveries are
    overdue and short, and open the federation's vote on each revision."""
    at = authz.moment(now)
    revised = set(
        session.scalars(
            select(PlanRecord.revises_plan_id).where(PlanRecord.revises_plan_id.is_not(None))
        )
    )
    found = session.scalars(
        select(PlanRecord)
        .join(Period, Period.id == PlanRecord.period_id)
        .where(PlanRecord.status == "adopted", Period.ends_on >= at.date())
        .order_by(PlanRecord.id)
    ).all()
    done = []
    for record in found:
        if record.id in revised or not overdue(session, record, at.date()):
            continue
        why = f"Deliveries of plan #{record.id} are overdue and short"
        try:
            with session.begin_nested():
                new = rounds.revision(session, record, planner, why)
                vote = _open_vote(session, record, new, at)
        except SovietsError as exc:  # this plan stays as it is; the next tick tries again
            done.append(Revised(record.id, error=str(exc)))
            continue
        done.append(Revised(record.id, new.id, vote))
    return done
