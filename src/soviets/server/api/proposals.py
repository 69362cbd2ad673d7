"""Proposals: draft, change, open, close and count (the rules live in governance)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response

from soviets.governance import proposals
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import (
    ElectorOut,
    OptionIn,
    ProposalIn,
    ProposalOut,
    ProposalPatch,
)

router = APIRouter(tags=["proposals"], responses=STANDARD)


def _options(items: list[str | OptionIn] | None) -> list[str | dict[str, Any]] | None:
    if items is None:
        return None
    return [i if isinstance(i, str) else {"label": i.label, "payload": i.payload} for i in items]


@router.get("/councils/{council_id}/proposals", response_model=list[ProposalOut])
def list_proposals(
    council_id: PathId,
    actor: ApiActor,
    db: Db,
    status: Literal["draft", "discussion", "open", "closed", "withdrawn"] | None = None,
) -> list[ProposalOut]:
    """The council's proposals, newest first."""
    rows = proposals.list_proposals(db, actor.id, council_id, status=status)
    return [present.proposal(db, actor.id, p) for p in rows]


@router.post(
    "/councils/{council_id}/proposals",
    status_code=201,
    response_model=ProposalOut,
    responses=WRITE,
)
def create_proposal(council_id: PathId, body: ProposalIn, actor: ApiActor, db: Db) -> ProposalOut:
    """Draft a proposal in a council where you have a vote."""
    made = proposals.create_proposal(
        db,
        actor.id,
        council_id,
        kind=body.kind,
        title=body.title,
        body=body.body,
        method=body.method,
        quorum=body.quorum,
        floor=body.floor,
        secret=body.secret,
        payload=body.payload,
        options=_options(body.options),
        opens_at=body.opens_at,
        closes_at=body.closes_at,
    )
    return present.proposal(db, actor.id, made)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(proposal_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """One proposal of a council you may read."""
    return present.proposal(db, actor.id, proposals.get_proposal(db, actor.id, proposal_id))


@router.patch("/proposals/{proposal_id}", response_model=ProposalOut, responses=WRITE)
def update_draft(proposal_id: PathId, body: ProposalPatch, actor: ApiActor, db: Db) -> ProposalOut:
    """Change your draft (its rules freeze once voting opens)."""
    changes = body.model_dump(exclude_unset=True)
    if "options" in changes:
        changes["options"] = _options(body.options)
    return present.proposal(
        db, actor.id, proposals.update_draft(db, actor.id, proposal_id, **changes)
    )


@router.delete("/proposals/{proposal_id}", status_code=204, responses=WRITE)
def delete_draft(proposal_id: PathId, actor: ApiActor, db: Db) -> Response:
    """Delete your draft."""
    proposals.delete_draft(db, actor.id, proposal_id)
    return Response(status_code=204)


@router.post("/proposals/{proposal_id}/open", response_model=ProposalOut, responses=WRITE)
def open_proposal(proposal_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """Open voting (proposer or coordinator): the electorate and deadline are fixed, the rules
    frozen."""
    return present.proposal(db, actor.id, proposals.open_proposal(db, actor.id, proposal_id))


@router.post("/proposals/{proposal_id}/close", response_model=ProposalOut, responses=WRITE)
def close_proposal(proposal_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """Close a vote before its deadline, count it and carry out its result: only when every
    elector has voted or the result can no longer change (409 with the reason otherwise)."""
    return present.proposal(db, actor.id, proposals.close_and_count(db, actor.id, proposal_id))


@router.post("/proposals/{proposal_id}/withdraw", response_model=ProposalOut, responses=WRITE)
def withdraw_proposal(proposal_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """Withdraw your proposal while nobody has voted: a draft is kept as withdrawn, an open
    vote closes as abandoned."""
    return present.proposal(db, actor.id, proposals.withdraw_proposal(db, actor.id, proposal_id))


@router.get("/proposals/{proposal_id}/electorate", response_model=list[ElectorOut])
def electorate(proposal_id: PathId, actor: ApiActor, db: Db) -> list[ElectorOut]:
    """Who may vote (fixed when voting opened)."""
    return [
        ElectorOut.model_validate(e) for e in proposals.list_electorate(db, actor.id, proposal_id)
    ]
