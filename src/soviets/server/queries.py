"""Small read-only queries the pages and API need that the services do not offer.

Nothing here checks permissions or changes data: callers check access through
the governance layer first (:mod:`soviets.governance.access`, service functions).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.ledger.models import (
    Agreement,
    AgreementAcceptance,
    Council,
    Good,
    Period,
    Person,
    PlanRecord,
    Process,
)


def periods(db: Session) -> list[Period]:
    """All planning periods, latest first."""
    return list(db.scalars(select(Period).order_by(Period.starts_on.desc(), Period.id.desc())))


def goods(db: Session, *, produced_only: bool = False) -> list[Good]:
    """The goods catalogue by name (only produced goods, which can be needed, if asked)."""
    stmt = select(Good).order_by(Good.name)
    if produced_only:
        stmt = stmt.where(Good.kind == "produced")
    return list(db.scalars(stmt))


def processes_of(db: Session, council_id: int) -> list[Process]:
    """A council's processes by name."""
    stmt = select(Process).where(Process.council_id == council_id).order_by(Process.name)
    return list(db.scalars(stmt))


def plans_of(db: Session, federation_id: int) -> list[PlanRecord]:
    """A federation's stored plans, newest first."""
    stmt = (
        select(PlanRecord)
        .where(PlanRecord.federation_id == federation_id)
        .order_by(PlanRecord.id.desc())
    )
    return list(db.scalars(stmt))


def agreements_of_plan(db: Session, plan_id: int) -> list[Agreement]:
    """The agreements a plan's adoption created."""
    stmt = select(Agreement).where(Agreement.plan_id == plan_id).order_by(Agreement.id)
    return list(db.scalars(stmt))


def accepted_by(db: Session, agreement_id: int) -> list[int]:
    """Councils that have accepted the agreement."""
    stmt = select(AgreementAcceptance.council_id).where(
        AgreementAcceptance.agreement_id == agreement_id
    )
    return sorted(db.scalars(stmt))


def names(db: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Names of these people by id."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    return dict(db.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


def council_names(db: Session) -> dict[int, str]:
    """Every council's name by id (names are not secret: they label agreements and plans)."""
    return dict(db.execute(select(Council.id, Council.name)).all())
