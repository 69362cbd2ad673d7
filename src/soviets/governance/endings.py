"""How a proposal ends when it is not simply counted and carried out.

* **Withdrawn** (:func:`withdraw_proposal`): the proposer takes back a proposal
  nobody has voted on. A draft is kept with status ``withdrawn`` (so that
  mandates naming it still point somewhere) and can never open or change
  again; an open vote with no ballot yet closes as ``abandoned``, its result
  saying that its proposer withdrew it.
* **Failed**: the vote accepted the proposal but carrying it out failed when
  the vote closed (the stock to transfer was gone, the plan already adopted);
  the close keeps the count and the error (``failure``) in the result. Nobody
  closes a vote as failed by hand: votes close by their rules
  (:mod:`soviets.governance.proposals`).
* **Abandoned** (kind ``abandon_proposal``, payload ``{"proposal_id": N}``):
  the council decides by its own vote to drop one of its open proposals,
  whatever its state; a federation, which has no coordinators, ends a failed
  proposal this way. When that vote is accepted the target is closed as
  ``abandoned``: its ballots are counted for the record, nothing is carried out.

A failed or abandoned proposal is ``closed`` like any other: the triggers keep
its rules frozen, and it never changes again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, ballots, proposal_rights, tally
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Council, Proposal

__all__ = ["decided_payload", "lock", "withdraw_proposal", "write_end"]


def lock(session: Session, proposal_id: int) -> Proposal:
    """The proposal row, locked for this transaction (:class:`NotFound` when missing)."""
    # populate_existing: after waiting for the lock, see the row as the last writer left it.
    proposal = session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    return proposal


def decided_payload(proposal: Proposal, winner: str | None) -> Payload:
    """What an accepted proposal carries out: its payload, or a ranked vote's winning option's."""
    if proposal.method == "schulze":
        return next(o for o in proposal.options if o.label == winner).payload_data
    return proposal.payload_data


def write_end(
    session: Session,
    proposal: Proposal,
    outcome: str,
    summary: tally.Summary,
    now: datetime,
    *,
    winner: str | None,
    executed: bool = False,
    notes: dict[str, Any] | None = None,
) -> None:
    """Close the proposal with ``outcome``, storing the count (and ``notes``) as its result.

    The last change the triggers allow on the row; secret ballots are first
    rewritten in random order. The result names the voters (with their choices on an
    open ballot): the closed proposal's chain record holds who voted, besides the count.
    """
    if proposal.secret:
        ballots.shuffle_secret_ballots(session, proposal)
    voters = ballots.voter_roll(session, proposal)
    result = {**summary.to_dict(), "outcome": outcome, "voters": voters, **(notes or {})}
    # Executors and the shuffle may expire the session's objects: the final state goes
    # out in one UPDATE.
    proposal.status = "closed"
    proposal.outcome = outcome
    proposal.closed_at = now
    proposal.ballots_counted = summary.ballots
    proposal.winner = winner
    proposal.result = json.dumps(result, sort_keys=True, separators=(",", ":"))
    proposal.executed_at = now if executed else None
    session.flush()


def withdraw_proposal(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """The proposer takes back a proposal nobody has voted on.

    A draft becomes ``withdrawn`` and can never open; an open vote without a
    ballot closes as ``abandoned`` (nothing carried out, the reason kept).
    """
    at = authz.moment(now)
    proposal = lock(session, proposal_id)
    if proposal.created_by != actor_id:
        raise Forbidden(f"only the proposer may withdraw proposal #{proposal_id}")
    if not proposal_rights.acts_as_proposer(session, actor_id, proposal):
        raise Forbidden(f"the proposer of proposal #{proposal_id} has left its council")
    if proposal.status == "draft":
        proposal.status, proposal.closed_at = "withdrawn", at
        session.flush()
        return proposal
    if proposal.status != "open":
        raise Conflict(
            f"proposal #{proposal_id} is {proposal.status}: it can no longer be withdrawn"
        )
    summary = tally.summarise(session, proposal)
    if ballots.anyone_voted(session, proposal):
        raise Conflict(
            f"someone has voted on proposal #{proposal_id}: it can no longer be withdrawn "
            "(its vote ends by its rules, or the council abandons it by a vote)"
        )
    write_end(
        session,
        proposal,
        "abandoned",
        summary,
        at,
        winner=None,
        notes={"reason": "withdrawn by its proposer before anyone voted", "winner": None},
    )
    return proposal


# --- abandonment by vote ----------------------------------------------------------------


def _validate_abandon(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    target_id = payload["proposal_id"]
    target = session.get(Proposal, target_id)
    if target is None or target.council_id != council.id:
        raise InputError(
            f"no proposal #{target_id} of council '{council.name}'", field="payload.proposal_id"
        )
    if target.status != "open":
        raise Conflict(
            f"proposal #{target_id} is {target.status}: only an open proposal can be abandoned"
        )
    return {"proposal_id": target_id}


def _abandon(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    target = lock(session, payload["proposal_id"])
    if target.status != "open":  # closed meanwhile: nothing left to abandon
        return
    summary = tally.summarise(session, target)
    write_end(
        session,
        target,
        "abandoned",
        summary,
        now,
        winner=None,
        notes={
            "reason": f"abandoned by the council's vote on proposal #{proposal.id}",
            "abandoned_by": proposal.id,
            "winner": None,
        },
    )


register_executor("abandon_proposal", _abandon, validate=_validate_abandon)
