"""Read access to ledger records, decided by the council that owns each one.

A council is readable as :func:`soviets.governance.authz.can_read` says; a
ledger record is readable exactly when its council is: a resource by its
holder, a plan by its federation, an agreement by its supplier, its receiver
or its plan's federation; a person only by those who share a council with
them. Each function returns the record, or raises
:class:`~soviets.errors.NotFound` or :class:`~soviets.errors.Forbidden`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.errors import Forbidden
from soviets.ledger import agreements, inventory, plans
from soviets.ledger.models import Agreement, Membership, Person, PlanRecord, Resource


def council_ids_of(session: Session, person_id: int) -> list[int]:
    """Councils the person is a member of now."""
    stmt = select(Membership.council_id).where(
        Membership.person_id == person_id, Membership.left_at.is_(None)
    )
    return sorted(session.scalars(stmt))


def resource(session: Session, actor_id: int, resource_id: int) -> Resource:
    """A resource whose holder council the actor may read."""
    found = inventory.get_resource(session, resource_id)
    authz.require_read(session, actor_id, found.holder_council_id)
    return found


def plan(session: Session, actor_id: int, plan_id: int) -> PlanRecord:
    """A plan of a federation the actor may read (members of its member councils may)."""
    found = plans.get_plan(session, plan_id)
    authz.require_read(session, actor_id, found.federation_id)
    return found


def agreement(session: Session, actor_id: int | None, agreement_id: int) -> Agreement:
    """An agreement the actor may read through one of its councils or its plan's federation."""
    found = agreements.get_agreement(session, agreement_id)
    record = plans.get_plan(session, found.plan_id)
    for council_id in (found.supplier_council_id, found.receiver_council_id, record.federation_id):
        if authz.can_read(session, actor_id, authz.get_council(session, council_id)):
            return found
    raise Forbidden(f"agreement #{agreement_id} is between councils you may not read")


def person(session: Session, actor_id: int, person_id: int) -> Person:
    """A person the actor may see: themselves, or someone who shares a council with them (a
    member of a council the actor belongs to; a council being public is not enough, and
    the names a founding invitation shows are no membership)."""
    found = authz.get_person(session, person_id)
    if person_id == actor_id:
        return found
    for council_id in council_ids_of(session, person_id):
        if authz.is_insider(session, actor_id, authz.get_council(session, council_id)):
            return found
    raise Forbidden(f"person #{person_id} shares no council with you")
