"""A council enters a region by two votes: the region's admits, the council's takes.

A region is a territorial council; a council placed in it keeps it as its parent
(``councils.parent_id``), so the region's voted hours (``set_hours``) limit the
plans of the workplaces under it and the ledger's economy keeps region -> workplaces.
Since that binds both, nobody places a council alone:

* the region's ``admit_to_region`` proposal (payload ``{"council_id": N}``), accepted,
  changes nothing: it is the region's consent, which the council may take;
* the council's ``join_region`` proposal naming that admission
  (``{"admission_id": P}``), accepted, places the council in the region (leaving any
  region it was in). An admission is taken once and lapses as a transfer offer does
  (:data:`soviets.governance.transfers.OFFER_LAPSES`);
* the council's ``leave_region`` proposal (``{}``) puts it back directly under its
  federation, as ``leave_federation`` leaves a federation: by its own vote alone.

Each proposal is decided under its own council's rules (vote by default). Both councils
must share a federation, and no council may lie in its own region.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import admissions, authz
from soviets.governance.errors import Conflict, InputError
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Council, CouncilLink, Proposal


def _federations(session: Session, council_id: int) -> set[int]:
    return set(
        session.scalars(
            select(CouncilLink.federation_id).where(
                CouncilLink.member_id == council_id, CouncilLink.left_at.is_(None)
            )
        )
    )


def misplacement(session: Session, council: Council, region: Council) -> str | None:
    """Why ``council`` may not be placed in ``region`` (None: it may)."""
    if region.kind != "territorial":
        return f"'{region.name}' is not a territorial council: only those are regions"
    if council.kind == "federation":
        return f"'{council.name}' is a federation: federations are in no region"
    if council.id == region.id:
        return "a council cannot be its own region"
    if council.parent_id == region.id:
        return f"'{council.name}' is already in the region '{region.name}'"
    if not _federations(session, council.id) & _federations(session, region.id):
        return f"'{region.name}' and '{council.name}' share no federation"
    above: Council | None = region
    while above is not None and above.parent_id is not None:
        if above.parent_id == council.id:
            return (
                f"'{region.name}' lies in '{council.name}': a council cannot be in its own region"
            )
        above = session.get(Council, above.parent_id)
    return None


REGION = admissions.AdmissionKind("admit_to_region", "join_region", "region's accepted admission")


def admissions_to(session: Session, council: Council, now: datetime) -> list[Proposal]:
    """Regions' admissions of ``council`` that it may still take."""
    return admissions.open_to(session, REGION, council, now, _refusal)


def _refusal(session: Session, council: Council, admission: Proposal, now: datetime) -> str | None:
    """Why ``council`` may not take ``admission`` now (None: it may)."""
    refusal = admissions.refusal(session, REGION, council, admission, now)
    if refusal is not None:
        return refusal
    return misplacement(session, council, authz.get_council(session, admission.council_id))


def _admission(session: Session, council: Council, admission_id: int, now: datetime) -> Proposal:
    return admissions.taken_now(session, council, admission_id, now, _refusal)


def _check_admit(session: Session, region: Council, payload: Payload, now: datetime) -> Payload:
    if region.kind != "territorial":
        raise Conflict(
            f"'{region.name}' is a {region.kind} council: only a territorial council admits "
            "councils to its region"
        )
    council = session.get(Council, payload["council_id"])
    if council is None:
        raise InputError(f"no council #{payload['council_id']}", field="payload.council_id")
    wrong = misplacement(session, council, region)
    if wrong is not None:
        raise InputError(wrong, field="payload.council_id")
    return {"council_id": council.id}


def _check_join(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    return {"admission_id": _admission(session, council, payload["admission_id"], now).id}


def _join(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    council.parent_id = _admission(session, council, payload["admission_id"], now).council_id
    session.flush()


def _check_leave(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.parent_id is None:
        raise Conflict(f"council '{council.name}' is in no region")
    return {}


def _leave(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    authz.get_council(session, proposal.council_id).parent_id = None
    session.flush()


register_executor("admit_to_region", None, validate=_check_admit)
register_executor("join_region", _join, validate=_check_join)
register_executor("leave_region", _leave, validate=_check_leave)
