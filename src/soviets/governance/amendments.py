"""Amendments and alternatives (counter-proposals) to a proposal in its discussion phase.

When a council's ``proposal.discussion_hours`` is above 0, opening a proposal
starts its discussion: its text is frozen, and for that many hours any voter
of the council may put forward

* an **amendment**: a changed text (the whole new text) and/or changed payload
  fields, merged over the proposal's; or
* an **alternative**: a counter-proposal of the same kind, with its own text
  and payload.

Its author may withdraw it until the discussion ends. How they are decided is
the council's ``proposal.amendments`` rule, fixed when the discussion began:

* ``first``: each amendment is put to its own yes/no vote (majority, under the
  council's quorum and floor) when the discussion ends; when those votes have
  closed, the proposal with every accepted amendment (in their order) is put
  to the vote. If there are alternatives, that vote ranks the (amended)
  proposal, the alternatives and "No change" together by the Schulze method;
  otherwise it is the proposal's own yes/no vote.
* ``schulze``: one ranked vote (Schulze) on the proposal as drafted, the
  proposal with each amendment, each alternative and "No change".

If "No change" wins a ranked vote, the proposal is rejected. Ranked proposals
(drafted with options) take no amendments: their options are the versions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.governance import authz, endings, execution
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.ledger.models import Amendment, Proposal
from soviets.ledger.models.governance import AMENDMENT_KINDS

NO_CHANGE = "No change"
"""The ranked option that keeps things as they are: if it wins, nothing passes."""
LIVE = ("proposed", "voting")


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _in_discussion(proposal: Proposal, at: datetime) -> None:
    ends = proposal.discussion_ends_at
    if proposal.status != "discussion" or ends is None or at >= ends:
        raise Conflict(
            f"proposal #{proposal.id} is {proposal.status}, not in its discussion phase: "
            "amendments and alternatives are put forward only while it is discussed"
        )


def propose_amendment(
    session: Session,
    actor_id: int,
    proposal_id: int,
    *,
    kind: str,
    title: str,
    body: str = "",
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Amendment:
    """Put forward an amendment or an alternative, as a voter of the proposal's council."""
    at = authz.moment(now)
    proposal = endings.lock(session, proposal_id)
    authz.require_read(session, actor_id, proposal.council_id)
    council = authz.require_voter(session, actor_id, proposal.council_id, at)
    _in_discussion(proposal, at)
    if kind not in AMENDMENT_KINDS:
        raise InputError(
            f"unknown kind {kind!r} (one of: {', '.join(AMENDMENT_KINDS)})", field="kind"
        )
    if proposal.method == "schulze":
        raise InputError(
            "a ranked proposal takes no amendments: its options are its versions", field="kind"
        )
    name = str(title or "").strip()
    if not name or len(name) > 200:
        raise InputError("give a title of 1 to 200 characters", field="title")
    text = str(body or "").strip()
    changes = payload or {}
    if not isinstance(changes, dict):
        raise InputError("the payload is an object", field="payload")
    if kind == "amendment":
        if not text and not changes:
            raise InputError("an amendment changes the text or the payload", field="body")
        merged = {**proposal.payload_data, **changes}
    else:
        if not text:
            raise InputError("an alternative needs its own text", field="body")
        merged = changes
    try:
        checked = execution.validate_payload(session, council, proposal.kind, merged, at)
    except InputError as exc:
        raise InputError(f"{kind}: {exc.detail}", field=exc.field) from None
    stored = (
        {k: v for k, v in checked.items() if proposal.payload_data.get(k) != v}
        if kind == "amendment"
        else checked
    )
    number = session.scalar(
        select(func.coalesce(func.max(Amendment.number), 0)).where(
            Amendment.proposal_id == proposal_id
        )
    )
    amendment = Amendment(
        proposal_id=proposal_id,
        number=int(number or 0) + 1,
        kind=kind,
        title=name,
        body=text,
        payload=_json(stored),
        status="proposed",
        created_by=actor_id,
        created_at=at,
    )
    session.add(amendment)
    session.flush()
    return amendment


def withdraw_amendment(
    session: Session, actor_id: int, amendment_id: int, now: datetime | None = None
) -> Amendment:
    """Its author takes back an amendment or alternative while the discussion lasts."""
    at = authz.moment(now)
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound(f"no amendment #{amendment_id}")
    proposal = endings.lock(session, amendment.proposal_id)
    authz.require_read(session, actor_id, proposal.council_id)
    if amendment.created_by != actor_id:
        raise Forbidden(f"only its author may withdraw {amendment.label.lower()}")
    _in_discussion(proposal, at)
    if amendment.status != "proposed":
        raise Conflict(f"{amendment.label} is {amendment.status}: it can no longer be withdrawn")
    amendment.status = "withdrawn"
    session.flush()
    return amendment


def list_amendments(session: Session, actor_id: int | None, proposal_id: int) -> list[Amendment]:
    """The amendments and alternatives of a readable proposal, in their order."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal #{proposal_id}")
    authz.require_read(session, actor_id, proposal.council_id)
    return of_proposal(session, proposal_id)


def of_proposal(session: Session, proposal_id: int) -> list[Amendment]:
    """A proposal's amendments and alternatives in their order (no permission check)."""
    return list(
        session.scalars(
            select(Amendment).where(Amendment.proposal_id == proposal_id).order_by(Amendment.number)
        )
    )


@dataclass(frozen=True)
class VotePlan:
    """What the vote that ends a discussion looks like.

    ``votes``: amendments to put to their own yes/no votes first (then the plan
    waits); ``waiting``: those votes still run; otherwise ``options`` (label,
    payload) make the ballot ranked, and ``body``/``payload`` are the amended
    text and payload (None: as drafted).
    """

    votes: list[Amendment]
    waiting: bool
    options: list[tuple[str, dict[str, Any]]] | None
    body: str | None
    payload: dict[str, Any] | None


def apply(
    proposal: Proposal, accepted: list[Amendment]
) -> tuple[str | None, dict[str, Any] | None]:
    """The proposal's text and payload with ``accepted`` amendments made in order (None for
    what they leave as drafted)."""
    body: str | None = None
    payload = dict(proposal.payload_data)
    for amendment in accepted:
        body = amendment.body or body
        payload.update(amendment.payload_data)
    return body, (payload if payload != proposal.payload_data else None)


def plan_vote(session: Session, proposal: Proposal) -> VotePlan:
    """How the proposal's discussion ends, by the mode fixed when it began."""
    live = [a for a in of_proposal(session, proposal.id) if a.status in LIVE]
    alternatives = [a for a in live if a.kind == "alternative"]
    if proposal.amendments == "schulze":
        if not live:
            return VotePlan([], False, None, None, None)
        options = [("Original", proposal.payload_data)]
        for a in live:
            merged = apply(proposal, [a])[1] if a.kind == "amendment" else a.payload_data
            options.append((a.label, merged if merged is not None else proposal.payload_data))
        return VotePlan([], False, options + [(NO_CHANGE, {})], None, None)
    amendments = [a for a in live if a.kind == "amendment"]
    unvoted = [a for a in amendments if a.vote_id is None]
    if unvoted:
        return VotePlan(unvoted, False, None, None, None)
    votes = [session.get(Proposal, a.vote_id) for a in amendments]
    if any(v is None or v.status != "closed" for v in votes):
        return VotePlan([], True, None, None, None)
    accepted = [a for a, v in zip(amendments, votes, strict=True) if v and v.outcome == "accepted"]
    body, payload = apply(proposal, accepted)
    if not alternatives:
        return VotePlan([], False, None, body, payload)
    main = "Amended proposal" if accepted else "Proposal"
    options = [(main, payload if payload is not None else proposal.payload_data)]
    options += [(a.label, a.payload_data) for a in alternatives]
    return VotePlan([], False, options + [(NO_CHANGE, {})], body, payload)


def settle(session: Session, proposal: Proposal) -> None:
    """Mark each live amendment by what became of it as voting opens on the proposal."""
    for a in of_proposal(session, proposal.id):
        if a.status == "voting":
            vote = session.get(Proposal, a.vote_id)
            a.status = "accepted" if vote is not None and vote.outcome == "accepted" else "rejected"
        elif a.status == "proposed":
            a.status, a.option = "on_ballot", a.label
    session.flush()
