"""Supply agreements: consent of both councils, deliveries, and progress per period.

An agreement is ``proposed`` when a plan is adopted, ``accepted`` once the
supplier and the receiver have each consented (a member acting for the
council, or the council's accepted proposal), and ``fulfilled`` when transfer
events naming it have delivered the agreed quantity (within a relative
``1e-9``). A delivery is a Valueflows ``transfer`` from the supplier's stock
of the good to the receiver, authorised by the agreement itself as standing
mandate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.ledger import inventory
from soviets.ledger.errors import Conflict, NotAllowed, NotFound
from soviets.ledger.models import (
    Agreement,
    AgreementAcceptance,
    Council,
    Good,
    LedgerEvent,
    Period,
    Resource,
)
from soviets.ledger.needs import get_period
from soviets.ledger.types import utcnow

FULFILLED_TOLERANCE = 1e-9


def get_agreement(session: Session, agreement_id: int, *, lock: bool = False) -> Agreement:
    """The agreement with this id, or :class:`NotFound`."""
    agreement = session.get(Agreement, agreement_id, with_for_update=lock, populate_existing=lock)
    if agreement is None:
        raise NotFound(f"no agreement with id {agreement_id}")
    return agreement


def accept(
    session: Session, agreement_id: int, council_id: int, actor_id: int
) -> AgreementAcceptance:
    """A person consents to the agreement for their council (supplier or receiver).

    Who may is the governance layer's decision
    (:func:`soviets.governance.planning_service.accept_agreement`).
    """
    return _consent(session, agreement_id, council_id, actor_id=actor_id)


def approve(
    session: Session, *, agreement_id: int, council_id: int, proposal_id: int
) -> AgreementAcceptance:
    """The council consents to the agreement by an accepted proposal."""
    return _consent(session, agreement_id, council_id, proposal_id=proposal_id)


def _consent(
    session: Session,
    agreement_id: int,
    council_id: int,
    *,
    actor_id: int | None = None,
    proposal_id: int | None = None,
) -> AgreementAcceptance:
    agreement = get_agreement(session, agreement_id, lock=True)
    if council_id not in (agreement.supplier_council_id, agreement.receiver_council_id):
        raise NotAllowed(f"council {council_id} is not a party to agreement {agreement_id}")
    if session.get(AgreementAcceptance, (agreement_id, council_id)) is not None:
        raise Conflict(f"council {council_id} has already accepted agreement {agreement_id}")
    consent = AgreementAcceptance(
        agreement_id=agreement_id,
        council_id=council_id,
        actor_id=actor_id,
        proposal_id=proposal_id,
        accepted_at=utcnow(),
    )
    session.add(consent)
    session.flush()
    parties = session.scalar(
        select(func.count()).where(AgreementAcceptance.agreement_id == agreement_id)
    )
    if parties == 2 and agreement.status == "proposed":
        agreement.status = "accepted"
        session.flush()
    return consent


def delivered(session: Session, agreement_id: int) -> float:
    """Quantity delivered so far under the agreement (sum of its transfer events)."""
    total = session.scalar(
        select(func.sum(LedgerEvent.quantity)).where(
            LedgerEvent.agreement_id == agreement_id, LedgerEvent.action == "transfer"
        )
    )
    return float(total or 0.0)


def deliver(
    session: Session,
    *,
    agreement_id: int,
    quantity: float,
    actor_id: int,
    resource_id: int | None = None,
) -> LedgerEvent:
    """A member of the supplier council delivers ``quantity`` under an accepted agreement
    (who may is decided by :func:`soviets.governance.planning_service.deliver`).

    Takes from ``resource_id`` or else from the supplier's largest stock of
    the agreed good; marks the agreement fulfilled once the total is reached.
    """
    agreement = get_agreement(session, agreement_id, lock=True)
    if agreement.status == "proposed":
        raise Conflict(f"agreement {agreement_id} is not accepted by both councils yet")
    if agreement.status == "fulfilled":
        raise Conflict(f"agreement {agreement_id} is already fulfilled")
    supplier = agreement.supplier_council_id
    if resource_id is None:
        resource_id = session.scalar(
            select(Resource.id)
            .where(Resource.holder_council_id == supplier, Resource.good_id == agreement.good_id)
            .order_by(Resource.quantity.desc(), Resource.id)
        )
        if resource_id is None:
            good = session.get(Good, agreement.good_id)
            raise NotFound(f"council {supplier} holds no stock of '{good.name if good else '?'}'")
    resource = inventory.get_resource(session, resource_id)
    if resource.good_id != agreement.good_id:
        raise NotAllowed(f"resource {resource_id} is not the agreed good")
    remaining = agreement.quantity - delivered(session, agreement_id)
    if quantity > remaining * (1 + FULFILLED_TOLERANCE) + FULFILLED_TOLERANCE:
        raise Conflict(
            f"agreement {agreement_id} has only {remaining:g} left to deliver, not {quantity:g}"
        )
    event = inventory.transfer(
        session,
        resource_id=resource_id,
        quantity=quantity,
        from_council_id=supplier,
        to_council_id=agreement.receiver_council_id,
        actor_id=actor_id,
        mandate=f"supply agreement {agreement_id}",
        agreement_id=agreement_id,
    )
    done = delivered(session, agreement_id)
    if done >= agreement.quantity * (1 - FULFILLED_TOLERANCE):
        agreement.status = "fulfilled"
        session.flush()
    return event


@dataclass(frozen=True)
class ProgressRow:
    """Delivered against agreed for one agreement; ``late`` once the period is over."""

    agreement_id: int
    supplier: str
    receiver: str
    good: str
    unit: str
    agreed: float
    delivered: float
    status: str
    late: bool

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def progress(session: Session, period: str, *, today: date | None = None) -> list[ProgressRow]:
    """Every agreement of the period: agreed, delivered, status and whether it is late.

    An agreement is late when the period's last day is before ``today`` (default:
    the current UTC date) and it is not fulfilled.
    """
    per: Period = get_period(session, period)
    today = today or utcnow().date()
    sums = dict(
        session.execute(
            select(LedgerEvent.agreement_id, func.sum(LedgerEvent.quantity))
            .join(Agreement, Agreement.id == LedgerEvent.agreement_id)
            .where(Agreement.period_id == per.id, LedgerEvent.action == "transfer")
            .group_by(LedgerEvent.agreement_id)
        ).all()
    )
    names = dict(session.execute(select(Council.id, Council.name)).all())
    rows = []
    for agreement, good in session.execute(
        select(Agreement, Good)
        .join(Good, Good.id == Agreement.good_id)
        .where(Agreement.period_id == per.id)
        .order_by(Agreement.id)
    ).all():
        rows.append(
            ProgressRow(
                agreement_id=agreement.id,
                supplier=names[agreement.supplier_council_id],
                receiver=names[agreement.receiver_council_id],
                good=good.name,
                unit=good.unit,
                agreed=agreement.quantity,
                delivered=float(sums.get(agreement.id) or 0.0),
                status=agreement.status,
                late=agreement.status != "fulfilled" and per.ends_on < today,
            )
        )
    return rows
