"""Supply agreements: read them, accept for your council, deliver under them."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import access, authz
from soviets.ledger import agreements
from soviets.server import present, queries
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import AcceptIn, AgreementOut, DeliveryIn, EventOut

router = APIRouter(tags=["agreements"], responses=STANDARD)


@router.get("/councils/{council_id}/agreements", response_model=list[AgreementOut])
def list_agreements(council_id: PathId, actor: ApiActor, db: Db) -> list[AgreementOut]:
    """A council's agreements (as supplier or receiver); for a federation, all of its plans'."""
    council = authz.require_read(db, actor.id, council_id)
    if council.kind == "federation":
        rows = queries.agreements_of_federation(db, council_id)
    else:
        rows = queries.agreements_of_council(db, council_id)
    return [present.agreement(db, a) for a in rows]


@router.get("/agreements/{agreement_id}", response_model=AgreementOut)
def get_agreement(agreement_id: PathId, actor: ApiActor, db: Db) -> AgreementOut:
    """One agreement, with what has been delivered."""
    return present.agreement(db, access.agreement(db, actor.id, agreement_id))


@router.post("/agreements/{agreement_id}/accept", response_model=AgreementOut, responses=WRITE)
def accept(agreement_id: PathId, body: AcceptIn, actor: ApiActor, db: Db) -> AgreementOut:
    """Accept the agreement on behalf of your council (supplier or receiver)."""
    access.agreement(db, actor.id, agreement_id)
    authz.require_member(db, actor.id, body.council_id)
    agreements.accept(db, agreement_id, body.council_id, actor.id)
    return present.agreement(db, agreements.get_agreement(db, agreement_id))


@router.post(
    "/agreements/{agreement_id}/deliveries",
    status_code=201,
    response_model=EventOut,
    responses=WRITE,
)
def deliver(agreement_id: PathId, body: DeliveryIn, actor: ApiActor, db: Db) -> EventOut:
    """Deliver part of an accepted agreement (members of the supplying council)."""
    found = access.agreement(db, actor.id, agreement_id)
    authz.require_member(db, actor.id, found.supplier_council_id)
    event = agreements.deliver(
        db,
        agreement_id=agreement_id,
        quantity=body.quantity,
        actor_id=actor.id,
        resource_id=body.resource_id,
    )
    return EventOut.model_validate(event)
