"""Jinja2 templates for the pages, with the signed-in person and CSRF token in every context."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from soviets.ledger.types import as_utc

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def _when(value: datetime | None) -> str:
    """A timestamp for people: UTC, to the minute."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _num(value: float | None, digits: int = 2) -> str:
    """A number with at most ``digits`` decimals and thousands separators."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["num"] = _num

NOTICES = {
    "signed-in": "You are signed in.",
    "signed-out": "You are signed out.",
    "ballot-cast": "Your ballot is recorded. You may change it until the vote closes.",
    "need-added": "Your need is registered.",
    "assembly-scheduled": "The assembly is called.",
    "room-decided": "The room's vote is recorded and the proposal is closed.",
    "minutes-saved": "The draft minutes are saved.",
    "need-withdrawn": "Your need is withdrawn.",
    "proposal-withdrawn": "The draft is withdrawn.",
    "booked": "The booking is made.",
    "booking-cancelled": "The booking is cancelled.",
    "proposal-made": "The proposal is made.",
    "agreement-accepted": "The agreement is accepted.",
    "agreement-refused": "The refusal is recorded: a delegate re-plans the round around it.",
    "replanned": "The round is re-planned: this is the new plan, with new agreements.",
    "revised": "The rest of the period is re-planned: this revision goes to the federation's vote.",
    # accounts
    "joined": "Welcome: you are now a member of this council.",
    "invitation-declined": "You declined the invitation.",
    "invitation-revoked": "The invitation is revoked: its link no longer works.",
    "applied": "Your application is open for the council's vote.",
    "admission-open": "You accepted the invitation: the council now votes on your admission, "
    "and you join if it is accepted.",
    "password-changed": "Your password is changed; your other sessions and API tokens ended.",
    "password-reset": "Your password is set: sign in with it.",
    "signed-out-everywhere": "You are signed out everywhere, and every API token is revoked.",
    "event-recorded": "The stock event is recorded in the ledger.",
    "production-recorded": "The production is recorded in the ledger.",
    "delivered": "The delivery is recorded in the ledger.",
    "period-opened": "The planning period is open.",
    # briefing
    "inbox-read": "Every notice is marked read.",
    "mail-saved": "Your e-mail choice is saved.",
    "feed-revoked": "The feed link is revoked: it no longer works.",
    # discussion
    "comment-added": "Your comment is posted.",
    "comment-edited": "Your comment is changed; its earlier versions stay in its history.",
    "comment-hidden": "The comment is hidden; who hid it, when and why stay on the page.",
    "amendment-made": "Your amendment is put forward for the council to decide.",
    "amendment-withdrawn": "The amendment is withdrawn.",
}


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page; the signed-in viewer (if any) and CSRF token come from the request."""
    viewer = getattr(request.state, "viewer", None)
    ctx: dict[str, Any] = {
        "person": viewer,
        "csrf_token": viewer.csrf_token if viewer is not None else "",
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    ctx.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status, headers=headers)


def _same_site_referer(request: Request) -> str | None:
    """The page the browser came from, if it is one of ours (as a path)."""
    from urllib.parse import urlsplit

    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def render_error(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A page that says what went wrong, with the HTTP status."""
    from http import HTTPStatus

    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": HTTPStatus(status).phrase,
            "detail": detail,
            "back": _same_site_referer(request),
        },
        status=status,
        headers=headers,
    )
