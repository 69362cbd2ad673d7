"""Jinja2 templates for the pages, with the signed-in person and CSRF token in every context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from soviets.governance.preferences import LANGUAGES
from soviets.server import i18n
from soviets.server.i18n import N_

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.add_extension("jinja2.ext.i18n")
TEMPLATES.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext_, i18n.ngettext_, newstyle=True, pgettext=i18n.pgettext_, npgettext=i18n.npgettext_
)
TEMPLATES.env.filters["when"] = i18n.when
TEMPLATES.env.filters["num"] = i18n.num
TEMPLATES.env.filters["day"] = i18n.day
TEMPLATES.env.filters["word"] = i18n.word
TEMPLATES.env.filters["date_as"] = i18n.date_as
__all__ = ["NOTICES", "TEMPLATES", "Msg", "N_", "render", "render_error", "request_language"]


class Msg:
    """A message translated when a page shows it: ``Msg("Join %(name)s", name=...)``.

    Pages build their titles, notices and errors before the page's language is
    set; ``str()`` at render time gives the text in that language.
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values: object) -> None:
        self.msgid = msgid
        self.values = values

    def __str__(self) -> str:
        text = i18n.gettext_(self.msgid)
        return text % self.values if self.values else text

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"


NOTICES = {
    "signed-in": N_("You are signed in."),
    "signed-out": N_("You are signed out."),
    "ballot-cast": N_("Your ballot is recorded. You may change it until the vote closes."),
    "need-added": N_("Your need is registered."),
    "assembly-scheduled": N_("The assembly is called."),
    "room-decided": N_("The room's vote is recorded and the proposal is closed."),
    "minutes-saved": N_("The draft minutes are saved."),
    "need-withdrawn": N_("Your need is withdrawn."),
    "proposal-withdrawn": N_("The draft is withdrawn."),
    "booked": N_("The booking is made."),
    "booking-cancelled": N_("The booking is cancelled."),
    "proposal-made": N_("The proposal is made."),
    "agreement-accepted": N_("The agreement is accepted."),
    "agreement-refused": N_("The refusal is recorded: a delegate re-plans the round around it."),
    "replanned": N_("The round is re-planned: this is the new plan, with new agreements."),
    "revised": N_(
        "The rest of the period is re-planned: this revision goes to the federation's vote."
    ),
    # accounts
    "joined": N_("Welcome: you are now a member of this council."),
    "invitation-declined": N_("You declined the invitation."),
    "invitation-revoked": N_("The invitation is revoked: its link no longer works."),
    "applied": N_("Your application is open for the council's vote."),
    "admission-open": N_(
        "You accepted the invitation: the council now votes on your admission, "
        "and you join if it is accepted."
    ),
    "password-changed": N_("Your password is changed; your other sessions and API tokens ended."),
    "preferences-saved": N_("Your language and time zone are saved."),
    "password-reset": N_("Your password is set: sign in with it."),
    "signed-out-everywhere": N_("You are signed out everywhere, and every API token is revoked."),
    "event-recorded": N_("The stock event is recorded in the ledger."),
    "production-recorded": N_("The production is recorded in the ledger."),
    "delivered": N_("The delivery is recorded in the ledger."),
    "period-opened": N_("The planning period is open."),
    # briefing
    "inbox-read": N_("Every notice is marked read."),
    "mail-saved": N_("Your e-mail choice is saved."),
    "feed-revoked": N_("The feed link is revoked: it no longer works."),
    # discussion
    "comment-added": N_("Your comment is posted."),
    "comment-edited": N_("Your comment is changed; its earlier versions stay in its history."),
    "comment-hidden": N_("The comment is hidden; who hid it, when and why stay on the page."),
    "amendment-made": N_("Your amendment is put forward for the council to decide."),
    "amendment-withdrawn": N_("The amendment is withdrawn."),
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
    language = request_language(request)
    notice = NOTICES.get(request.query_params.get("notice", ""))
    ctx: dict[str, Any] = {
        "person": viewer,
        "csrf_token": viewer.csrf_token if viewer is not None else "",
        "notice": Msg(notice) if notice else None,
        "lang": language,
        "languages": LANGUAGES,
    }
    ctx.update(context or {})
    zone = getattr(viewer, "time_zone", None) or "UTC"
    with i18n.page_locale(language, zone):
        if isinstance(ctx.get("title"), str):
            ctx["title"] = i18n.gettext_(ctx["title"])
        if isinstance(ctx.get("error"), str) and ctx["error"]:
            ctx["error"] = i18n.gettext_(ctx["error"])
        response = TEMPLATES.TemplateResponse(
            request, name, ctx, status_code=status, headers=headers
        )
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and request.cookies.get(i18n.LANG_COOKIE) != asked:
        response.set_cookie(
            i18n.LANG_COOKIE, asked, max_age=365 * 86400, httponly=True, samesite="lax"
        )
    response.headers["Content-Language"] = language
    response.headers.append("Vary", "Accept-Language, Cookie")
    return response


def request_language(request: Request) -> str:
    """The page language: the member's choice, ``?lang=``, the cookie, Accept-Language, English."""
    viewer = getattr(request.state, "viewer", None)
    return i18n.choose_language(
        getattr(viewer, "language", None),
        request.query_params.get("lang"),
        request.cookies.get(i18n.LANG_COOKIE),
        request.headers.get("accept-language"),
    )


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
            "detail": Msg(detail) if isinstance(detail, str) else detail,
            "back": _same_site_referer(request),
        },
        status=status,
        headers=headers,
    )
