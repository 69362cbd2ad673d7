"""What a person may do with a proposal: the one place these rules live.

:func:`may_open` is the rule :func:`soviets.governance.proposals.open_proposal`
enforces. :func:`rights` gathers, for pages, which buttons to offer (the
service functions decide again when one is pressed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, ballots
from soviets.ledger.models import Council, Elector, Proposal


def acts_as_proposer(session: Session, actor_id: int, proposal: Proposal) -> bool:
    """Whether the actor is the proposal's proposer and may still act as one: while they
    have a vote in its council, or as an applicant for their own admission."""
    if proposal.created_by != actor_id:
        return False
    if proposal.kind == "admit_member" and proposal.payload_data.get("person_id") == actor_id:
        return True
    return authz.is_voter(session, actor_id, authz.get_council(session, proposal.council_id))


def may_open(session: Session, actor_id: int, proposal: Proposal) -> bool:
    """Whether the actor may open the proposal's vote: its proposer (see
    :func:`acts_as_proposer`) or a coordinator."""
    if acts_as_proposer(session, actor_id, proposal):
        return True
    membership = authz.open_membership(session, actor_id, proposal.council_id)
    return membership is not None and membership.role == "coordinator"


@dataclass(frozen=True)
class ProposalRights:
    """The proposal's council and what the actor may do with the proposal now."""

    council: Council
    may_vote: bool
    """The vote is open and the actor is one of its electors."""
    may_manage: bool
    """The actor may open it (see :func:`may_open`)."""
    may_withdraw: bool
    """The actor proposed it and nobody has voted on it yet (a draft, in discussion or open;
    never a council's `ratify` vote)."""
    may_propose: bool
    """The actor has a vote in its council (and may draft proposals there)."""


def rights(session: Session, actor_id: int, proposal: Proposal) -> ProposalRights:
    """What the actor may do with a proposal of a council they may read."""
    council = authz.require_read(session, actor_id, proposal.council_id)
    elector = session.scalar(
        select(Elector.person_id).where(
            Elector.proposal_id == proposal.id,
            Elector.person_id == actor_id,
            Elector.removed_at.is_(None),
        )
    )
    voter = authz.is_voter(session, actor_id, council)
    untouched = proposal.status in ("draft", "discussion") or (
        proposal.status == "open" and not ballots.anyone_voted(session, proposal)
    )
    return ProposalRights(
        council=council,
        may_vote=proposal.status == "open" and elector is not None and voter,
        may_manage=may_open(session, actor_id, proposal),
        may_withdraw=untouched
        and proposal.kind != "ratify"
        and acts_as_proposer(session, actor_id, proposal),
        may_propose=voter,
    )
