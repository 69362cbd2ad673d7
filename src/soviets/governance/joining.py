"""A council joins a federation by two votes: the federation's admits, the council's accepts.

An accepted ``admit_member`` of a federation naming a council (``council_id``)
links nothing: it is an admission the council takes by its own
``join_federation`` vote naming it (``admission_id``); carrying out that vote
makes the council a member. An admission is taken once, and lapses as a
transfer offer does (:data:`soviets.governance.transfers.OFFER_LAPSES`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from soviets.governance import admissions, authz
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Council, CouncilLink, Proposal

FEDERATION = admissions.AdmissionKind("admit_member", "join_federation", "accepted admission")


def admissions_of(session: Session, council: Council, now: datetime) -> list[Proposal]:
    """Federations' admissions of ``council`` that it may still take."""
    return admissions.open_to(session, FEDERATION, council, now, _refusal)


def _refusal(session: Session, council: Council, admission: Proposal, now: datetime) -> str | None:
    """Why ``council`` may not take ``admission`` now (None: it may)."""
    refusal = admissions.refusal(session, FEDERATION, council, admission, now)
    if refusal is not None:
        return refusal
    federation = authz.get_council(session, admission.council_id)
    if authz.linked(session, council.id, federation.id):
        return f"council '{council.name}' is already a member of '{federation.name}'"
    return None


def _admission(session: Session, council: Council, admission_id: int, now: datetime) -> Proposal:
    return admissions.taken_now(session, council, admission_id, now, _refusal)


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
