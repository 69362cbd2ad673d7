"""A proposal's discussion: comments, replies, edits, hiding; amendments and alternatives
(the rules live in governance.discussion and governance.amendments)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from soviets.governance import amendments, discussion
from soviets.governance.discussion import CommentView
from soviets.ledger.models import Amendment
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import In, Out

router = APIRouter(tags=["discussion"], responses=STANDARD)

Stance = Literal["for", "against", "question", "note"]


class CommentIn(In):
    """A comment or, with ``parent_id``, a reply to a comment of the same proposal."""

    stance: Stance = Field(description="an argument for or against, a question or a note")
    body: str = Field(max_length=10_000)
    parent_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class CommentPatch(In):
    """A new version of your comment (the earlier ones stay in its history)."""

    body: str = Field(max_length=10_000)
    stance: Stance | None = None


class HideIn(In):
    """Why the comment is hidden (its author may leave it blank: "withdrawn by its author")."""

    reason: str = Field(default="", max_length=500)


class CommentOut(Out):
    """A comment: its text (null once hidden), the trace of its hiding, and its replies."""

    id: int
    proposal_id: int
    parent_id: int | None
    author_id: int
    author: str
    stance: str
    body: str | None
    revision: int = Field(description="1 unless edited; the history has every version")
    created_at: datetime
    edited_at: datetime | None
    hidden_at: datetime | None
    hidden_by: str | None
    hidden_reason: str | None
    hidden_by_proposal: int | None = Field(
        None, description="the council's hide_comment decision that hid it (hidden_by proposed it)"
    )
    replies: list[CommentOut]


class CommentVersionOut(Out):
    """One version of a comment as its author wrote it."""

    revision: int
    stance: str
    body: str
    written_at: datetime


class AmendmentIn(In):
    """An amendment (a new text and/or changed payload fields) or an alternative (its own
    text and payload), while the proposal is in discussion."""

    kind: Literal["amendment", "alternative"]
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=20_000)
    payload: dict[str, Any] = Field(default_factory=dict)


class AmendmentOut(Out):
    """An amendment or alternative and what became of it."""

    id: int
    proposal_id: int
    number: int
    label: str
    kind: str
    title: str
    body: str
    payload: dict[str, Any] = Field(validation_alias="payload_data")
    status: str = Field(
        description="proposed, withdrawn, voting (its own vote runs), accepted, rejected, "
        "or on_ballot (an option of the ranked vote)"
    )
    created_by: int
    created_at: datetime
    vote_id: int | None = Field(description="its own yes/no vote (amendments decided first)")
    option: str | None = Field(description="its option on the ranked vote of versions")


def _comment(view: CommentView) -> CommentOut:
    return CommentOut.model_validate(view)


def _amendment(row: Amendment) -> AmendmentOut:
    return AmendmentOut.model_validate(row)


@router.get("/proposals/{proposal_id}/comments", response_model=list[CommentOut])
def list_comments(proposal_id: PathId, actor: ApiActor, db: Db) -> list[CommentOut]:
    """The proposal's comments as threads, oldest first."""
    return [_comment(c) for c in discussion.list_comments(db, actor.id, proposal_id)]


@router.post(
    "/proposals/{proposal_id}/comments",
    status_code=201,
    response_model=CommentOut,
    responses=WRITE,
)
def add_comment(proposal_id: PathId, body: CommentIn, actor: ApiActor, db: Db) -> CommentOut:
    """Comment on a proposal of your council (or reply to a comment)."""
    made = discussion.add_comment(
        db, actor.id, proposal_id, stance=body.stance, body=body.body, parent_id=body.parent_id
    )
    return _one(db, actor.id, made.proposal_id, made.id)


def _one(db: Db, actor_id: int, proposal_id: int, comment_id: int) -> CommentOut:
    def walk(views: list[CommentView]) -> CommentView | None:
        for view in views:
            if view.id == comment_id:
                return view
            found = walk(view.replies)
            if found is not None:
                return found
        return None

    view = walk(discussion.list_comments(db, actor_id, proposal_id))
    assert view is not None
    return _comment(view)


@router.patch("/comments/{comment_id}", response_model=CommentOut, responses=WRITE)
def edit_comment(comment_id: PathId, body: CommentPatch, actor: ApiActor, db: Db) -> CommentOut:
    """Edit your comment: a new version; the page shows it was edited and its history."""
    made = discussion.edit_comment(db, actor.id, comment_id, body=body.body, stance=body.stance)
    return _one(db, actor.id, made.proposal_id, made.id)


@router.post("/comments/{comment_id}/hide", response_model=CommentOut, responses=WRITE)
def hide_comment(comment_id: PathId, body: HideIn, actor: ApiActor, db: Db) -> CommentOut:
    """Withdraw your comment, or hide another's as the council's rules allow (with a reason);
    who, when and why stay visible."""
    made = discussion.hide_comment(db, actor.id, comment_id, reason=body.reason)
    return _one(db, actor.id, made.proposal_id, made.id)


@router.get("/comments/{comment_id}/history", response_model=list[CommentVersionOut])
def comment_history(comment_id: PathId, actor: ApiActor, db: Db) -> list[CommentVersionOut]:
    """Every version of a comment (409 once hidden)."""
    return [
        CommentVersionOut.model_validate(v)
        for v in discussion.comment_history(db, actor.id, comment_id)
    ]


@router.get("/proposals/{proposal_id}/amendments", response_model=list[AmendmentOut])
def list_amendments(proposal_id: PathId, actor: ApiActor, db: Db) -> list[AmendmentOut]:
    """The proposal's amendments and alternatives, in their order."""
    return [_amendment(a) for a in amendments.list_amendments(db, actor.id, proposal_id)]


@router.post(
    "/proposals/{proposal_id}/amendments",
    status_code=201,
    response_model=AmendmentOut,
    responses=WRITE,
)
def propose_amendment(
    proposal_id: PathId, body: AmendmentIn, actor: ApiActor, db: Db
) -> AmendmentOut:
    """Put forward an amendment or an alternative while the proposal is in discussion."""
    return _amendment(
        amendments.propose_amendment(
            db,
            actor.id,
            proposal_id,
            kind=body.kind,
            title=body.title,
            body=body.body,
            payload=body.payload,
        )
    )


@router.post("/amendments/{amendment_id}/withdraw", response_model=AmendmentOut, responses=WRITE)
def withdraw_amendment(amendment_id: PathId, actor: ApiActor, db: Db) -> AmendmentOut:
    """Withdraw your amendment or alternative while the discussion lasts."""
    return _amendment(amendments.withdraw_amendment(db, actor.id, amendment_id))
