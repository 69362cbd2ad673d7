"""Request and response bodies of the JSON API (separate from the ORM models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from soviets.governance import values
from soviets.governance.effects import AnyEffect
from soviets.governance.values import Amount, Day, Flag, Flow, Name, Quantity, Share, When


class Out(BaseModel):
    """Base of response bodies: built from ORM objects' attributes."""

    model_config = ConfigDict(from_attributes=True)


class In(BaseModel):
    """Base of request bodies: unknown fields are refused, and so are control characters
    (other than line breaks and tabs) anywhere in any text, however deeply nested."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        problem = _text_problem(value)
        if problem:
            raise PydanticCustomError("text", "{problem}", {"problem": problem})
        return value


def _text_problem(value: Any) -> str | None:
    """The first forbidden control character in ``value``'s texts (keys and values)."""
    if isinstance(value, str):
        return values.text_problem(value, one_line=False)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = _text_problem(item)
            if problem:
                return problem
    if isinstance(value, BaseModel):
        return _text_problem(dict(value))
    return None


class ProblemOut(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


class SignIn(In):
    """E-mail and password, and a name for the token to issue."""

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1000)
    name: str = Field(default="api", min_length=1, max_length=100)


class TokenOut(BaseModel):
    """A new token: ``token`` is shown this once only."""

    id: int
    name: str
    token: str
    created_at: datetime


class TokenInfo(Out):
    """A token as listed (the secret is never shown again)."""

    id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


# --- ids and small types ---------------------------------------------------------------------

DbInt = Annotated[int, Field(strict=True, ge=1, le=2_147_483_647)]
"""An id as the API accepts it (a whole number that fits a 32-bit database integer)."""


# --- people and councils -------------------------------------------------------------------


class PersonOut(Out):
    """A person as others see them (no e-mail address)."""

    id: int
    name: str


class MeOut(Out):
    """The signed-in person."""

    id: int
    name: str
    email: str | None


class CouncilOut(Out):
    """A council (``kind``: workplace, territorial or federation)."""

    id: int
    name: str
    kind: str
    public: bool
    hours_available: float | None
    created_at: datetime
    parent_id: int | None = None
    """The region (territorial council) it was placed in, if any."""


class CouncilIn(In):
    """A new workplace or territorial council; the founder becomes its coordinator."""

    name: Name
    kind: Literal["workplace", "territorial"]
    public: Flag = False


class FederationIn(In):
    """A new federation of councils that the founder coordinates."""

    name: Name
    member_council_ids: list[DbInt] = Field(min_length=1, max_length=1000)
    public: Flag = False


class MembershipOut(Out):
    """A period of membership of a council (``left_at`` null while a member)."""

    id: int
    person_id: int
    person_name: str
    council_id: int
    role: str
    joined_at: datetime
    left_at: datetime | None


# --- delegates -----------------------------------------------------------------------------


class MandateOut(Out):
    """An imperative mandate (per proposal kind or per proposal)."""

    id: int
    proposal_kind: str | None
    proposal_id: int | None
    vote: str
    ranking: str | None
    set_by: int | None
    set_at: datetime


class DelegateOut(Out):
    """A delegate sent by ``council_id`` to ``federation_id``."""

    id: int
    person_id: int
    council_id: int
    federation_id: int
    term_ends_at: datetime
    status: str
    elected_by: int | None
    started_at: datetime
    ended_at: datetime | None
    ended_by: int | None


# --- ratification of federation decisions ---------------------------------------------------


class RatificationSeatOut(Out):
    """A member council's answer to a federation decision."""

    council_id: int
    council: str
    members: int = Field(description="members the council represents (people)")
    proposal_id: int | None = Field(description="the council's ratify vote")
    answer: str | None = Field(description="ratified, refused, or null while pending")


class AdaptationOut(Out):
    """A member council's local value of a bounded field, adopted by its own vote."""

    council_id: int
    council: str
    field: str
    value: Any
    bounds: str = Field(description="the federation's bounds, in words with their unit")
    proposal_id: int = Field(description="the council's adapt_decision vote")
    adopted_at: datetime


class RatificationCountOut(Out):
    """Councils and the members they represent: all, ratified so far, still pending."""

    councils: int
    members: int
    ratified_councils: int
    ratified_members: int
    pending_councils: int
    pending_members: int


class RatificationOut(Out):
    """A federation decision sent to its member councils for ratification."""

    decision_id: int
    title: str
    kind: str
    federation_id: int
    status: str = Field(description="awaiting, ratified, refused or failed")
    rule: str = Field(description="what it takes to be ratified, in words")
    deadline: datetime
    ended_at: datetime | None
    note: str | None
    count: RatificationCountOut
    bounds: dict[str, str] = Field(description="bounded field -> its bounds in words")
    seats: list[RatificationSeatOut]
    adaptations: list[AdaptationOut]


# --- proposals and ballots -----------------------------------------------------------------


class OptionIn(In):
    """An option of a ranked (Schulze) vote, with what is carried out if it wins."""

    label: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)


class ProposalIn(In):
    """A new proposal (a draft until opened)."""

    kind: str = Field(default="general", max_length=30)
    title: Name
    body: str = Field(default="", max_length=20_000)
    method: str = Field(default="majority", max_length=20)
    quorum: Share | None = Field(
        default=None, description="at least the council's proposal.quorum rule"
    )
    floor: Share | None = Field(
        default=None, description="at least the council's proposal.floor rule"
    )
    secret: Flag = False
    payload: dict[str, Any] = Field(default_factory=dict)
    options: list[str | OptionIn] | None = Field(default=None, max_length=100)
    opens_at: When | None = None
    closes_at: When | None = None


class ProposalPatch(In):
    """Changes to a draft (only the fields given change)."""

    kind: str | None = Field(default=None, max_length=30)
    title: Name | None = None
    body: str | None = Field(default=None, max_length=20_000)
    method: str | None = Field(default=None, max_length=20)
    quorum: Share | None = Field(default=None)
    floor: Share | None = Field(default=None)
    secret: Flag | None = None
    payload: dict[str, Any] | None = None
    options: list[str | OptionIn] | None = Field(default=None, max_length=100)
    opens_at: When | None = None
    closes_at: When | None = None


class ProposalOut(BaseModel):
    """A proposal, its rules, state and (once closed) result."""

    id: int
    council_id: int
    kind: str
    title: str
    body: str
    method: str
    quorum: float
    floor: float
    weighting: str | None = Field(description="a federation's count: council, members or double")
    electorate_members: int | None = Field(
        description="members represented by all member councils of a federation, at opening"
    )
    secret: bool
    payload: dict[str, Any]
    effect: AnyEffect | None = Field(
        description="the payload as its kind's effect model (None for a ranked vote: each option "
        "has its own)"
    )
    effect_text: list[str] = Field(description="what accepting it changes, in plain words")
    options: list[str]
    opens_at: datetime | None
    closes_at: datetime | None = Field(description="the deadline: the vote closes itself then")
    status: str
    outcome: str | None
    created_by: int
    created_at: datetime
    opened_at: datetime | None
    electorate_size: int | None
    closed_at: datetime | None
    ballots_counted: int | None
    winner: str | None
    result: dict[str, Any] | None
    discussion_ends_at: datetime | None = Field(
        default=None, description="when its discussion phase ends and voting opens"
    )
    amendments: str | None = Field(
        default=None,
        description="how its amendments are decided: first (each yes/no, then the amended "
        "proposal) or schulze (all versions ranked together)",
    )
    amended_body: str | None = Field(
        default=None, description="the text put to the vote after accepted amendments"
    )
    voted_payload: dict[str, Any] | None = Field(
        default=None, description="the payload put to the vote (as amended, else as drafted)"
    )
    chain_head: str | None = Field(
        default=None,
        description="SEQ:HASH of the ledger chain when it was decided; keep it and check it "
        "later with 'soviets ledger verify --head'",
    )


class BallotIn(In):
    """A ballot: ``yes``/``no``/``abstain`` (consent: ``object`` blocks) or a ranking ``A>C=B``.

    To change a secret ballot, give the ``receipt`` returned when it was cast.
    """

    choice: str = Field(min_length=1, max_length=2000)
    receipt: str | None = Field(default=None, max_length=200)


class CastOut(BaseModel):
    """The ballot as recorded; ``receipt`` only when a secret ballot is first cast."""

    proposal_id: int
    ballot: str
    revision: int | None
    receipt: str | None


class BallotOut(BaseModel):
    """A voter's ballot: the choice only for open ballots."""

    voter_id: int
    seat_council_id: int | None
    ballot: str | None
    revision: int | None
    withdrawn_reason: str | None


class MyBallotOut(BaseModel):
    """The caller's current ballot (null when none, or secret without the receipt)."""

    proposal_id: int
    voted: bool
    ballot: str | None


class ElectorOut(Out):
    """A member of a proposal's electorate (fixed when voting opened)."""

    person_id: int
    seat_council_id: int | None
    removed_at: datetime | None


# --- inventory -----------------------------------------------------------------------------


class ResourceOut(Out):
    """A resource held by a council (never by a person)."""

    id: int
    name: str
    kind: str
    holder_council_id: int
    good_id: int | None
    unit: str
    quantity: float
    process_id: int | None
    capacity_per_unit: float | None
    created_at: datetime


class ResourceIn(In):
    """A new resource of the council (quantity 0; raise it with an event)."""

    name: Name
    kind: Literal["means_of_production", "housing", "consumer_good", "shared_good"]
    unit: str = Field(default="", max_length=50)
    good_id: DbInt | None = None
    process_id: DbInt | None = None
    capacity_per_unit: Amount | None = None


class EventOut(Out):
    """An inventory event (Valueflows action), hash-chained."""

    id: int
    seq: int
    action: str
    resource_id: int
    to_resource_id: int | None
    quantity: float
    from_council_id: int | None
    to_council_id: int | None
    actor_id: int
    proposal_id: int | None
    mandate: str | None
    agreement_id: int | None
    created_at: datetime
    prev_hash: str
    hash: str


class EventIn(In):
    """An inventory change, authorised by an accepted proposal or a standing mandate."""

    action: Literal["produce", "consume", "use", "raise", "lower", "move", "transfer-custody"]
    quantity: Amount
    proposal_id: DbInt | None = None
    mandate: str | None = Field(default=None, max_length=500)
    to_council_id: DbInt | None = None


class ProductionIn(In):
    """What a workplace council produced into one of its stocks, in the stock's unit."""

    quantity: Quantity
    note: str = Field(default="", max_length=500)


class VerifyOut(BaseModel):
    """The ledger's verification: ``ok`` when every hash, link and balance checks out."""

    ok: bool
    events: int
    records: int = Field(description="records of holders, closed proposals, bookings, members")
    head_seq: int
    head_hash: str = Field(
        description="keep SEQ:HASH to check later that history was not rewritten"
    )
    problems: list[dict[str, Any]]


# --- needs, processes, goods, periods ------------------------------------------------------


class PeriodOut(Out):
    """A planning period."""

    id: int
    name: str
    starts_on: date
    ends_on: date


class GoodOut(Out):
    """A good of the catalogue."""

    id: int
    name: str
    unit: str
    kind: str
    limit_per_period: float | None


class NeedOut(BaseModel):
    """A need registered for a period."""

    id: int
    period: str
    council_id: int
    person_id: int | None
    good: str
    unit: str
    quantity: float
    priority: str
    status: str
    created_at: datetime


class NeedIn(In):
    """A need of the caller, as a member of a territorial council."""

    period: str = Field(min_length=1, max_length=50)
    good: Name
    quantity: Quantity
    priority: Literal["essential", "normal"] = "essential"


class ProcessOut(BaseModel):
    """A workplace council's process: flows per unit of activity, labour hours per unit."""

    id: int
    name: str
    council_id: int
    labour: float
    capacity: float | None
    flows: dict[str, float]


class ProcessIn(In):
    """A new process of a workplace council (flows: good name -> quantity, + made, - used)."""

    name: Name
    labour: Amount
    flows: dict[Name, Flow] = Field(min_length=1, max_length=1000)
    capacity: Amount | None = None


class ProcessChangeIn(In):
    """New labour (hours per unit), flows (good name -> quantity per unit) and capacity."""

    labour: Amount
    flows: dict[Name, Flow] = Field(min_length=1, max_length=1000)
    capacity: Amount | None = None


class PeriodIn(In):
    """A planning period: its name and first and last days."""

    name: str = Field(min_length=1, max_length=50)
    starts_on: Day
    ends_on: Day


# --- plans and agreements ------------------------------------------------------------------


class PlanOut(BaseModel):
    """A plan stored for a federation and period (full result in ``result``)."""

    id: int
    federation_id: int
    period: str
    status: str
    solver: str
    plan_status: str
    objective_hours: float | None
    certificate: dict[str, Any]
    council_hours: dict[str, Any]
    created_at: datetime
    adopted_at: datetime | None
    proposal_id: int | None
    revises_plan_id: int | None = None
    """The adopted plan whose rest of the period this one re-plans (after a shortfall)."""
    mode: Literal["min-labour", "labour-budget"] | None = None
    """The mode the plan was made in (None: a multi-year plan, made for an objective)."""
    fulfilment: float | None = None
    """Labour-budget mode: the share of every normal need the plan meets."""
    result: dict[str, Any] | None = None


class PlanIn(In):
    """Run the planner on the ledger's economy of this period for the federation."""

    period: str = Field(min_length=1, max_length=50)
    mode: Literal["min-labour", "labour-budget"] = "min-labour"
    regime: Literal["central", "federated"] = "central"
    """``federated``: a planning round of the federated protocol (docs/federation.md)."""


class MultiYearPlanIn(In):
    """Plan several ledger periods together (docs/multiyear.md): one plan per period."""

    periods: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        min_length=1, max_length=50
    )
    objective: Literal["min-hours", "max-free-time", "max-fulfilment"] = "min-hours"
    last_years: int = Field(default=1, strict=True, ge=1, le=50)
    floor: Share = 1.0


class AgreementOut(BaseModel):
    """A supply agreement, who accepted it, and what has been delivered."""

    id: int
    plan_id: int
    period: str
    supplier_council_id: int
    receiver_council_id: int
    good: str
    unit: str
    quantity: float
    delivered: float
    status: str
    accepted_by: list[int]


class AcceptIn(In):
    """Accept an agreement on behalf of your council (its supplier or receiver)."""

    council_id: DbInt


class DeliveryIn(In):
    """Deliver part of an accepted agreement from the supplier's stock."""

    quantity: Quantity
    resource_id: DbInt | None = None


# --- bookings ------------------------------------------------------------------------------


class BookingOut(Out):
    """A booking of a shared good (times in UTC)."""

    id: int
    resource_id: int
    person_id: int
    council_id: int
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    cancelled_at: datetime | None


class BookingIn(In):
    """Book a shared good from ``starts_at`` to ``ends_at`` (no zone: UTC); it may not start
    more than a few minutes ago nor end more than ten years ahead."""

    starts_at: When
    ends_at: When
