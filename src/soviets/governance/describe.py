"""A proposal's effect in plain words: what accepting it will change, one sentence each.

:func:`describe_proposal` is the one description shown on the proposal page,
returned by the API (``effect_text``) and stored in the decision record (the
closed proposal's ``result.effect_text``). Every quantity carries its unit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import bounds, effects, rules
from soviets.governance.endings import decided_payload
from soviets.ledger.models import (
    Agreement,
    Comment,
    Council,
    Delegate,
    Good,
    Need,
    Period,
    Person,
    PlanRecord,
    Process,
    Proposal,
    Resource,
)


def _person(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return f"{person.name} (#{person_id})" if person else f"person #{person_id}"


def _council(session: Session, council_id: int) -> str:
    council = session.get(Council, council_id)
    return f"'{council.name}'" if council else f"council #{council_id}"


def _amount(quantity: float, unit: str) -> str:
    return f"{quantity:,.6g} {unit}".rstrip()


def _mandates(session: Session, items: list[effects.Mandate] | None) -> list[str]:
    out = []
    for m in items or []:
        target = (
            f"every '{m.proposal_kind}' proposal"
            if m.proposal_kind
            else f"proposal #{m.proposal_id}"
        )
        how = {"free": "vote freely", "ranking": f"rank {m.ranking}"}.get(m.vote, f"vote {m.vote}")
        out.append(f"Mandate: on {target} the delegate must {how}.")
    return out


def _general(session: Session, council: Council, e: Any) -> list[str]:
    return ["Nothing is carried out: the vote records the council's position."]


def _admit(session: Session, council: Council, e: effects.AdmitMember) -> list[str]:
    if e.council_id is not None:
        return [
            f"Federation '{council.name}' admits council {_council(session, e.council_id)}; "
            "it joins when that council accepts by its own join_federation vote."
        ]
    return [f"{_person(session, e.person_id or 0)} becomes a member of '{council.name}'."]


def _elect(session: Session, council: Council, e: effects.ElectDelegate) -> list[str]:
    return [
        f"{_person(session, e.person_id)} becomes the delegate of '{council.name}' to "
        f"federation {_council(session, e.federation_id)} until "
        f"{e.term_ends_at:%Y-%m-%d %H:%M} UTC, replacing any sitting delegate.",
        *_mandates(session, e.mandates),
    ]


def _delegate(session: Session, delegate_id: int) -> str:
    delegate = session.get(Delegate, delegate_id)
    if delegate is None:
        return f"delegate #{delegate_id}"
    where = _council(session, delegate.federation_id)
    return f"delegate #{delegate_id}, {_person(session, delegate.person_id)} in {where}"


def _recall(session: Session, council: Council, e: effects.RecallDelegate) -> list[str]:
    return [f"{_delegate(session, e.delegate_id)}, is recalled at once."]


def _instruct(session: Session, council: Council, e: effects.InstructDelegate) -> list[str]:
    return [
        f"{_delegate(session, e.delegate_id)}, gets new mandates.",
        *_mandates(session, e.mandates),
    ]


def _needs(session: Session, council: Council, e: effects.ApproveNeeds) -> list[str]:
    period = session.scalar(select(Period).where(Period.name == e.period))
    if period is None:
        return [f"The needs of '{council.name}' for period '{e.period}' are approved."]
    rows = session.scalars(
        select(Need)
        .where(
            Need.period_id == period.id, Need.council_id == council.id, Need.status == "proposed"
        )
        .order_by(Need.id)
    ).all()
    return [
        f"The {len(rows)} proposed needs of '{council.name}' for period '{e.period}' "
        "are approved and go into the federation's plan:",
        *(f"{n.good.name}: {_amount(n.quantity, n.good.unit)} ({n.priority})." for n in rows),
    ]


def _plan(session: Session, council: Council, e: effects.AdoptPlan) -> list[str]:
    plan = session.get(PlanRecord, e.plan_id)
    if plan is None:
        return [f"Plan #{e.plan_id} is adopted."]
    hours = "" if plan.objective_hours is None else f", {plan.objective_hours:,.1f} hours of work"
    return [
        f"Plan #{plan.id} for period '{plan.period.name}' ({plan.solver}, {plan.plan_status}"
        f"{hours}) is adopted by '{council.name}'; its {len(plan.allocation)} deliveries "
        "between councils become proposed supply agreements."
    ]


def _agreement(session: Session, council: Council, e: effects.ApproveAgreement) -> list[str]:
    a = session.get(Agreement, e.agreement_id)
    if a is None:
        return [f"'{council.name}' approves agreement #{e.agreement_id}."]
    return [
        f"'{council.name}' approves agreement #{a.id}: {_council(session, a.supplier_council_id)} "
        f"supplies {_amount(a.quantity, a.good.unit)} of {a.good.name} to "
        f"{_council(session, a.receiver_council_id)} in period '{a.period.name}'."
    ]


def _transfer(session: Session, council: Council, e: effects.InventoryTransfer) -> list[str]:
    r = session.get(Resource, e.resource_id)
    what = f"resource #{e.resource_id}" if r is None else f"'{r.name}' (#{r.id})"
    unit = "" if r is None else r.unit
    held = "" if r is None else f" (it holds {_amount(r.quantity, r.unit)})"
    return [
        f"'{council.name}' offers {_amount(e.quantity, unit)} of {what}{held} to "
        f"{_council(session, e.to_council_id)}; it moves when that council accepts it by "
        "its own vote."
    ]


def _rules(session: Session, council: Council, e: effects.ChangeRules) -> list[str]:
    out = []
    for key, value in sorted(e.rules.items()):
        old = rules.shown_rule(session, council, key)
        new = rules.DEFAULT_TEXT.get(key, "unset") + " (default)" if value is None else value
        out.append(f"Rule {key}: {old} → {_json_text(new)}.")
    return out


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _role(session: Session, council: Council, e: effects.SetRole) -> list[str]:
    return [f"{_person(session, e.person_id)} becomes a {e.role} of '{council.name}'."]


def _leave(session: Session, council: Council, e: effects.LeaveFederation) -> list[str]:
    return [
        f"'{council.name}' leaves federation {_council(session, e.federation_id)}; "
        "its delegates there are recalled at once."
    ]


def _abandon(session: Session, council: Council, e: effects.AbandonProposal) -> list[str]:
    target = session.get(Proposal, e.proposal_id)
    title = "" if target is None else f" '{target.title}'"
    return [
        f"Open proposal #{e.proposal_id}{title} is closed as abandoned: its ballots are "
        "counted for the record and nothing of it is carried out."
    ]


def _technique(session: Session, e: effects.ProcessSpec) -> str:
    units = {
        g.name: g.unit for g in session.scalars(select(Good).where(Good.name.in_(list(e.flows))))
    }
    made = [f"{_amount(q, units.get(g, ''))} of {g}" for g, q in e.flows.items() if q > 0]
    used = [f"{_amount(-q, units.get(g, ''))} of {g}" for g, q in e.flows.items() if q < 0]
    text = f"per unit of activity it makes {', '.join(made) or 'nothing'}"
    text += f", uses {', '.join(used)}" if used else ", uses no goods"
    text += f" and takes {_amount(e.labour, 'hours')} of work"
    cap = "no capacity limit" if e.capacity is None else f"at most {e.capacity:,.6g} units a period"
    return f"{text}; {cap}"


def _register_process(session: Session, council: Council, e: effects.RegisterProcess) -> list[str]:
    return [
        f"'{council.name}' adds process '{e.name}': {_technique(session, e)}. "
        "Plans made after it is added may use it."
    ]


def _change_process(session: Session, council: Council, e: effects.ChangeProcess) -> list[str]:
    process = session.get(Process, e.process_id)
    name = f"process #{e.process_id}" if process is None else f"process '{process.name}'"
    was = ""
    if process is not None:
        cap = "no limit" if process.capacity is None else f"{process.capacity:,.6g} units"
        was = f" (now {_amount(process.labour, 'hours')} of work per unit, capacity {cap})"
    return [f"'{council.name}' changes {name}{was}: {_technique(session, e)}."]


def _stock_change(session: Session, council: Council, e: effects.StockChange) -> list[str]:
    r = session.get(Resource, e.resource_id)
    what = f"resource #{e.resource_id}" if r is None else f"'{r.name}' (#{r.id})"
    unit = "" if r is None else r.unit
    held = "" if r is None else f", now {_amount(r.quantity, r.unit)}"
    verb = {"produce": "adds as produced", "raise": "raises", "consume": "uses up"}
    return [
        f"'{council.name}' {verb.get(e.action, 'lowers')} {_amount(e.quantity, unit)} of "
        f"{what}{held}; reason: {e.reason}."
    ]


def _custody(session: Session, council: Council, e: effects.AcceptCustody) -> list[str]:
    if e.transfer_id is not None:
        return _take(session, council, e.transfer_id)
    r = session.get(Resource, e.resource_id)
    what = f"resource #{e.resource_id}" if r is None else f"'{r.name}' (#{r.id})"
    holder = "" if r is None else f" of {_council(session, r.holder_council_id)}"
    return [
        f"'{council.name}' consents to take {what}{holder} into its custody; its holder "
        "records the custody citing this decision."
    ]


def _take(session: Session, council: Council, transfer_id: int) -> list[str]:
    offer = session.get(Proposal, transfer_id)
    if offer is None or offer.kind != "inventory_transfer":
        return [f"'{council.name}' takes the transfer offered by proposal #{transfer_id}."]
    given = effects.InventoryTransfer.model_validate(decided_payload(offer, offer.winner))
    r = session.get(Resource, given.resource_id)
    what = f"resource #{given.resource_id}" if r is None else f"'{r.name}'"
    unit = "" if r is None else r.unit
    return [
        f"'{council.name}' accepts {_amount(given.quantity, unit)} of {what} that "
        f"{_council(session, offer.council_id)} offered (proposal #{offer.id}): it moves "
        "into the council's inventory."
    ]


def _join(session: Session, council: Council, e: effects.JoinFederation) -> list[str]:
    admission = session.get(Proposal, e.admission_id)
    federation = "a federation" if admission is None else _council(session, admission.council_id)
    return [
        f"'{council.name}' accepts its admission to {federation} (proposal #{e.admission_id}) "
        "and becomes a member."
    ]


def _admit_to_region(session: Session, council: Council, e: effects.AdmitToRegion) -> list[str]:
    return [
        f"Region '{council.name}' admits council {_council(session, e.council_id)}; it enters "
        "the region when that council accepts by its own join_region vote. Then the hours of "
        f"work per member per week '{council.name}' offers bound that council's work in "
        "labour-budget plans too."
    ]


def _join_region(session: Session, council: Council, e: effects.JoinRegion) -> list[str]:
    admission = session.get(Proposal, e.admission_id)
    region = "a region" if admission is None else _council(session, admission.council_id)
    return [
        f"'{council.name}' accepts its admission to region {region} (proposal "
        f"#{e.admission_id}) and leaves any region it is in: the hours of work per member per "
        f"week {region} offers by its vote then bound the work of '{council.name}' in "
        "labour-budget plans."
    ]


def _leave_region(session: Session, council: Council, e: effects.LeaveRegion) -> list[str]:
    region = "its region" if council.parent_id is None else _council(session, council.parent_id)
    return [
        f"'{council.name}' leaves {region} and stands directly under its federation: the "
        f"hours of work per member per week {region} offers no longer bound its work in "
        "labour-budget plans."
    ]


def _minutes(session: Session, council: Council, e: effects.ApproveMinutes) -> list[str]:
    return [
        f"The minutes #{e.minutes_id} of an assembly of '{council.name}' are approved as drafted "
        "and become part of the council's record; they never change again."
    ]


def _hide(session: Session, council: Council, e: effects.HideComment) -> list[str]:
    comment = session.get(Comment, e.comment_id)
    author = "" if comment is None else f" by {_person(session, comment.author_id)}"
    on = "" if comment is None else f" on proposal #{comment.proposal_id}"
    return [
        f"Comment #{e.comment_id}{author}{on} is hidden by the council's vote: its text is no "
        f"longer shown; the proposer, this decision and the reason ('{e.reason}') stay in its "
        "place."
    ]


def _decision(session: Session, decision_id: int) -> str:
    decision = session.get(Proposal, decision_id)
    if decision is None:
        return f"federation decision #{decision_id}"
    return (
        f"federation decision #{decision_id} '{decision.title}' of "
        f"{_council(session, decision.council_id)}"
    )


def _ratify(session: Session, council: Council, e: effects.Ratify) -> list[str]:
    return [
        f"'{council.name}' ratifies {_decision(session, e.decision_id)}; it takes effect once "
        "enough member councils do (the federation's ratification rules). Rejected: "
        f"'{council.name}' refuses it."
    ]


def _adapt(session: Session, council: Council, e: effects.AdaptDecision) -> list[str]:
    decision = session.get(Proposal, e.decision_id)
    limits = (decision.payload_data.get("bounds") or {}) if decision else {}
    out = [f"'{council.name}' adapts {_decision(session, e.decision_id)} locally:"]
    for name, value in sorted(e.values.items()):
        within = f" (bounds: {bounds.describe_spec(limits[name])})" if name in limits else ""
        out.append(f"{name} = {value}{within}.")
    return out


def _set_hours(session: Session, council: Council, e: effects.SetHours) -> list[str]:
    return [
        f"Council '{council.name}' offers {e.hours_per_member_week:g} hours of work per member "
        "per week: labour-budget plans may use that many hours times its members times 52 "
        "weeks of work by the workplaces under it."
    ]


def _set_cap(session: Session, council: Council, e: effects.SetCap) -> list[str]:
    if e.limit is None:
        return [f"Plans may use any quantity of '{e.good}' per period (no cap)."]
    return [f"Plans may use at most {e.limit:g} of '{e.good}' per period (its unit)."]


def _terms(session: Session, payload: dict[str, Any]) -> list[str]:
    if not payload.get("ratify"):
        return []
    out = [
        "It takes effect only once the member councils ratify it, by the federation's "
        "ratification rules."
    ]
    for name, spec in sorted((payload.get("bounds") or {}).items()):
        out.append(f"A member council may adapt {name} within: {bounds.describe_spec(spec)}.")
    return out


_WORDS: dict[str, Callable[[Session, Council, Any], list[str]]] = {
    "general": _general,
    "admit_member": _admit,
    "elect_delegate": _elect,
    "recall_delegate": _recall,
    "instruct_delegate": _instruct,
    "approve_needs": _needs,
    "adopt_plan": _plan,
    "approve_agreement": _agreement,
    "inventory_transfer": _transfer,
    "change_rules": _rules,
    "set_role": _role,
    "leave_federation": _leave,
    "abandon_proposal": _abandon,
    "register_process": _register_process,
    "change_process": _change_process,
    "stock_change": _stock_change,
    "accept_custody": _custody,
    "join_federation": _join,
    "approve_minutes": _minutes,
    "ratify": _ratify,
    "adapt_decision": _adapt,
    "set_hours": _set_hours,
    "set_cap": _set_cap,
    "hide_comment": _hide,
    "admit_to_region": _admit_to_region,
    "join_region": _join_region,
    "leave_region": _leave_region,
}


def describe_effect(
    session: Session, council: Council, kind: str, payload: dict[str, Any]
) -> list[str]:
    """What accepting a ``kind`` proposal with this (checked) payload changes, in sentences."""
    effect = {k: v for k, v in payload.items() if k not in ("ratify", "bounds")}
    words = _WORDS[kind](session, council, effects.parse_effect(kind, effect))
    return words + _terms(session, payload)


def describe_proposal(session: Session, proposal: Proposal) -> list[str]:
    """The proposal's effect in plain words (a ranked vote: the effect of each option)."""
    council = session.get(Council, proposal.council_id)
    assert council is not None
    if proposal.method != "schulze":
        return describe_effect(session, council, proposal.kind, proposal.voted_payload)
    out = []
    for option in proposal.options:
        if option.label == proposal.no_change:
            out.append(f"If '{option.label}' wins: nothing is decided.")
            continue
        words = describe_effect(session, council, proposal.kind, option.payload_data)
        out.append(f"If '{option.label}' wins: {' '.join(words)}")
    return out + _terms(session, proposal.payload_data)
