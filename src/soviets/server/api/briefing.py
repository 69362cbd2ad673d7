"""Briefing: your inbox, your mail choice, feed tokens, decisions seen, delegates' votes."""

from __future__ import annotations

from fastapi import APIRouter, Response

from soviets.governance import briefing, views
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas_briefing import (
    DelegateVoteOut,
    FeedTokenMade,
    FeedTokenOut,
    InboxOut,
    MailChoiceIn,
    MailChoiceOut,
    MarkedOut,
    NoticeOut,
    SeenMarkOut,
    SeenOut,
    WaitingOut,
)

router = APIRouter(tags=["briefing"], responses=STANDARD)
SEEN_PAGE = 100
"""Decisions (newest first) whose seen counts one call returns."""


@router.get("/inbox", response_model=InboxOut)
def inbox(actor: ApiActor, db: Db) -> InboxOut:
    """Votes waiting for your ballot, and your latest notices (read or not), newest first."""
    found = briefing.inbox(db, actor.id)
    return InboxOut(
        waiting=[WaitingOut.model_validate(w) for w in found.waiting],
        notices=[NoticeOut.model_validate(n) for n in found.notices],
        unread=found.unread,
    )


@router.post("/inbox/read", response_model=MarkedOut)
def read_all(actor: ApiActor, db: Db) -> MarkedOut:
    """Mark all your notices read."""
    return MarkedOut(marked=briefing.mark_all_read(db, actor.id))


@router.post("/inbox/{notice_id}/read", response_model=NoticeOut)
def read_one(notice_id: PathId, actor: ApiActor, db: Db) -> NoticeOut:
    """Mark one of your notices read (a decision's notice also records that you saw it)."""
    return NoticeOut.model_validate(briefing.mark_read(db, actor.id, notice_id))


@router.get("/members/me/mail", response_model=MailChoiceOut)
def mail_choice(actor: ApiActor, db: Db) -> MailChoiceOut:
    """How your notices are mailed to you."""
    return MailChoiceOut(mode=briefing.mail_mode(db, actor.id))


@router.put("/members/me/mail", response_model=MailChoiceOut)
def set_mail_choice(body: MailChoiceIn, actor: ApiActor, db: Db) -> MailChoiceOut:
    """Choose: no mail, a mail per notice, or one digest a day."""
    return MailChoiceOut(mode=briefing.set_mail_mode(db, actor.id, body.mode))


@router.get("/feed-tokens", response_model=list[FeedTokenOut])
def feed_tokens(actor: ApiActor, db: Db) -> list[FeedTokenOut]:
    """Your feed tokens that still work."""
    return [FeedTokenOut.model_validate(t) for t in briefing.list_feed_tokens(db, actor.id)]


@router.post(
    "/councils/{council_id}/feed-tokens",
    response_model=FeedTokenMade,
    status_code=201,
    responses=WRITE,
)
def make_feed_token(council_id: PathId, actor: ApiActor, db: Db) -> FeedTokenMade:
    """A secret link to the council's Atom feed of decisions (for its members)."""
    made = briefing.create_feed_token(db, actor.id, council_id)
    return FeedTokenMade(
        id=made.id,
        council_id=council_id,
        token=made.secret,
        url=f"/councils/{council_id}/feed.atom?token={made.secret}",
    )


@router.delete("/feed-tokens/{token_id}", status_code=204)
def revoke_feed_token(token_id: PathId, actor: ApiActor, db: Db) -> Response:
    """Revoke one of your feed tokens: its link stops working."""
    briefing.revoke_feed_token(db, actor.id, token_id)
    return Response(status_code=204)


@router.get("/councils/{council_id}/seen", response_model=list[SeenOut])
def seen(council_id: PathId, actor: ApiActor, db: Db) -> list[SeenOut]:
    """How many of the council's readers have seen each of its latest decisions."""
    listed = views.decisions(db, actor.id, council_id, size=SEEN_PAGE).items
    counts, readers = briefing.seen_counts(db, actor.id, council_id, [p.id for p in listed])
    return [SeenOut(proposal_id=p.id, seen=counts.get(p.id, 0), readers=readers) for p in listed]


@router.post("/proposals/{proposal_id}/seen", response_model=SeenMarkOut)
def mark_seen(proposal_id: PathId, actor: ApiActor, db: Db) -> SeenMarkOut:
    """Record that you have seen this decision (nothing for a vote still open)."""
    return SeenMarkOut(recorded=briefing.mark_seen(db, actor.id, proposal_id))


@router.get("/delegates/{delegate_id}/votes", response_model=list[DelegateVoteOut])
def delegate_votes(delegate_id: PathId, actor: ApiActor, db: Db) -> list[DelegateVoteOut]:
    """How the delegate voted in the federation, beside their mandate for each vote."""
    return [
        DelegateVoteOut.model_validate(v)
        for v in briefing.delegate_votes(db, actor.id, delegate_id)
    ]
