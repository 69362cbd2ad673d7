"""Federated planning rounds and the plan carried out, as council actions.

* A delegate of a federation starts a round: the federated protocol plans the
  ledger's economy of a period (each council's agent computes on its own
  processes or needs only) and its own agreements are proposed to both councils.
  The round's mode (``min-labour``, or ``labour-budget``: essential needs, then the
  largest share of normal needs, then least hours, within each territorial council's
  hour budget as its members voted, :mod:`soviets.governance.hours`) is recorded with
  the plan (``result["mode"]``); its re-plans and revisions keep it.
  The planner is passed in (``planner``: an economy in, a
  :class:`~soviets.planning.result.Plan` with ``extra["agreements"]`` out): the
  ledger and governance never import the federation; the server
  (:mod:`soviets.server.planners`) passes :func:`soviets.federation.plan_federated`.
* Each council accepts an agreement (:func:`~soviets.governance.planning_service.accept_agreement`,
  or an ``approve_agreement`` vote) or refuses it (:func:`refuse_agreement`, where its
  ``agreement.accept`` rule lets a coordinator; a rejected ``approve_agreement`` vote
  counts as the council's refusal). A delegate then re-plans the round with the
  refusals as constraints (:func:`replan_round`); the final plan is adopted by the
  federation's ``adopt_plan`` vote.
* When deliveries of an adopted plan fall short, a delegate re-plans the rest of the
  period (:func:`revise_plan`): the needs less what was delivered, planned again by the
  protocol (warm-started where it can be) and stored as a revision of the plan, proposed
  like a round and adopted by the federation's vote. The service's clock does the same
  when deliveries are overdue and short (:mod:`soviets.governance.replanning`).
* Members of a federation's councils audit the round's messages
  (:func:`round_messages`): the agreements and the clerk's summary as stored, and every
  message of the protocol's log, by round, council and kind, a page at a time;
  councils outside it see nothing.
* Members of a workplace council record production (:func:`record_production`);
  plan against actual is :func:`plan_vs_actual`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.economy import Economy
from soviets.governance import access, authz, commons, notices
from soviets.governance.errors import Conflict, InputError, NotFound
from soviets.ledger import message_logs, plans, rounds
from soviets.ledger.economy import build_economy, council_tree
from soviets.ledger.models import (
    Agreement,
    AgreementRefusal,
    Council,
    Good,
    PlanRecord,
    Process,
    ProductionRecord,
    Proposal,
)
from soviets.ledger.needs import get_period
from soviets.planning import message_log
from soviets.planning.result import Plan, PlanMode

Warm = dict[str, Any] | None
MODES: tuple[PlanMode, ...] = ("min-labour", "labour-budget")
MESSAGE_KINDS = (*message_log.KINDS, "summary")  # what the audit may filter by
PAGE = 50  # messages per page by default
MAX_PAGE = 500  # messages per page at most


class Planner(Protocol):
    """Plans an economy by the federated protocol (the server passes
    ``soviets.federation.plan_federated`` with its runtime) in ``mode``; ``start``: the
    protocol state of an earlier plan (``result["protocol"]["warm"]``) to warm-start from."""

    def __call__(
        self, economy: Economy, /, *, mode: PlanMode = "min-labour", start: Warm = None
    ) -> Plan: ...


def start_round(
    session: Session,
    actor_id: int,
    federation_id: int,
    period: str,
    planner: Planner,
    mode: str = "min-labour",
) -> PlanRecord:
    """A delegate runs a federated planning round for the federation and period in
    ``mode``; the plan is stored ``proposed`` with the protocol's agreements, each
    proposed to both councils."""
    authz.require_delegate(session, actor_id, federation_id)
    checked = next((m for m in MODES if m == mode), None)
    if checked is None:
        raise InputError(f"mode must be {' or '.join(MODES)}, got '{mode}'", field="mode")
    federation = authz.get_council(session, federation_id)
    per = get_period(session, period)
    economy = build_economy(session, per.name, federation.id)
    return rounds.store_round(session, per, federation, planner(economy, mode=checked))


def _mode(record: PlanRecord) -> PlanMode:
    """The mode a round's re-plans and revisions keep."""
    return plans.mode_of(record) or "min-labour"


def _warm(record: PlanRecord) -> Warm:
    """The protocol state a re-plan of ``record`` warm-starts from (None: a cold start)."""
    protocol = record.result.get("protocol")
    warm = protocol.get("warm") if isinstance(protocol, dict) else None
    return warm if isinstance(warm, dict) else None


def _round(session: Session, plan_id: int) -> PlanRecord:
    record = plans.get_plan(session, plan_id)
    if record.solver != "federated":
        raise Conflict(f"plan {plan_id} was not made by a federated planning round")
    return record


@dataclass(frozen=True)
class MessagePage:
    """A page of a round's messages: ``rows`` (see
    :func:`soviets.ledger.message_logs.stored_row`), how many match the filters
    (``total``), and whether the round's whole log is kept (``logged``)."""

    rows: list[dict[str, Any]]
    total: int
    logged: bool


@dataclass(frozen=True)
class MessageQuery:
    """Which messages to audit: of one council (sent or received, the clerk's summary
    too), of one round, of one kind; ``limit`` rows from ``offset``."""

    council_id: int | None = None
    round_no: int | None = None
    kind: str | None = None
    offset: int = 0
    limit: int = PAGE

    def check(self) -> None:
        """Refuse a kind the protocol does not send, and a page out of bounds."""
        if self.kind is not None and self.kind not in MESSAGE_KINDS:
            raise InputError(
                f"kind must be one of {', '.join(MESSAGE_KINDS)}, got '{self.kind}'",
                field="kind",
            )
        if self.offset < 0:
            raise InputError(f"offset must be 0 or more, got {self.offset}", field="offset")
        if not 1 <= self.limit <= MAX_PAGE:
            raise InputError(f"limit must be 1 to {MAX_PAGE}, got {self.limit}", field="limit")


def round_messages(
    session: Session, actor_id: int | None, plan_id: int, query: MessageQuery | None = None
) -> MessagePage:
    """A page of a round's messages, for members of the federation's councils (none for a
    central plan): the agreements and the clerk's summary as stored, then the protocol's
    log (every message its post carried), filtered by ``query``; a council's filter (a
    council of the federation) keeps what it sent or received."""
    q = query or MessageQuery()
    q.check()
    record = plans.get_plan(session, plan_id)
    authz.require_read(session, actor_id, record.federation_id)
    if record.solver != "federated":
        return MessagePage([], 0, False)  # a central plan exchanges no messages
    name = _council_filter(session, record, q.council_id)
    stored = [
        message_logs.stored_row(m)
        for m in rounds.messages(session, plan_id, name)
        if q.kind in (None, m.kind) and q.round_no in (None, m.round)
    ]
    log = message_logs.load(session, plan_id)
    found = (
        log.select(round_no=q.round_no, council=name, kind=q.kind)
        if log is not None
        else np.empty(0, dtype=np.int64)
    )
    total = len(stored) + len(found)
    first, last = q.offset, min(total, q.offset + q.limit)
    rows = stored[first:last]
    if log is not None and last > len(stored):
        picked = found[max(0, first - len(stored)) : last - len(stored)]
        rows += [message_logs.log_row(plan_id, r) for r in log.rows(picked)]
    return MessagePage(rows, total, log is not None)


def round_councils(session: Session, actor_id: int | None, plan_id: int) -> list[Council]:
    """The councils of a readable plan's federation (the federation's tree), by name: those
    whose messages the audit can single out."""
    record = plans.get_plan(session, plan_id)
    authz.require_read(session, actor_id, record.federation_id)
    ids = set(council_tree(session, record.federation_id)) - {record.federation_id}
    return sorted((authz.get_council(session, i) for i in ids), key=lambda c: c.name)


def _council_filter(session: Session, record: PlanRecord, council_id: int | None) -> str | None:
    """The name of the council whose messages are asked for (None: every council's);
    it must be a council of the plan's federation."""
    if council_id is None or council_id == record.federation_id:
        return None
    council = authz.get_council(session, council_id)
    if not authz.linked(session, council_id, record.federation_id):
        raise NotFound(f"council '{council.name}' is not a member of the plan's federation")
    return council.name


def refuse_agreement(
    session: Session,
    actor_id: int,
    agreement_id: int,
    council_id: int,
    *,
    accepted_quantity: float = 0.0,
    reason: str = "",
) -> AgreementRefusal:
    """A coordinator refuses a proposed agreement for their council, where its
    ``agreement.accept`` rule lets them (else the council rejects it by an
    ``approve_agreement`` vote); the federation's delegates are told."""
    found = access.agreement(session, actor_id, agreement_id)
    commons.require_mandate(
        session, actor_id, council_id, commons.AGREEMENT_ACCEPT,
        what="refusing a supply agreement", kind="approve_agreement",
    )  # fmt: skip
    refusal = rounds.refuse(
        session,
        agreement_id=agreement_id,
        council_id=council_id,
        actor_id=actor_id,
        accepted_quantity=accepted_quantity,
        reason=reason,
    )
    record = plans.get_plan(session, found.plan_id)
    council = authz.get_council(session, council_id)
    notices.notify(
        session,
        _delegates(session, record.federation_id),
        "plan_changed",
        f"plan:{record.id}",
        f"{council.name} refused agreement #{agreement_id} of plan #{record.id}: re-plan the round",
        council_id=record.federation_id,
    )
    return refusal


def refusals_by_agreement(
    session: Session, actor_id: int | None, plan_id: int
) -> dict[int, list[AgreementRefusal]]:
    """A readable plan's refusals, by agreement id."""
    authz.require_read(session, actor_id, plans.get_plan(session, plan_id).federation_id)
    found: dict[int, list[AgreementRefusal]] = {}
    for agreement, refusal in rounds.refusals_of(session, plan_id):
        found.setdefault(agreement.id, []).append(refusal)
    return found


def plan_of_agreement(session: Session, actor_id: int | None, agreement_id: int) -> int:
    """The plan id of an agreement the actor may read."""
    return access.agreement(session, actor_id, agreement_id).plan_id


def _delegates(session: Session, federation_id: int) -> list[int]:
    """The people seated for the federation's member councils now."""
    seated = (
        authz.seated_delegate(session, c, federation_id)
        for c in authz.member_council_ids(session, federation_id)
    )
    return [d.person_id for d in seated if d is not None]


def _refused_by_vote(session: Session, record: PlanRecord) -> None:
    """Record as refusals the agreements of the plan a party council rejected by vote."""
    ids = set(session.scalars(select(Agreement.id).where(Agreement.plan_id == record.id)))
    for proposal in session.scalars(
        select(Proposal).where(
            Proposal.kind == "approve_agreement",
            Proposal.status == "closed",
            Proposal.outcome.in_(("rejected", "failed")),
        )
    ):
        agreement_id = json.loads(proposal.payload or "{}").get("agreement_id")
        if agreement_id not in ids:
            continue
        key = (agreement_id, proposal.council_id)
        if session.get(AgreementRefusal, key) is None:
            session.add(
                AgreementRefusal(
                    agreement_id=agreement_id,
                    council_id=proposal.council_id,
                    actor_id=proposal.created_by,
                    accepted_quantity=0.0,
                    reason=f"rejected by vote #{proposal.id}",
                    refused_at=proposal.closed_at or authz.moment(None),
                )
            )
    session.flush()


def replan_round(session: Session, actor_id: int, plan_id: int, planner: Planner) -> PlanRecord:
    """A delegate re-opens the protocol after refusals: each refused agreement caps its
    supplier's output of the good (see :func:`soviets.ledger.rounds.refusal_caps`), the
    protocol runs again in the round's mode, warm-started from the refused plan's prices,
    and the councils whose agreements changed are told."""
    authz.require_delegate(session, actor_id, plans.get_plan(session, plan_id).federation_id)
    record = _round(session, plan_id)
    federation = authz.get_council(session, record.federation_id)
    if record.status != "proposed" or record.result.get("superseded_by"):
        raise Conflict(f"plan {plan_id} is no longer open to re-planning")
    _refused_by_vote(session, record)
    refused = rounds.refusals_of(session, plan_id)
    if not refused:
        raise Conflict(f"no agreement of plan {plan_id} was refused: nothing to re-plan")
    names = dict(session.execute(select(Council.id, Council.name)).all())
    goods = dict(session.execute(select(Good.id, Good.name)).all())
    per = record.period
    economy = _economy_of(session, record)
    cuts = [
        (names[a.supplier_council_id], goods[a.good_id], a.quantity - r.accepted_quantity)
        for a, r in refused
    ]
    earlier = dict(record.result.get("round", {}).get("caps", {}))
    holders = rounds.stock_holders(session, record.federation_id)
    caps = rounds.refusal_caps(economy, record, cuts, holders)
    for name, cap in earlier.items():
        caps[name] = min(cap, caps.get(name, cap))
    constraints = list(record.result.get("round", {}).get("refusals", []))
    constraints += [
        {
            "agreement_id": a.id,
            "council": names[r.council_id],
            "supplier": names[a.supplier_council_id],
            "receiver": names[a.receiver_council_id],
            "good": goods[a.good_id],
            "refused": a.quantity - r.accepted_quantity,
        }
        for a, r in refused
    ]
    new = rounds.store_round(
        session,
        per,
        federation,
        planner(rounds.with_caps(economy, caps), mode=_mode(record), start=_warm(record)),
        replaces=record,
        caps=caps,
        refusals=constraints,
    )
    new.revises_plan_id = record.revises_plan_id
    if "revision" in record.result:
        new.result = {**new.result, "revision": record.result["revision"]}
    record.result = {**record.result, "superseded_by": new.id}
    _tell_changes(
        session,
        record,
        new,
        f"The federated plan was re-planned (plan #{new.id} replaces #{record.id}): "
        "your council's supply agreements changed",
    )
    return new


def _economy_of(session: Session, record: PlanRecord) -> Economy:
    """The economy a round plans: the period's, or for a revision the rest of it (needs
    less what was delivered under the plans it revises)."""
    economy = build_economy(session, record.period.name, record.federation_id)
    if record.revises_plan_id is None:
        return economy
    revised = plans.get_plan(session, record.revises_plan_id)
    return rounds.rest_of_period(session, economy, revised)[0]


def _tell_changes(session: Session, old: PlanRecord, new: PlanRecord, message: str) -> None:
    """Tell the members of every council whose agreements differ between the two plans."""
    before = {(a["supplier"], a["receiver"], a["good"]): a["quantity"] for a in old.allocation}
    after = {(a["supplier"], a["receiver"], a["good"]): a["quantity"] for a in new.allocation}
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    ids = dict(session.execute(select(Council.name, Council.id)).all())
    for council in sorted({name for s, r, _ in changed for name in (s, r)}):
        if council not in ids:
            continue
        notices.notify(
            session,
            authz.member_ids(session, ids[council]),
            "plan_changed",
            f"plan:{new.id}",
            message,
            council_id=ids[council],
        )
    session.flush()


def shortfalls(session: Session, record: PlanRecord) -> list[rounds.Actual]:
    """The plan's agreements whose deliveries fall short of what was agreed."""
    return [
        a
        for a in rounds.plan_against_actual(session, record)
        if a.what == "delivery" and a.short > rounds.SAME_QUANTITY * max(1.0, a.planned)
    ]


def revise_plan(session: Session, actor_id: int, plan_id: int, planner: Planner) -> PlanRecord:
    """A delegate re-plans the rest of the period of an adopted plan whose deliveries fell
    short: each council's needs less what was delivered to it under the plan (and the plans
    it revises), within the hours its budget has left, are planned again by the protocol in
    the plan's mode, warm-started from the plan's prices where it has them. The new plan
    is stored ``proposed`` as a revision of this one (``revises_plan_id``), its agreements
    proposed to both councils; the federation adopts it by its ``adopt_plan`` vote.
    Members of the councils whose agreements change are told.
    """
    record = plans.get_plan(session, plan_id)
    authz.require_delegate(session, actor_id, record.federation_id)
    return revision(session, record, planner, f"Deliveries of plan #{record.id} fell short")


def revision(session: Session, record: PlanRecord, planner: Planner, why: str) -> PlanRecord:
    """Re-plan the rest of the period of the adopted ``record`` (its permission checked by
    the caller: :func:`revise_plan`, or the service's clock in
    :mod:`soviets.governance.replanning`); ``why`` begins the councils' notice."""
    plan_id = record.id
    if record.status != "adopted":
        raise Conflict(f"plan {plan_id} is not adopted: only an adopted plan is revised")
    later = session.scalar(
        select(PlanRecord.id).where(
            PlanRecord.revises_plan_id == record.id, PlanRecord.status == "adopted"
        )
    )
    if later is not None:
        raise Conflict(f"plan {plan_id} was revised by plan {later}: revise that one")
    short = shortfalls(session, record)
    if not short:
        raise Conflict(f"no delivery of plan {plan_id} fell short: nothing to re-plan")
    federation = authz.get_council(session, record.federation_id)
    economy, lines = rounds.rest_of_period(
        session, build_economy(session, record.period.name, federation.id), record
    )
    warm = _warm(record)
    result = planner(economy, mode=_mode(record), start=warm)
    new = rounds.store_round(session, record.period, federation, result)
    new.revises_plan_id = record.id
    new.result = {
        **new.result,
        "revision": {
            "revises": record.id,
            "warm_start": bool(warm),
            "short": [a.to_dict() for a in short],
            "needs": lines,
        },
    }
    session.flush()
    _tell_changes(
        session,
        record,
        new,
        f"{why}: the rest of the period was re-planned (plan #{new.id}, to adopt by the "
        "federation's vote); your council's supply agreements changed",
    )
    return new


def record_production(
    session: Session, actor_id: int, process_id: int, *, period: str, activity: float
) -> ProductionRecord:
    """A member of the workplace council records a run of its process: its inputs are taken
    from the council's stocks, its outputs added, its hours recorded."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"no process #{process_id}")
    authz.require_member(session, actor_id, process.council_id)
    try:
        per = get_period(session, period)
    except NotFound as exc:
        raise InputError(str(exc), field="period") from exc
    return rounds.record_production(
        session, process_id=process.id, period=per, activity=activity, actor_id=actor_id
    )


def plan_vs_actual(session: Session, actor_id: int | None, plan_id: int) -> list[rounds.Actual]:
    """Plan against actual for a plan of a federation the actor may read: hours and output
    per workplace council, agreed and delivered per agreement."""
    record = plans.get_plan(session, plan_id)
    authz.require_read(session, actor_id, record.federation_id)
    return rounds.plan_against_actual(session, record)
