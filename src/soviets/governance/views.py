"""Read-only views the council pages need, each checking who may see it.

* :func:`decisions` — a council's closed proposals, newest first, a page at a time;
* :func:`my_roles` — the actor's standing in each council where they vote;
* :func:`standing` — the actor's membership and vote in one council;
* :func:`readable_ids` — which of some councils the actor may open;
* :func:`ballot_mandate` — the mandate that binds the actor's ballot on a
  federation's proposal, shown beside the ballot form;
* :func:`decision_head` — the ledger chain's head (``SEQ:HASH``) when a
  proposal was decided, for members to keep and check later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.governance import authz, councils, delegates, proposals
from soviets.governance.errors import InputError
from soviets.ledger import chain
from soviets.ledger.models import Council, Mandate, Membership, Proposal

PAGE_SIZE = 20
"""Decisions listed on one page."""


@dataclass(frozen=True)
class DecisionPage:
    """One page of a council's decisions (closed proposals), newest first."""

    items: list[Proposal]
    page: int
    pages: int
    total: int


def decisions(
    session: Session, actor_id: int | None, council_id: int, page: int = 1, size: int = PAGE_SIZE
) -> DecisionPage:
    """Page ``page`` (from 1) of a readable council's closed proposals, newest first."""
    authz.require_read(session, actor_id, council_id)
    closed = (Proposal.council_id == council_id, Proposal.status == "closed")
    total = session.scalar(select(func.count()).select_from(Proposal).where(*closed)) or 0
    pages = max(1, -(-total // size))
    if page < 1 or page > pages:
        raise InputError(f"page must be from 1 to {pages}, got {page}", field="page")
    items = session.scalars(
        select(Proposal)
        .where(*closed)
        .order_by(Proposal.closed_at.desc(), Proposal.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return DecisionPage(items=list(items), page=page, pages=pages, total=total)


def my_roles(session: Session, actor_id: int) -> dict[int, str]:
    """Council id -> the actor's role (member, coordinator or delegate) where they vote."""
    roles: dict[int, str] = {}
    for council in councils.my_councils(session, actor_id):
        membership = authz.open_membership(session, actor_id, council.id)
        roles[council.id] = membership.role if membership else "delegate"
    return roles


def standing(session: Session, actor_id: int, council_id: int) -> tuple[Membership | None, bool]:
    """The actor's membership of a readable council (if any), and whether they vote there."""
    council = authz.require_read(session, actor_id, council_id)
    membership = authz.open_membership(session, actor_id, council_id)
    return membership, authz.is_voter(session, actor_id, council)


def readable_ids(session: Session, actor_id: int | None, found: list[Council]) -> set[int]:
    """The ids of the councils in ``found`` the actor may read."""
    return {c.id for c in found if authz.can_read(session, actor_id, c)}


def ballot_mandate(session: Session, actor_id: int, proposal_id: int) -> Mandate | None:
    """The mandate binding the actor's ballot on a readable proposal, when they vote as a
    delegate and their council gave one; None otherwise."""
    proposal = proposals.get_proposal(session, actor_id, proposal_id)
    delegate = authz.delegate_of(session, actor_id, proposal.council_id)
    if delegate is None:
        return None
    return delegates.applicable_mandate(session, delegate, proposal)


def decision_head(session: Session, actor_id: int | None, proposal_id: int) -> str | None:
    """``SEQ:HASH`` of the chain just after a readable proposal was closed or withdrawn
    (its decision's record); None while it is still a draft or open."""
    proposal = proposals.get_proposal(session, actor_id, proposal_id)
    if proposal.status not in ("closed", "withdrawn"):
        return None
    at = chain.head_at(session, "proposals", proposal.id)
    return None if at is None else f"{at[0]}:{at[1]}"
