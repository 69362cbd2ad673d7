"""The new-proposal form: one description per proposal kind, and its payload from the form.

Each :class:`KindForm` lists the payload fields of one kind (the keys its
validator in :mod:`soviets.governance` accepts) with the widget that asks
for each. The template draws the fields from it and :func:`payload` reads
them back, so a kind's form and its payload cannot drift apart. Form fields
are named ``payload.<key>``: the same name the validators give in their
errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soviets.governance.errors import InputError
from soviets.governance.rules import INVITE_MODES, WEIGHTINGS
from soviets.ledger.models.governance import AMENDMENT_MODES
from soviets.server.i18n import N_

MANDATE_ROWS = 3
"""How many mandate rows the form offers (rows left blank are skipped)."""


@dataclass(frozen=True)
class Field:
    """One payload field: its key, its label, and how it is asked for.

    ``widget``: ``select`` (choices from ``source``), ``number``, ``text``,
    ``datetime`` (UTC), ``flows`` (lines ``good = quantity``), ``values``
    (lines ``field = value``), ``rules`` (every council rule with its current
    value) or ``mandates`` (rows of target and vote).
    """

    key: str
    label: str
    widget: str = "select"
    source: str = ""
    hint: str = ""
    optional: bool = False
    whole: bool = True
    """A select's value is an id (a whole number) rather than a name."""


@dataclass(frozen=True)
class KindForm:
    """What drafting one kind of proposal asks for, and in which councils it applies."""

    kind: str
    label: str
    summary: str
    fields: tuple[Field, ...] = ()
    councils: tuple[str, ...] = ("workplace", "territorial", "federation")


_TERM = Field(
    "term_ends_at", N_("Term ends (UTC)"), "datetime", hint=N_("The delegate serves until then.")
)
_MANDATES = Field(
    "mandates",
    N_("Imperative mandates"),
    "mandates",
    source="mandate_target",
    hint=N_(
        "How the delegate must vote: on every proposal of a kind, or on one open proposal "
        "of the federation. 'free' leaves it to the delegate; a ranking (ranked votes only) "
        "is written like A>B=C."
    ),
    optional=True,
)
LOCAL = ("workplace", "territorial")
_LABOUR = Field("labour", N_("Hours of work per unit of activity"), "number")
_FLOWS = Field(
    "flows",
    N_("Goods made and used per unit of activity"),
    "flows",
    hint=N_(
        "One good per line, as 'good = quantity': positive for what it makes, negative for "
        "what it uses, in each good's unit (e.g. 'bread = 1' and 'flour = -0.5')."
    ),
)
_CAPACITY = Field(
    "capacity",
    N_("Capacity (most units of activity per period)"),
    "number",
    hint=N_("Blank: limited only by the means of production linked to it."),
    optional=True,
)

FORMS: tuple[KindForm, ...] = (
    KindForm(
        "general", N_("General question"), N_("A question or decision that changes nothing here.")
    ),
    KindForm(
        "admit_member",
        N_("Admit a member council"),
        N_("The council joins the federation when the proposal is accepted."),
        (Field("council_id", N_("Council to admit"), source="outside_council"),),
        councils=("federation",),
    ),
    KindForm(
        "elect_delegate",
        N_("Elect a delegate"),
        N_(
            "The member takes the council's seat in the federation (replacing the present "
            "delegate there), bound by the mandates given here."
        ),
        (
            Field("person_id", N_("Delegate"), source="member"),
            Field("federation_id", N_("Federation"), source="federation"),
            _TERM,
            _MANDATES,
        ),
        councils=LOCAL,
    ),
    KindForm(
        "recall_delegate",
        N_("Recall a delegate"),
        N_("The delegate loses the seat at once; their ballots on open votes are withdrawn."),
        (Field("delegate_id", N_("Delegate"), source="delegate"),),
        councils=LOCAL,
    ),
    KindForm(
        "instruct_delegate",
        N_("Instruct a delegate (mandate)"),
        N_("Sets how the delegate must vote; ballots already cast against it are withdrawn."),
        (Field("delegate_id", N_("Delegate"), source="delegate"), _MANDATES),
        councils=LOCAL,
    ),
    KindForm(
        "approve_needs",
        N_("Approve our needs"),
        N_("The needs registered for the period become the council's approved needs."),
        (Field("period", N_("Period"), source="period", whole=False),),
        councils=("territorial",),
    ),
    KindForm(
        "adopt_plan",
        N_("Adopt a plan"),
        N_("The plan becomes the federation's plan for its period and its agreements are made."),
        (Field("plan_id", N_("Plan"), source="plan"),),
        councils=("federation",),
    ),
    KindForm(
        "approve_agreement",
        N_("Approve an agreement"),
        N_("The council consents to deliver or receive what the agreement says."),
        (Field("agreement_id", N_("Agreement"), source="agreement"),),
    ),
    KindForm(
        "inventory_transfer",
        N_("Transfer from our inventory"),
        N_("We offer the quantity to the other council; it moves when that council accepts it."),
        (
            Field("resource_id", N_("Resource"), source="resource"),
            Field(
                "quantity",
                N_("Quantity (in the resource's unit)"),
                "number",
                hint=N_("More than 0."),
            ),
            Field("to_council_id", N_("To council"), source="other_council"),
        ),
    ),
    KindForm(
        "change_rules",
        N_("Change our rules"),
        N_("Each rule given a value takes it; 'back to the default' removes the rule."),
        (Field("rules", N_("Rules"), "rules"),),
    ),
    KindForm(
        "set_role",
        N_("Change a member's role"),
        N_("Coordinators open and close votes without a closing time and record inventory events."),
        (
            Field("person_id", N_("Member"), source="member"),
            Field("role", N_("New role"), source="role", whole=False),
        ),
        councils=LOCAL,
    ),
    KindForm(
        "leave_federation",
        N_("Leave a federation"),
        N_("The council leaves the federation; its delegates there are recalled at once."),
        (Field("federation_id", N_("Federation"), source="federation"),),
        councils=LOCAL,
    ),
    KindForm(
        "register_process",
        N_("Register a process"),
        N_("The process joins the council's processes; plans may use it once it is registered."),
        (
            Field("name", N_("Name of the process"), "text"),
            _LABOUR,
            _FLOWS,
            _CAPACITY,
        ),
        councils=("workplace",),
    ),
    KindForm(
        "change_process",
        N_("Change a process"),
        N_("The process's hours, flows and capacity are replaced by these."),
        (Field("process_id", N_("Process"), source="process"), _LABOUR, _FLOWS, _CAPACITY),
        councils=("workplace",),
    ),
    KindForm(
        "accept_custody",
        N_("Accept a transfer or custody"),
        N_(
            "We take a transfer another council offered us (it moves when this vote passes), or "
            "consent to hold another council's resource (its holder records it citing this vote)."
        ),
        (
            Field(
                "transfer_id", N_("Transfer offered to us"), source="transfer_offer", optional=True
            ),
            Field("resource_id", N_("Resource to hold"), source="others_resource", optional=True),
        ),
        councils=LOCAL,
    ),
    KindForm(
        "join_federation",
        N_("Join a federation"),
        N_("We accept a federation's vote to admit us: the council becomes its member."),
        (Field("admission_id", N_("Admission voted by the federation"), source="admission"),),
    ),
    KindForm(
        "admit_to_region",
        N_("Admit a council to our region"),
        N_(
            "We consent to hold a council of our federation in our region: it enters when that "
            "council accepts by its own vote, and then the hours of work per member per week we "
            "offer bound its work too."
        ),
        (Field("council_id", N_("Council admitted"), source="region_candidate"),),
        councils=("territorial",),
    ),
    KindForm(
        "join_region",
        N_("Join a region"),
        N_(
            "We accept a region's vote to admit us: the council is placed in that region (leaving "
            "any other), whose hours of work per member per week then bound our work."
        ),
        (Field("admission_id", N_("Admission voted by the region"), source="region_admission"),),
        councils=LOCAL,
    ),
    KindForm(
        "leave_region",
        N_("Leave our region"),
        N_(
            "The council stands directly under its federation; the region's hours no longer "
            "bound it."
        ),
        councils=LOCAL,
    ),
    KindForm(
        "stock_change",
        N_("Change a stock by vote"),
        N_("The change is recorded in the council's ledger, authorised by this vote."),
        (
            Field("resource_id", N_("Stock"), source="held_resource"),
            Field("action", N_("What happens to it"), source="stock_action", whole=False),
            Field(
                "quantity", N_("Quantity (in the stock's unit)"), "number", hint=N_("More than 0.")
            ),
            Field("reason", N_("Reason (kept in the ledger)"), "text"),
        ),
        councils=LOCAL,
    ),
    KindForm(
        "ratify",
        N_("Ratify a federation decision"),
        N_(
            "The council ratifies the federation's decision; rejected, it refuses it. Offered in "
            "no form: the vote is opened in each member council when the federation decides."
        ),
        (
            Field(
                "decision_id", N_("Federation decision awaiting ratification"), source="adaptable"
            ),
        ),
        councils=(),
    ),
    KindForm(
        "adapt_decision",
        N_("Adapt a federation decision locally"),
        N_(
            "Within the bounds the federation set, the council adopts its own values; what follows "
            "from the decision uses them for this council."
        ),
        (
            Field(
                "decision_id", N_("Federation decision awaiting ratification"), source="adaptable"
            ),
            Field(
                "values",
                N_("Local values"),
                "values",
                hint=N_(
                    "One per line as 'field = value', e.g. 'quantity_share = 0.9' (a share: "
                    "1 is the planned quantity), a date such as 2031-02-01, or one of the allowed "
                    "variants. The decision's bounds are shown beside it in the list."
                ),
            ),
        ),
        councils=LOCAL,
    ),
    KindForm(
        "set_hours",
        N_("Set the hours of work we offer"),
        N_(
            "The hours of work per member per week the council offers: labour-budget plans may "
            "use that many hours times its members times 52 weeks. See the frontier (what each "
            "offer buys) before voting."
        ),
        (
            Field(
                "hours_per_member_week",
                N_("Hours of work per member per week"),
                "number",
                hint=N_("0 to 168 hours."),
            ),
        ),
        councils=("territorial",),
    ),
    KindForm(
        "set_cap",
        N_("Set a cap on a primary good"),
        N_(
            "The most of a primary good (an emission allowance, land) every plan may use per "
            "period; empty: no cap."
        ),
        (
            Field("good", N_("Primary good (its name)"), "text"),
            Field(
                "limit",
                N_("Cap per period (in the good's unit)"),
                "number",
                optional=True,
                hint=N_("0 or more; leave empty for no cap."),
            ),
        ),
        councils=("federation",),
    ),
    KindForm(
        "abandon_proposal",
        N_("Abandon an open proposal"),
        N_("The open vote is closed as abandoned; nothing of it is carried out."),
        (Field("proposal_id", N_("Proposal to abandon"), source="proposal"),),
    ),
    KindForm(
        "approve_minutes",
        N_("Approve an assembly's minutes"),
        N_("The minutes, as drafted now, become part of the council's record and never change."),
        (
            Field(
                "minutes_id",
                N_("Minutes (their number, on the assembly's page)"),
                "number",
                hint=N_(
                    "The text approved is the draft as it stands when this proposal is drafted."
                ),
            ),
            Field(
                "text_sha256",
                N_("SHA-256 of the text approved (64 hex digits)"),
                "text",
                optional=True,
                hint=N_("Leave blank to approve the draft as it stands now."),
            ),
        ),
        councils=LOCAL,
    ),
    KindForm(
        "hide_comment",
        N_("Hide a comment by our vote"),
        N_(
            "Where our rules leave hiding to the council's vote: the comment's text is no longer "
            "shown; who proposed it, this decision and the reason stay in its place."
        ),
        (
            Field(
                "comment_id",
                N_("Comment (its number: the #comment-N link on the proposal's page)"),
                "number",
            ),
            Field("reason", N_("Reason (shown in the comment's place)"), "text"),
        ),
    ),
)


@dataclass(frozen=True)
class RuleField:
    """How the rules form asks for one council rule: its label (with its unit) and kind.

    ``kind``: ``share`` (0 to 1), ``hours``, ``days``, ``amount`` (a number >= 0),
    ``count`` (a whole number), ``flag`` (public or members only), ``yesno``,
    ``text`` or ``choice`` (one of ``choices``).
    """

    label: str
    kind: str
    choices: tuple[str, ...] = ()
    councils: tuple[str, ...] = ("workplace", "territorial", "federation")


RULE_FIELDS: dict[str, RuleField] = {
    "proposal.quorum": RuleField(
        "Quorum of proposals (share of the electorate who must vote, 0 to 1)", "share"
    ),
    "proposal.floor": RuleField(
        "Floor of yes/no proposals (share of the electorate who must vote yes, 0 to 1)", "share"
    ),
    "proposal.voting_hours": RuleField("Length of a vote without a closing time (hours)", "hours"),
    "proposal.min_voting_hours": RuleField("Shortest vote, opening to closing (hours)", "hours"),
    "proposal.discussion_hours": RuleField(
        "Discussion before voting opens (hours; 0: voting opens at once)", "hours"
    ),
    "proposal.amendments": RuleField(
        "How amendments are decided (first: each by its own vote; schulze: all versions ranked)",
        "choice",
        choices=AMENDMENT_MODES,
    ),
    "discussion.hide": RuleField(
        "Who besides its author may hide a comment",
        "choice",
        choices=("coordinator", "author", "vote"),
    ),
    "federation.weighting": RuleField(
        "How delegates' ballots are weighed",
        "choice",
        choices=WEIGHTINGS,
        councils=("federation",),
    ),
    "booking.max_hours": RuleField("Longest booking of a shared good (hours)", "hours"),
    "booking.max_active": RuleField("Bookings a member may hold at once (number)", "count"),
    "council.public": RuleField("Council readable by everyone (public)", "flag"),
    "membership.invite": RuleField(
        "Who brings new members in",
        "choice",
        choices=INVITE_MODES,
        councils=("workplace", "territorial"),
    ),
    "process.change": RuleField(
        "Who registers or changes a process", "choice", choices=("vote", "coordinator")
    ),
    "agreement.accept": RuleField(
        "Who accepts a supply agreement", "choice", choices=("vote", "coordinator")
    ),
    "federation.join": RuleField(
        "Who may bring this council into a new federation (vote: only the council's own vote)",
        "choice",
        choices=("vote", "coordinator"),
        councils=("workplace", "territorial"),
    ),
    "stock.writedown_limit": RuleField(
        "Most a coordinator may take out of a stock alone (units of the stock)", "amount"
    ),
    "assembly.schedule": RuleField(
        "Who schedules assemblies",
        "choice",
        choices=("member", "coordinator"),
        councils=("workplace", "territorial"),
    ),
    "assembly.decide": RuleField(
        "Proposals may be decided in an assembly, by those present",
        "choice",
        choices=("no", "yes"),
        councils=("workplace", "territorial"),
    ),
    "assembly.quorum": RuleField(
        "Members present for a decision in an assembly (share of all members, 0 to 1)",
        "share",
        councils=("workplace", "territorial"),
    ),
    "assembly.notice_hours": RuleField(
        "Notice before an assembly may decide (hours from scheduling to its start)",
        "hours",
        councils=("workplace", "territorial"),
    ),
    "ratification.kinds": RuleField(
        "Kinds of decision always sent to the member councils for ratification "
        "(comma-separated, or none)",
        "text",
        councils=("federation",),
    ),
    "ratification.optional": RuleField(
        "A proposer may send any decision for ratification", "yesno", councils=("federation",)
    ),
    "ratification.councils": RuleField(
        "Ratified by more than this share of the member councils (0 to 0.99)",
        "share",
        councils=("federation",),
    ),
    "ratification.members": RuleField(
        "… representing more than this share of their members (0 to 0.99)",
        "share",
        councils=("federation",),
    ),
    "ratification.days": RuleField(
        "Time the member councils have to ratify (days)", "days", councils=("federation",)
    ),
}
"""Every rule of :data:`soviets.governance.rules.RULES`, as the rules form asks for it."""


def rule_fields(council_kind: str) -> dict[str, RuleField]:
    """The rules a council of ``council_kind`` may set, in form order."""
    return {k: f for k, f in RULE_FIELDS.items() if council_kind in f.councils}


def form_for(kind: str, council_kind: str) -> KindForm | None:
    """The form of ``kind`` in a council of ``council_kind`` (None if it does not apply)."""
    return next(
        (f for f in FORMS if f.kind == kind and council_kind in f.councils),
        None,
    )


def forms_for(council_kind: str) -> list[KindForm]:
    """The kinds a council of ``council_kind`` can be asked to decide, in form order."""
    return [f for f in FORMS if council_kind in f.councils]


def missing_choices(form: KindForm, options: Mapping[str, list[Any]]) -> list[str]:
    """Labels of the required selects of ``form`` that have nothing to choose from."""
    return [
        f.label
        for f in form.fields
        if f.widget == "select" and not f.optional and not options.get(f.source)
    ]


def _text(form: Mapping[str, Any], name: str) -> str:
    return str(form.get(name, "") or "").strip()


def _number(text: str, name: str, *, whole: bool = False) -> int | float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"needs a number, got '{text}'", field=name) from None
    if not math.isfinite(value):
        raise InputError(f"needs a finite number, got '{text}'", field=name)
    if whole:
        if not value.is_integer():
            raise InputError(f"needs a whole number, got '{text}'", field=name)
        return int(value)
    return value


def _select(f: Field, form: Mapping[str, Any]) -> int | str:
    name = f"payload.{f.key}"
    text = _text(form, name)
    if not text:
        raise InputError(f"choose the {f.label.lower()}", field=name)
    if not f.whole:
        return text
    if not text.isdigit():
        raise InputError(f"choose the {f.label.lower()} from the list", field=name)
    return int(text)


def _datetime(f: Field, form: Mapping[str, Any]) -> str:
    name = f"payload.{f.key}"
    text = _text(form, name)
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None).isoformat()
    except ValueError:
        raise InputError(
            f"give a date and time such as 2027-12-31T18:00, got '{text}'", field=name
        ) from None


def _rules(form: Mapping[str, Any]) -> dict[str, Any]:
    """Rule changes: a value given beside a rule, or null for 'back to the default'."""
    changes: dict[str, Any] = {}
    for key, rule in RULE_FIELDS.items():
        name = f"payload.rules.{key}"
        text = _text(form, name)
        if _text(form, f"{name}.default"):
            changes[key] = None
        elif not text:
            continue
        elif rule.kind in ("flag", "yesno"):
            changes[key] = text == "true"
        elif rule.kind in ("choice", "text"):
            changes[key] = text
        else:
            changes[key] = _number(text, name, whole=rule.kind == "count")
    if not changes:
        raise InputError("give at least one rule a new value", field="payload.rules")
    return changes


def _mandates(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The mandate rows whose target is chosen."""
    out: list[dict[str, Any]] = []
    for i in range(MANDATE_ROWS):
        base = f"payload.mandates.{i}"
        target = _text(form, f"{base}.target")
        if not target:
            continue
        what, _, value = target.partition(":")
        mandate: dict[str, Any] = {"vote": _text(form, f"{base}.vote")}
        if what == "kind":
            mandate["proposal_kind"] = value
        elif what == "proposal" and value.isdigit():
            mandate["proposal_id"] = int(value)
        else:
            raise InputError("choose what the mandate is for", field=f"{base}.target")
        if mandate["vote"] == "ranking":
            mandate["ranking"] = _text(form, f"{base}.ranking")
        out.append(mandate)
    return out


def _flows(text: str, name: str) -> dict[str, float]:
    """Lines ``good = quantity`` as a mapping (blank lines skipped)."""
    flows: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        good, sep, quantity = line.partition("=")
        if not sep or not good.strip():
            raise InputError(f"line {number}: write 'good = quantity', got '{line}'", field=name)
        if good.strip() in flows:
            raise InputError(f"line {number}: '{good.strip()}' is listed twice", field=name)
        flows[good.strip()] = float(_number(quantity.strip(), f"{name}, line {number}"))
    if not flows:
        raise InputError("give at least one good and its quantity", field=name)
    return flows


def _values(text: str, name: str) -> dict[str, Any]:
    """Lines ``field = value`` (a number where it reads as one, else the text)."""
    out: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"line {number}: write 'field = value', got '{line}'", field=name)
        try:
            out[key.strip()] = _number(value.strip(), name)
        except InputError:
            out[key.strip()] = value.strip()
    if not out:
        raise InputError("give at least one field and its value", field=name)
    return out


def _bound(line: str, number: int) -> tuple[str, dict[str, Any]]:
    """One line of bounds: ``f = 0.8 to 1.2 unit``, ``f = DATE to DATE`` or ``f = a | b``."""
    name = "payload.bounds"
    key, sep, rest = line.partition("=")
    if not sep or not key.strip() or not rest.strip():
        raise InputError(f"line {number}: write 'field = bounds', got '{line}'", field=name)
    if "|" in rest:
        return key.strip(), {"choices": [c.strip() for c in rest.split("|") if c.strip()]}
    low, sep, high = rest.partition(" to ")
    if not sep:
        raise InputError(
            f"line {number}: give 'low to high' or variants separated by |, got '{line}'",
            field=name,
        )
    words = high.split(maxsplit=1)
    first = low.strip()
    if "-" in first[1:]:  # a date such as 2031-01-01
        return key.strip(), {"from": first, "to": high.strip()}
    spec: dict[str, Any] = {
        "min": _number(first, f"{name}, line {number}"),
        "max": _number(words[0] if words else "", f"{name}, line {number}"),
    }
    if len(words) > 1:
        spec["unit"] = words[1]
    return key.strip(), spec


def terms(form: Mapping[str, Any]) -> dict[str, Any]:
    """A federation proposal's ratification terms from the form: ``ratify`` (checkbox) and
    ``bounds`` (one field per line); ``{}`` when neither is given."""
    out: dict[str, Any] = {}
    if _text(form, "ratify") == "true":
        out["ratify"] = True
    lines = [line for line in str(form.get("bounds", "") or "").splitlines() if line.strip()]
    if lines:
        out["bounds"] = dict(_bound(line, n) for n, line in enumerate(lines, start=1))
    return out


def payload(kind_form: KindForm, form: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of ``kind_form``'s kind from the submitted form."""
    out: dict[str, Any] = {}
    for f in kind_form.fields:
        name = f"payload.{f.key}"
        if f.widget == "select":
            if f.optional and not _text(form, name):
                continue
            out[f.key] = _select(f, form)
        elif f.widget == "number":
            if f.optional and not _text(form, name):
                continue
            out[f.key] = _number(_text(form, name), name, whole=f.key.endswith("_id"))
        elif f.widget == "text":
            text = _text(form, name)
            if not text and f.optional:
                continue
            if not text:
                raise InputError(f"give the {f.label.lower()}", field=name)
            out[f.key] = text
        elif f.widget == "flows":
            out[f.key] = _flows(str(form.get(name, "") or ""), name)
        elif f.widget == "values":
            out[f.key] = _values(str(form.get(name, "") or ""), name)
        elif f.widget == "datetime":
            out[f.key] = _datetime(f, form)
        elif f.widget == "rules":
            out[f.key] = _rules(form)
        elif f.widget == "mandates":
            mandates = _mandates(form)
            if mandates or not f.optional:
                out[f.key] = mandates
    return out
