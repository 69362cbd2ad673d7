"""A council joins a federation by two votes: the federation's admits, the council's accepts.

An accepted ``admit_member`` of a federation naming a council (``council_id``)
links nothing: it is an admission the council takes by its own
``join_federation`` vote naming it (``admission_id``); carrying out that vote
makes the council a member. An admission is taken once, and lapses as a
transfer offer does (:data:`soviets.governance.transfers.OFFER_LAPSES`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.endings import decided_payload
from soviets.governance.errors import Conflict, InputError
from soviets.governance.execution import Payload, register_executor
from soviets.governance.transfers import OFFER_LAPSES
from soviets.ledger.models import Council, CouncilLink, Proposal
from soviets.ledger.types import as_utc


def admissions_of(session: Session, council: Council, now: datetime) -> list[Proposal]:
    """Federations' admissions of ``council`` that it may still take."""
    found = session.scalars(
        select(Proposal)
        .where(Proposal.kind == "admit_member", Proposal.outcome == "accepted")
        .order_by(Proposal.id)
    )
    return [
        p
        for p in found
        if decided_payload(p, p.winner).get("council_id") == council.id
        and _refusal(session, council, p, now) is None
    ]


def _taken(session: Session, council: Council, admission_id: int) -> bool:
    joined = session.scalars(
        select(Proposal).where(
            Proposal.council_id == council.id,
            Proposal.kind == "join_federation",
            Proposal.outcome == "accepted",
        )
    )
    return any(decided_payload(p, p.winner).get("admission_id") == admission_id for p in joined)


def _refusal(session: Session, council: Council, admission: Proposal, now: datetime) -> str | None:
    """Why ``council`` may not take ``admission`` now (None: it may)."""
    if (
        admission.kind != "admit_member"
        or admission.outcome != "accepted"
        or decided_payload(admission, admission.winner).get("council_id") != council.id
    ):
        return f"proposal #{admission.id} is no accepted admission of council '{council.name}'"
    if _taken(session, council, admission.id):
        return f"the admission by proposal #{admission.id} was already taken"
    federation = authz.get_council(session, admission.council_id)
    if authz.linked(session, council.id, federation.id):
        return f"council '{council.name}' is already a member of '{federation.name}'"
    assert admission.closed_at is not None
    if as_utc(now) > as_utc(admission.closed_at) + OFFER_LAPSES:
        return (
            f"the admission by proposal #{admission.id} lapsed {OFFER_LAPSES.days} days after "
            "its vote, untaken"
        )
    return None


def _admission(session: Session, council: Council, admission_id: int, now: datetime) -> Proposal:
    admission = session.get(Proposal, admission_id)
    if admission is None:
        raise InputError(f"no proposal #{admission_id}", field="payload.admission_id")
    refusal = _refusal(session, council, admission, now)
    if refusal is not None:
        raise Conflict(refusal)
    return admission


def _check_join(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    return {"admission_id": _admission(session, council, payload["admission_id"], now).id}


def _join(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    admission = _admission(session, council, payload["admission_id"], now)
    session.add(
        CouncilLink(member_id=council.id, federation_id=admission.council_id, joined_at=now)
    )
    session.flush()


register_executor("join_federation", _join, validate=_check_join)
