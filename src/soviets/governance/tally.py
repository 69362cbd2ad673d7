"""Counting a proposal's ballots with :mod:`soviets.governance.counting`, and its quorum.

The quorum is a share of the electorate fixed when voting opened (in a
federation: of its member councils' seats); every counted ballot, abstentions
included, counts towards it. The floor is the share of the electorate that must
vote yes on a yes/no method. A proposal is accepted when the quorum is met,
at least one ballot was counted, and the method says so: for a yes/no method
the motion passes with at least the floor's yes votes; for a ranked (Schulze)
vote the first of the full order wins (ties are broken as
:func:`~soviets.governance.counting.count_schulze` documents, and the result's
notes say so), unless it is the proposal's ``no_change`` option (the "none of
these versions" of a vote that ends a discussion).

A federation counts by its ``weighting``, fixed when voting opened:
``council`` counts each seat once; ``members`` weighs each seat by the members
its council represents (and measures quorum and floor against all members of
all member councils); ``double`` needs both counts to accept, with the same
winner. The result shows both counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, literal, select
from sqlalchemy.orm import Session

from soviets.governance import choices
from soviets.governance.counting import (
    TallyResult,
    count_consent,
    count_majority,
    count_schulze,
    count_two_thirds,
)
from soviets.ledger.models import (
    Ballot,
    BallotMark,
    Elector,
    Proposal,
    ProposalOption,
    SecretMark,
    Voted,
)


@dataclass(frozen=True)
class Count:
    """One count of the ballots: by voter or seat (weight 1 each), or by members represented."""

    tally: TallyResult
    electorate: int
    ballots: int
    quorum_needed: int
    floor_needed: int
    passed: bool
    winner: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "electorate": self.electorate,
            "ballots": self.ballots,
            "quorum_needed": self.quorum_needed,
            "quorum_met": self.ballots >= self.quorum_needed,
            "floor_needed": self.floor_needed,
            "passed": self.passed,
            "winner": self.winner,
            "tally": self.tally.to_dict(),
        }


@dataclass(frozen=True)
class Summary:
    """A count of a proposal's ballots: the tallies, the quorum and the outcome they give.

    ``tally``/``electorate``/``ballots`` count voters (in a federation: seats, one
    per council); ``members`` is a federation's count weighted by the members each
    seat's council represents (None elsewhere). ``weighting`` says which counts
    decide (``council``, ``members`` or ``double``: both).
    """

    tally: TallyResult
    electorate: int
    ballots: int
    quorum: float
    quorum_needed: int
    floor: float
    accepted: bool
    winner: str | None
    reason: str
    weighting: str | None = None
    members: Count | None = None

    @property
    def quorum_met(self) -> bool:
        """Whether enough of the electorate voted."""
        return self.ballots >= self.quorum_needed

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, as stored in ``proposals.result``."""
        return {
            "outcome": "accepted" if self.accepted else "rejected",
            "winner": self.winner,
            "reason": self.reason,
            "electorate": self.electorate,
            "ballots": self.ballots,
            "quorum": self.quorum,
            "quorum_needed": self.quorum_needed,
            "quorum_met": self.quorum_met,
            "floor": self.floor,
            "tally": self.tally.to_dict(),
            "weighting": self.weighting,
            "members": None if self.members is None else self.members.to_dict(),
        }


def quorum_needed(quorum: float, electorate: int) -> int:
    """Ballots needed for the quorum: the share rounded up (a tiny slack absorbs float error)."""
    return max(0, math.ceil(quorum * electorate - 1e-9))


Weighted = list[tuple[choices.Ranking, int]]
"""Ballots as (ranking, members its seat represents); the weight is 1 outside federations."""


def ballots_of(session: Session, proposal: Proposal) -> Weighted:
    """The counted ballots of a proposal (withdrawn open ballots left out), with seat weights."""
    if proposal.secret:
        key, table = SecretMark.ballot_key, SecretMark
        rows: Sequence[Row[Any, str, int, int | None]] = session.execute(
            select(key, ProposalOption.label, table.rank, literal(1))
            .join(ProposalOption, ProposalOption.id == table.option_id)
            .where(table.proposal_id == proposal.id)
        ).all()
    else:
        rows = session.execute(
            select(BallotMark.ballot_id, ProposalOption.label, BallotMark.rank, Elector.weight)
            .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
            .join(Ballot, Ballot.id == BallotMark.ballot_id)
            .join(
                Elector,
                (Elector.proposal_id == Ballot.proposal_id)
                & (Elector.person_id == Ballot.voter_id),
            )
            .where(BallotMark.proposal_id == proposal.id, Ballot.withdrawn_at.is_(None))
        ).all()
    marks: dict[object, list[tuple[str, int]]] = {}
    weights: dict[object, int] = {}
    for ballot, label, rank, weight in rows:
        marks.setdefault(ballot, []).append((label, rank))
        weights[ballot] = 1 if weight is None else weight
    return [(choices.from_marks(m), weights[b]) for b, m in marks.items()]


def count(
    proposal: Proposal, ballots: list[choices.Ranking], weights: list[int] | None = None
) -> TallyResult:
    """Count rankings by the proposal's method (each ballot counting its weight, default 1)."""
    entries: Counter[str] = Counter()
    for i, ranking in enumerate(ballots):
        entries[choices.canonical(proposal, ranking)] += 1 if weights is None else weights[i]
    if proposal.method == "schulze":
        return count_schulze(sorted(entries.items()), choices.labels(proposal))
    if proposal.method == "majority":
        return count_majority(sorted(entries.items()), choices.FIXED_OPTIONS["majority"])
    if proposal.method == "two-thirds":
        return count_two_thirds(sorted(entries.items()))
    return count_consent(sorted(entries.items()))


def _one_count(proposal: Proposal, ballots: Weighted, electorate: int, *, weighted: bool) -> Count:
    """Count the ballots once: by voter or seat, or (``weighted``) by members represented."""
    weights = [w if weighted else 1 for _, w in ballots]
    result = count(proposal, [r for r, _ in ballots], weights)
    cast = sum(weights)
    needed = quorum_needed(proposal.quorum, electorate)
    floor = quorum_needed(proposal.floor, electorate)
    winner: str | None = None
    if cast >= needed and ballots:
        if proposal.method == "schulze":
            winner = result.order[0]
        elif result.passed and result.tallies.get("yes", 0) >= floor:
            winner = "yes"
    passed = winner is not None and winner != proposal.no_change
    return Count(result, electorate, cast, needed, floor, passed, winner)


def summarise(session: Session, proposal: Proposal, extra: Weighted | None = None) -> Summary:
    """Count the proposal's ballots now (with ``extra`` ones, to see what they would change)."""
    ballots = ballots_of(session, proposal) + (extra or [])
    size = proposal.electorate_size or 0
    weighting = proposal.weighting
    seats = _one_count(proposal, ballots, size, weighted=False)
    members = None
    if weighting in ("members", "double"):
        members = _one_count(proposal, ballots, proposal.electorate_members or 0, weighted=True)
    deciding = {"members": [members], "double": [seats, members]}.get(weighting or "", [seats])
    n = len(ballots)
    winners = {c.winner for c in deciding if c is not None}
    accepted = all(c is not None and c.passed for c in deciding) and len(winners) == 1
    winner = winners.pop() if accepted else None
    reason = _reason(proposal, seats, members, weighting, accepted, winner)
    return Summary(
        seats.tally,
        size,
        n,
        proposal.quorum,
        seats.quorum_needed,
        proposal.floor,
        accepted,
        winner,
        reason,
        weighting,
        members,
    )


def _why(proposal: Proposal, c: Count, what: str) -> str:
    """Why one count passes or not, in words."""
    if c.ballots < c.quorum_needed:
        return (
            f"quorum not met: {c.ballots} of {c.electorate} {what} voted, {c.quorum_needed} needed"
        )
    if c.ballots == 0:
        return "no ballot was cast"
    if proposal.method == "schulze" and c.winner == proposal.no_change:
        return f"'{c.winner}' is first by the Schulze method ({what}): nothing passes"
    if proposal.method == "schulze":
        return f"'{c.winner}' is first by the Schulze method ({what})"
    if c.passed:
        return f"passed by {proposal.method} ({what})"
    yes = c.tally.tallies.get("yes", 0)
    if c.tally.passed and yes < c.floor_needed:
        return f"{yes:g} voted yes ({what}), below the floor of {c.floor_needed}"
    return f"did not pass by {proposal.method} ({what})"


def _reason(
    proposal: Proposal,
    seats: Count,
    members: Count | None,
    weighting: str | None,
    accepted: bool,
    winner: str | None,
) -> str:
    if weighting is None:
        return _why(proposal, seats, "voters").replace(" (voters)", "")
    parts = []
    if weighting in ("council", "double"):
        parts.append("councils: " + _why(proposal, seats, "councils"))
    if members is not None:
        parts.append("members: " + _why(proposal, members, "members"))
    if not accepted and seats.passed and members is not None and members.passed:
        parts.append("the councils and the members put different options first")
    return "; ".join(parts)


def remaining(session: Session, proposal: Proposal) -> list[int]:
    """The weights of the electors who may still vote and have not (1 each outside federations)."""
    voted = (
        select(Voted.person_id).where(Voted.proposal_id == proposal.id)
        if proposal.secret
        else select(Ballot.voter_id).where(
            Ballot.proposal_id == proposal.id, Ballot.withdrawn_at.is_(None)
        )
    )
    weights = session.scalars(
        select(Elector.weight).where(
            Elector.proposal_id == proposal.id,
            Elector.removed_at.is_(None),
            Elector.person_id.not_in(voted),
        )
    ).all()
    return [1 if w is None else w for w in weights]


def settled(session: Session, proposal: Proposal) -> str | None:
    """Why the result can no longer change whatever the electors who have not voted do, or None.

    True when every elector has voted; for a yes/no method also when all of them
    voting yes, all voting no, and none voting give the same outcome (the count is
    monotone in yes and no, so these cases bound every other). Ballots already
    cast are taken as they stand. A ranked vote is settled only when all have voted.
    """
    left = remaining(session, proposal)
    if not left:
        return "every elector has voted"
    if proposal.method == "schulze":
        return None
    against = "object" if proposal.method == "consent" else "no"
    cases = [
        summarise(session, proposal),
        summarise(session, proposal, [((("yes",),), w) for w in left]),
        summarise(session, proposal, [(((against,),), w) for w in left]),
    ]
    if len({c.accepted for c in cases}) == 1:
        outcome = "accepted" if cases[0].accepted else "rejected"
        return f"{outcome} whatever the {len(left)} electors who have not voted do"
    return None
