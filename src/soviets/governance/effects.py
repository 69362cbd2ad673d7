"""What each kind of proposal does when accepted: one typed model of its payload per kind.

:func:`effect_model` gives the model of a kind; its JSON schema
(``effect_model(kind).model_json_schema()``) is what a form for that kind
needs: field names, types, required fields, bounds and descriptions. The
models check only the shape of a payload (types, required and unknown
fields, bounds); whether the people, councils, resources and plans it names
exist and may be used is checked against the database by the kind's
validator (:func:`soviets.governance.execution.validate_payload`).

A kind changes only what its effect names; only ``change_rules`` changes a
council's rules, and ``general`` changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from soviets.governance.errors import InputError
from soviets.governance.values import Amount, Flow, Name, Quantity, When
from soviets.ledger.models.governance import PROPOSAL_KINDS

Id = Annotated[int, Field(strict=True, gt=0, description="a record's id (whole number > 0)")]


class Effect(BaseModel):
    """The payload of one kind of proposal; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class General(Effect):
    """A statement or question of the council: accepting it changes nothing."""


class AdmitMember(Effect):
    """Admit a person to a council (``person_id``), or a council to a federation
    (``council_id``): exactly one of them, as the council's kind says."""

    person_id: Id | None = Field(None, description="the person to admit (workplace, territorial)")
    council_id: Id | None = Field(None, description="the council to admit (federation)")


class Mandate(Effect):
    """An imperative mandate: how the delegate must vote on a kind or on one proposal."""

    proposal_kind: str | None = Field(None, description="every proposal of this kind")
    proposal_id: Id | None = Field(None, description="this one proposal")
    vote: Literal["yes", "no", "free", "ranking"]
    ranking: str | None = Field(None, description="the required ranking, with vote 'ranking'")


class ElectDelegate(Effect):
    """Send a member as the council's delegate to a federation until the term ends."""

    person_id: Id = Field(description="the member elected")
    federation_id: Id = Field(description="the federation they sit in")
    term_ends_at: When = Field(description="end of the term (UTC when no zone is given)")
    mandates: list[Mandate] | None = Field(None, description="imperative mandates")


class RecallDelegate(Effect):
    """Recall one of the council's delegates at once."""

    delegate_id: Id


class InstructDelegate(Effect):
    """Give one of the council's delegates new imperative mandates."""

    delegate_id: Id
    mandates: list[Mandate] = Field(min_length=1)


class ApproveNeeds(Effect):
    """Approve the council's registered needs of a planning period."""

    period: str = Field(min_length=1, max_length=100, description="the period's name")

    @field_validator("period")
    @classmethod
    def _trim(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("needs a non-empty text")
        return value.strip()


class AdoptPlan(Effect):
    """Adopt a plan computed for the federation: its supply agreements are proposed."""

    plan_id: Id


class ApproveAgreement(Effect):
    """Approve a supply agreement the council is a party to."""

    agreement_id: Id


class InventoryTransfer(Effect):
    """Offer a quantity of a resource the council holds to another council: it moves
    when that council accepts it (``accept_custody`` with ``transfer_id``)."""

    resource_id: Id
    quantity: Quantity = Field(description="in the resource's unit")
    to_council_id: Id


class ChangeRules(Effect):
    """Set council rules (a null value removes a rule: back to its default)."""

    rules: dict[str, Any] = Field(min_length=1, description="rule key -> new value or null")


class SetRole(Effect):
    """Make a member a coordinator, or a coordinator a member."""

    person_id: Id
    role: Literal["member", "coordinator"]


class LeaveFederation(Effect):
    """Leave a federation: the council's delegates there are recalled."""

    federation_id: Id


class AbandonProposal(Effect):
    """Drop one of the council's open proposals: counted for the record, never carried out."""

    proposal_id: Id


class HideComment(Effect):
    """Hide a comment on one of the council's proposals by the council's vote (the rule
    ``discussion.hide = vote``); the trace names the proposer, this vote and the reason."""

    comment_id: Id
    reason: str = Field(min_length=1, max_length=500, description="why it is hidden (shown)")


class ProcessSpec(Effect):
    """A process's technique: hours of work, flows and capacity per unit of activity."""

    labour: Amount = Field(description="hours of work per unit of activity")
    flows: dict[Name, Flow] = Field(
        min_length=1, description="good name -> quantity per unit (+ made, - used)"
    )
    capacity: Amount | None = Field(None, description="most units of activity per period")

    @field_validator("flows")
    @classmethod
    def _sorted(cls, value: dict[str, float]) -> dict[str, float]:
        return dict(sorted(value.items()))


class RegisterProcess(ProcessSpec):
    """Add a process to the workplace council: later plans may use it."""

    name: str = Field(min_length=1, max_length=200, description="the new process's name")

    @field_validator("name")
    @classmethod
    def _trim(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("needs a non-empty text")
        return value.strip()


class ChangeProcess(ProcessSpec):
    """Replace the labour, flows and capacity of one of the council's processes."""

    process_id: Id


class StockChange(Effect):
    """Record a change of a stock the council holds, with the reason."""

    resource_id: Id
    action: Literal["produce", "raise", "consume", "lower"]
    quantity: Quantity = Field(description="in the resource's unit")
    reason: str = Field(min_length=1, max_length=500)


class AcceptCustody(Effect):
    """Consent to take what another council gives: a transfer it offered by its vote
    (``transfer_id``: carried out, the stock moves), or a resource into the council's
    custody (``resource_id``: the holder records the custody, citing this decision).
    Exactly one of them."""

    transfer_id: Id | None = Field(
        None, description="the giving council's accepted inventory_transfer proposal"
    )
    resource_id: Id | None = Field(None, description="another council's resource")


class JoinFederation(Effect):
    """Take a federation's accepted admission of the council: the council becomes a member."""

    admission_id: Id = Field(description="the federation's accepted admit_member proposal")


class AdmitToRegion(Effect):
    """A region (a territorial council) consents to hold a council of its federation: the
    council enters it only by its own ``join_region`` vote taking this admission."""

    council_id: Id = Field(description="the council admitted to the region")


class JoinRegion(Effect):
    """Take a region's accepted admission of the council: the council is placed in that
    region, whose voted hours then limit its plans."""

    admission_id: Id = Field(description="the region's accepted admit_to_region proposal")


class LeaveRegion(Effect):
    """The council leaves its region and stands directly under its federation."""


class ApproveMinutes(Effect):
    """Approve an assembly's draft minutes: they become part of the council's record."""

    minutes_id: Id = Field(description="the draft minutes")
    text_sha256: str | None = Field(
        None,
        pattern="^[0-9a-f]{64}$",
        description="SHA-256 of the text approved (filled in from the draft when left out)",
    )


class Ratify(Effect):
    """Ratify a federation decision that awaits its member councils (``decision_id``: the
    federation's accepted proposal). Accepted: the council ratifies; otherwise it refuses."""

    decision_id: Id = Field(description="the federation's proposal awaiting ratification")


class AdaptDecision(Effect):
    """Adopt local values, within the federation's bounds, for named fields of a federation
    decision awaiting ratification; what follows from the decision uses them for the council."""

    decision_id: Id = Field(description="the federation's proposal awaiting ratification")
    values: dict[str, Any] = Field(
        min_length=1, description="bounded field -> the council's value (a number, date, variant)"
    )


class SetHours(Effect):
    """The hours of work per member per week a territorial council offers (its hours
    available in labour-budget plans: this times its members times 52 weeks)."""

    hours_per_member_week: float = Field(
        ge=0, le=168, description="hours of work per member per week (0 to 168)"
    )


class SetCap(Effect):
    """A federation's limit per period on a primary good (an emission allowance, land):
    ``limit`` in the good's unit, or null for no limit."""

    good: Name = Field(description="the primary good's name")
    limit: float | None = Field(None, ge=0, description="most used per period (null: none)")


AnyEffect = (
    General
    | AdmitMember
    | ElectDelegate
    | RecallDelegate
    | InstructDelegate
    | ApproveNeeds
    | AdoptPlan
    | ApproveAgreement
    | InventoryTransfer
    | ChangeRules
    | SetRole
    | LeaveFederation
    | AbandonProposal
    | RegisterProcess
    | ChangeProcess
    | StockChange
    | AcceptCustody
    | JoinFederation
    | ApproveMinutes
    | Ratify
    | AdaptDecision
    | SetHours
    | SetCap
    | HideComment
    | AdmitToRegion
    | JoinRegion
    | LeaveRegion
)
"""Any kind's effect (the API's ``effect`` field); the proposal's ``kind`` says which."""

EFFECTS: dict[str, type[Effect]] = {
    "general": General,
    "admit_member": AdmitMember,
    "elect_delegate": ElectDelegate,
    "recall_delegate": RecallDelegate,
    "instruct_delegate": InstructDelegate,
    "approve_needs": ApproveNeeds,
    "adopt_plan": AdoptPlan,
    "approve_agreement": ApproveAgreement,
    "inventory_transfer": InventoryTransfer,
    "change_rules": ChangeRules,
    "set_role": SetRole,
    "leave_federation": LeaveFederation,
    "abandon_proposal": AbandonProposal,
    "register_process": RegisterProcess,
    "change_process": ChangeProcess,
    "stock_change": StockChange,
    "accept_custody": AcceptCustody,
    "join_federation": JoinFederation,
    "approve_minutes": ApproveMinutes,
    "ratify": Ratify,
    "adapt_decision": AdaptDecision,
    "set_hours": SetHours,
    "set_cap": SetCap,
    "hide_comment": HideComment,
    "admit_to_region": AdmitToRegion,
    "join_region": JoinRegion,
    "leave_region": LeaveRegion,
}


def effect_model(kind: str) -> type[Effect]:
    """The Pydantic model of the payload of a ``kind`` proposal (for forms: its JSON schema)."""
    try:
        return EFFECTS[kind]
    except KeyError:
        raise InputError(
            f"unknown kind {kind!r} (kinds: {', '.join(PROPOSAL_KINDS)})", field="kind"
        ) from None


def _where(loc: tuple[int | str, ...]) -> str:
    text = "payload"
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def parse_effect(kind: str, payload: dict[str, Any]) -> Effect:
    """Check the shape of a payload against its kind's model (:class:`InputError` naming the
    first bad field, e.g. ``payload.quantity``)."""
    model = effect_model(kind)
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields) or "none"
            message = f"unknown key (expected: {known})"
        raise InputError(message, field=_where(tuple(first["loc"]))) from None
