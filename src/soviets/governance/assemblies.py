"""Assemblies: a council's meetings, their agenda, attendance and the votes taken in the room.

Who may do what (every check is in this module):

* **Schedule** an assembly: any member of a workplace or territorial council,
  or only its coordinators when the council's ``assembly.schedule`` rule says
  ``coordinator``. The one who schedules names a chair and a secretary among
  the members (themselves by default). Scheduling decides nothing: it only
  calls the members together.
* **Edit** it (time, place, link, chair, secretary, agenda) or cancel it: its
  officers (who scheduled it, the chair, the secretary) or a coordinator,
  before it starts; the agenda may be completed until the minutes are
  approved.
* **Attendance**: the chair or secretary records any member present or
  absent; each member checks themselves in or corrects their own entry.
* **Decide in the room** (:func:`decide_in_assembly`): the chair or the
  secretary records a vote on a draft proposal of the agenda, with the
  members present as its electorate, only where the council's rules allow
  it: ``assembly.decide`` is ``yes`` (default ``no``; changed only by a
  ``change_rules`` vote); the assembly was scheduled at least
  ``assembly.notice_hours`` before it started (default 48 hours), so that
  every member could come; at least ``assembly.quorum`` of the council's
  members are present (default 0.5). So a minority cannot meet alone and
  decide for the council. The proposal's own quorum and floor then apply to
  those present. The vote is recorded as a show of hands (a count per
  option, yes/no methods) or a roll call (each present member's choice,
  stored as their ballot); it opens and closes in one transaction, is carried
  out like any accepted proposal, and its result says ``"decided": "in
  assembly"``, so it enters the hash chain with the other closed outcomes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.governance import (
    authz,
    ballots,
    choices,
    endings,
    execution,
    notices,
    proposals,
    rules,
)
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.ledger.models import (
    AgendaItem,
    Assembly,
    Attendance,
    Council,
    Elector,
    Minutes,
    Person,
    Proposal,
)
from soviets.ledger.types import as_utc

SCHEDULE = "assembly.schedule"
DECIDE = "assembly.decide"
QUORUM = "assembly.quorum"
NOTICE = "assembly.notice_hours"
CHECK_IN_EARLY = timedelta(hours=1)
"""Members may check in from an hour before the assembly starts."""
DEFAULT_LENGTH = timedelta(hours=24)
"""How long an assembly without an end time may take decisions after it starts."""
ROOM_VOTE = timedelta(minutes=1)
"""The deadline of a vote taken in the room, after the moment it is taken (it closes at once)."""


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    out = str(value or "").strip()
    if required and not out:
        raise InputError(f"the {field} is missing", field=field)
    if len(out) > limit:
        raise InputError(f"the {field} is longer than {limit} characters", field=field)
    return out


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise InputError("needs a date and time", field=field)
    if value.tzinfo is None:
        raise InputError(
            "needs a time zone (e.g. 2030-01-01T18:00+01:00 or Z for UTC)", field=field
        )
    return as_utc(value)


def _council(session: Session, actor_id: int, council_id: int) -> Council:
    """The council, if the actor is one of its members (assemblies are of people, not councils)."""
    authz.require_member(session, actor_id, council_id)
    return authz.get_council(session, council_id)


def get(session: Session, assembly_id: int) -> Assembly:
    """The assembly (:class:`NotFound` when missing); no permission check."""
    assembly = session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound(f"no assembly #{assembly_id}")
    return assembly


def _require_officer(session: Session, actor_id: int, assembly: Assembly) -> None:
    membership = authz.require_member(session, actor_id, assembly.council_id)
    officers = {assembly.created_by, assembly.chair_id, assembly.secretary_id}
    if actor_id not in officers and membership.role != "coordinator":
        raise Forbidden(
            f"only the officers of assembly #{assembly.id} (who scheduled it, its chair, its "
            "secretary) or a coordinator may change it"
        )


def _require_chair_or_secretary(session: Session, actor_id: int, assembly: Assembly) -> None:
    authz.require_member(session, actor_id, assembly.council_id)
    if actor_id not in (assembly.chair_id, assembly.secretary_id):
        raise Forbidden(f"only the chair or the secretary of assembly #{assembly.id} may do this")


def _officer(session: Session, council_id: int, person_id: Any, field: str) -> int:
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        raise InputError("needs a person's id", field=field)
    if authz.open_membership(session, person_id, council_id) is None:
        raise InputError(f"person #{person_id} is not a member of the council", field=field)
    return person_id


def _not_cancelled(assembly: Assembly) -> None:
    if assembly.cancelled_at is not None:
        raise Conflict(f"assembly #{assembly.id} was cancelled")


def _minutes_approved(session: Session, assembly: Assembly) -> bool:
    status = session.scalar(select(Minutes.status).where(Minutes.assembly_id == assembly.id))
    return status == "approved"


def schedule_assembly(
    session: Session,
    actor_id: int,
    council_id: int,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    place: str = "",
    link: str = "",
    chair_id: int | None = None,
    secretary_id: int | None = None,
    now: datetime | None = None,
) -> Assembly:
    """Call an assembly of the council (a member; a coordinator if the rules say so)."""
    at = authz.moment(now)
    council = _council(session, actor_id, council_id)
    if rules.get_rule(session, council.id, SCHEDULE) == "coordinator":
        authz.require_coordinator(session, actor_id, council.id)
    values = _values(
        session,
        council.id,
        {
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": place,
            "link": link,
            "chair_id": actor_id if chair_id is None else chair_id,
            "secretary_id": actor_id if secretary_id is None else secretary_id,
        },
        at,
    )
    assembly = Assembly(council_id=council.id, created_by=actor_id, created_at=at, **values)
    session.add(assembly)
    session.flush()
    where = assembly.place or assembly.link
    notices.notify(
        session,
        authz.member_ids(session, council.id),
        "assembly",
        f"assembly:{assembly.id}",
        f"{council.name} meets on {assembly.starts_at:%Y-%m-%d %H:%M} UTC"
        + (f" at {where}" if where else "")
        + f": {assembly.title}",
        council_id=council.id,
        now=at,
    )
    return assembly


def _values(
    session: Session, council_id: int, spec: dict[str, Any], now: datetime
) -> dict[str, Any]:
    starts = _aware(spec["starts_at"], "starts_at")
    ends = None if spec["ends_at"] is None else _aware(spec["ends_at"], "ends_at")
    if starts <= now:
        raise InputError("an assembly is scheduled for a time still to come", field="starts_at")
    if ends is not None and ends <= starts:
        raise InputError("the assembly must end after it starts", field="ends_at")
    place = _text(spec["place"], "place", 300)
    link = _text(spec["link"], "link", 500)
    if not place and not link:
        raise InputError("say where the assembly meets: a place, a link or both", field="place")
    if link and not link.startswith(("https://", "http://")):
        raise InputError("the link must start with https:// or http://", field="link")
    return {
        "title": _text(spec["title"], "title", 200, required=True),
        "starts_at": starts,
        "ends_at": ends,
        "place": place,
        "link": link,
        "chair_id": _officer(session, council_id, spec["chair_id"], "chair_id"),
        "secretary_id": _officer(session, council_id, spec["secretary_id"], "secretary_id"),
    }


EDITABLE = ("title", "starts_at", "ends_at", "place", "link", "chair_id", "secretary_id")


def update_assembly(
    session: Session,
    actor_id: int,
    assembly_id: int,
    *,
    now: datetime | None = None,
    **changes: Any,
) -> Assembly:
    """Change an assembly before it starts (its officers or a coordinator)."""
    at = authz.moment(now)
    assembly = _before_start(session, actor_id, assembly_id, at, "its time and officers are kept")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(f"unknown field '{unknown[0]}'", field=unknown[0])
    spec = {key: getattr(assembly, key) for key in EDITABLE} | changes
    for key, value in _values(session, assembly.council_id, spec, at).items():
        setattr(assembly, key, value)
    session.flush()
    return assembly


def _before_start(
    session: Session, actor_id: int, assembly_id: int, at: datetime, refusal: str
) -> Assembly:
    """The assembly, for one of its officers (or a coordinator) to change before it starts;
    a cancelled one is refused, and a started one with ``refusal``."""
    assembly = get(session, assembly_id)
    _require_officer(session, actor_id, assembly)
    _not_cancelled(assembly)
    if at >= assembly.starts_at:
        raise Conflict(f"assembly #{assembly_id} has started: {refusal}")
    return assembly


def cancel_assembly(
    session: Session, actor_id: int, assembly_id: int, now: datetime | None = None
) -> Assembly:
    """Cancel an assembly before it starts (its officers or a coordinator)."""
    at = authz.moment(now)
    assembly = _before_start(session, actor_id, assembly_id, at, "it can no longer be cancelled")
    assembly.cancelled_at = at
    session.flush()
    return assembly


# --- agenda ------------------------------------------------------------------------------


def _items(session: Session, assembly_id: int) -> list[AgendaItem]:
    return list(
        session.scalars(
            select(AgendaItem)
            .where(AgendaItem.assembly_id == assembly_id)
            .order_by(AgendaItem.position)
        )
    )


def _agenda_open(session: Session, actor_id: int, assembly: Assembly) -> None:
    _require_officer(session, actor_id, assembly)
    _not_cancelled(assembly)
    if _minutes_approved(session, assembly):
        raise Conflict(f"the minutes of assembly #{assembly.id} are approved: its agenda is kept")


def add_agenda_item(
    session: Session,
    actor_id: int,
    assembly_id: int,
    *,
    proposal_id: int | None = None,
    title: str = "",
    notes: str = "",
) -> AgendaItem:
    """Put a proposal of the council or a free-text item at the end of the agenda."""
    assembly = get(session, assembly_id)
    _agenda_open(session, actor_id, assembly)
    if proposal_id is not None:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or proposal.council_id != assembly.council_id:
            raise InputError(
                f"no proposal #{proposal_id} of this assembly's council", field="proposal_id"
            )
        if any(i.proposal_id == proposal_id for i in _items(session, assembly_id)):
            raise Conflict(f"proposal #{proposal_id} is already on the agenda")
    elif not str(title or "").strip():
        raise InputError("an agenda item needs a title or a proposal", field="title")
    last = session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.assembly_id == assembly_id)
    )
    item = AgendaItem(
        assembly_id=assembly_id,
        position=(last or 0) + 1,
        title=_text(title, "title", 200),
        notes=_text(notes, "notes", 5000),
        proposal_id=proposal_id,
    )
    session.add(item)
    session.flush()
    return item


def order_agenda(
    session: Session, actor_id: int, assembly_id: int, item_ids: Sequence[int]
) -> list[AgendaItem]:
    """Put the agenda in the given order (every item's id, once)."""
    assembly = get(session, assembly_id)
    _agenda_open(session, actor_id, assembly)
    items = {i.id: i for i in _items(session, assembly_id)}
    if sorted(item_ids) != sorted(items):
        raise InputError("name every item of the agenda once, in the new order", field="items")
    shift = len(items) + 1
    for item in items.values():  # out of the way first: positions are unique
        item.position += shift
    session.flush()
    for position, item_id in enumerate(item_ids, start=1):
        items[item_id].position = position
    session.flush()
    return _items(session, assembly_id)


def remove_agenda_item(session: Session, actor_id: int, item_id: int) -> None:
    """Take an item off the agenda (a proposal decided in the room stays on it)."""
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(f"no agenda item #{item_id}")
    assembly = get(session, item.assembly_id)
    _agenda_open(session, actor_id, assembly)
    if item.proposal_id is not None and _decided_here(session, assembly.id, item.proposal_id):
        raise Conflict(f"proposal #{item.proposal_id} was decided in this assembly")
    session.delete(item)
    session.flush()
    order_agenda(session, actor_id, assembly.id, [i.id for i in _items(session, assembly.id)])


def _decided_here(session: Session, assembly_id: int, proposal_id: int) -> bool:
    proposal = session.get(Proposal, proposal_id)
    data = (proposal.result_data or {}) if proposal is not None else {}
    return data.get("assembly_id") == assembly_id


# --- attendance --------------------------------------------------------------------------


def set_attendance(
    session: Session,
    actor_id: int,
    assembly_id: int,
    person_id: int,
    present: bool,
    now: datetime | None = None,
) -> Attendance:
    """Record a member present or absent: the chair or secretary for anyone, a member for
    themselves; from an hour before the start until the minutes are approved."""
    at = authz.moment(now)
    assembly = get(session, assembly_id)
    if person_id != actor_id:
        _require_chair_or_secretary(session, actor_id, assembly)
    else:
        authz.require_member(session, actor_id, assembly.council_id)
    _not_cancelled(assembly)
    if authz.open_membership(session, person_id, assembly.council_id) is None:
        raise InputError(f"person #{person_id} is not a member of the council", field="person_id")
    if at < assembly.starts_at - CHECK_IN_EARLY:
        raise Conflict(
            f"attendance opens an hour before the assembly starts "
            f"({assembly.starts_at:%Y-%m-%d %H:%M} UTC)"
        )
    if _minutes_approved(session, assembly):
        raise Conflict(f"the minutes of assembly #{assembly_id} are approved: attendance is kept")
    if not isinstance(present, bool):
        raise InputError("present must be true or false", field="present")
    row = session.get(Attendance, (assembly_id, person_id))
    if row is None:
        row = Attendance(assembly_id=assembly_id, person_id=person_id)
        session.add(row)
    row.present, row.recorded_by, row.recorded_at = present, actor_id, at
    session.flush()
    return row


def present_ids(session: Session, assembly: Assembly) -> list[int]:
    """The members recorded present (and still members)."""
    people = session.scalars(
        select(Attendance.person_id)
        .where(Attendance.assembly_id == assembly.id, Attendance.present.is_(True))
        .order_by(Attendance.person_id)
    )
    members = set(authz.member_ids(session, assembly.council_id))
    return [p for p in people if p in members]


# --- votes in the room -------------------------------------------------------------------


def _room_rules(session: Session, assembly: Assembly, present: int, at: datetime) -> int:
    """Check that the council's rules let this assembly decide now; the council's members."""
    council_id = assembly.council_id
    if (rules.get_rule(session, council_id, DECIDE) or rules.DEFAULT_TEXT[DECIDE]) != "yes":
        raise Conflict(
            "the council's rules do not let an assembly decide proposals "
            "(assembly.decide is 'no'; a change_rules vote may set it to 'yes')"
        )
    notice = timedelta(hours=rules.rule_number(session, council_id, NOTICE))
    if assembly.starts_at - assembly.created_at < notice:
        raise Conflict(
            f"assembly #{assembly.id} was called less than {notice.total_seconds() / 3600:g} "
            "hours before it started (the council's assembly.notice_hours): it cannot decide"
        )
    end = assembly.ends_at or assembly.starts_at + DEFAULT_LENGTH
    if not assembly.starts_at <= at <= end:
        raise Conflict(f"assembly #{assembly.id} is not in session: it decides only while it meets")
    members = len(authz.member_ids(session, council_id))
    needed = math.ceil(rules.rule_number(session, council_id, QUORUM) * members - 1e-9)
    if present < max(needed, 1):
        raise Conflict(
            f"{present} of {members} members are present; the council's assembly.quorum asks "
            f"for {max(needed, 1)} before an assembly decides"
        )
    return members


def decide_in_assembly(
    session: Session,
    actor_id: int,
    assembly_id: int,
    proposal_id: int,
    *,
    hands: Mapping[str, int] | None = None,
    roll_call: Mapping[int, str] | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Record the room's vote on a draft proposal of the agenda and close it (chair/secretary).

    Give either ``hands`` (option -> count of hands, yes/no methods) or ``roll_call``
    (present member's id -> their choice, stored as their ballot; any method).
    """
    at = authz.moment(now)
    assembly = get(session, assembly_id)
    _require_chair_or_secretary(session, actor_id, assembly)
    _not_cancelled(assembly)
    if (hands is None) == (roll_call is None):
        raise InputError("give either the hands counted or the roll call", field="hands")
    if not any(i.proposal_id == proposal_id for i in _items(session, assembly_id)):
        raise InputError(f"proposal #{proposal_id} is not on the agenda", field="proposal_id")
    proposal = endings.lock(session, proposal_id)
    if proposal.status != "draft":
        raise Conflict(
            f"proposal #{proposal_id} is {proposal.status}: only a draft may be decided in the room"
        )
    if proposal.secret:
        raise Conflict(f"proposal #{proposal_id} is a secret ballot: it is not voted in the room")
    if proposal.opens_at is not None and proposal.opens_at >= at:
        raise Conflict(f"proposal #{proposal_id} opens at {proposal.opens_at:%Y-%m-%d %H:%M} UTC")
    present = present_ids(session, assembly)
    members = _room_rules(session, assembly, len(present), at)
    extra: list[tuple[choices.Ranking, int]] = []
    if hands is not None:
        extra = _hands(proposal, hands, len(present))
    else:  # checked in full before anything is written
        for person_id, choice in (roll_call or {}).items():
            if person_id not in present:
                raise InputError(f"person #{person_id} is not recorded present", field="roll_call")
            choices.parse_choice(proposal, choice)
    _open_in_room(session, proposal, present, at)
    for person_id, choice in (roll_call or {}).items():
        ballots.cast_ballot(session, person_id, proposal.id, choice, now=at)
    proposals.close_counted(
        session,
        proposal,
        at,
        extra=extra,
        notes={
            "decided": "in assembly",
            "assembly_id": assembly.id,
            "mode": "show of hands" if hands is not None else "roll call",
            "present": len(present),
            "members": members,
        },
    )
    return proposal


def _hands(proposal: Proposal, hands: Mapping[str, int], present: int) -> list[Any]:
    if proposal.method == "schulze":
        raise InputError(
            "a ranked vote is taken by roll call (each member's ranking), not by hands",
            field="hands",
        )
    labels = choices.labels(proposal)
    extra: list[tuple[choices.Ranking, int]] = []
    for label, count in hands.items():
        if label not in labels:
            raise InputError(
                f"'{label}' is not an option (options: {', '.join(labels)})", field="hands"
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(f"the hands for '{label}' must be a whole number >= 0", field="hands")
        extra += [(((label,),), 1)] * count
    if len(extra) > present:
        raise InputError(
            f"{len(extra)} hands counted but only {present} members are present", field="hands"
        )
    return extra


def _open_in_room(session: Session, proposal: Proposal, present: list[int], at: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    payloads = (
        [o.payload_data for o in proposal.options]
        if proposal.method == "schulze"
        else [proposal.payload_data]
    )
    for payload in payloads:  # the world may have changed since the draft
        execution.validate_payload(session, council, proposal.kind, payload, at)
    for person_id in present:
        session.add(Elector(proposal_id=proposal.id, person_id=person_id))
    for share in ("quorum", "floor"):
        least = rules.rule_number(session, council.id, f"proposal.{share}")
        setattr(proposal, share, max(getattr(proposal, share), least))
    proposal.closes_at = at + ROOM_VOTE
    proposal.status, proposal.opened_at, proposal.electorate_size = "open", at, len(present)
    session.flush()


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """An agenda item with its proposal (if any) and whether it was decided in this assembly."""

    item: AgendaItem
    proposal: Proposal | None
    decided_here: bool


@dataclass(frozen=True)
class Present:
    """One member's attendance: their name, present or not, who recorded it."""

    person_id: int
    name: str
    present: bool | None
    recorded_by: str | None


@dataclass(frozen=True)
class AssemblyView:
    """Everything an assembly's page shows, and what the reader may do on it."""

    assembly: Assembly
    council: Council
    chair: str
    secretary: str
    agenda: list[Item]
    attendance: list[Present]
    minutes: Minutes | None
    may_edit: bool
    may_record: bool
    may_write_minutes: bool
    is_member: bool
    live: bool
    """Neither cancelled nor closed by approved minutes: the record may still change."""

    @property
    def present_count(self) -> int:
        """Members recorded present."""
        return sum(1 for p in self.attendance if p.present)


def _name(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.name if person is not None else f"#{person_id}"


def view_assembly(session: Session, actor_id: int | None, assembly_id: int) -> AssemblyView:
    """An assembly of a council the actor may read, with agenda, attendance and minutes."""
    assembly = get(session, assembly_id)
    council = authz.require_read(session, actor_id, assembly.council_id)
    agenda = []
    for item in _items(session, assembly.id):
        proposal = None
        if item.proposal_id is not None:
            proposal = proposals.get_proposal(session, actor_id, item.proposal_id)
        decided = (
            proposal is not None and (proposal.result_data or {}).get("assembly_id") == assembly.id
        )
        agenda.append(Item(item, proposal, decided))
    rows = {
        a.person_id: a
        for a in session.scalars(select(Attendance).where(Attendance.assembly_id == assembly.id))
    }
    people = sorted(set(authz.member_ids(session, council.id)) | set(rows))
    attendance = [
        Present(
            p,
            _name(session, p),
            rows[p].present if p in rows else None,
            _name(session, rows[p].recorded_by) if p in rows else None,
        )
        for p in people
    ]
    attendance.sort(key=lambda a: a.name.lower())
    membership = None if actor_id is None else authz.open_membership(session, actor_id, council.id)
    officers = {assembly.created_by, assembly.chair_id, assembly.secretary_id}
    found = session.scalar(select(Minutes).where(Minutes.assembly_id == assembly.id))
    live = assembly.cancelled_at is None and (found is None or found.status != "approved")
    return AssemblyView(
        assembly=assembly,
        council=council,
        chair=_name(session, assembly.chair_id),
        secretary=_name(session, assembly.secretary_id),
        agenda=agenda,
        attendance=attendance,
        minutes=found,
        may_edit=live
        and membership is not None
        and (actor_id in officers or membership.role == "coordinator"),
        may_record=live
        and membership is not None
        and actor_id in (assembly.chair_id, assembly.secretary_id),
        may_write_minutes=live and membership is not None and actor_id == assembly.secretary_id,
        is_member=membership is not None,
        live=live,
    )


def list_assemblies(session: Session, actor_id: int | None, council_id: int) -> list[Assembly]:
    """The assemblies of a readable council, the latest first."""
    authz.require_read(session, actor_id, council_id)
    return list(
        session.scalars(
            select(Assembly)
            .where(Assembly.council_id == council_id)
            .order_by(Assembly.starts_at.desc(), Assembly.id.desc())
        )
    )


def propose_minutes_approval(
    session: Session, actor_id: int, assembly_id: int, now: datetime | None = None
) -> Proposal:
    """Draft the ``approve_minutes`` proposal of an assembly's minutes and put it on its agenda
    (the secretary), to be decided in the room or opened as an ordinary vote."""
    at = authz.moment(now)
    assembly = get(session, assembly_id)
    authz.require_member(session, actor_id, assembly.council_id)
    if actor_id != assembly.secretary_id:
        raise Forbidden(f"only the secretary of assembly #{assembly_id} puts its minutes to a vote")
    found = session.scalar(select(Minutes).where(Minutes.assembly_id == assembly_id))
    if found is None:
        raise Conflict(f"assembly #{assembly_id} has no minutes yet")
    proposal = proposals.create_proposal(
        session,
        actor_id,
        assembly.council_id,
        kind="approve_minutes",
        title=f"Approve the minutes of '{assembly.title}'",
        payload={"minutes_id": found.id},
        now=at,
    )
    add_agenda_item(session, actor_id, assembly_id, proposal_id=proposal.id)
    return proposal
