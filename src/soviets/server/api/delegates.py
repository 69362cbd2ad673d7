"""Delegates and their imperative mandates (elected, instructed and recalled by proposals)."""

from __future__ import annotations

from fastapi import APIRouter

from soviets.governance import delegates
from soviets.server.api.common import STANDARD, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import DelegateOut, MandateOut

router = APIRouter(tags=["delegates"], responses=STANDARD)


@router.get("/councils/{council_id}/delegates", response_model=list[DelegateOut])
def list_delegates(
    council_id: PathId, actor: ApiActor, db: Db, include_past: bool = False
) -> list[DelegateOut]:
    """Delegates sent by a council, or seated in a federation (active ones by default)."""
    rows = delegates.list_delegates(db, actor.id, council_id, include_past=include_past)
    return [DelegateOut.model_validate(d) for d in rows]


@router.get("/delegates/{delegate_id}", response_model=DelegateOut)
def get_delegate(delegate_id: PathId, actor: ApiActor, db: Db) -> DelegateOut:
    """One delegate, if you may read the sending council or the federation."""
    return DelegateOut.model_validate(delegates.get_delegate(db, actor.id, delegate_id))


@router.get("/delegates/{delegate_id}/mandates", response_model=list[MandateOut])
def mandates(delegate_id: PathId, actor: ApiActor, db: Db) -> list[MandateOut]:
    """The delegate's imperative mandates."""
    return [
        MandateOut.model_validate(m) for m in delegates.list_mandates(db, actor.id, delegate_id)
    ]
