"""Councils, their members and federations of councils.

A council starts with its founder (role ``coordinator``), who may name
founding members; they join only when they confirm
(:mod:`soviets.governance.founding`). People join by
accepting an invitation, or by their own application: an ``admit_member``
proposal for themselves (payload ``{"person_id": N}``), never one made by
someone else (see :mod:`soviets.governance.accounts`); roles change only by
an accepted ``set_role`` proposal (payload ``{"person_id": N, "role":
"member" | "coordinator"}``). Anyone may leave a
council at once. A federation is founded by councils: its founder must
coordinate each founding council, and each council's rules must give its
coordinators that standing mandate (``federation.join = coordinator``, set
only by the council's ``change_rules`` vote); further councils join by two votes: the
federation's ``admit_member`` proposal (payload ``{"council_id": N}``) admits,
the council's ``join_federation`` proposal naming it takes the admission
(:mod:`soviets.governance.joining`); a member
council leaves by its own ``leave_federation`` proposal (payload
``{"federation_id": F}``), which recalls its delegates there at once. A council enters
a region (a territorial council of its federation) by the region's ``admit_to_region``
vote and its own ``join_region`` vote (:mod:`soviets.governance.regions`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import authz, commons, delegates
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import (
    Payload,
    register_executor,
)
from soviets.ledger.models import (
    Booking,
    Council,
    CouncilLink,
    Delegate,
    Membership,
    Person,
    Proposal,
)

COUNCIL_KINDS = ("workplace", "territorial")
ROLES = ("member", "coordinator")


def _new_council(session: Session, name: str, kind: str, public: bool) -> Council:
    name = name.strip()
    if not name:
        raise InputError("a council needs a name", field="name")
    if session.scalar(select(Council.id).where(Council.name == name)) is not None:
        raise Conflict(f"a council named '{name}' already exists")
    council = Council(name=name, kind=kind, public=public)
    session.add(council)
    session.flush()
    return council


def create_council(
    session: Session,
    actor_id: int,
    *,
    name: str,
    kind: str,
    public: bool = False,
    now: datetime | None = None,
) -> Council:
    """Found a workplace or territorial council; the founder becomes its coordinator."""
    authz.get_person(session, actor_id)
    if kind not in COUNCIL_KINDS:
        raise InputError(
            f"kind must be one of {', '.join(COUNCIL_KINDS)} (federations: create_federation)",
            field="kind",
        )
    council = _new_council(session, name, kind, public)
    session.add(
        Membership(
            person_id=actor_id,
            council_id=council.id,
            role="coordinator",
            joined_at=authz.moment(now),
        )
    )
    session.flush()
    return council


def create_federation(
    session: Session,
    actor_id: int,
    *,
    name: str,
    member_council_ids: list[int],
    public: bool = False,
    now: datetime | None = None,
) -> Council:
    """Found a federation of councils: the actor coordinates every founding council, and each
    council's rules let its coordinators bring it into a federation (``federation.join``).

    A council whose rules keep that for its vote joins a federation only by its own
    ``join_federation`` vote (:mod:`soviets.governance.joining`).
    """
    if not member_council_ids:
        raise InputError("a federation needs at least one founding council", field="members")
    if len(set(member_council_ids)) != len(member_council_ids):
        raise InputError("a founding council is listed twice", field="members")
    for council_id in member_council_ids:
        commons.require_mandate(
            session,
            actor_id,
            council_id,
            commons.FEDERATION_JOIN,
            what="bringing the council into a federation",
            kind="change_rules proposal setting federation.join = coordinator",
        )
    federation = _new_council(session, name, "federation", public)
    at = authz.moment(now)
    for council_id in member_council_ids:
        session.add(CouncilLink(member_id=council_id, federation_id=federation.id, joined_at=at))
    session.flush()
    return federation


def leave_council(
    session: Session, actor_id: int, council_id: int, now: datetime | None = None
) -> Membership:
    """The actor leaves the council at once; their delegations from it end too, and so do
    their bookings of its shared goods that have not ended yet."""
    membership = authz.require_member(session, actor_id, council_id)
    at = authz.moment(now)
    membership.left_at = at
    for booking in session.scalars(
        select(Booking).where(
            Booking.person_id == actor_id,
            Booking.council_id == council_id,
            Booking.cancelled_at.is_(None),
            Booking.ends_at > at,
        )
    ):
        booking.cancelled_at = at
    for delegate in session.scalars(
        select(Delegate).where(
            Delegate.person_id == actor_id,
            Delegate.council_id == council_id,
            Delegate.status == "active",
        )
    ):
        delegates.end_delegation(session, delegate, "ended", None, at, "left the council")
    session.flush()
    return membership


# --- admission by vote ---------------------------------------------------------------------


def _validate_admit(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.kind == "federation":
        if "person_id" in payload or "council_id" not in payload:
            raise InputError(
                "a federation admits councils: give council_id, not person_id",
                field="payload.person_id" if "person_id" in payload else "payload.council_id",
            )
        member_id = payload["council_id"]
        member = session.get(Council, member_id)
        if member is None or member.id == council.id:
            raise InputError(f"no other council #{member_id}", field="payload.council_id")
        if authz.linked(session, member_id, council.id):
            raise Conflict(f"council '{member.name}' is already a member of '{council.name}'")
        return {"council_id": member_id}
    if "council_id" in payload or "person_id" not in payload:
        raise InputError(
            f"council '{council.name}' admits people: give person_id, not council_id",
            field="payload.council_id" if "council_id" in payload else "payload.person_id",
        )
    person_id = payload["person_id"]
    person = session.get(Person, person_id)
    if person is None:
        raise InputError(f"no person #{person_id}", field="payload.person_id")
    if authz.open_membership(session, person_id, council.id) is not None:
        raise Conflict(f"{person.name} is already a member of council '{council.name}'")
    return {"person_id": person_id}


def _admit(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    # A council admitted by a federation joins by its own join_federation vote
    # (governance.joining). Already a member (admitted meanwhile): nothing left to do.
    if "council_id" in payload:
        return
    if authz.open_membership(session, payload["person_id"], proposal.council_id) is None:
        session.add(
            Membership(
                person_id=payload["person_id"], council_id=proposal.council_id, joined_at=now
            )
        )
    session.flush()


register_executor("admit_member", _admit, validate=_validate_admit)


def require_consent(council: Council, kind: str, payloads: list[Payload], actor_id: int) -> None:
    """Nobody proposes to admit someone else: a person joins a council only by their own
    application (:func:`soviets.governance.accounts.apply_for_membership`) or by accepting an
    invitation. ``payloads``: the proposal's, or each option's for a ranked vote.
    (Federations admit councils, which decide to join by their own vote.)"""
    if kind != "admit_member" or council.kind == "federation":
        return
    if any(payload.get("person_id") != actor_id for payload in payloads):
        raise Forbidden(
            f"people join council '{council.name}' only by their own application or by "
            "accepting an invitation: nobody can propose to admit someone else"
        )


# --- roles by vote -------------------------------------------------------------------------


def _validate_role(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.kind == "federation":
        raise Conflict(
            f"the members of federation '{council.name}' are councils: it has no roles to give"
        )
    person_id = payload["person_id"]
    role = payload["role"]
    person = session.get(Person, person_id)
    if person is None:
        raise InputError(f"no person #{person_id}", field="payload.person_id")
    membership = authz.open_membership(session, person_id, council.id)
    if membership is None:
        raise Conflict(f"{person.name} is not a member of council '{council.name}'")
    if membership.role == role:
        raise Conflict(f"{person.name} is already a {role} of council '{council.name}'")
    return {"person_id": person_id, "role": role}


def _set_role(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    membership = authz.open_membership(session, payload["person_id"], proposal.council_id)
    if membership is not None:  # left meanwhile: nothing left to change
        membership.role = payload["role"]
        session.flush()


register_executor("set_role", _set_role, validate=_validate_role)


# --- leaving a federation by vote ----------------------------------------------------------


def _validate_leave(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    federation_id = payload["federation_id"]
    authz.member_federation(session, council, federation_id)
    return {"federation_id": federation_id}


def _leave_federation(
    session: Session, proposal: Proposal, payload: Payload, now: datetime
) -> None:
    """End the council's link to the federation and recall its delegates there, at once."""
    federation_id = payload["federation_id"]
    link = session.scalar(
        select(CouncilLink)
        .where(
            CouncilLink.member_id == proposal.council_id,
            CouncilLink.federation_id == federation_id,
            CouncilLink.left_at.is_(None),
        )
        .with_for_update()
    )
    if link is None:  # left meanwhile: nothing left to do
        return
    link.left_at = now
    session.flush()
    for delegate in session.scalars(
        select(Delegate).where(
            Delegate.council_id == proposal.council_id,
            Delegate.federation_id == federation_id,
            Delegate.status == "active",
        )
    ).all():
        delegates.end_delegation(
            session,
            delegate,
            "recalled",
            proposal.id,
            now,
            f"recalled: the council left the federation by proposal #{proposal.id}",
        )
    session.flush()


register_executor("leave_federation", _leave_federation, validate=_validate_leave)


# --- reading (permission-checked) ------------------------------------------------------------


def read_council(session: Session, actor_id: int | None, council_id: int) -> Council:
    """A council the actor may read (public, or they are an insider)."""
    return authz.require_read(session, actor_id, council_id)


def list_councils(session: Session, actor_id: int | None) -> list[Council]:
    """Every council the actor may read, by name."""
    return [
        c
        for c in session.scalars(select(Council).order_by(Council.name))
        if authz.can_read(session, actor_id, c)
    ]


def my_councils(session: Session, actor_id: int, now: datetime | None = None) -> list[Council]:
    """The councils where the actor has a vote now (member, or seated delegate), by name."""
    authz.get_person(session, actor_id)
    return [
        c
        for c in session.scalars(select(Council).order_by(Council.name))
        if authz.is_voter(session, actor_id, c, now)
    ]


def list_members(
    session: Session, actor_id: int | None, council_id: int, *, include_past: bool = False
) -> list[Membership]:
    """Memberships of a readable council (current ones unless ``include_past``)."""
    authz.require_read(session, actor_id, council_id)
    stmt = select(Membership).where(Membership.council_id == council_id)
    if not include_past:
        stmt = stmt.where(Membership.left_at.is_(None))
    return list(session.scalars(stmt.order_by(Membership.joined_at, Membership.id)))


def list_member_councils(
    session: Session, actor_id: int | None, federation_id: int
) -> list[Council]:
    """The councils that are members of a readable federation now."""
    federation = authz.require_read(session, actor_id, federation_id)
    if federation.kind != "federation":
        raise NotFound(f"council '{federation.name}' is not a federation")
    return [authz.get_council(session, i) for i in authz.member_council_ids(session, federation_id)]


def list_federations(session: Session, actor_id: int | None, council_id: int) -> list[Council]:
    """The federations a readable council belongs to now."""
    authz.require_read(session, actor_id, council_id)
    ids = session.scalars(
        select(CouncilLink.federation_id).where(
            CouncilLink.member_id == council_id, CouncilLink.left_at.is_(None)
        )
    )
    return [authz.get_council(session, i) for i in sorted(ids)]
