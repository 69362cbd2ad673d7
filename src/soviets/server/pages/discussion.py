"""Discussion pages: comment, reply, edit, hide; put forward or withdraw an amendment.

Each form posts here and returns to the proposal's page, at the discussion.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from soviets.governance import amendments, discussion
from soviets.governance.errors import InputError
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor

router = APIRouter()


def _back(proposal_id: int, notice: str, anchor: str = "discussion") -> Response:
    return RedirectResponse(f"/proposals/{proposal_id}?notice={notice}#{anchor}", status_code=303)


def _parent(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise InputError("the comment replied to is a number", field="parent_id")
    return int(text)


@router.post("/proposals/{proposal_id}/comments")
def add_comment(
    proposal_id: PathId,
    found: FormActor,
    db: Db,
    body: Annotated[str, Form(max_length=10_000)],
    stance: Annotated[str, Form(max_length=10)] = "note",
    parent_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Comment on the proposal, or reply to one of its comments."""
    discussion.add_comment(
        db, found[1].id, proposal_id, stance=stance, body=body, parent_id=_parent(parent_id)
    )
    return _back(proposal_id, "comment-added")


@router.post("/comments/{comment_id}/edit")
def edit_comment(
    comment_id: PathId,
    found: FormActor,
    db: Db,
    body: Annotated[str, Form(max_length=10_000)],
    stance: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Save a new version of my comment."""
    made = discussion.edit_comment(db, found[1].id, comment_id, body=body, stance=stance or None)
    return _back(made.proposal_id, "comment-edited", f"comment-{made.id}")


@router.post("/comments/{comment_id}/hide")
def hide_comment(
    comment_id: PathId,
    found: FormActor,
    db: Db,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Withdraw my comment, or hide another's as the council's rules allow."""
    made = discussion.hide_comment(db, found[1].id, comment_id, reason=reason)
    return _back(made.proposal_id, "comment-hidden", f"comment-{made.id}")


def _payload(text: str) -> dict[str, Any]:
    """The payload typed as JSON (blank: none)."""
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InputError('the payload is a JSON object, such as {"quantity": 4}', field="payload")
    return data


@router.post("/proposals/{proposal_id}/amendments")
def propose_amendment(
    proposal_id: PathId,
    found: FormActor,
    db: Db,
    title: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=12)] = "amendment",
    body: Annotated[str, Form(max_length=20_000)] = "",
    payload: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Put forward an amendment or an alternative during the discussion."""
    amendments.propose_amendment(
        db, found[1].id, proposal_id, kind=kind, title=title, body=body, payload=_payload(payload)
    )
    return _back(proposal_id, "amendment-made", "amendments")


@router.post("/amendments/{amendment_id}/withdraw")
def withdraw_amendment(amendment_id: PathId, found: FormActor, db: Db) -> Response:
    """Withdraw my amendment or alternative."""
    made = amendments.withdraw_amendment(db, found[1].id, amendment_id)
    return _back(made.proposal_id, "amendment-withdrawn", "amendments")
