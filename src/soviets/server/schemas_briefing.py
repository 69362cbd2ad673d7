"""Request and response bodies of the briefing endpoints: inbox, mail choice, feed tokens,
decisions seen, delegates' votes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from soviets.server.schemas import In, Out


class NoticeOut(Out):
    """One notice: ``kind`` (new_proposal, decision, delivery_due, delegate_vote, recall,
    invitation), what it is about (``subject``, e.g. ``proposal:12``), its words."""

    id: int
    kind: str
    subject: str
    council_id: int | None
    text: str
    created_at: datetime
    read_at: datetime | None


class WaitingOut(Out):
    """An open vote waiting for your ballot."""

    proposal_id: int
    council_id: int
    council_name: str
    title: str
    closes_at: datetime | None


class InboxOut(BaseModel):
    """Your inbox: votes waiting for you, your notices newest first, how many are unread."""

    waiting: list[WaitingOut]
    notices: list[NoticeOut]
    unread: int


class MarkedOut(BaseModel):
    """How many notices were marked read."""

    marked: int


class MailChoiceIn(In):
    """How to mail you your notices: ``none``, ``each`` notice, or a daily ``digest``."""

    mode: Literal["none", "each", "digest"]


class MailChoiceOut(BaseModel):
    """Your mail choice."""

    mode: str


class FeedTokenOut(Out):
    """A feed token that works (its secret is shown only when it is made)."""

    id: int
    council_id: int
    created_at: datetime


class FeedTokenMade(BaseModel):
    """A new feed token: ``url`` (path) of the council's Atom feed with the secret in it."""

    id: int
    council_id: int
    token: str
    url: str


class SeenOut(BaseModel):
    """Of a council's decision: how many of its ``readers`` have seen it."""

    proposal_id: int
    seen: int
    readers: int


class SeenMarkOut(BaseModel):
    """Whether this call recorded a first view of the decision."""

    recorded: bool


class DelegateVoteOut(Out):
    """A delegate's ballot on a federation proposal (None: did not vote), beside their
    mandate for it (None: no mandate)."""

    proposal_id: int
    title: str
    status: str
    outcome: str | None
    ballot: str | None
    mandate: str | None
