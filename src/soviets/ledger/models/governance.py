"""Tables of council decisions: proposals, ballots, delegates, mandates, council rules.

The invariants that make a vote fair are held by the database itself:

* one ballot per voter and proposal (``uq_ballots_proposal_id_voter_id``), one
  ``voted`` record per voter in a secret ballot, one counted ballot per seat
  of a federation;
* a ballot may only come from the electorate fixed when voting opened
  (foreign key to ``electorate``), and its marks only name options of the
  same proposal (composite foreign keys);
* the rules of a proposal (kind, method, quorum, secrecy, payload, times,
  options, text) are frozen once it leaves ``draft``; ballots change only
  while it is ``open``; a closed or withdrawn proposal never changes. Triggers written
  for SQLite and PostgreSQL (:func:`governance_ddl`) refuse anything else.

A secret ballot is stored in two unlinked parts: ``voted`` (who voted) and
``secret_ballots``/``secret_marks`` (what was chosen), keyed by the SHA-256 of
a random receipt that only the voter holds. See ``docs/councils.md``
("Secret ballots") for what this does and does not protect against.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from soviets.ledger.base import Base, unique_where
from soviets.ledger.types import UTCDateTime, utcnow

PROPOSAL_KINDS = (
    "general",
    "admit_member",
    "elect_delegate",
    "recall_delegate",
    "instruct_delegate",
    "approve_needs",
    "adopt_plan",
    "approve_agreement",
    "inventory_transfer",
    "change_rules",
    "set_role",
    "leave_federation",
    "abandon_proposal",
    "register_process",
    "change_process",
    "stock_change",
    "accept_custody",
    "join_federation",
    "approve_minutes",
    "ratify",
    "adapt_decision",
    "set_hours",
    "set_cap",
    "hide_comment",
    "admit_to_region",
    "join_region",
    "leave_region",
)
"""Kinds of proposal; all but ``general`` are carried out when accepted (``accept_custody``
of a resource is the council's consent, cited when the custody is recorded; ``ratify`` is a
member council's answer to a federation decision, recorded whatever its outcome;
``admit_to_region`` is a region's consent, taken by the council's ``join_region``)."""

METHODS = ("majority", "two-thirds", "consent", "schulze")
"""Counting methods (the names of :mod:`soviets.governance.counting`)."""

PROPOSAL_STATUSES = ("draft", "discussion", "open", "closed", "withdrawn")
"""``discussion``: its text is frozen and members discuss and amend it before voting opens;
``withdrawn``: a draft (or a proposal in discussion) its proposer took back (it never opened)."""
AMENDMENT_MODES = ("first", "schulze")
"""How amendments and alternatives are decided: ``first`` (each amendment yes/no, then the
amended proposal) or ``schulze`` (every version ranked together)."""
AMENDMENT_KINDS = ("amendment", "alternative")
AMENDMENT_STATUSES = ("proposed", "withdrawn", "voting", "accepted", "rejected", "on_ballot")
OUTCOMES = ("accepted", "rejected", "failed", "abandoned")
"""How a closed proposal ended: by its count (``accepted``/``rejected``), or accepted but
impossible to carry out (``failed``), or dropped by the council's vote (``abandoned``)."""
MANDATE_VOTES = ("yes", "no", "free", "ranking")
DELEGATE_STATUSES = ("active", "recalled", "replaced", "ended")

# Columns of ``proposals`` fixed when it leaves draft (for discussion or for its vote).
TEXT_COLUMNS = (
    "council_id",
    "kind",
    "title",
    "body",
    "payload",
    "secret",
    "created_by",
    "discussion_ends_at",
    "amendments",
)
# Columns of ``proposals`` that are the rules of the vote: frozen once it opens.
FROZEN_COLUMNS = (
    "council_id",
    "kind",
    "title",
    "body",
    "method",
    "quorum",
    "secret",
    "payload",
    "opens_at",
    "closes_at",
    "created_by",
    "opened_at",
    "electorate_size",
    "floor",
    "weighting",
    "electorate_members",
    "discussion_ends_at",
    "amendments",
    "amended_body",
    "amended_payload",
    "no_change",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Proposal(Base):
    """A question put to a council, from draft to an open vote to its result."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(_in("kind", PROPOSAL_KINDS), name="kind"),
        CheckConstraint(_in("method", METHODS), name="method"),
        CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status"),
        CheckConstraint("quorum >= 0 AND quorum <= 1", name="quorum"),
        CheckConstraint("floor >= 0 AND floor <= 1", name="floor"),
        CheckConstraint(
            "weighting IS NULL OR weighting IN ('council', 'members', 'double')", name="weighting"
        ),
        CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", name="times"
        ),
        CheckConstraint(
            f"(status = 'closed' AND {_in('outcome', OUTCOMES)} AND closed_at IS NOT NULL)"
            " OR (status = 'withdrawn' AND outcome IS NULL AND closed_at IS NOT NULL)"
            " OR (status IN ('draft', 'discussion', 'open') AND outcome IS NULL"
            " AND closed_at IS NULL)",
            name="outcome",
        ),
        CheckConstraint(
            "status IN ('draft', 'withdrawn')"
            " OR (status = 'discussion' AND discussion_ends_at IS NOT NULL)"
            " OR (opened_at IS NOT NULL AND electorate_size IS NOT NULL)",
            name="opened",
        ),
        CheckConstraint("status <> 'withdrawn' OR opened_at IS NULL", name="withdrawn_draft"),
        CheckConstraint("executed_at IS NULL OR outcome = 'accepted'", name="executed"),
        CheckConstraint("electorate_size IS NULL OR electorate_size >= 0", name="electorate"),
        UniqueConstraint("council_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    quorum: Mapped[float] = mapped_column(Float, nullable=False)
    floor: Mapped[float] = mapped_column(Float, nullable=False, default=0.0, server_default="0")
    """Share of the electorate that must vote yes (yes/no methods), from the council's rules."""
    secret: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft")
    outcome: Mapped[str | None] = mapped_column(String(10))
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    electorate_size: Mapped[int | None] = mapped_column(Integer)
    weighting: Mapped[str | None] = mapped_column(String(10))
    """A federation's count, fixed at opening: ``council``, ``members`` or ``double``."""
    electorate_members: Mapped[int | None] = mapped_column(Integer)
    """A federation's members represented by all its member councils, fixed at opening."""
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ballots_counted: Mapped[int | None] = mapped_column(Integer)
    winner: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[str | None] = mapped_column(Text)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discussion_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When its discussion phase ends and voting opens (None: it opened without one)."""
    amendments: Mapped[str | None] = mapped_column(String(10))
    """How its amendments are decided (``first`` or ``schulze``), fixed when discussion began."""
    amended_body: Mapped[str | None] = mapped_column(Text)
    """The text put to the vote after accepted amendments (None: the text as drafted)."""
    amended_payload: Mapped[str | None] = mapped_column(Text)
    """The payload put to the vote after accepted amendments (None: as drafted)."""
    no_change: Mapped[str | None] = mapped_column(String(100))
    """The ranked option that means "none of these versions": if it wins, nothing passes."""

    options: Mapped[list[ProposalOption]] = relationship(
        order_by="ProposalOption.position", back_populates="proposal"
    )

    @property
    def payload_data(self) -> dict[str, Any]:
        """The payload, decoded from its canonical JSON text."""
        data: dict[str, Any] = json.loads(self.payload)
        return data

    @property
    def voted_payload(self) -> dict[str, Any]:
        """The payload put to the vote: as amended, else as drafted."""
        data: dict[str, Any] = json.loads(self.amended_payload or self.payload)
        return data

    @property
    def result_data(self) -> dict[str, Any] | None:
        """The stored result (tallies, quorum, outcome) once closed."""
        return None if self.result is None else json.loads(self.result)


class ProposalOption(Base):
    """A choice on the ballot: ``yes``/``no``/``abstain`` (``object`` for consent) or a
    candidate of a ranked vote, with the payload carried out if it wins."""

    __tablename__ = "proposal_options"
    __table_args__ = (
        UniqueConstraint("proposal_id", "label"),
        UniqueConstraint("proposal_id", "position"),
        UniqueConstraint("proposal_id", "id"),
        CheckConstraint("length(label) > 0", name="label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False)
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False, default="{}")

    proposal: Mapped[Proposal] = relationship(back_populates="options")

    @property
    def payload_data(self) -> dict[str, Any]:
        """What is carried out if this option wins (ranked votes on executable kinds)."""
        data: dict[str, Any] = json.loads(self.payload)
        return data


class Amendment(Base):
    """An amendment (a changed text or payload of the proposal) or an alternative (a
    counter-proposal), put forward while the proposal is in discussion.

    ``number`` counts both within the proposal (``Amendment 1``, ``Alternative 2``);
    ``vote_id`` is the yes/no vote on an amendment when amendments are decided first;
    ``option`` the ballot option it became when versions are ranked together.
    """

    __tablename__ = "amendments"
    __table_args__ = (
        CheckConstraint(_in("kind", AMENDMENT_KINDS), name="kind"),
        CheckConstraint(_in("status", AMENDMENT_STATUSES), name="status"),
        CheckConstraint("number >= 1", name="number"),
        UniqueConstraint("proposal_id", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    payload: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="proposed")
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    option: Mapped[str | None] = mapped_column(String(100))

    @property
    def payload_data(self) -> dict[str, Any]:
        """The payload: the keys it changes (amendment) or the whole payload (alternative)."""
        data: dict[str, Any] = json.loads(self.payload)
        return data

    @property
    def label(self) -> str:
        """Its name on a ballot, e.g. ``Amendment 1``."""
        return f"{self.kind.capitalize()} {self.number}"


class Elector(Base):
    """A person entitled to vote on a proposal, fixed when voting opens.

    In a federation each member council has one seat (``seat_council_id``),
    held by its delegate; when the delegate is recalled or replaced the row is
    marked ``removed_at`` and the new delegate gets the seat.
    """

    __tablename__ = "electorate"
    __table_args__ = (
        unique_where(
            "uq_electorate_seat", "proposal_id", "seat_council_id", where="removed_at IS NULL"
        ),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    seat_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    weight: Mapped[int | None] = mapped_column(Integer)
    """The members the seat's council represents, fixed when voting opened (federations)."""


class Ballot(Base):
    """An open (non-secret) ballot: one row per voter and proposal, updated on change.

    Only the current content counts; ``revision`` counts the changes. A
    withdrawn ballot (recalled delegate, changed mandate) is kept, marked, and
    not counted.
    """

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("proposal_id", "voter_id"),
        UniqueConstraint("proposal_id", "id"),
        ForeignKeyConstraint(
            ["proposal_id", "voter_id"], ["electorate.proposal_id", "electorate.person_id"]
        ),
        unique_where(
            "uq_ballots_seat", "proposal_id", "seat_council_id", where="withdrawn_at IS NULL"
        ),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_reason IS NULL)", name="withdrawn"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False)
    voter_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    seat_council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))


class BallotMark(Base):
    """One option's rank on an open ballot (rank 1 is the first choice; equal ranks tie)."""

    __tablename__ = "ballot_marks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["proposal_id", "ballot_id"], ["ballots.proposal_id", "ballots.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["proposal_id", "option_id"], ["proposal_options.proposal_id", "proposal_options.id"]
        ),
        CheckConstraint("rank >= 1", name="rank"),
    )

    ballot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    option_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)


class Voted(Base):
    """That a person voted in a secret ballot: nothing about what they chose."""

    __tablename__ = "voted"
    __table_args__ = (
        ForeignKeyConstraint(
            ["proposal_id", "person_id"], ["electorate.proposal_id", "electorate.person_id"]
        ),
    )

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)


class SecretBallot(Base):
    """The content of a secret ballot, with no voter, no time and no sequence.

    ``key`` is the SHA-256 of the voter's random receipt, so rows sort in a
    random order; on SQLite the table has no rowid (no insertion order).
    """

    __tablename__ = "secret_ballots"
    __table_args__ = (
        UniqueConstraint("proposal_id", "key"),
        CheckConstraint("length(key) = 64", name="key"),
        {"sqlite_with_rowid": False},
    )

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False)


class SecretMark(Base):
    """One option's rank on a secret ballot."""

    __tablename__ = "secret_marks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["proposal_id", "ballot_key"],
            ["secret_ballots.proposal_id", "secret_ballots.key"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["proposal_id", "option_id"], ["proposal_options.proposal_id", "proposal_options.id"]
        ),
        CheckConstraint("rank >= 1", name="rank"),
        {"sqlite_with_rowid": False},
    )

    ballot_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(Integer, nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)


class Delegate(Base):
    """A person sent by a council to a federation, for a term, recallable at any time.

    At most one active delegate per (council, federation), the council's one
    seat, and one active seat per person and federation. ``elected_by`` is the
    accepted ``elect_delegate`` proposal; ``ended_by`` the recall (or the
    election of a successor).
    """

    __tablename__ = "delegates"
    __table_args__ = (
        CheckConstraint(_in("status", DELEGATE_STATUSES), name="status"),
        CheckConstraint("council_id <> federation_id", name="not_self"),
        CheckConstraint("(status = 'active') = (ended_at IS NULL)", name="ended"),
        unique_where("uq_delegates_seat", "council_id", "federation_id", where="status = 'active'"),
        # One person, one seat (one vote) in a federation.
        unique_where(
            "uq_delegates_person", "person_id", "federation_id", where="status = 'active'"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), nullable=False, index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    federation_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    term_ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")
    elected_by: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))


class Mandate(Base):
    """An imperative mandate: how a delegate must vote, per proposal kind or per proposal.

    ``vote`` is ``yes``, ``no``, ``free`` or ``ranking`` (then ``ranking``
    holds the required ranking such as ``A>C=B``; only for one proposal).
    A mandate for a specific proposal overrides one for its kind.
    """

    __tablename__ = "mandates"
    __table_args__ = (
        CheckConstraint(_in("vote", MANDATE_VOTES), name="vote"),
        CheckConstraint(
            "(proposal_kind IS NULL AND proposal_id IS NOT NULL)"
            " OR (proposal_kind IS NOT NULL AND proposal_id IS NULL)",
            name="target",
        ),
        CheckConstraint(
            "(vote = 'ranking' AND ranking IS NOT NULL AND proposal_id IS NOT NULL)"
            " OR (vote <> 'ranking' AND ranking IS NULL)",
            name="ranking",
        ),
        CheckConstraint(
            f"proposal_kind IS NULL OR {_in('proposal_kind', PROPOSAL_KINDS)}", name="kind"
        ),
        UniqueConstraint("delegate_id", "proposal_kind"),
        UniqueConstraint("delegate_id", "proposal_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegates.id"), nullable=False)
    proposal_kind: Mapped[str | None] = mapped_column(String(30))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    vote: Mapped[str] = mapped_column(String(10), nullable=False)
    ranking: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CouncilRule(Base):
    """A rule a council set by vote (``change_rules``), e.g. ``booking.max_hours`` = ``4``.

    Values are text: numbers in plain decimal (``4``, ``2.5``).
    """

    __tablename__ = "council_rules"

    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


RATIFICATION_STATUSES = ("awaiting", "ratified", "refused", "failed")
"""``awaiting`` the member councils' votes; ``ratified`` (carried out), ``refused`` (the rule
can no longer be met, or the deadline passed) or ``failed`` (ratified, carrying it out failed)."""
SEAT_ANSWERS = ("ratified", "refused")


class Ratification(Base):
    """A federation decision that takes effect only once its member councils ratify it.

    Created when the federation's vote accepts a proposal marked to be ratified;
    the shares and the deadline are the federation's rules at that moment. It is
    ratified when more than ``councils_share`` of the member councils, representing
    more than ``members_share`` of their members, have ratified it by their own votes.
    """

    __tablename__ = "ratifications"
    __table_args__ = (
        CheckConstraint(_in("status", RATIFICATION_STATUSES), name="status"),
        CheckConstraint("(status = 'awaiting') = (ended_at IS NULL)", name="ended"),
        CheckConstraint("councils_share >= 0 AND councils_share < 1", name="councils_share"),
        CheckConstraint("members_share >= 0 AND members_share < 1", name="members_share"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id"), nullable=False, unique=True
    )
    federation_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="awaiting")
    councils_share: Mapped[float] = mapped_column(Float, nullable=False)
    members_share: Mapped[float] = mapped_column(Float, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    """Why it ended as it did (the count, or the error that made it fail)."""


class RatificationSeat(Base):
    """A member council's part in a ratification: its weight (members represented, fixed
    when the ratification began), its ``ratify`` proposal and its answer."""

    __tablename__ = "ratification_seats"
    __table_args__ = (
        UniqueConstraint("ratification_id", "council_id"),
        CheckConstraint(f"answer IS NULL OR {_in('answer', SEAT_ANSWERS)}", name="answer"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL)", name="answered"),
        CheckConstraint("weight >= 0", name="weight"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ratification_id: Mapped[int] = mapped_column(ForeignKey("ratifications.id"), nullable=False)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    weight: Mapped[int] = mapped_column(Integer, nullable=False)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Adaptation(Base):
    """A member council's local value of one bounded field of a federation decision,
    adopted by its own ``adapt_decision`` vote (a later vote replaces the value)."""

    __tablename__ = "adaptations"
    __table_args__ = (
        UniqueConstraint("ratification_id", "council_id", "field"),
        CheckConstraint("length(field) > 0", name="field"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ratification_id: Mapped[int] = mapped_column(ForeignKey("ratifications.id"), nullable=False)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    field: Mapped[str] = mapped_column(String(50), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    """The value as canonical JSON (a number, an ISO date or a variant's name)."""
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), nullable=False)
    adopted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    @property
    def value_data(self) -> Any:
        """The adapted value, decoded."""
        return json.loads(self.value)


# --- triggers -------------------------------------------------------------------------------

FROZEN = "soviets: the rules of a proposal are frozen once voting opens"
# Tables whose rows may change only while their proposal is in one of these states.
_GUARDED: dict[str, tuple[str, ...]] = {
    "proposal_options": ("draft", "discussion"),
    "amendments": ("discussion",),
    "electorate": ("draft", "open"),
    "ballots": ("open",),
    "ballot_marks": ("open",),
    "voted": ("open",),
    "secret_ballots": ("open",),
    "secret_marks": ("open",),
}


def _frozen_change(old: str, new: str, distinct: str) -> str:
    """The condition that refuses an update: a closed or withdrawn proposal never changes;
    an open one may only close (to any outcome) without touching its rules; one in
    discussion keeps its text and may only open (setting the rules of its vote) or be
    withdrawn; a draft may go to discussion, open or be withdrawn, never close without a
    vote."""
    changed = " OR ".join(f"{new}.{c} {distinct} {old}.{c}" for c in FROZEN_COLUMNS)
    text_changed = " OR ".join(f"{new}.{c} {distinct} {old}.{c}" for c in TEXT_COLUMNS)
    return (
        f"({old}.status IN ('closed', 'withdrawn')) "
        f"OR ({old}.status = 'open' AND ({new}.status NOT IN ('open', 'closed') OR {changed})) "
        f"OR ({old}.status = 'discussion' AND ({new}.status NOT IN "
        f"('discussion', 'open', 'withdrawn') OR {text_changed} "
        f"OR ({new}.status = 'discussion' AND ({changed})))) "
        f"OR ({old}.status = 'draft' AND {new}.status = 'closed')"
    )


def _sqlite_ddl() -> list[tuple[str, str]]:
    out = [
        (
            "proposals",
            "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE ON proposals "
            f"WHEN {_frozen_change('OLD', 'NEW', 'IS NOT')} "
            f"BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
        ),
        (
            "proposals",
            "CREATE TRIGGER trg_proposals_no_delete BEFORE DELETE ON proposals "
            "WHEN OLD.status <> 'draft' "
            "BEGIN SELECT RAISE(ABORT, 'soviets: only a draft proposal can be deleted'); END",
        ),
    ]
    for table, allowed in _GUARDED.items():
        states = ", ".join(f"'{s}'" for s in allowed)
        message = f"soviets: {table} may change only while the proposal is {' or '.join(allowed)}"
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            cond = " OR ".join(
                f"(SELECT status FROM proposals WHERE id = {r}.proposal_id) NOT IN ({states})"
                for r in rows
            )
            out.append(
                (
                    table,
                    f"CREATE TRIGGER trg_{table}_{op.lower()}_guard BEFORE {op} ON {table} "
                    f"WHEN {cond} BEGIN SELECT RAISE(ABORT, '{message}'); END",
                )
            )
    return out


def _postgresql_ddl() -> list[tuple[str, str]]:
    out = [
        (
            "proposals",
            "CREATE OR REPLACE FUNCTION soviets_proposals_frozen() RETURNS trigger AS $$ "
            "BEGIN "
            "IF TG_OP = 'DELETE' THEN "
            "  IF OLD.status <> 'draft' THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
            "    MESSAGE = 'soviets: only a draft proposal can be deleted'; END IF; "
            "  RETURN OLD; "
            "END IF; "
            f"IF {_frozen_change('OLD', 'NEW', 'IS DISTINCT FROM')} THEN "
            f"  RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = '{FROZEN}'; "
            "END IF; "
            "RETURN NEW; "
            "END $$ LANGUAGE plpgsql",
        ),
        (
            "proposals",
            "CREATE TRIGGER trg_proposals_frozen BEFORE UPDATE OR DELETE ON proposals "
            "FOR EACH ROW EXECUTE FUNCTION soviets_proposals_frozen()",
        ),
        (
            "proposals",
            # Rows of the guarded tables change only while their proposal's status is one
            # of the trigger's arguments.
            "CREATE OR REPLACE FUNCTION soviets_guard_by_status() RETURNS trigger AS $$ "
            "DECLARE st text; "
            "BEGIN "
            "IF TG_OP IN ('UPDATE', 'DELETE') THEN "
            "  SELECT status INTO st FROM proposals WHERE id = OLD.proposal_id; "
            "  IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN "
            "    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: ' "
            "      || TG_TABLE_NAME || ' may change only while the proposal is ' "
            "      || array_to_string(TG_ARGV, ' or '); "
            "  END IF; "
            "END IF; "
            "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            "  SELECT status INTO st FROM proposals WHERE id = NEW.proposal_id; "
            "  IF st IS NOT NULL AND NOT (st = ANY (TG_ARGV)) THEN "
            "    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'soviets: ' "
            "      || TG_TABLE_NAME || ' may change only while the proposal is ' "
            "      || array_to_string(TG_ARGV, ' or '); "
            "  END IF; "
            "  RETURN NEW; "
            "END IF; "
            "RETURN OLD; "
            "END $$ LANGUAGE plpgsql",
        ),
    ]
    for table, allowed in _GUARDED.items():
        args = ", ".join(f"'{s}'" for s in allowed)
        out.append(
            (
                table,
                f"CREATE TRIGGER trg_{table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION soviets_guard_by_status({args})",
            )
        )
    return out


def governance_ddl(dialect: str) -> list[tuple[str, str]]:
    """The trigger DDL for ``dialect`` (``sqlite`` or ``postgresql``) as (table, statement).

    Each statement must run after its table exists; ``create_all`` does this
    through event listeners, and a migration can run them in order with
    ``op.execute``. The statements contain no ``%`` and no ``:name`` so that
    they pass through any driver unchanged. Dropping a table drops its
    triggers; PostgreSQL keeps the two functions (``soviets_proposals_frozen``,
    ``soviets_guard_by_status``).
    """
    if dialect == "sqlite":
        return _sqlite_ddl()
    if dialect == "postgresql":
        return _postgresql_ddl()
    raise ValueError(f"no governance triggers written for the {dialect} dialect")


def _attach_triggers() -> None:
    for dialect in ("sqlite", "postgresql"):
        for table, statement in governance_ddl(dialect):
            event.listen(
                Base.metadata.tables[table],
                "after_create",
                DDL(statement).execute_if(dialect=dialect),
            )


_attach_triggers()
