"""The common inventory as council actions: resources, stock events, production records.

Each function takes the session and the acting person's id, checks the
permission (reads: :func:`authz.require_read`; changes: the council's rules in
:mod:`soviets.governance.commons`), changes the ledger and returns what it
made. A write-down beyond the council's ``stock.writedown_limit`` is only
carried out by an accepted ``stock_change`` proposal, registered here.
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, commons, effects
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import Payload, held_resource, register_executor
from soviets.ledger import inventory
from soviets.ledger.models import Council, LedgerEvent, Proposal, Resource

STOCK_CHANGE_ACTIONS: tuple[str, ...] = get_args(
    effects.StockChange.model_fields["action"].annotation
)
"""What a ``stock_change`` vote may do to a stock (from its effect model)."""


def resources_of(session: Session, actor_id: int | None, council_id: int) -> list[Resource]:
    """What a council the actor may read holds."""
    authz.require_read(session, actor_id, council_id)
    return inventory.holdings(session, council_id)


def get_resource(session: Session, actor_id: int | None, resource_id: int) -> Resource:
    """A resource whose holder council the actor may read."""
    found = inventory.get_resource(session, resource_id)
    authz.require_read(session, actor_id, found.holder_council_id)
    return found


def events_of(session: Session, actor_id: int | None, resource_id: int) -> list[LedgerEvent]:
    """Every event that touched a resource the actor may read, in chain order."""
    get_resource(session, actor_id, resource_id)
    return inventory.history(session, resource_id)


def create_resource(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    name: str,
    kind: str,
    unit: str = "",
    good_id: int | None = None,
    process_id: int | None = None,
    capacity_per_unit: float | None = None,
) -> Resource:
    """Register a resource of the council with quantity 0 (its coordinators)."""
    authz.require_coordinator(session, actor_id, council_id)
    return inventory.create_resource(
        session,
        name=name,
        kind=kind,
        holder_council_id=council_id,
        unit=unit,
        good_id=good_id,
        process_id=process_id,
        capacity_per_unit=capacity_per_unit,
    )


def record_event(
    session: Session,
    actor_id: int,
    resource_id: int,
    *,
    action: str,
    quantity: float,
    reason: str | None = None,
    proposal_id: int | None = None,
    to_council_id: int | None = None,
) -> LedgerEvent:
    """A coordinator records a change of the council's stock alone, within the rules.

    The authority is a cited accepted proposal of the holding council, or else
    the coordinator's standing mandate with the ``reason`` given. Write-downs
    (``lower``, ``consume``) above the council's ``stock.writedown_limit`` are
    refused whatever is cited: they need a ``stock_change`` vote. An event that
    names another council (``to_council_id``) also needs that council's consent:
    the cited ``proposal_id`` is then its accepted ``accept_custody`` decision
    for this resource (used once), and the ``reason`` is the holder's mandate.
    """
    resource = get_resource(session, actor_id, resource_id)
    standing = commons.require_stock_mandate(session, actor_id, resource, action, quantity)
    mandate = None
    if to_council_id is not None and to_council_id != resource.holder_council_id:
        _require_consent(session, resource, to_council_id, proposal_id)
        if not (reason and reason.strip()):
            raise InputError(
                "say why the council's coordinator gives the custody (the reason recorded "
                "with the standing mandate)",
                field="mandate",
            )
        mandate = f"{standing}: {reason.strip()}"
    elif proposal_id is not None:
        _require_accepted(session, proposal_id, resource.holder_council_id)
    elif reason and reason.strip():
        mandate = f"{standing}: {reason.strip()}"
    else:
        raise InputError(
            "say why (the reason recorded with the standing mandate) or cite the accepted "
            "proposal that decided it",
            field="mandate",
        )
    return inventory.record(
        session,
        action,
        resource_id=resource.id,
        quantity=quantity,
        actor_id=actor_id,
        proposal_id=proposal_id,
        mandate=mandate,
        to_council_id=to_council_id,
    )


def record_production(
    session: Session, actor_id: int, resource_id: int, *, quantity: float, note: str = ""
) -> LedgerEvent:
    """A coordinator of a workplace council records what it produced into one of its
    stocks of a catalogue good (a ``produce`` event)."""
    resource = get_resource(session, actor_id, resource_id)
    council = authz.get_council(session, resource.holder_council_id)
    if council.kind != "workplace" or resource.good_id is None:
        raise Conflict(
            f"'{resource.name}' is not a workplace council's stock of a catalogue good: "
            "production is recorded into one"
        )
    reason = f"production record{': ' + note.strip() if note.strip() else ''}"
    return record_event(
        session, actor_id, resource.id, action="produce", quantity=quantity, reason=reason
    )


def _require_accepted(session: Session, proposal_id: int, council_id: int) -> None:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    if proposal.council_id != council_id or proposal.outcome != "accepted":
        raise Conflict(
            f"proposal #{proposal.id} is not an accepted proposal of the council that "
            "holds this resource"
        )


def _require_consent(
    session: Session, resource: Resource, to_council_id: int, proposal_id: int | None
) -> None:
    """The named council's unused, accepted ``accept_custody`` decision for the resource."""
    receiver = authz.get_council(session, to_council_id)
    consent = session.get(Proposal, proposal_id) if proposal_id is not None else None
    if (
        consent is None
        or consent.council_id != receiver.id
        or consent.kind != "accept_custody"
        or consent.outcome != "accepted"
        or consent.payload_data.get("resource_id") != resource.id
    ):
        raise Forbidden(
            f"an event naming council '{receiver.name}' needs its consent: cite its accepted "
            f"accept_custody proposal for '{resource.name}' as proposal_id"
        )
    used = session.scalar(
        select(LedgerEvent.seq).where(LedgerEvent.proposal_id == consent.id).limit(1)
    )
    if used is not None:
        raise Conflict(
            f"the consent of council '{receiver.name}' (proposal #{consent.id}) was already "
            "used by an earlier ledger event: each consent is used once"
        )


# --- the stock_change proposal kind -------------------------------------------------------


def _check_stock_change(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    held_resource(session, council, payload["resource_id"])
    return payload


def _stock_change(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    # The acting member is the proposer: the vote authorised their proposal.
    inventory.record(
        session,
        payload["action"],
        resource_id=payload["resource_id"],
        quantity=payload["quantity"],
        actor_id=proposal.created_by,
        proposal_id=proposal.id,
    )


register_executor("stock_change", _stock_change, validate=_check_stock_change)
