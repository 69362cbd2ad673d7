"""Request and response bodies of the assembly endpoints: meetings, agenda, attendance,
votes in the room, minutes and the archive."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from soviets.server.schemas import In, Out, ProposalOut

Title = Field(min_length=1, max_length=200)


class AssemblyIn(In):
    """A new assembly: when (with a time zone; stored in UTC), where, who chairs it and who
    keeps its minutes (you, when left out)."""

    title: str = Title
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = Field(default="", max_length=300)
    link: str = Field(default="", max_length=500)
    chair_id: int | None = Field(default=None, ge=1)
    secretary_id: int | None = Field(default=None, ge=1)


class AssemblyPatch(In):
    """Changes to an assembly before it starts (fields left out stay as they are)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = Field(default=None, max_length=300)
    link: str | None = Field(default=None, max_length=500)
    chair_id: int | None = Field(default=None, ge=1)
    secretary_id: int | None = Field(default=None, ge=1)


class AssemblyOut(Out):
    """An assembly (times in UTC)."""

    id: int
    council_id: int
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    link: str
    chair_id: int
    secretary_id: int
    created_by: int
    created_at: datetime
    cancelled_at: datetime | None


class AgendaIn(In):
    """An agenda item: a proposal of the council, or a title (and notes) for anything else."""

    proposal_id: int | None = Field(default=None, ge=1)
    title: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=5000)


class AgendaOrderIn(In):
    """Every agenda item's id, once, in the new order."""

    items: list[int] = Field(max_length=500)


class AgendaItemOut(Out):
    """One item of the agenda (``position`` from 1)."""

    id: int
    assembly_id: int
    position: int
    title: str
    notes: str
    proposal_id: int | None


class AttendanceIn(In):
    """Whether the member is present."""

    present: bool


class AttendanceOut(Out):
    """A member's recorded attendance."""

    assembly_id: int
    person_id: int
    present: bool
    recorded_by: int
    recorded_at: datetime


class PresentOut(Out):
    """A member of the council and their attendance (``present`` null: not recorded)."""

    person_id: int
    name: str
    present: bool | None


class RoomVoteIn(In):
    """A vote taken in the room: ``hands`` (option -> hands counted; yes/no methods) or
    ``roll_call`` (present member's id, as text -> their choice, e.g. ``yes`` or ``A>B``)."""

    proposal_id: int = Field(ge=1)
    hands: dict[str, int] | None = None
    roll_call: dict[int, str] | None = None


class MinutesIn(In):
    """The minutes' text, in Markdown."""

    text: str = Field(min_length=1, max_length=200_000)


class MinutesOut(Out):
    """Minutes: a draft, or approved (by the proposal ``approved_by``) and never changed."""

    id: int
    assembly_id: int
    council_id: int
    text: str
    status: str
    written_by: int
    written_at: datetime
    approved_by: int | None
    approved_at: datetime | None


class AssemblyDetailOut(Out):
    """An assembly with its agenda, its attendance and its minutes."""

    assembly: AssemblyOut
    agenda: list[AgendaItemOut]
    attendance: list[PresentOut]
    minutes: MinutesOut | None


class DecisionPageOut(Out):
    """A page of the council's decisions."""

    items: list[ProposalOut]
    page: int
    pages: int
    total: int


class MinutesPageOut(Out):
    """A page of the council's approved minutes."""

    items: list[MinutesOut]
    page: int
    pages: int
    total: int


class ArchiveOut(Out):
    """The council's archive: decisions and approved minutes matching the search."""

    q: str
    decisions: DecisionPageOut
    minutes: MinutesPageOut
