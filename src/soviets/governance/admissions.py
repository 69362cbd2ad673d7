"""Admissions a council takes by its own vote: to a federation, to a region.

One council's accepted proposal of an admitting kind naming another council
(``council_id``) changes nothing by itself: it is an admission, which the named
council takes by its own proposal of the taking kind naming it
(``admission_id``). An admission is taken once, and lapses as a transfer offer
does (:data:`soviets.governance.transfers.OFFER_LAPSES`). The rules of each kind
of membership (who may admit, what must not be true already) stay with it
(:mod:`.joining`, :mod:`.regions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance.endings import decided_payload
from soviets.governance.errors import Conflict, InputError
from soviets.governance.transfers import OFFER_LAPSES
from soviets.ledger.models import Council, Proposal
from soviets.ledger.types import as_utc

Refusal = Callable[[Session, Council, Proposal, datetime], "str | None"]
"""Why a council may not take an admission now (None: it may)."""


@dataclass(frozen=True)
class AdmissionKind:
    """The proposal kinds of one admission and how its refusals name it."""

    admit: str  # the admitting council's kind, e.g. "admit_member"
    take: str  # the admitted council's kind, e.g. "join_federation"
    name: str  # what an accepted admitting proposal is, e.g. "accepted admission"


def refusal(
    session: Session, kind: AdmissionKind, council: Council, admission: Proposal, now: datetime
) -> str | None:
    """Why ``council`` may not take ``admission`` as such (None: it may): not an
    admission of it, already taken, or lapsed."""
    if (
        admission.kind != kind.admit
        or admission.outcome != "accepted"
        or decided_payload(admission, admission.winner).get("council_id") != council.id
    ):
        return f"proposal #{admission.id} is no {kind.name} of council '{council.name}'"
    if _taken(session, kind, council, admission.id):
        return f"the admission by proposal #{admission.id} was already taken"
    assert admission.closed_at is not None
    if as_utc(now) > as_utc(admission.closed_at) + OFFER_LAPSES:
        return (
            f"the admission by proposal #{admission.id} lapsed {OFFER_LAPSES.days} days after "
            "its vote, untaken"
        )
    return None


def open_to(
    session: Session, kind: AdmissionKind, council: Council, now: datetime, refuse: Refusal
) -> list[Proposal]:
    """Admissions of ``council`` that it may still take (``refuse`` finds none)."""
    found = session.scalars(
        select(Proposal)
        .where(Proposal.kind == kind.admit, Proposal.outcome == "accepted")
        .order_by(Proposal.id)
    )
    return [
        p
        for p in found
        if decided_payload(p, p.winner).get("council_id") == council.id
        and refuse(session, council, p, now) is None
    ]


def taken_now(
    session: Session, council: Council, admission_id: int, now: datetime, refuse: Refusal
) -> Proposal:
    """The admission ``admission_id`` that ``council`` takes now (409 with the reason
    when ``refuse`` finds one; 422 when there is no such proposal)."""
    admission = session.get(Proposal, admission_id)
    if admission is None:
        raise InputError(f"no proposal #{admission_id}", field="payload.admission_id")
    reason = refuse(session, council, admission, now)
    if reason is not None:
        raise Conflict(reason)
    return admission


def _taken(session: Session, kind: AdmissionKind, council: Council, admission_id: int) -> bool:
    joined = session.scalars(
        select(Proposal).where(
            Proposal.council_id == council.id,
            Proposal.kind == kind.take,
            Proposal.outcome == "accepted",
        )
    )
    return any(decided_payload(p, p.winner).get("admission_id") == admission_id for p in joined)
