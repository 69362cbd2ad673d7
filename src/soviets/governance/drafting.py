"""What a voter may choose from when drafting a proposal in a council (permission-checked).

The new-proposal form offers, for each kind of proposal, selects of the
things its payload names: the council's members and delegates, the
federations it belongs to, periods, plans, agreements, resources, other
councils, transfers offered to the council, open proposals, the targets a
delegate's mandate may name, and the council's rules with their current
values. :func:`draft_choices` gathers them after checking that the actor has
a vote in the council, the same check
:func:`soviets.governance.proposals.create_proposal` makes; the proposal's
validators still check every chosen value when the proposal is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import (
    authz,
    bounds,
    councils,
    joining,
    proposals,
    ratification,
    regions,
    rules,
    transfers,
)
from soviets.governance.endings import decided_payload
from soviets.governance.stock import STOCK_CHANGE_ACTIONS
from soviets.ledger.models import (
    Agreement,
    AgreementAcceptance,
    Council,
    Delegate,
    Membership,
    Period,
    Person,
    PlanRecord,
    Process,
    Resource,
)
from soviets.ledger.models.governance import PROPOSAL_KINDS
from soviets.ledger.types import utcnow


@dataclass(frozen=True)
class Choice:
    """One option of a select: the value the form sends and what the person reads."""

    value: str
    label: str


@dataclass
class DraftChoices:
    """Everything the new-proposal form of one council may offer, by source name."""

    council: Council
    options: dict[str, list[Choice]] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    """Every rule's value now as shown to people (``... (default)`` when unset)."""


def _name(session: Session, person_id: int) -> str:
    return session.get(Person, person_id).name  # type: ignore[union-attr]


def _members(session: Session, council: Council) -> list[Choice]:
    rows = session.execute(
        select(Membership.person_id, Person.name, Membership.role)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.council_id == council.id, Membership.left_at.is_(None))
        .order_by(Person.name)
    ).all()
    return [Choice(str(r.person_id), f"{r.name} ({r.role})") for r in rows]


def _delegates(session: Session, council: Council) -> list[Choice]:
    rows = session.scalars(
        select(Delegate)
        .where(Delegate.council_id == council.id, Delegate.status == "active")
        .order_by(Delegate.id)
    ).all()
    return [
        Choice(
            str(d.id),
            f"{_name(session, d.person_id)}, delegate to "
            f"{authz.get_council(session, d.federation_id).name}",
        )
        for d in rows
    ]


def _periods(session: Session) -> list[Choice]:
    found = session.scalars(select(Period).order_by(Period.starts_on.desc(), Period.id.desc()))
    return [Choice(p.name, f"{p.name} ({p.starts_on} to {p.ends_on})") for p in found]


def _plans(session: Session, council: Council) -> list[Choice]:
    found = session.scalars(
        select(PlanRecord)
        .where(PlanRecord.federation_id == council.id, PlanRecord.status == "proposed")
        .order_by(PlanRecord.id.desc())
    )
    out = []
    for plan in found:
        hours = "" if plan.objective_hours is None else f", {plan.objective_hours:,.0f} hours"
        out.append(Choice(str(plan.id), f"Plan #{plan.id} for {plan.period.name}{hours}"))
    return out


def _agreements(session: Session, council: Council) -> list[Choice]:
    accepted = select(AgreementAcceptance.agreement_id).where(
        AgreementAcceptance.council_id == council.id
    )
    found = session.scalars(
        select(Agreement)
        .where(
            (Agreement.supplier_council_id == council.id)
            | (Agreement.receiver_council_id == council.id),
            Agreement.id.not_in(accepted),
        )
        .order_by(Agreement.id)
    )
    out = []
    for a in found:
        supplier = authz.get_council(session, a.supplier_council_id).name
        receiver = authz.get_council(session, a.receiver_council_id).name
        what = f"{a.quantity:,.6g} {a.good.unit} {a.good.name}".replace("  ", " ")
        out.append(Choice(str(a.id), f"#{a.id}: {supplier} → {receiver}, {what}, {a.period.name}"))
    return out


def _resources(session: Session, council: Council) -> list[Choice]:
    found = session.scalars(
        select(Resource)
        .where(Resource.holder_council_id == council.id, Resource.quantity > 0)
        .order_by(Resource.name)
    )
    return [Choice(str(r.id), f"{r.name} ({r.quantity:,.6g} {r.unit} held)") for r in found]


def _held(session: Session, council: Council) -> list[Choice]:
    found = session.scalars(
        select(Resource).where(Resource.holder_council_id == council.id).order_by(Resource.name)
    )
    return [Choice(str(r.id), f"{r.name} ({r.quantity:,.6g} {r.unit} held)") for r in found]


def _processes(session: Session, council: Council) -> list[Choice]:
    found = session.scalars(
        select(Process).where(Process.council_id == council.id).order_by(Process.name)
    )
    return [Choice(str(p.id), f"{p.name} ({p.labour:,.6g} hours per unit)") for p in found]


def _others_resources(session: Session, actor_id: int, council: Council) -> list[Choice]:
    """Resources the actor may read that other councils hold (to take into custody)."""
    found = session.scalars(
        select(Resource).where(Resource.holder_council_id != council.id).order_by(Resource.name)
    )
    return [
        Choice(str(r.id), f"{r.name} (of {authz.get_council(session, r.holder_council_id).name})")
        for r in found
        if authz.can_read(session, actor_id, authz.get_council(session, r.holder_council_id))
    ]


def _offers(session: Session, council: Council, now: datetime) -> list[Choice]:
    """Transfers other councils offered to the council, still to be taken."""
    out = []
    for offer in transfers.offers_to(session, council, now):
        given = decided_payload(offer, offer.winner)
        resource = session.get(Resource, given["resource_id"])
        name = f"#{given['resource_id']}" if resource is None else resource.name
        giver = authz.get_council(session, offer.council_id).name
        out.append(
            Choice(str(offer.id), f"#{offer.id}: {given['quantity']:g} of {name} from {giver}")
        )
    return out


def _admissions(session: Session, council: Council, now: datetime) -> list[Choice]:
    """Federations' accepted admissions of the council, still to be taken."""
    return [
        Choice(str(p.id), f"#{p.id}: {authz.get_council(session, p.council_id).name}")
        for p in joining.admissions_of(session, council, now)
    ]


def _region_admissions(session: Session, council: Council, now: datetime) -> list[Choice]:
    """Regions' accepted admissions of the council, still to be taken."""
    return [
        Choice(str(p.id), f"#{p.id}: {authz.get_council(session, p.council_id).name}")
        for p in regions.admissions_to(session, council, now)
    ]


def _region_candidates(session: Session, region: Council) -> list[Choice]:
    """Councils the region may admit: of a federation it shares, not in it already."""
    found = session.scalars(select(Council).where(Council.id != region.id).order_by(Council.name))
    return [
        Choice(str(c.id), f"{c.name} ({c.kind})")
        for c in found
        if regions.misplacement(session, c, region) is None
    ]


def _other_councils(session: Session, council: Council) -> list[Choice]:
    found = session.scalars(select(Council).where(Council.id != council.id).order_by(Council.name))
    return [Choice(str(c.id), f"{c.name} ({c.kind})") for c in found]


def _outside_councils(session: Session, federation: Council) -> list[Choice]:
    inside = set(authz.member_council_ids(session, federation.id))
    found = session.scalars(
        select(Council)
        .where(Council.id != federation.id, Council.kind != "federation")
        .order_by(Council.name)
    )
    return [Choice(str(c.id), f"{c.name} ({c.kind})") for c in found if c.id not in inside]


def _open_proposals(session: Session, actor_id: int, council: Council) -> list[Choice]:
    found = proposals.list_proposals(session, actor_id, council.id, status="open")
    return [Choice(str(p.id), f"#{p.id} {p.title}") for p in found]


def _adaptable(session: Session, council: Council) -> list[Choice]:
    """Federation decisions awaiting ratification that the council may adapt, with bounds."""
    out = []
    for decision, limits in ratification.adaptable(session, council.id):
        words = "; ".join(f"{k} {bounds.describe_spec(v)}" for k, v in limits.items())
        out.append(Choice(str(decision.id), f"#{decision.id} {decision.title} ({words})"))
    return out


def _mandate_targets(session: Session, actor_id: int, federations: list[Council]) -> list[Choice]:
    out = [Choice(f"kind:{k}", f"every {k.replace('_', ' ')} proposal") for k in PROPOSAL_KINDS]
    for federation in federations:
        for p in proposals.list_proposals(session, actor_id, federation.id, status="open"):
            out.append(Choice(f"proposal:{p.id}", f"{federation.name} proposal #{p.id}: {p.title}"))
    return out


def draft_choices(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> DraftChoices:
    """The choices of the new-proposal form, for a voter of the council (offers: at ``now``)."""
    council = drafting_council(session, actor_id, council_id)
    federations = councils.list_federations(session, actor_id, council.id)
    options = {
        "federation": [Choice(str(f.id), f.name) for f in federations],
        "delegate": _delegates(session, council),
        "period": _periods(session),
        "resource": _resources(session, council),
        "held_resource": _held(session, council),
        "others_resource": _others_resources(session, actor_id, council),
        "transfer_offer": _offers(session, council, now or utcnow()),
        "admission": _admissions(session, council, now or utcnow()),
        "region_admission": _region_admissions(session, council, now or utcnow()),
        "process": _processes(session, council),
        "stock_action": [Choice(a, a) for a in STOCK_CHANGE_ACTIONS],
        "other_council": _other_councils(session, council),
        "proposal": _open_proposals(session, actor_id, council),
        "agreement": _agreements(session, council),
        "role": [Choice("coordinator", "coordinator"), Choice("member", "member")],
        "vote": [Choice(v, v) for v in ("yes", "no", "free", "ranking")],
        "mandate_target": _mandate_targets(session, actor_id, federations),
    }
    if council.kind == "federation":
        options["plan"] = _plans(session, council)
        options["outside_council"] = _outside_councils(session, council)
    else:
        options["member"] = _members(session, council)
        options["adaptable"] = _adaptable(session, council)
    if council.kind == "territorial":
        options["region_candidate"] = _region_candidates(session, council)
    current = {key: rules.shown_rule(session, council, key) for key in rules.RULES}
    return DraftChoices(council=council, options=options, rules=current)


def drafting_council(session: Session, actor_id: int, council_id: int) -> Council:
    """The council, if the actor has a vote there and so may draft its proposals."""
    return authz.require_voter(session, actor_id, council_id)
