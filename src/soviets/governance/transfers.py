"""Transfers between councils need both: the giver's vote offers, the receiver's vote takes.

An accepted ``inventory_transfer`` of the giving council moves nothing: it is
an offer to the receiving council, checked against the giver's stock when the
vote closes. The receiving council takes it by its own ``accept_custody``
decision naming the offer (``transfer_id``); carrying out that decision moves
the stock, recorded with the offer as authority and the consent in the
mandate. An offer is taken once; one not taken within :data:`OFFER_LAPSES`
of its acceptance lapses, and a refused or lapsed offer has moved nothing.

``accept_custody`` without ``transfer_id`` is the consent to a custody event
the holder records itself (:func:`soviets.governance.stock.record_event`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance.endings import decided_payload
from soviets.governance.errors import Conflict, InputError
from soviets.governance.execution import Payload, held_resource, register_executor
from soviets.ledger import inventory
from soviets.ledger.models import Council, LedgerEvent, Proposal, Resource
from soviets.ledger.types import as_utc

OFFER_LAPSES = timedelta(days=30)
"""How long after the giver's vote an offered transfer may still be taken."""


def offers_to(session: Session, council: Council, now: datetime) -> list[Proposal]:
    """Transfers other councils offered to ``council`` that it may still take."""
    found = session.scalars(
        select(Proposal)
        .where(Proposal.kind == "inventory_transfer", Proposal.outcome == "accepted")
        .order_by(Proposal.id)
    )
    return [
        p
        for p in found
        if _given(p).get("to_council_id") == council.id
        and _refusal(session, council, p, now) is None
    ]


def _given(offer: Proposal) -> Payload:
    """What the giver's vote decided to give (a ranked vote: its winning option)."""
    return decided_payload(offer, offer.winner)


def _refusal(session: Session, council: Council, offer: Proposal, now: datetime) -> str | None:
    """Why ``council`` may not take ``offer`` now (None: it may)."""
    if (
        offer.kind != "inventory_transfer"
        or offer.outcome != "accepted"
        or _given(offer).get("to_council_id") != council.id
    ):
        return f"proposal #{offer.id} is no accepted transfer offered to council '{council.name}'"
    taken = session.scalar(
        select(LedgerEvent.seq).where(LedgerEvent.proposal_id == offer.id).limit(1)
    )
    if taken is not None:
        return f"the transfer offered by proposal #{offer.id} was already taken"
    assert offer.closed_at is not None
    if as_utc(now) > as_utc(offer.closed_at) + OFFER_LAPSES:
        return (
            f"the transfer offered by proposal #{offer.id} lapsed {OFFER_LAPSES.days} days "
            "after its vote, untaken: nothing was moved"
        )
    return None


def _offer(session: Session, council: Council, transfer_id: int, now: datetime) -> Proposal:
    offer = session.get(Proposal, transfer_id)
    if offer is None:
        raise InputError(f"no proposal #{transfer_id}", field="payload.transfer_id")
    refusal = _refusal(session, council, offer, now)
    if refusal is not None:
        raise Conflict(refusal)
    return offer


# --- the giver's vote: inventory_transfer -------------------------------------------------


def _check_transfer(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    resource_id = held_resource(session, council, payload["resource_id"]).id
    to_council_id = payload["to_council_id"]
    if session.get(Council, to_council_id) is None or to_council_id == council.id:
        raise InputError(
            f"no other council #{to_council_id} to receive it", field="payload.to_council_id"
        )
    return {
        "resource_id": resource_id,
        "quantity": payload["quantity"],
        "to_council_id": to_council_id,
    }


def _make_offer(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    # Nothing moves yet; an offer of more than the council holds fails the vote.
    resource = inventory.get_resource(session, payload["resource_id"])
    if resource.holder_council_id != proposal.council_id:
        raise Conflict(f"'{resource.name}' is no longer held by the giving council")
    if resource.quantity < payload["quantity"]:
        raise Conflict(
            f"the council holds {resource.quantity:g} {resource.unit} of '{resource.name}', "
            f"not {payload['quantity']:g}"
        )


register_executor("inventory_transfer", _make_offer, validate=_check_transfer)


# --- the receiver's vote: accept_custody --------------------------------------------------


def _check_consent(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    transfer_id = payload.get("transfer_id")
    resource_id = payload.get("resource_id")
    if (transfer_id is None) == (resource_id is None):
        raise InputError(
            "name either the transfer offered to the council (transfer_id) or the resource "
            "to take into custody (resource_id)",
            field="payload",
        )
    if transfer_id is not None:
        return {"transfer_id": _offer(session, council, transfer_id, now).id}
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise InputError(f"no resource #{resource_id}", field="payload.resource_id")
    if resource.holder_council_id == council.id:
        raise Conflict(f"council '{council.name}' holds '{resource.name}' itself")
    return {"resource_id": resource.id}


def _take(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    transfer_id = payload.get("transfer_id")
    if transfer_id is None:
        return  # a custody consent: the holder records the custody citing it
    receiver = session.get(Council, proposal.council_id)
    assert receiver is not None
    offer = _offer(session, receiver, transfer_id, now)
    given = _given(offer)
    # The giver's proposer acts under the giver's vote, with the receiver's consent.
    inventory.transfer(
        session,
        resource_id=given["resource_id"],
        quantity=given["quantity"],
        from_council_id=offer.council_id,
        to_council_id=receiver.id,
        actor_id=offer.created_by,
        proposal_id=offer.id,
        mandate=f"taken with the consent of council '{receiver.name}' (proposal #{proposal.id})",
    )


register_executor("accept_custody", _take, validate=_check_consent)
