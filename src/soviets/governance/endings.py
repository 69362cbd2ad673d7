"""How a proposal ends when it is not simply counted and carried out.

* **Withdrawn** (:func:`withdraw_draft`): the proposer takes back their draft.
  It is kept with status ``withdrawn`` (so that mandates naming it still point
  somewhere) and can never open or change again; nobody has voted on it.
* **Failed** (:func:`close_as_failed`): the vote accepted the proposal but
  carrying it out fails (the stock to transfer is gone, the plan was already
  adopted), so every close is rolled back and the proposal would stay open for
  ever. Once its vote is over (its closing time has passed, or it has none), a
  coordinator of the council may close it as ``failed``. The ballots are
  counted and carrying out is tried once more; only when the count says
  *accepted* and carrying out still fails is the proposal closed, with the
  count and the error kept in its result. A coordinator cannot overturn a vote
  this way: a rejected proposal, or one that can now be carried out, is
  refused (close it instead), and a vote still running is never cut short.
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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soviets.errors import SovietsError
from soviets.governance import authz, ballots, execution, tally
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import Payload, field_int, only_keys, register_executor
from soviets.ledger.models import Council, Proposal

__all__ = ["close_as_failed", "decided_payload", "lock", "withdraw_draft", "write_end"]


def lock(session: Session, proposal_id: int) -> Proposal:
    """The proposal row, locked for this transaction (:class:`NotFound` when missing)."""
    proposal = session.scalar(select(Proposal).where(Proposal.id == proposal_id).with_for_update())
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
    rewritten in random order.
    """
    if proposal.secret:
        ballots.shuffle_secret_ballots(session, proposal)
    result = {**summary.to_dict(), "outcome": outcome, **(notes or {})}
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


def withdraw_draft(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """The proposer withdraws their draft: kept as ``withdrawn``, it can never open."""
    at = authz.moment(now)
    proposal = lock(session, proposal_id)
    if proposal.created_by != actor_id:
        raise Forbidden(f"only the proposer may withdraw proposal #{proposal_id}")
    if proposal.status != "draft":
        raise Conflict(
            f"proposal #{proposal_id} is {proposal.status}: only a draft can be withdrawn "
            "(an open vote ends by its count, or as failed or abandoned)"
        )
    proposal.status, proposal.closed_at = "withdrawn", at
    session.flush()
    return proposal


class _TrialSucceeded(Exception):
    """Raised inside the savepoint to undo a trial run of an executor that worked."""


def _trial(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> str | None:
    """Carry the proposal out in a savepoint that is always rolled back; the error, if any."""
    try:
        with session.begin_nested():
            execution.execute(session, proposal, payload, now)
            raise _TrialSucceeded
    except _TrialSucceeded:
        return None
    except (SovietsError, IntegrityError) as exc:
        return str(exc).splitlines()[0]


def close_as_failed(
    session: Session, actor_id: int, proposal_id: int, now: datetime | None = None
) -> Proposal:
    """Close an accepted proposal that cannot be carried out as ``failed`` (by a coordinator).

    Refused while its vote runs, in a federation (which decides this by an
    ``abandon_proposal`` vote), when the count does not accept it, and when
    carrying it out works now. The result keeps the count, the error
    (``failure``) and who closed it (``closed_by``).
    """
    at = authz.moment(now)
    proposal = lock(session, proposal_id)
    council = authz.get_council(session, proposal.council_id)
    if council.kind == "federation":
        raise Forbidden(
            f"federation '{council.name}' has no coordinators: its delegates end a "
            "failed proposal by an abandon_proposal vote"
        )
    authz.require_coordinator(session, actor_id, council.id)
    if proposal.status != "open":
        raise Conflict(f"proposal #{proposal_id} is {proposal.status}, not open")
    if proposal.closes_at is not None and at < proposal.closes_at:
        raise Conflict(
            f"voting on proposal #{proposal_id} is open until "
            f"{proposal.closes_at:%Y-%m-%d %H:%M} UTC: it cannot fail before its vote is over"
        )
    summary = tally.summarise(session, proposal)
    if not summary.accepted:
        raise Conflict(
            f"proposal #{proposal_id} is not accepted ({summary.reason}): "
            "close it to record the result"
        )
    failure = _trial(session, proposal, decided_payload(proposal, summary.winner), at)
    if failure is None:
        raise Conflict(f"proposal #{proposal_id} can be carried out now: close it instead")
    write_end(
        session,
        proposal,
        "failed",
        summary,
        at,
        winner=summary.winner,
        notes={
            "reason": f"{summary.reason}, but carrying it out failed: {failure}",
            "failure": failure,
            "closed_by": actor_id,
        },
    )
    return proposal


# --- abandonment by vote ----------------------------------------------------------------


def _validate_abandon(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    only_keys(payload, "proposal_id")
    target_id = field_int(payload, "proposal_id")
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
