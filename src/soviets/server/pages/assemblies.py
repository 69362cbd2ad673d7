"""Assembly pages: a council's assemblies, one assembly (agenda, attendance, votes in the
room, minutes), the minutes' exports, and the council's searchable archive."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import archive, assemblies, councils, minutes, proposals, views
from soviets.governance.errors import InputError
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import Msg, render

router = APIRouter()
Count = Annotated[str, Form(max_length=10)]


def _utc(text: str, field: str) -> datetime:
    """A date and time typed in a form, in UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"give a date and time such as 2030-01-31T18:00 (UTC), got '{text}'", field=field
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _back(assembly_id: int, notice: str = "") -> Response:
    suffix = f"?notice={notice}" if notice else ""
    return RedirectResponse(f"/assemblies/{assembly_id}{suffix}", status_code=303)


@router.get("/councils/{council_id}/assemblies")
def assemblies_page(council_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """The council's assemblies and the form to call one."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    membership, _ = views.standing(db, person.id, council_id)
    return render(
        request,
        "assemblies.html",
        {
            "title": Msg("Assemblies of %(council)s", council=council.name),
            "council": council,
            "assemblies": assemblies.list_assemblies(db, person.id, council_id),
            "is_member": membership is not None,
            "members": councils.list_members(db, person.id, council_id)
            if council.kind != "federation"
            else [],
        },
    )


@router.post("/councils/{council_id}/assemblies")
def schedule(
    council_id: PathId,
    found: FormActor,
    db: Db,
    title: Annotated[str, Form(max_length=200)],
    starts_at: Annotated[str, Form(max_length=40)],
    ends_at: Annotated[str, Form(max_length=40)] = "",
    place: Annotated[str, Form(max_length=300)] = "",
    link: Annotated[str, Form(max_length=500)] = "",
    secretary_id: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Call an assembly."""
    made = assemblies.schedule_assembly(
        db,
        found[1].id,
        council_id,
        title=title,
        starts_at=_utc(starts_at, "starts_at"),
        ends_at=_utc(ends_at, "ends_at") if ends_at.strip() else None,
        place=place,
        link=link,
        secretary_id=secretary_id,
    )
    return _back(made.id, "assembly-scheduled")


@router.get("/assemblies/{assembly_id}")
def assembly_page(assembly_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """An assembly: its agenda, attendance, votes in the room and minutes."""
    person = found[1]
    view = assemblies.view_assembly(db, person.id, assembly_id)
    on_agenda = {i.item.proposal_id for i in view.agenda}
    candidates = (
        [
            p
            for p in proposals.list_proposals(db, person.id, view.council.id, status="draft")
            if p.id not in on_agenda
        ]
        if view.may_edit
        else []
    )
    return render(
        request,
        "assembly.html",
        {"title": view.assembly.title, "view": view, "candidates": candidates},
    )


@router.post("/assemblies/{assembly_id}/agenda")
def add_item(
    assembly_id: PathId,
    found: FormActor,
    db: Db,
    title: Annotated[str, Form(max_length=200)] = "",
    proposal_id: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Add an item to the agenda."""
    assemblies.add_agenda_item(db, found[1].id, assembly_id, proposal_id=proposal_id, title=title)
    return _back(assembly_id)


@router.post("/assemblies/{assembly_id}/attendance")
def attend(
    assembly_id: PathId,
    found: FormActor,
    db: Db,
    person_id: Annotated[int, Form(ge=1)],
    present: Annotated[str, Form(max_length=5)],
) -> Response:
    """Record a member present or absent (yourself, or anyone as chair or secretary)."""
    assemblies.set_attendance(db, found[1].id, assembly_id, person_id, present == "yes")
    return _back(assembly_id)


def _count(text: str, label: str) -> int:
    try:
        value = int(text.strip() or "0")
    except ValueError:
        value = -1
    if value < 0:
        raise InputError(f"the hands for '{label}' must be a whole number >= 0", field=label)
    return value


@router.post("/assemblies/{assembly_id}/decisions")
def decide(
    assembly_id: PathId,
    found: FormActor,
    db: Db,
    proposal_id: Annotated[int, Form(ge=1)],
    yes: Count = "0",
    no: Count = "0",
    abstain: Count = "0",
    object: Count = "0",  # noqa: A002  (the consent method's option)
) -> Response:
    """Record the hands shown for each option of a yes/no proposal on the agenda."""
    typed = {"yes": yes, "no": no, "abstain": abstain, "object": object}
    proposal = proposals.get_proposal(db, found[1].id, proposal_id)
    labels = [o.label for o in proposal.options]
    hands = {label: _count(typed.get(label, "0"), label) for label in labels}
    assemblies.decide_in_assembly(db, found[1].id, assembly_id, proposal_id, hands=hands)
    return _back(assembly_id, "room-decided")


@router.post("/assemblies/{assembly_id}/minutes")
def write(
    assembly_id: PathId,
    found: FormActor,
    db: Db,
    text: Annotated[str, Form(max_length=200_000)],
) -> Response:
    """Save the draft minutes (the secretary)."""
    minutes.write_minutes(db, found[1].id, assembly_id, text)
    return _back(assembly_id, "minutes-saved")


@router.post("/assemblies/{assembly_id}/minutes/approval")
def propose_approval(assembly_id: PathId, found: FormActor, db: Db) -> Response:
    """Put the minutes to the council's vote (a proposal on the agenda)."""
    assemblies.propose_minutes_approval(db, found[1].id, assembly_id)
    return _back(assembly_id)


@router.get("/assemblies/{assembly_id}/minutes.md")
def minutes_markdown(assembly_id: PathId, found: PageActor, db: Db) -> Response:
    """The minutes as a Markdown file."""
    text = archive.minutes_markdown(db, found[1].id, assembly_id)
    disposition = f'attachment; filename="minutes-{assembly_id}.md"'
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get("/assemblies/{assembly_id}/minutes.pdf")
def minutes_pdf(assembly_id: PathId, found: PageActor, db: Db) -> Response:
    """The minutes as a PDF file."""
    data = archive.minutes_pdf(db, found[1].id, assembly_id)
    disposition = f'attachment; filename="minutes-{assembly_id}.pdf"'
    return Response(
        data, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


@router.get("/councils/{council_id}/archive")
def archive_page(
    council_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The council's decisions and approved minutes, searchable, a page at a time."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    return render(
        request,
        "archive.html",
        {
            "title": Msg("Archive of %(council)s", council=council.name),
            "council": council,
            "q": q,
            "q_url": quote(q),
            "decisions": archive.decisions(db, person.id, council_id, q=q, page=page),
            "minutes": archive.minutes(db, person.id, council_id, q=q, page=page),
        },
    )
