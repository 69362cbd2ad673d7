"""Supply agreements: read them, accept for your council, deliver under them.

Who may do what is decided by :mod:`soviets.governance.planning_service`.
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import planning_service
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import AcceptIn, AgreementOut, DeliveryIn, EventOut

router = APIRouter(tags=["agreements"], responses=STANDARD)


@router.get("/councils/{council_id}/agreements", response_model=list[AgreementOut])
def list_agreements(council_id: PathId, actor: ApiActor, db: Db) -> list[AgreementOut]:
    """A council's agreements (as supplier or receiver); for a federation, all of its plans'."""
    rows = planning_service.agreements_of(db, actor.id, council_id)
    return [present.agreement(db, a) for a in rows]


@router.get("/agreements/{agreement_id}", response_model=AgreementOut)
def get_agreement(agreement_id: PathId, actor: ApiActor, db: Db) -> AgreementOut:
    """One agreement, with what has been delivered."""
    return present.agreement(db, planning_service.get_agreement(db, actor.id, agreement_id))


@router.post("/agreements/{agreement_id}/accept", response_model=AgreementOut, responses=WRITE)
def accept(agreement_id: PathId, body: AcceptIn, actor: ApiActor, db: Db) -> AgreementOut:
    """Accept the agreement for your council (a coordinator, where its rules allow;
    otherwise the council's ``approve_agreement`` vote)."""
    found = planning_service.accept_agreement(db, actor.id, agreement_id, body.council_id)
    return present.agreement(db, found)


@router.post(
    "/agreements/{agreement_id}/deliveries",
    status_code=201,
    response_model=EventOut,
    responses=WRITE,
)
def deliver(agreement_id: PathId, body: DeliveryIn, actor: ApiActor, db: Db) -> EventOut:
    """Deliver part of an accepted agreement (members of the supplying council)."""
    event = planning_service.deliver(
        db, actor.id, agreement_id, quantity=body.quantity, resource_id=body.resource_id
    )
    return EventOut.model_validate(event)
