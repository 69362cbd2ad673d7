"""The common inventory: resources held by councils, their event history, ledger verification.

Reading needs read access to the holding council. Creating a resource or
recording an event is for the council's coordinators, and every event names
its authority: an accepted proposal of the holding council, or a standing
mandate (a short text saying which). Transfers between councils go through
``inventory_transfer`` proposals or agreement deliveries, never directly.
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import access, authz, proposals
from soviets.governance.errors import Conflict
from soviets.ledger import chain, inventory
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import EventIn, EventOut, ResourceIn, ResourceOut, VerifyOut

router = APIRouter(tags=["inventory"], responses=STANDARD)


@router.get("/councils/{council_id}/resources", response_model=list[ResourceOut])
def list_resources(council_id: PathId, actor: ApiActor, db: Db) -> list[ResourceOut]:
    """What the council holds."""
    authz.require_read(db, actor.id, council_id)
    return [ResourceOut.model_validate(r) for r in inventory.holdings(db, council_id)]


@router.post(
    "/councils/{council_id}/resources",
    status_code=201,
    response_model=ResourceOut,
    responses=WRITE,
)
def create_resource(council_id: PathId, body: ResourceIn, actor: ApiActor, db: Db) -> ResourceOut:
    """Register a resource of the council (coordinators), with quantity 0."""
    authz.require_coordinator(db, actor.id, council_id)
    made = inventory.create_resource(db, holder_council_id=council_id, **body.model_dump())
    return ResourceOut.model_validate(made)


@router.get("/resources/{resource_id}", response_model=ResourceOut)
def get_resource(resource_id: PathId, actor: ApiActor, db: Db) -> ResourceOut:
    """One resource of a council you may read."""
    return ResourceOut.model_validate(access.resource(db, actor.id, resource_id))


@router.get("/resources/{resource_id}/events", response_model=list[EventOut])
def events(resource_id: PathId, actor: ApiActor, db: Db) -> list[EventOut]:
    """Every event that touched the resource, in chain order."""
    access.resource(db, actor.id, resource_id)
    return [EventOut.model_validate(e) for e in inventory.history(db, resource_id)]


@router.post(
    "/resources/{resource_id}/events", status_code=201, response_model=EventOut, responses=WRITE
)
def record_event(resource_id: PathId, body: EventIn, actor: ApiActor, db: Db) -> EventOut:
    """Record a change of the resource (coordinators of its council), with its authority."""
    resource = access.resource(db, actor.id, resource_id)
    authz.require_coordinator(db, actor.id, resource.holder_council_id)
    if body.proposal_id is not None:
        proposal = proposals.get_proposal(db, actor.id, body.proposal_id)
        if proposal.council_id != resource.holder_council_id or proposal.outcome != "accepted":
            raise Conflict(
                f"proposal #{proposal.id} is not an accepted proposal of the council that "
                "holds this resource"
            )
    event = inventory.record(
        db,
        body.action,
        resource_id=resource.id,
        quantity=body.quantity,
        actor_id=actor.id,
        proposal_id=body.proposal_id,
        mandate=body.mandate,
        to_council_id=body.to_council_id,
    )
    return EventOut.model_validate(event)


@router.get("/ledger/verify", response_model=VerifyOut)
def verify(actor: ApiActor, db: Db) -> VerifyOut:
    """Check the whole hash chain (every hash, link, the numbering, the head and balances).

    Problems are listed by event number and kind only: their details could
    name other councils' resources.
    """
    report = chain.verify(db)
    return VerifyOut(
        ok=report.ok,
        events=report.events,
        head_seq=report.head_seq,
        problems=[{"seq": p.seq, "kind": p.kind} for p in report.problems],
    )
