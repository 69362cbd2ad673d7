"""Ratification and local adaptation of a federation's decisions by its member councils.

1. A federation proposal is *to be ratified* when its kind is in the federation's
   ``ratification.kinds`` rule, or when its proposer marks it so (``"ratify": true``
   in the payload) and ``ratification.optional`` allows it. It may then declare
   ``bounds`` on named fields (:mod:`soviets.governance.bounds`).
2. When the federation's vote accepts it, nothing is carried out yet: the
   proposal closes ``accepted`` and the decision *awaits ratification*
   (:class:`~soviets.ledger.models.Ratification`, with the federation's shares
   and deadline at that moment). Each member council gets a ``ratify`` proposal,
   opened at once and decided under that council's own rules.
3. Each council's vote, when it ends, is its answer: accepted ratifies, any other
   end refuses. The decision is carried out (its executor runs) as soon as more
   than ``ratification.councils`` of the member councils, representing more than
   ``ratification.members`` of their members, have ratified; it is refused as
   soon as that can no longer happen, or at the deadline (``ratification.days``).
4. While it awaits ratification, a member council may adopt local values within
   the bounds by its own ``adapt_decision`` vote; they are recorded
   (:class:`~soviets.ledger.models.Adaptation`) and used by the executor (an
   adopted plan's supply agreements to the council, scaled by its
   ``quantity_share``).

Every row here is chained in the ledger (:mod:`soviets.ledger.records`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.errors import SovietsError
from soviets.governance import authz, bounds, execution, rules
from soviets.governance.endings import decided_payload
from soviets.governance.errors import Conflict, InputError, NotFound
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import (
    Adaptation,
    Council,
    Proposal,
    Ratification,
    RatificationSeat,
)

TERMS = ("ratify", "bounds")
"""Payload keys of a federation proposal that are terms of its decision, not its effect."""
NOT_RATIFIED = ("abandon_proposal",)
"""Kinds never sent to ratification: they act on the federation's own votes."""


def split_terms(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A payload's effect and its ratification terms, apart."""
    effect = {k: v for k, v in payload.items() if k not in TERMS}
    return effect, {k: payload[k] for k in TERMS if k in payload}


def check_terms(
    session: Session, council: Council, kind: str, terms: dict[str, Any]
) -> dict[str, Any]:
    """The normalised terms of a proposal (``{}`` when not to be ratified), by the rules of
    its council: :class:`InputError` naming the field when refused."""
    wanted = terms.get("ratify")
    if wanted is not None and not isinstance(wanted, bool):
        raise InputError("ratify must be true or false", field="payload.ratify")
    if council.kind != "federation":
        if terms:
            raise InputError(
                "only a federation's decisions are ratified by member councils",
                field="payload.ratify",
            )
        return {}
    forced = kind in rules.ratified_kinds(session, council.id)
    if forced and wanted is False:
        raise InputError(
            f"the rules of '{council.name}' (ratification.kinds) send every {kind} decision "
            "to ratification by the member councils",
            field="payload.ratify",
        )
    ratify = forced or bool(wanted)
    if ratify and not forced:
        if kind in NOT_RATIFIED:
            raise InputError(f"a {kind} decision is never ratified", field="payload.ratify")
        if not rules.ratification_optional(session, council.id):
            raise InputError(
                f"the rules of '{council.name}' (ratification.optional) let no proposer mark "
                "a decision to be ratified",
                field="payload.ratify",
            )
    if "bounds" in terms and not ratify:
        raise InputError(
            "only a decision to be ratified declares bounds for local adaptation",
            field="payload.bounds",
        )
    if not ratify:
        return {}
    out: dict[str, Any] = {"ratify": True}
    if "bounds" in terms:
        out["bounds"] = bounds.check_bounds(kind, terms["bounds"])
    return out


def to_be_ratified(proposal: Proposal) -> bool:
    """Whether an accepted federation proposal awaits its member councils."""
    return bool(proposal.payload_data.get("ratify"))


def begin(session: Session, proposal: Proposal, now: datetime) -> list[tuple[int, int]]:
    """Start the ratification of an accepted federation decision.

    Returns (member council id, proposer id) for each ``ratify`` vote to open;
    the caller drafts and opens them (:func:`attach` links each to its seat).
    """
    federation = authz.get_council(session, proposal.council_id)
    days = rules.rule_number(session, federation.id, "ratification.days")
    ratification = Ratification(
        proposal_id=proposal.id,
        federation_id=federation.id,
        status="awaiting",
        councils_share=rules.rule_number(session, federation.id, "ratification.councils"),
        members_share=rules.rule_number(session, federation.id, "ratification.members"),
        started_at=now,
        deadline=now + timedelta(days=days),
    )
    session.add(ratification)
    session.flush()
    todo = []
    for member_id in authz.member_council_ids(session, federation.id):
        member = authz.get_council(session, member_id)
        session.add(
            RatificationSeat(
                ratification_id=ratification.id,
                council_id=member_id,
                weight=authz.council_weight(session, member),
            )
        )
        delegate = authz.seated_delegate(session, member_id, federation.id, now)
        todo.append((member_id, proposal.created_by if delegate is None else delegate.person_id))
    session.flush()
    return todo


def attach(session: Session, decision_id: int, council_id: int, proposal_id: int) -> None:
    """Link a member council's ``ratify`` proposal to its seat."""
    seat = _seat(session, _by_decision(session, decision_id), council_id)
    seat.proposal_id = proposal_id
    session.flush()


def _by_decision(session: Session, decision_id: int, *, lock: bool = False) -> Ratification:
    stmt = select(Ratification).where(Ratification.proposal_id == decision_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    found = session.scalar(stmt)
    if found is None:
        raise InputError(
            f"proposal #{decision_id} is no federation decision sent to ratification",
            field="payload.decision_id",
        )
    return found


def _seat(session: Session, ratification: Ratification, council_id: int) -> RatificationSeat:
    seat = session.scalar(
        select(RatificationSeat).where(
            RatificationSeat.ratification_id == ratification.id,
            RatificationSeat.council_id == council_id,
        )
    )
    if seat is None:
        raise Conflict(
            f"council #{council_id} was not a member council of the federation when decision "
            f"#{ratification.proposal_id} was sent to ratification"
        )
    return seat


def _awaiting(session: Session, council: Council, decision_id: int) -> Ratification:
    ratification = _by_decision(session, decision_id)
    if ratification.status != "awaiting":
        raise Conflict(
            f"federation decision #{decision_id} is {ratification.status}: it no longer "
            "awaits ratification"
        )
    _seat(session, ratification, council.id)
    return ratification


# --- the count -------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """Where a ratification stands: councils and the members they represent, in all, that
    ratified, and still pending."""

    councils: int
    members: int
    ratified_councils: int
    ratified_members: int
    pending_councils: int
    pending_members: int

    def met(self, r: Ratification) -> bool:
        """More than the shares of the councils and of the members have ratified."""
        return (
            self.ratified_councils > r.councils_share * self.councils
            and self.ratified_members > r.members_share * self.members
        )

    def reachable(self, r: Ratification) -> bool:
        """The rule could still be met if every pending council ratified."""
        return (
            self.ratified_councils + self.pending_councils > r.councils_share * self.councils
            and self.ratified_members + self.pending_members > r.members_share * self.members
        )

    def words(self) -> str:
        """The count in plain words."""
        return (
            f"{self.ratified_councils} of {self.councils} member councils, representing "
            f"{self.ratified_members} of {self.members} members, ratified"
        )


def count(session: Session, ratification: Ratification) -> Count:
    """The ratification's count from its seats."""
    seats = _seats(session, ratification.id)
    yes = [s for s in seats if s.answer == "ratified"]
    pending = [s for s in seats if s.answer is None]
    return Count(
        councils=len(seats),
        members=sum(s.weight for s in seats),
        ratified_councils=len(yes),
        ratified_members=sum(s.weight for s in yes),
        pending_councils=len(pending),
        pending_members=sum(s.weight for s in pending),
    )


def _seats(session: Session, ratification_id: int) -> list[RatificationSeat]:
    return list(
        session.scalars(
            select(RatificationSeat)
            .where(RatificationSeat.ratification_id == ratification_id)
            .order_by(RatificationSeat.council_id)
        )
    )


def settle(session: Session, ratification: Ratification, now: datetime) -> None:
    """Carry the decision out if the rule is met; refuse it when the rule can no longer be
    met or the deadline has passed; else leave it awaiting."""
    if ratification.status != "awaiting":
        return
    tally = count(session, ratification)
    rule = _rule_words(ratification)
    if tally.met(ratification):
        _carry_out(session, ratification, now, tally)
    elif not tally.reachable(ratification):
        _end(
            session,
            ratification,
            "refused",
            now,
            f"{tally.words()}; {rule} can no longer ratify it",
        )
    elif now >= ratification.deadline:
        _end(
            session,
            ratification,
            "refused",
            now,
            f"{tally.words()} by the deadline; {rule} were needed",
        )


def rule_text(session: Session, federation_id: int) -> str:
    """The federation's ratification rule now, in words (for the form that drafts a decision)."""
    councils = rules.rule_number(session, federation_id, "ratification.councils")
    members = rules.rule_number(session, federation_id, "ratification.members")
    days = rules.rule_number(session, federation_id, "ratification.days")
    return f"{_shares(councils, members)}, within {days:g} days"


def _shares(councils: float, members: float) -> str:
    return (
        f"more than {councils * 100:g}% of the member councils, representing more than "
        f"{members * 100:g}% of their members"
    )


def adaptable(session: Session, council_id: int) -> list[tuple[Proposal, bounds.Bounds]]:
    """Federation decisions awaiting ratification with bounds that the council may adapt."""
    found = session.scalars(
        select(Proposal)
        .join(Ratification, Ratification.proposal_id == Proposal.id)
        .join(RatificationSeat, RatificationSeat.ratification_id == Ratification.id)
        .where(Ratification.status == "awaiting", RatificationSeat.council_id == council_id)
        .order_by(Proposal.id)
    )
    out = []
    for proposal in found:
        limits = decision_bounds(session, proposal.id)
        if limits:
            out.append((proposal, limits))
    return out


def _rule_words(ratification: Ratification) -> str:
    return _shares(ratification.councils_share, ratification.members_share)


def _end(
    session: Session, ratification: Ratification, status: str, now: datetime, note: str
) -> None:
    ratification.status, ratification.ended_at, ratification.note = status, now, note
    session.flush()


def _carry_out(session: Session, ratification: Ratification, now: datetime, tally: Count) -> None:
    proposal = session.get(Proposal, ratification.proposal_id)
    assert proposal is not None
    payload = decided_payload(proposal, proposal.winner)
    try:
        with session.begin_nested():
            execution.execute(session, proposal, payload, now)
    except (SovietsError, IntegrityError) as exc:
        failure = str(exc).splitlines()[0]
        _end(
            session,
            ratification,
            "failed",
            now,
            f"{tally.words()}; carrying it out failed: {failure}",
        )
        return
    _end(
        session,
        ratification,
        "ratified",
        now,
        f"{tally.words()} ({_rule_words(ratification)} needed)",
    )


def council_answered(session: Session, proposal: Proposal, now: datetime) -> None:
    """A member council's ``ratify`` vote ended: record its answer and settle the decision."""
    seat = session.scalar(
        select(RatificationSeat).where(RatificationSeat.proposal_id == proposal.id)
    )
    if seat is None or seat.answer is not None:
        return
    ratification = session.scalar(
        select(Ratification)
        .where(Ratification.id == seat.ratification_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert ratification is not None
    if ratification.status != "awaiting":
        return
    if now >= ratification.deadline:  # too late to count: the decision is settled without it
        settle(session, ratification, now)
        return
    seat.answer = "ratified" if proposal.outcome == "accepted" else "refused"
    seat.answered_at = now
    session.flush()
    settle(session, ratification, now)


def settle_due(session: Session, now: datetime, *, federation_id: int | None = None) -> int:
    """Refuse (or carry out) every awaiting decision whose deadline has passed; how many."""
    stmt = select(Ratification.id).where(
        Ratification.status == "awaiting", Ratification.deadline <= now
    )
    if federation_id is not None:
        stmt = stmt.where(Ratification.federation_id == federation_id)
    done = 0
    for due_id in session.scalars(stmt.order_by(Ratification.id)).all():
        with session.begin_nested():
            ratification = session.scalar(
                select(Ratification)
                .where(Ratification.id == due_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if ratification is not None and ratification.status == "awaiting":
                settle(session, ratification, now)
                done += 1
    return done


# --- the kinds ratify and adapt_decision --------------------------------------------------


def _check_ratify(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    decision_id = payload["decision_id"]
    seat = _seat(session, _awaiting(session, council, decision_id), council.id)
    if seat.answer is not None:
        raise Conflict(f"council '{council.name}' has already answered decision #{decision_id}")
    if seat.proposal_id is not None:
        raise Conflict(
            f"council '{council.name}' answers decision #{decision_id} by its vote on "
            f"proposal #{seat.proposal_id}, opened when the federation decided"
        )
    return {"decision_id": decision_id}


def decision_bounds(session: Session, decision_id: int) -> bounds.Bounds:
    """The bounds a federation decision declared (empty when none)."""
    proposal = session.get(Proposal, decision_id)
    if proposal is None:
        raise NotFound(f"no proposal #{decision_id}")
    return dict(proposal.payload_data.get("bounds") or {})


def _check_adapt(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    decision_id = payload["decision_id"]
    _awaiting(session, council, decision_id)
    limits = decision_bounds(session, decision_id)
    if not limits:
        raise Conflict(f"federation decision #{decision_id} declares no bounds to adapt within")
    values: dict[str, Any] = {}
    for name, value in sorted(payload["values"].items()):
        if name not in limits:
            raise InputError(
                f"decision #{decision_id} bounds only {', '.join(sorted(limits))}: "
                f"'{name}' cannot be adapted",
                field=f"payload.values.{name}",
            )
        values[name] = bounds.check_value(name, limits[name], value)
    return {"decision_id": decision_id, "values": values}


def _adapt(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    checked = _check_adapt(session, council, payload, now)
    ratification = _by_decision(session, checked["decision_id"])
    for name, value in checked["values"].items():
        text = json.dumps(value)
        row = session.scalar(
            select(Adaptation).where(
                Adaptation.ratification_id == ratification.id,
                Adaptation.council_id == council.id,
                Adaptation.field == name,
            )
        )
        if row is None:
            session.add(
                Adaptation(
                    ratification_id=ratification.id,
                    council_id=council.id,
                    field=name,
                    value=text,
                    proposal_id=proposal.id,
                    adopted_at=now,
                )
            )
        else:
            row.value, row.proposal_id, row.adopted_at = text, proposal.id, now
    session.flush()


register_executor("ratify", None, validate=_check_ratify)
register_executor("adapt_decision", _adapt, validate=_check_adapt)
execution.on_end("ratify", council_answered)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatView:
    """A member council's answer, as shown."""

    council_id: int
    council: str
    members: int
    proposal_id: int | None
    answer: str | None


@dataclass(frozen=True)
class AdaptationView:
    """A council's local value of a bounded field, as shown."""

    council_id: int
    council: str
    field: str
    value: Any
    bounds: str
    proposal_id: int
    adopted_at: datetime


@dataclass(frozen=True)
class RatificationView:
    """A federation decision sent to ratification: its state, count, seats and adaptations."""

    decision_id: int
    title: str
    kind: str
    federation_id: int
    status: str
    rule: str
    deadline: datetime
    ended_at: datetime | None
    note: str | None
    count: Count
    bounds: dict[str, str]
    seats: list[SeatView]
    adaptations: list[AdaptationView]


def _view(session: Session, ratification: Ratification) -> RatificationView:
    proposal = session.get(Proposal, ratification.proposal_id)
    assert proposal is not None
    names = {c.id: c.name for c in session.scalars(select(Council))}
    limits = decision_bounds(session, proposal.id)
    rows = session.scalars(
        select(Adaptation)
        .where(Adaptation.ratification_id == ratification.id)
        .order_by(Adaptation.council_id, Adaptation.field)
    )
    return RatificationView(
        decision_id=proposal.id,
        title=proposal.title,
        kind=proposal.kind,
        federation_id=ratification.federation_id,
        status=ratification.status,
        rule=_rule_words(ratification),
        deadline=ratification.deadline,
        ended_at=ratification.ended_at,
        note=ratification.note,
        count=count(session, ratification),
        bounds={name: bounds.describe_spec(spec) for name, spec in limits.items()},
        seats=[
            SeatView(s.council_id, names[s.council_id], s.weight, s.proposal_id, s.answer)
            for s in _seats(session, ratification.id)
        ],
        adaptations=[
            AdaptationView(
                a.council_id,
                names[a.council_id],
                a.field,
                a.value_data,
                bounds.describe_spec(limits[a.field]) if a.field in limits else "",
                a.proposal_id,
                a.adopted_at,
            )
            for a in rows
        ],
    )


def list_ratifications(
    session: Session, actor_id: int | None, council_id: int, now: datetime | None = None
) -> list[RatificationView]:
    """The decisions a readable council sent to ratification (a federation), or was asked to
    ratify (a member council), newest first; those past their deadline are settled first."""
    at = authz.moment(now)
    council = authz.require_read(session, actor_id, council_id, at)
    if council.kind == "federation":
        settle_due(session, at, federation_id=council.id)
        stmt = select(Ratification).where(Ratification.federation_id == council.id)
    else:
        settle_due(session, at)
        stmt = (
            select(Ratification)
            .join(RatificationSeat, RatificationSeat.ratification_id == Ratification.id)
            .where(RatificationSeat.council_id == council.id)
        )
    found = session.scalars(
        stmt.order_by(Ratification.id.desc()).execution_options(populate_existing=True)
    )
    return [_view(session, r) for r in found]


def get_ratification(
    session: Session, actor_id: int | None, decision_id: int, now: datetime | None = None
) -> RatificationView:
    """The ratification of a federation decision, for whoever may read the federation."""
    at = authz.moment(now)
    proposal = session.get(Proposal, decision_id)
    if proposal is None:
        raise NotFound(f"no proposal #{decision_id}")
    authz.require_read(session, actor_id, proposal.council_id, at)
    settle_due(session, at, federation_id=proposal.council_id)
    found = session.scalar(
        select(Ratification)
        .where(Ratification.proposal_id == decision_id)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(f"proposal #{decision_id} was not sent to ratification")
    return _view(session, found)
