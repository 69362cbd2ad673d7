"""Briefing pages: the inbox, the briefing settings (mail choice, feed links) and each
council's Atom feed of decisions."""

from __future__ import annotations

from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import briefing, councils, notices
from soviets.ledger.models import Notice
from soviets.ledger.types import as_utc, utcnow
from soviets.server import links
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import N_, render

router = APIRouter()
ATOM = "http://www.w3.org/2005/Atom"
MODES = {
    "none": N_("No e-mail (read your inbox here)"),
    "each": N_("An e-mail for each notice"),
    "digest": N_("One digest e-mail a day"),
}


def href(notice: Notice) -> str:
    """Where a notice's subject is shown."""
    thing, _, ident = notice.subject.partition(":")
    if thing == "proposal":
        return f"/proposals/{ident}"
    if notice.kind == "invitation":
        return "/account"
    if thing == "assembly":
        return f"/assemblies/{ident}"
    if thing == "council":
        return f"/councils/{ident}"
    if thing == "delegate" and notice.council_id is not None:
        return f"/councils/{notice.council_id}#delegates"
    return f"/councils/{notice.council_id}" if notice.council_id is not None else "/inbox"


@router.get("/inbox")
def inbox_page(request: Request, found: PageActor, db: Db) -> Response:
    """Votes waiting for you and your notices, newest first, with read and unread."""
    listed = briefing.inbox(db, found[1].id)
    return render(
        request,
        "inbox.html",
        {
            "title": N_("Your inbox"),
            "inbox": listed,
            "links": {n.id: href(n) for n in listed.notices},
            "headings": notices.KINDS,
            "mode": MODES[briefing.mail_mode(db, found[1].id)],
        },
    )


@router.post("/inbox/read")
def read_all(found: FormActor, db: Db) -> Response:
    """Mark every notice read."""
    briefing.mark_all_read(db, found[1].id)
    return RedirectResponse("/inbox?notice=inbox-read", status_code=303)


@router.post("/inbox/{notice_id}/read")
def read_one(notice_id: PathId, found: FormActor, db: Db) -> Response:
    """Mark one notice read."""
    briefing.mark_read(db, found[1].id, notice_id)
    return RedirectResponse("/inbox", status_code=303)


def _settings(request: Request, db: Db, person_id: int, made: str = "") -> Response:
    tokens = briefing.list_feed_tokens(db, person_id)
    mine = councils.my_councils(db, person_id)
    return render(
        request,
        "briefing_settings.html",
        {
            "title": N_("Briefing: e-mail and feeds"),
            "modes": MODES,
            "mode": briefing.mail_mode(db, person_id),
            "tokens": tokens,
            "councils": mine,
            "names": {c.id: c.name for c in mine},
            "made": made,
        },
    )


@router.get("/account/briefing")
def settings_page(request: Request, found: PageActor, db: Db) -> Response:
    """Choose what you are mailed; make and revoke private feed links."""
    return _settings(request, db, found[1].id)


@router.post("/account/briefing/mail")
def set_mail(found: FormActor, db: Db, mode: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Save the mail choice."""
    briefing.set_mail_mode(db, found[1].id, mode)
    return RedirectResponse("/account/briefing?notice=mail-saved", status_code=303)


@router.post("/account/briefing/feeds")
def make_feed(
    request: Request,
    found: FormActor,
    db: Db,
    council_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    """Make a private feed link; it is shown once, on the page this answers with."""
    made = briefing.create_feed_token(db, found[1].id, council_id)
    url = f"{links.link(request, '')}/councils/{council_id}/feed.atom?token={made.secret}"
    return _settings(request, db, found[1].id, made=url)


@router.post("/account/briefing/feeds/{token_id}/revoke")
def revoke_feed(token_id: PathId, found: FormActor, db: Db) -> Response:
    """Revoke a feed link: it stops working at once."""
    briefing.revoke_feed_token(db, found[1].id, token_id)
    return RedirectResponse("/account/briefing?notice=feed-revoked", status_code=303)


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    node.text = text
    return node


@router.get("/councils/{council_id}/feed.atom")
def feed(
    council_id: PathId,
    request: Request,
    db: Db,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The council's latest decisions as an Atom feed (RFC 4287): public councils to anyone,
    private ones with a member's feed token."""
    council, decided = briefing.council_feed(db, council_id, token)
    base = links.link(request, "")
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", f"{base}/councils/{council.id}")
    _text(root, "title", f"Decisions of {council.name}")
    times = [as_utc(p.closed_at) for p in decided if p.closed_at is not None]
    _text(root, "updated", (max(times) if times else as_utc(council.created_at)).isoformat())
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", council.name)
    ET.SubElement(
        root, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}/councils/{council.id}"}
    )
    self_url = f"{base}/councils/{council.id}/feed.atom"
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    for p in decided:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", f"{base}/proposals/{p.id}")
        _text(entry, "title", f"#{p.id} {p.title}: {p.outcome}")
        closed = as_utc(p.closed_at or utcnow()).isoformat()
        _text(entry, "updated", closed)
        _text(entry, "published", closed)
        ET.SubElement(
            entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}/proposals/{p.id}"}
        )
        result = p.result_data or {}
        words = [str(result.get("reason") or "")] + list(result.get("effect_text") or [])
        summary = f"Outcome: {p.outcome}. " + " ".join(w for w in words if w)
        _text(entry, "summary", summary.strip())
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")
