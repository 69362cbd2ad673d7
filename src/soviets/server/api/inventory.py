"""The common inventory: resources held by councils, their event history, ledger verification.

Handlers only translate: the permissions and the council's rules are checked
by :mod:`soviets.governance.stock`. Every event names its authority: an
accepted proposal of the holding council, or a coordinator's standing mandate
within the council's rules (write-downs above ``stock.writedown_limit`` take a
``stock_change`` vote). Transfers between councils go through
``inventory_transfer`` proposals or agreement deliveries, never directly.
"""

from __future__ import annotations

from fastapi import APIRouter, Query

from soviets.errors import InputError
from soviets.governance import stock
from soviets.ledger import chain
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import (
    EventIn,
    EventOut,
    ProductionIn,
    ResourceIn,
    ResourceOut,
    VerifyOut,
)

router = APIRouter(tags=["inventory"], responses=STANDARD)


@router.get("/councils/{council_id}/resources", response_model=list[ResourceOut])
def list_resources(council_id: PathId, actor: ApiActor, db: Db) -> list[ResourceOut]:
    """What the council holds."""
    return [ResourceOut.model_validate(r) for r in stock.resources_of(db, actor.id, council_id)]


@router.post(
    "/councils/{council_id}/resources",
    status_code=201,
    response_model=ResourceOut,
    responses=WRITE,
)
def create_resource(council_id: PathId, body: ResourceIn, actor: ApiActor, db: Db) -> ResourceOut:
    """Register a resource of the council (coordinators), with quantity 0."""
    made = stock.create_resource(db, actor.id, council_id, **body.model_dump())
    return ResourceOut.model_validate(made)


@router.get("/resources/{resource_id}", response_model=ResourceOut)
def get_resource(resource_id: PathId, actor: ApiActor, db: Db) -> ResourceOut:
    """One resource of a council you may read."""
    return ResourceOut.model_validate(stock.get_resource(db, actor.id, resource_id))


@router.get("/resources/{resource_id}/events", response_model=list[EventOut])
def events(resource_id: PathId, actor: ApiActor, db: Db) -> list[EventOut]:
    """Every event that touched the resource, in chain order."""
    return [EventOut.model_validate(e) for e in stock.events_of(db, actor.id, resource_id)]


@router.post(
    "/resources/{resource_id}/events", status_code=201, response_model=EventOut, responses=WRITE
)
def record_event(resource_id: PathId, body: EventIn, actor: ApiActor, db: Db) -> EventOut:
    """Record a change of the resource (coordinators of its council, within its rules)."""
    event = stock.record_event(
        db,
        actor.id,
        resource_id,
        action=body.action,
        quantity=body.quantity,
        reason=body.mandate,
        proposal_id=body.proposal_id,
        to_council_id=body.to_council_id,
    )
    return EventOut.model_validate(event)


@router.post(
    "/resources/{resource_id}/production",
    status_code=201,
    response_model=EventOut,
    responses=WRITE,
)
def record_production(resource_id: PathId, body: ProductionIn, actor: ApiActor, db: Db) -> EventOut:
    """Record what a workplace council produced into its stock (coordinators)."""
    event = stock.record_production(
        db, actor.id, resource_id, quantity=body.quantity, note=body.note
    )
    return EventOut.model_validate(event)


@router.get("/ledger/verify", response_model=VerifyOut)
def verify(
    actor: ApiActor,
    db: Db,
    head: str | None = Query(
        default=None, max_length=200, description="a head kept earlier: SEQ:HASH or HASH"
    ),
) -> VerifyOut:
    """Check the whole hash chain (every hash, link, the numbering, the head), replay it
    (stocks, holders, bookings) and compare the tables with it; with ``head``, check that
    a head kept earlier is still in the chain at its place.

    Problems are listed by entry number and kind only: their details could
    name other councils' resources.
    """
    if head is not None:
        try:
            chain.parse_kept_head(head)
        except ValueError as exc:
            raise InputError(str(exc), field="head") from None
    report = chain.verify(db, kept_head=head)
    return VerifyOut(
        ok=report.ok,
        events=report.events,
        records=report.records,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        problems=[{"seq": p.seq, "kind": p.kind} for p in report.problems],
    )
