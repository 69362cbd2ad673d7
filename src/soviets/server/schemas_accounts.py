"""Request and response bodies of the account endpoints: invitations, sign-up, passwords."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from soviets.governance.values import Name
from soviets.server.schemas import In, MembershipOut, Out

Secret = Field(min_length=1, max_length=200, description="The secret part of the link")


class InvitationIn(In):
    """Whom to send the invitation link to (optional: else pass the link on yourself)."""

    email: str | None = Field(default=None, max_length=320)


class InvitationOut(Out):
    """An invitation as listed (``state``: open, accepted, declined, revoked or expired)."""

    id: int
    council_id: int
    created_by: int
    email: str | None
    created_at: datetime
    expires_at: datetime
    state: str


class InvitationMade(BaseModel):
    """A new invitation: ``url`` and ``token`` are shown this once only."""

    invitation: InvitationOut
    url: str
    token: str
    mail_sent: bool
    mail_error: str | None


class InvitationUse(In):
    """The secret of an invitation link, to accept or decline it."""

    token: str = Secret


class SignInLinkUse(In):
    """The secret of a sign-in link, and a name for the token to issue."""

    token: str = Secret
    name: str = Field(default="api", min_length=1, max_length=100)


class SignUpIn(In):
    """A new account through an invitation."""

    token: str = Secret
    name: Name
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class SignedUp(BaseModel):
    """The person who took up an invitation (sign in with POST /api/tokens) and what it did:
    their ``membership`` at once (rule ``member`` or ``coordinator``), or, under the rule
    ``vote``, the ``admission_proposal_id`` the council now votes on (``membership`` null)."""

    person_id: int
    council_id: int
    membership: MembershipOut | None
    admission_proposal_id: int | None


class PasswordChangeIn(In):
    """The current password and the new one (at least 8 characters)."""

    old_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class ResetRequestIn(In):
    """The e-mail address of the account whose password is forgotten."""

    email: str = Field(min_length=1, max_length=320)


class ResetIn(In):
    """The secret of a reset link and the new password."""

    token: str = Secret
    new_password: str = Field(min_length=1, max_length=1000)


class Accepted(BaseModel):
    """An answer that says the same whatever the facts behind it."""

    detail: str


class SignedOut(BaseModel):
    """How many web sessions and API tokens were ended."""

    sessions: int
    tokens: int
