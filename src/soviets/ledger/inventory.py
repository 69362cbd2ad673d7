"""The common inventory: create resources and record every change as a chained event.

All quantity changes go through one conditional UPDATE
(``quantity = quantity - q WHERE quantity >= q``), so a stock can never go
below zero even when many transactions take from it at once; the CHECK
constraint on ``resources.quantity`` is the database's second guard.
Every change names the acting person and the accepted proposal or the
standing mandate that authorised it.
"""

from __future__ import annotations

import math

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from soviets.ledger import chain
from soviets.ledger.db import rowcount
from soviets.ledger.errors import Conflict, InsufficientQuantity, LedgerError, NotAllowed, NotFound
from soviets.ledger.models import Council, LedgerEvent, Person, Process, Resource
from soviets.ledger.models.inventory import ACTIONS, RESOURCE_KINDS

# Actions recorded without changing any quantity (the resource is used, moved,
# or lent into another council's custody while its holder stays the same).
RECORD_ONLY: tuple[str, ...] = ("use", "move", "transfer-custody")


def create_resource(
    session: Session,
    *,
    name: str,
    kind: str,
    holder_council_id: int,
    unit: str = "",
    good_id: int | None = None,
    process_id: int | None = None,
    capacity_per_unit: float | None = None,
) -> Resource:
    """Register a resource held by a council, with quantity 0 (use :func:`record` to raise it)."""
    if kind not in RESOURCE_KINDS:
        raise LedgerError(f"resource kind must be one of {', '.join(RESOURCE_KINDS)}, got '{kind}'")
    council = get_council(session, holder_council_id)
    if session.scalar(
        select(Resource.id).where(Resource.holder_council_id == council.id, Resource.name == name)
    ):
        raise Conflict(f"council '{council.name}' already holds a resource named '{name}'")
    if process_id is not None:
        process = session.get(Process, process_id)
        if process is None:
            raise NotFound(f"no process with id {process_id}")
        if process.council_id != council.id:
            raise NotAllowed(f"process '{process.name}' is run by another council")
    if capacity_per_unit is not None and not (
        math.isfinite(capacity_per_unit) and capacity_per_unit >= 0
    ):
        raise LedgerError(f"capacity per unit must be a number >= 0, got {capacity_per_unit}")
    resource = Resource(
        name=name,
        kind=kind,
        holder_council_id=council.id,
        unit=unit,
        good_id=good_id,
        process_id=process_id,
        capacity_per_unit=capacity_per_unit,
        quantity=0.0,
    )
    session.add(resource)
    session.flush()
    return resource


def record(
    session: Session,
    action: str,
    *,
    resource_id: int,
    quantity: float,
    actor_id: int,
    proposal_id: int | None = None,
    mandate: str | None = None,
    to_council_id: int | None = None,
    agreement_id: int | None = None,
) -> LedgerEvent:
    """Record an event on one resource: produce/raise add, consume/lower take away;
    use, move and transfer-custody (custody to ``to_council_id``) change no quantity.
    For ``transfer`` use :func:`transfer`.
    """
    if action not in ACTIONS:
        raise LedgerError(f"action must be one of {', '.join(ACTIONS)}, got '{action}'")
    if action == "transfer":
        raise LedgerError("use transfer() to move a resource to another council")
    _check_quantity(quantity, allow_zero=action in RECORD_ONLY)
    _check_authority(session, actor_id, proposal_id, mandate)
    chain.lock_head(session)
    resource = get_resource(session, resource_id)
    holder = resource.holder_council_id
    if action in RECORD_ONLY:
        to = get_council(session, to_council_id).id if to_council_id is not None else None
        return chain.append(
            session, action=action, resource_id=resource.id, quantity=quantity,
            from_council_id=holder, to_council_id=to, actor_id=actor_id,
            proposal_id=proposal_id, mandate=mandate, agreement_id=agreement_id,
        )  # fmt: skip
    if chain.SIGN[action] > 0:
        _add(session, resource.id, quantity)
        ends = {"from_council_id": None, "to_council_id": holder}
    else:
        _take(session, resource, quantity)
        ends = {"from_council_id": holder, "to_council_id": None}
    return chain.append(
        session, action=action, resource_id=resource.id, quantity=quantity, actor_id=actor_id,
        proposal_id=proposal_id, mandate=mandate, agreement_id=agreement_id, **ends,
    )  # fmt: skip


def transfer(
    session: Session,
    *,
    resource_id: int,
    quantity: float,
    from_council_id: int,
    to_council_id: int,
    actor_id: int,
    proposal_id: int | None = None,
    mandate: str | None = None,
    agreement_id: int | None = None,
) -> LedgerEvent:
    """Move ``quantity`` of a resource from its holder council to another council.

    The receiver's stock of the same name is created when missing. Refused
    (:class:`SovietsError`) when the source does not hold the resource or
    enough of it, or when the receiving council does not exist.
    """
    _check_quantity(quantity)
    _check_authority(session, actor_id, proposal_id, mandate)
    chain.lock_head(session)
    resource = get_resource(session, resource_id)
    if resource.holder_council_id != from_council_id:
        raise NotAllowed(
            f"resource '{resource.name}' is held by council {resource.holder_council_id}, "
            f"not by council {from_council_id}"
        )
    receiver = get_council(session, to_council_id)
    if receiver.id == from_council_id:
        raise LedgerError("a transfer needs two different councils")
    _take(session, resource, quantity)
    target = _stock_at(session, resource, receiver.id)
    _add(session, target.id, quantity)
    return chain.append(
        session, action="transfer", resource_id=resource.id, to_resource_id=target.id,
        quantity=quantity, from_council_id=from_council_id, to_council_id=receiver.id,
        actor_id=actor_id, proposal_id=proposal_id, mandate=mandate, agreement_id=agreement_id,
    )  # fmt: skip


def holdings(session: Session, council_id: int | None = None) -> list[Resource]:
    """Resources (of one council, or all), by council and name."""
    stmt = select(Resource).order_by(Resource.holder_council_id, Resource.name)
    if council_id is not None:
        stmt = stmt.where(Resource.holder_council_id == council_id)
    return list(session.scalars(stmt))


def history(session: Session, resource_id: int | None = None) -> list[LedgerEvent]:
    """Events in chain order (touching one resource, or all)."""
    stmt = select(LedgerEvent).order_by(LedgerEvent.seq)
    if resource_id is not None:
        stmt = stmt.where(
            (LedgerEvent.resource_id == resource_id) | (LedgerEvent.to_resource_id == resource_id)
        )
    return list(session.scalars(stmt))


def get_resource(session: Session, resource_id: int) -> Resource:
    """The resource with this id, fresh from the database, or :class:`NotFound`."""
    resource = session.get(Resource, resource_id, populate_existing=True)
    if resource is None:
        raise NotFound(f"no resource with id {resource_id}")
    return resource


def get_council(session: Session, council_id: int | None) -> Council:
    """The council with this id, or :class:`NotFound`."""
    council = session.get(Council, council_id) if council_id is not None else None
    if council is None:
        raise NotFound(f"no council with id {council_id}")
    return council


def _check_quantity(quantity: float, *, allow_zero: bool = False) -> None:
    ok = isinstance(quantity, (int, float)) and math.isfinite(quantity)
    if not ok or quantity < 0 or (quantity == 0 and not allow_zero):
        raise LedgerError(f"quantity must be a number > 0, got {quantity!r}")


def _check_authority(
    session: Session, actor_id: int, proposal_id: int | None, mandate: str | None
) -> None:
    if proposal_id is None and not (mandate and mandate.strip()):
        raise NotAllowed(
            "an inventory change needs the accepted proposal or the standing mandate "
            "that authorised it"
        )
    if session.get(Person, actor_id) is None:
        raise NotFound(f"no person with id {actor_id}")


def _take(session: Session, resource: Resource, quantity: float) -> None:
    result = session.execute(
        update(Resource)
        .where(Resource.id == resource.id, Resource.quantity >= quantity)
        .values(quantity=Resource.quantity - quantity)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        held = session.scalar(select(Resource.quantity).where(Resource.id == resource.id))
        holder = get_council(session, resource.holder_council_id).name
        unit = f" {resource.unit}" if resource.unit else ""
        raise InsufficientQuantity(
            f"council '{holder}' holds {held:g}{unit} of '{resource.name}', not {quantity:g}"
        )
    session.expire(resource)


def _add(session: Session, resource_id: int, quantity: float) -> None:
    session.execute(
        update(Resource)
        .where(Resource.id == resource_id)
        .values(quantity=Resource.quantity + quantity)
        .execution_options(synchronize_session=False)
    )
    existing = session.get(Resource, resource_id)
    if existing is not None:
        session.expire(existing)


def _stock_at(session: Session, source: Resource, council_id: int) -> Resource:
    """The receiving council's stock matching ``source`` (same name), created when missing."""
    target = session.scalar(
        select(Resource).where(
            Resource.holder_council_id == council_id, Resource.name == source.name
        )
    )
    if target is None:
        target = Resource(
            name=source.name,
            kind=source.kind,
            holder_council_id=council_id,
            unit=source.unit,
            good_id=source.good_id,
            quantity=0.0,
        )
        session.add(target)
        session.flush()
    elif (target.kind, target.good_id) != (source.kind, source.good_id):
        raise Conflict(
            f"council {council_id} already holds a different resource named '{source.name}'"
        )
    return target
