"""Ballots: cast or change yours, see who voted, and the tally or result."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from soviets.governance import ballots, proposals
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.ballot_writer import BallotWriter, Overloaded, Unauthorized
from soviets.server.deps import ApiActor, Credentials, Db, unauthorized
from soviets.server.problems import Problem
from soviets.server.schemas import BallotIn, BallotOut, CastOut, MyBallotOut

router = APIRouter(tags=["ballots"], responses=STANDARD)


@router.put("/proposals/{proposal_id}/ballot", response_model=CastOut, responses=WRITE)
async def cast(
    proposal_id: PathId, body: BallotIn, request: Request, credentials: Credentials
) -> JSONResponse:
    """Cast or change your ballot while voting is open; only the last one counts.

    A secret ballot's first answer carries a ``receipt``: keep it to change the ballot.
    """

    if credentials is None:
        raise unauthorized()
    writer: BallotWriter = request.app.state.ballots
    try:  # the same writer as the lane (server/ballot_lane.py) that answers most ballots
        result = await writer.cast(credentials.credentials, proposal_id, body.choice, body.receipt)
    except Unauthorized:
        raise unauthorized() from None
    except Overloaded:
        raise Problem(
            503,
            "The service is overloaded; try again in a moment.",
            kind="overloaded",
            headers={"Retry-After": "1"},
        ) from None
    # CastOut's fields, built from values the service typed: no second validation.
    return JSONResponse(
        {
            "proposal_id": result.proposal_id,
            "ballot": result.ballot,
            "revision": result.revision,
            "receipt": result.receipt,
        }
    )


@router.get("/proposals/{proposal_id}/ballot", response_model=MyBallotOut)
def my_ballot(
    proposal_id: PathId,
    actor: ApiActor,
    db: Db,
    receipt: str | None = Query(default=None, max_length=200),
) -> MyBallotOut:
    """Your current ballot (a secret one only with its receipt)."""
    said = ballots.my_ballot(db, actor.id, proposal_id, receipt=receipt)
    voted = ballots.has_voted(db, actor.id, proposal_id)
    return MyBallotOut(proposal_id=proposal_id, voted=voted, ballot=said)


@router.get("/proposals/{proposal_id}/ballots", response_model=list[BallotOut])
def list_ballots(proposal_id: PathId, actor: ApiActor, db: Db) -> list[BallotOut]:
    """Who voted, and for an open ballot what each chose."""
    return [BallotOut(**asdict(b)) for b in ballots.list_ballots(db, actor.id, proposal_id)]


@router.get("/proposals/{proposal_id}/tally", response_model=dict[str, Any])
def tally(proposal_id: PathId, actor: ApiActor, db: Db) -> dict[str, Any]:
    """The live count of an open ballot, only the turnout of a secret one, or the result."""
    return proposals.live_tally(db, actor.id, proposal_id)
