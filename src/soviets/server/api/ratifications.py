"""Federation decisions sent to ratification: each council's answer and local adaptations.

Ratifying and adapting are votes of the member councils (proposal kinds
``ratify`` and ``adapt_decision``, through ``/councils/{id}/proposals``); these
routes only read.
"""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import ratification
from soviets.server.api.common import STANDARD, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import RatificationOut

router = APIRouter(tags=["ratification"], responses=STANDARD)


@router.get("/councils/{council_id}/ratifications", response_model=list[RatificationOut])
def list_ratifications(council_id: PathId, actor: ApiActor, db: Db) -> list[RatificationOut]:
    """A federation's decisions sent to ratification, or those a member council is asked to
    ratify, newest first."""
    rows = ratification.list_ratifications(db, actor.id, council_id)
    return [RatificationOut.model_validate(r) for r in rows]


@router.get("/proposals/{proposal_id}/ratification", response_model=RatificationOut)
def get_ratification(proposal_id: PathId, actor: ApiActor, db: Db) -> RatificationOut:
    """The ratification of a federation decision, for whoever may read the federation."""
    return RatificationOut.model_validate(ratification.get_ratification(db, actor.id, proposal_id))
