"""Counting a proposal's ballots with :mod:`soviets.governance.counting`, and its quorum.

The quorum is a share of the electorate fixed when voting opened (in a
federation: of its member councils' seats); every counted ballot, abstentions
included, counts towards it. A proposal is accepted when the quorum is met,
at least one ballot was counted, and the method says so: for a yes/no method
the motion passes; for a ranked (Schulze) vote the first of the full order
wins (ties are broken as :func:`~soviets.governance.counting.count_schulze`
documents, and the result's notes say so).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import choices
from soviets.governance.counting import (
    TallyResult,
    count_consent,
    count_majority,
    count_schulze,
    count_two_thirds,
)
from soviets.ledger.models import Ballot, BallotMark, Proposal, ProposalOption, SecretMark


@dataclass(frozen=True)
class Summary:
    """A count of a proposal's ballots: the tallies, the quorum and the outcome they give."""

    tally: TallyResult
    electorate: int
    ballots: int
    quorum: float
    quorum_needed: int
    accepted: bool
    winner: str | None
    reason: str

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
            "tally": self.tally.to_dict(),
        }


def quorum_needed(quorum: float, electorate: int) -> int:
    """Ballots needed for the quorum: the share rounded up (a tiny slack absorbs float error)."""
    return max(0, math.ceil(quorum * electorate - 1e-9))


def rankings(session: Session, proposal: Proposal) -> list[choices.Ranking]:
    """The counted ballots of a proposal as rankings (withdrawn open ballots left out)."""
    if proposal.secret:
        key, table = SecretMark.ballot_key, SecretMark
        rows = session.execute(
            select(key, ProposalOption.label, table.rank)
            .join(ProposalOption, ProposalOption.id == table.option_id)
            .where(table.proposal_id == proposal.id)
        ).all()
    else:
        rows = session.execute(
            select(BallotMark.ballot_id, ProposalOption.label, BallotMark.rank)
            .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
            .join(Ballot, Ballot.id == BallotMark.ballot_id)
            .where(BallotMark.proposal_id == proposal.id, Ballot.withdrawn_at.is_(None))
        ).all()
    marks: dict[object, list[tuple[str, int]]] = {}
    for ballot, label, rank in rows:
        marks.setdefault(ballot, []).append((label, rank))
    return [choices.from_marks(m) for m in marks.values()]


def count(proposal: Proposal, ballots: list[choices.Ranking]) -> TallyResult:
    """Count rankings by the proposal's method."""
    entries = Counter(choices.canonical(proposal, r) for r in ballots)
    if proposal.method == "schulze":
        return count_schulze(sorted(entries.items()), choices.labels(proposal))
    if proposal.method == "majority":
        return count_majority(sorted(entries.items()), choices.FIXED_OPTIONS["majority"])
    if proposal.method == "two-thirds":
        return count_two_thirds(sorted(entries.items()))
    return count_consent(sorted(entries.items()))


def summarise(session: Session, proposal: Proposal) -> Summary:
    """Count the proposal's ballots now and decide its outcome."""
    ballots = rankings(session, proposal)
    result = count(proposal, ballots)
    size = proposal.electorate_size or 0
    needed = quorum_needed(proposal.quorum, size)
    n = len(ballots)
    winner: str | None = None
    if n < needed:
        reason = f"quorum not met: {n} of {size} voted, {needed} needed"
    elif n == 0:
        reason = "no ballot was cast"
    elif proposal.method == "schulze":
        winner = result.order[0]
        reason = f"'{winner}' is first by the Schulze method"
    elif result.passed:
        winner = "yes"
        reason = f"passed by {proposal.method}"
    else:
        reason = f"did not pass by {proposal.method}"
    return Summary(result, size, n, proposal.quorum, needed, winner is not None, winner, reason)
