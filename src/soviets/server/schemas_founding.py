"""Request and response bodies of founding invitations (members once they confirm)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from soviets.server.schemas import DbInt, In, Out


class FounderIn(In):
    """The person to name as a founding member, and the role they take when they confirm."""

    person_id: DbInt
    role: Literal["member", "coordinator"] = "member"


class FounderOut(Out):
    """A founding invitation as its coordinator sees it: not a membership until confirmed."""

    id: int
    council_id: int
    invitee_id: int
    role: str
    expires_at: datetime


class FoundingInvitationOut(Out):
    """What a founding invitation shows its invitee: the council, the inviter, the role."""

    invitation_id: int
    council_id: int
    council_name: str
    inviter: str
    role: str
    expires_at: datetime
