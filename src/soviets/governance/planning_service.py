"""Planning as council actions: periods, needs, plans, supply agreements and deliveries.

* Members of a territorial council register and withdraw their own needs; the
  council approves its list by an ``approve_needs`` vote.
* A federation's delegates run the planner and open the next planning period;
  the federation adopts a plan by an ``adopt_plan`` vote.
* A council consents to a supply agreement by an ``approve_agreement`` vote,
  or through a coordinator where its ``agreement.accept`` rule says so
  (:mod:`soviets.governance.commons`).
* Members of the supplying council deliver under an accepted agreement: the
  agreement both councils consented to is their standing mandate.

Every function takes the session and the acting person's id and checks the
permission itself; reads need read access to the council that owns the record.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from soviets.governance import access, authz, commons
from soviets.governance.errors import Conflict, InputError, NotFound
from soviets.ledger import agreements, multiyear_plans, needs, plans
from soviets.ledger.models import Agreement, LedgerEvent, Need, Period, PlanRecord
from soviets.planning.multiyear_lp import Objective

# --- periods ------------------------------------------------------------------------------


def next_period(session: Session) -> tuple[str, date, date] | None:
    """Name, first and last day of the period after the latest one (None: no period yet).

    A period of whole calendar months is followed by as many months (a calendar
    year by the next year, named by its number); any other by as many days,
    named by its first day.
    """
    latest = session.scalar(select(Period).order_by(Period.ends_on.desc(), Period.id.desc()))
    if latest is None:
        return None
    start = latest.ends_on + timedelta(days=1)
    first, last = latest.starts_on, latest.ends_on
    whole_months = first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1]
    if whole_months:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        end_month = start.month - 1 + months - 1
        year, month = start.year + end_month // 12, end_month % 12 + 1
        end = date(year, month, calendar.monthrange(year, month)[1])
    else:
        end = start + (last - first)
    name = str(start.year) if whole_months and months == 12 and start.month == 1 else str(start)
    return name, start, end


def open_period(
    session: Session,
    actor_id: int,
    federation_id: int,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
) -> Period:
    """A delegate of a federation opens a planning period (it must overlap no other)."""
    authz.require_delegate(session, actor_id, federation_id)
    name = name.strip()
    if not name or len(name) > 50:
        raise InputError("a period needs a name of 1 to 50 characters", field="name")
    clash = session.scalar(
        select(Period).where(Period.starts_on <= ends_on, Period.ends_on >= starts_on)
    )
    if clash is not None:
        raise Conflict(
            f"period '{clash.name}' ({clash.starts_on} to {clash.ends_on}) overlaps "
            f"{starts_on} to {ends_on}"
        )
    return needs.create_period(session, name=name, starts_on=starts_on, ends_on=ends_on)


# --- needs --------------------------------------------------------------------------------


def needs_of(session: Session, actor_id: int | None, council_id: int, period: str) -> list[Need]:
    """A readable council's needs for a period, proposed and approved."""
    authz.require_read(session, actor_id, council_id)
    return needs.needs_of(session, period=period, council_id=council_id)


def register_need(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    period: str,
    good: str,
    quantity: float,
    priority: str = "essential",
) -> Need:
    """A member registers one of their needs (the council approves the list by vote)."""
    authz.require_member(session, actor_id, council_id)
    return needs.register_need(
        session,
        council_id=council_id,
        period=period,
        good=good,
        quantity=quantity,
        priority=priority,
        person_id=actor_id,
    )


def withdraw_need(session: Session, actor_id: int, need_id: int) -> Need:
    """A member withdraws their own need while it is still proposed."""
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound(f"no need #{need_id}")
    authz.require_member(session, actor_id, need.council_id)
    return needs.withdraw_need(session, need_id=need_id, person_id=actor_id)


# --- plans --------------------------------------------------------------------------------


def plans_of(session: Session, actor_id: int | None, federation_id: int) -> list[PlanRecord]:
    """A readable federation's plans, newest first."""
    authz.require_read(session, actor_id, federation_id)
    stmt = (
        select(PlanRecord)
        .where(PlanRecord.federation_id == federation_id)
        .order_by(PlanRecord.id.desc())
    )
    return list(session.scalars(stmt))


def get_plan(session: Session, actor_id: int | None, plan_id: int) -> PlanRecord:
    """A plan of a federation the actor may read."""
    found = plans.get_plan(session, plan_id)
    authz.require_read(session, actor_id, found.federation_id)
    return found


def run_plan(
    session: Session, actor_id: int, federation_id: int, period: str, *, mode: str = "min-labour"
) -> PlanRecord:
    """A delegate runs the planner for the federation and period; the plan is stored
    ``proposed`` until the federation's ``adopt_plan`` vote."""
    authz.require_delegate(session, actor_id, federation_id)
    return plans.run_plan(session, period, federation_id, mode=mode)


# --- agreements and deliveries ----------------------------------------------------------------


def plan_periods(
    session: Session,
    actor_id: int,
    federation_id: int,
    periods: list[str],
    objective: Objective | None = None,
) -> list[PlanRecord]:
    """Plan ``periods`` together for the federation and store one proposed plan per period
    (a current delegate only); each is adopted by an ``adopt_plan`` vote like a one-period
    plan. See :func:`soviets.ledger.multiyear_plans.run_multiyear_plan`."""
    authz.require_delegate(session, actor_id, federation_id)
    return multiyear_plans.run_multiyear_plan(session, periods, federation_id, objective)


def agreements_of(session: Session, actor_id: int | None, council_id: int) -> list[Agreement]:
    """A readable council's agreements (as supplier or receiver); a federation's: all of
    its plans'."""
    council = authz.require_read(session, actor_id, council_id)
    stmt = select(Agreement).order_by(Agreement.id)
    if council.kind == "federation":
        stmt = stmt.join(PlanRecord, PlanRecord.id == Agreement.plan_id).where(
            PlanRecord.federation_id == council_id
        )
    else:
        stmt = stmt.where(
            or_(
                Agreement.supplier_council_id == council_id,
                Agreement.receiver_council_id == council_id,
            )
        )
    return list(session.scalars(stmt))


def get_agreement(session: Session, actor_id: int | None, agreement_id: int) -> Agreement:
    """An agreement the actor may read through one of its councils or its plan's federation."""
    return access.agreement(session, actor_id, agreement_id)


def accept_agreement(
    session: Session, actor_id: int, agreement_id: int, council_id: int
) -> Agreement:
    """A coordinator consents to the agreement for their council, where its
    ``agreement.accept`` rule lets them; otherwise it takes an ``approve_agreement`` vote."""
    get_agreement(session, actor_id, agreement_id)
    commons.require_mandate(
        session, actor_id, council_id, commons.AGREEMENT_ACCEPT,
        what="consenting to a supply agreement", kind="approve_agreement",
    )  # fmt: skip
    agreements.accept(session, agreement_id, council_id, actor_id)
    return agreements.get_agreement(session, agreement_id)


def deliver(
    session: Session,
    actor_id: int,
    agreement_id: int,
    *,
    quantity: float,
    resource_id: int | None = None,
) -> LedgerEvent:
    """A member of the supplying council delivers part of an accepted agreement."""
    found = get_agreement(session, actor_id, agreement_id)
    authz.require_member(session, actor_id, found.supplier_council_id)
    return agreements.deliver(
        session,
        agreement_id=agreement_id,
        quantity=quantity,
        actor_id=actor_id,
        resource_id=resource_id,
    )
