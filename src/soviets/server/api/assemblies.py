"""Assemblies: scheduling, agenda, attendance, votes in the room, minutes and the archive.

Every handler calls one function of :mod:`soviets.governance.assemblies`,
:mod:`~soviets.governance.minutes` or :mod:`~soviets.governance.archive`,
which checks who may do it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from soviets.governance import archive, assemblies, minutes
from soviets.server import present
from soviets.server.api.common import STANDARD, WRITE, PathId
from soviets.server.deps import ApiActor, Db
from soviets.server.schemas import ProposalOut
from soviets.server.schemas_assemblies import (
    AgendaIn,
    AgendaItemOut,
    AgendaOrderIn,
    ArchiveOut,
    AssemblyDetailOut,
    AssemblyIn,
    AssemblyOut,
    AssemblyPatch,
    AttendanceIn,
    AttendanceOut,
    DecisionPageOut,
    MinutesIn,
    MinutesOut,
    MinutesPageOut,
    PresentOut,
    RoomVoteIn,
)

router = APIRouter(tags=["assemblies"], responses=STANDARD)


@router.get("/councils/{council_id}/assemblies", response_model=list[AssemblyOut])
def list_assemblies(council_id: PathId, actor: ApiActor, db: Db) -> list[AssemblyOut]:
    """The council's assemblies, the latest first."""
    rows = assemblies.list_assemblies(db, actor.id, council_id)
    return [AssemblyOut.model_validate(a) for a in rows]


@router.post(
    "/councils/{council_id}/assemblies",
    status_code=201,
    response_model=AssemblyOut,
    responses=WRITE,
)
def schedule(council_id: PathId, body: AssemblyIn, actor: ApiActor, db: Db) -> AssemblyOut:
    """Call an assembly of the council (a member; a coordinator under ``assembly.schedule``)."""
    made = assemblies.schedule_assembly(db, actor.id, council_id, **body.model_dump())
    return AssemblyOut.model_validate(made)


@router.get("/assemblies/{assembly_id}", response_model=AssemblyDetailOut)
def read(assembly_id: PathId, actor: ApiActor, db: Db) -> AssemblyDetailOut:
    """An assembly with its agenda, attendance and minutes."""
    view = assemblies.view_assembly(db, actor.id, assembly_id)
    return AssemblyDetailOut(
        assembly=AssemblyOut.model_validate(view.assembly),
        agenda=[AgendaItemOut.model_validate(i.item) for i in view.agenda],
        attendance=[
            PresentOut(person_id=p.person_id, name=p.name, present=p.present)
            for p in view.attendance
        ],
        minutes=None if view.minutes is None else MinutesOut.model_validate(view.minutes),
    )


@router.patch("/assemblies/{assembly_id}", response_model=AssemblyOut, responses=WRITE)
def update(assembly_id: PathId, body: AssemblyPatch, actor: ApiActor, db: Db) -> AssemblyOut:
    """Change an assembly before it starts (its officers or a coordinator)."""
    changes: dict[str, Any] = body.model_dump(exclude_unset=True)
    return AssemblyOut.model_validate(
        assemblies.update_assembly(db, actor.id, assembly_id, **changes)
    )


@router.post("/assemblies/{assembly_id}/cancel", response_model=AssemblyOut, responses=WRITE)
def cancel(assembly_id: PathId, actor: ApiActor, db: Db) -> AssemblyOut:
    """Cancel an assembly before it starts (its officers or a coordinator)."""
    return AssemblyOut.model_validate(assemblies.cancel_assembly(db, actor.id, assembly_id))


@router.post(
    "/assemblies/{assembly_id}/agenda",
    status_code=201,
    response_model=AgendaItemOut,
    responses=WRITE,
)
def add_item(assembly_id: PathId, body: AgendaIn, actor: ApiActor, db: Db) -> AgendaItemOut:
    """Put a proposal of the council or another item at the end of the agenda."""
    item = assemblies.add_agenda_item(db, actor.id, assembly_id, **body.model_dump())
    return AgendaItemOut.model_validate(item)


@router.put("/assemblies/{assembly_id}/agenda", response_model=list[AgendaItemOut], responses=WRITE)
def order(assembly_id: PathId, body: AgendaOrderIn, actor: ApiActor, db: Db) -> list[AgendaItemOut]:
    """Put the agenda in a new order."""
    rows = assemblies.order_agenda(db, actor.id, assembly_id, body.items)
    return [AgendaItemOut.model_validate(i) for i in rows]


@router.delete("/agenda-items/{item_id}", status_code=204, responses=WRITE)
def remove_item(item_id: PathId, actor: ApiActor, db: Db) -> Response:
    """Take an item off the agenda."""
    assemblies.remove_agenda_item(db, actor.id, item_id)
    return Response(status_code=204)


@router.put(
    "/assemblies/{assembly_id}/attendance/{person_id}",
    response_model=AttendanceOut,
    responses=WRITE,
)
def attend(
    assembly_id: PathId, person_id: PathId, body: AttendanceIn, actor: ApiActor, db: Db
) -> AttendanceOut:
    """Record a member present or absent (chair or secretary; a member for themselves)."""
    row = assemblies.set_attendance(db, actor.id, assembly_id, person_id, body.present)
    return AttendanceOut.model_validate(row)


@router.post(
    "/assemblies/{assembly_id}/decisions",
    response_model=ProposalOut,
    responses=WRITE,
)
def decide(assembly_id: PathId, body: RoomVoteIn, actor: ApiActor, db: Db) -> ProposalOut:
    """Record the room's vote on a draft proposal of the agenda, where the council's rules
    let the assembly decide; the proposal closes at once with the result."""
    decided = assemblies.decide_in_assembly(
        db, actor.id, assembly_id, body.proposal_id, hands=body.hands, roll_call=body.roll_call
    )
    return present.proposal(db, actor.id, decided)


@router.put("/assemblies/{assembly_id}/minutes", response_model=MinutesOut, responses=WRITE)
def write(assembly_id: PathId, body: MinutesIn, actor: ApiActor, db: Db) -> MinutesOut:
    """Write or rewrite the draft minutes (the assembly's secretary)."""
    return MinutesOut.model_validate(minutes.write_minutes(db, actor.id, assembly_id, body.text))


@router.post(
    "/assemblies/{assembly_id}/minutes/approval",
    status_code=201,
    response_model=ProposalOut,
    responses=WRITE,
)
def propose_approval(assembly_id: PathId, actor: ApiActor, db: Db) -> ProposalOut:
    """Draft the proposal that approves the minutes as they stand, on the agenda (secretary)."""
    made = assemblies.propose_minutes_approval(db, actor.id, assembly_id)
    return present.proposal(db, actor.id, made)


@router.get(
    "/assemblies/{assembly_id}/minutes.md",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}},
)
def minutes_markdown(assembly_id: PathId, actor: ApiActor, db: Db) -> Response:
    """The minutes as a Markdown document."""
    text = archive.minutes_markdown(db, actor.id, assembly_id)
    return Response(text, media_type="text/markdown; charset=utf-8")


@router.get(
    "/assemblies/{assembly_id}/minutes.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def minutes_pdf(assembly_id: PathId, actor: ApiActor, db: Db) -> Response:
    """The minutes as a PDF document."""
    return Response(archive.minutes_pdf(db, actor.id, assembly_id), media_type="application/pdf")


@router.get("/councils/{council_id}/archive", response_model=ArchiveOut)
def archive_search(
    council_id: PathId,
    actor: ApiActor,
    db: Db,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> ArchiveOut:
    """The council's decisions and approved minutes (every word of ``q`` in each), 20 a page."""
    found = archive.decisions(db, actor.id, council_id, q=q, page=page)
    kept = archive.minutes(db, actor.id, council_id, q=q, page=page)
    return ArchiveOut(
        q=q,
        decisions=DecisionPageOut(
            items=[present.proposal(db, actor.id, p) for p in found.rows],
            page=found.page,
            pages=found.pages,
            total=found.total,
        ),
        minutes=MinutesPageOut(
            items=[MinutesOut.model_validate(m) for m in kept.rows],
            page=kept.page,
            pages=kept.pages,
            total=kept.total,
        ),
    )
