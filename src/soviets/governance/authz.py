"""Who may do what, in one place: membership, delegation, roles and visibility.

* In a workplace or territorial council the voters are its current members
  (open membership), each with one vote; founders have the role
  ``coordinator``, which only lets them invite founding members before the
  council's first vote (members once they confirm), open proposals, and
  record inventory events under a standing mandate. Nobody closes a vote by
  their role: votes close by their rules (:mod:`soviets.governance.proposals`).
  Roles change only by the council's ``set_role`` vote.
* In a federation the members are councils; each member council has one seat,
  held by its active delegate, who is the federation's voter.
* A council's data is readable by its insiders (members; for a federation,
  its delegates and the members of its member councils, recursively) and by
  everyone when the council is public.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.ledger.models import Council, CouncilLink, Delegate, Membership, Person
from soviets.ledger.types import as_utc, utcnow


def moment(now: datetime | None) -> datetime:
    """``now`` as aware UTC, or the current time."""
    return utcnow() if now is None else as_utc(now)


def get_person(session: Session, person_id: int) -> Person:
    """The person with this id, or :class:`NotFound`."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"no person #{person_id}")
    return person


def get_council(session: Session, council_id: int) -> Council:
    """The council with this id, or :class:`NotFound` (no permission check)."""
    council = session.get(Council, council_id)
    if council is None:
        raise NotFound(f"no council #{council_id}")
    return council


def open_membership(session: Session, person_id: int, council_id: int) -> Membership | None:
    """The person's current membership of the council, if any."""
    return session.scalar(
        select(Membership).where(
            Membership.person_id == person_id,
            Membership.council_id == council_id,
            Membership.left_at.is_(None),
        )
    )


def member_ids(session: Session, council_id: int) -> list[int]:
    """Ids of the council's current members, in id order."""
    return list(
        session.scalars(
            select(Membership.person_id)
            .where(Membership.council_id == council_id, Membership.left_at.is_(None))
            .order_by(Membership.person_id)
        )
    )


def member_council_ids(session: Session, federation_id: int) -> list[int]:
    """Ids of the councils that are members of the federation now, in id order."""
    return list(
        session.scalars(
            select(CouncilLink.member_id)
            .where(CouncilLink.federation_id == federation_id, CouncilLink.left_at.is_(None))
            .order_by(CouncilLink.member_id)
        )
    )


def linked(session: Session, council_id: int, federation_id: int) -> bool:
    """Whether the council is a member of the federation now."""
    return council_id in member_council_ids(session, federation_id)


def member_federation(session: Session, council: Council, federation_id: int) -> Council:
    """The federation ``federation_id`` of a proposal's payload, of which ``council`` must be
    a member now (an error naming ``payload.federation_id`` if there is no such federation)."""
    federation = session.get(Council, federation_id)
    if federation is None or federation.kind != "federation":
        raise InputError(f"no federation #{federation_id}", field="payload.federation_id")
    if not linked(session, council.id, federation_id):
        raise Conflict(f"council '{council.name}' is not a member of '{federation.name}'")
    return federation


def seated_delegate(
    session: Session, council_id: int, federation_id: int, now: datetime | None = None
) -> Delegate | None:
    """The delegate holding the council's seat in the federation now (active, in term)."""
    if not linked(session, council_id, federation_id):
        return None
    return session.scalar(
        select(Delegate).where(
            Delegate.council_id == council_id,
            Delegate.federation_id == federation_id,
            Delegate.status == "active",
            Delegate.term_ends_at > moment(now),
        )
    )


def delegate_of(
    session: Session, person_id: int, federation_id: int, now: datetime | None = None
) -> Delegate | None:
    """The person's current delegation to the federation, if any."""
    for delegate in session.scalars(
        select(Delegate).where(
            Delegate.person_id == person_id,
            Delegate.federation_id == federation_id,
            Delegate.status == "active",
            Delegate.term_ends_at > moment(now),
        )
    ):
        if linked(session, delegate.council_id, federation_id):
            return delegate
    return None


def council_weight(session: Session, council: Council) -> int:
    """The members a council represents: its declared count where known, else its members."""
    if council.declared_members is not None:
        return council.declared_members
    return len(member_ids(session, council.id))


def is_voter(
    session: Session, person_id: int, council: Council, now: datetime | None = None
) -> bool:
    """Whether the person has a vote in the council now."""
    if council.kind == "federation":
        return delegate_of(session, person_id, council.id, now) is not None
    return open_membership(session, person_id, council.id) is not None


def require_member(session: Session, person_id: int, council_id: int) -> Membership:
    """The actor's current membership of a (non-federation) council, or :class:`Forbidden`."""
    person = get_person(session, person_id)
    council = get_council(session, council_id)
    if council.kind == "federation":
        raise Forbidden(
            f"the members of federation '{council.name}' are councils; "
            "people act in it as delegates"
        )
    membership = open_membership(session, person_id, council_id)
    if membership is None:
        raise Forbidden(f"{person.name} is not a member of council '{council.name}'")
    return membership


def require_coordinator(session: Session, person_id: int, council_id: int) -> Membership:
    """The actor's membership with role ``coordinator``, or :class:`Forbidden`."""
    membership = require_member(session, person_id, council_id)
    if membership.role != "coordinator":
        raise Forbidden(
            f"{membership.person.name} is not a coordinator of council '{membership.council.name}'"
        )
    return membership


def require_delegate(
    session: Session, person_id: int, federation_id: int, now: datetime | None = None
) -> Delegate:
    """The actor's current delegation to the federation, or :class:`Forbidden`."""
    person = get_person(session, person_id)
    federation = get_council(session, federation_id)
    delegate = delegate_of(session, person_id, federation_id, now)
    if delegate is None:
        raise Forbidden(
            f"{person.name} is not a delegate in federation '{federation.name}' "
            "(elected, in term, not recalled, from a member council)"
        )
    return delegate


def require_voter(
    session: Session, person_id: int, council_id: int, now: datetime | None = None
) -> Council:
    """The council, if the actor has a vote in it now; else :class:`Forbidden`."""
    council = get_council(session, council_id)
    if council.kind == "federation":
        require_delegate(session, person_id, council_id, now)
    else:
        require_member(session, person_id, council_id)
    return council


def _insider(
    session: Session, person_id: int, council: Council, now: datetime, seen: set[int]
) -> bool:
    if council.id in seen:
        return False
    seen.add(council.id)
    if council.kind != "federation":
        return open_membership(session, person_id, council.id) is not None
    if delegate_of(session, person_id, council.id, now) is not None:
        return True
    return any(
        _insider(session, person_id, get_council(session, m), now, seen)
        for m in member_council_ids(session, council.id)
    )


def is_insider(
    session: Session, person_id: int, council: Council, now: datetime | None = None
) -> bool:
    """Whether the person belongs to the council: a member, or for a federation one of its
    delegates or a member of one of its member councils (public or not)."""
    return _insider(session, person_id, council, moment(now), set())


def can_read(
    session: Session, person_id: int | None, council: Council, now: datetime | None = None
) -> bool:
    """Whether the person (None: signed out) may see the council's members, votes and data."""
    if council.public:
        return True
    if person_id is None:
        return False
    return is_insider(session, person_id, council, now)


def require_read(
    session: Session, person_id: int | None, council_id: int, now: datetime | None = None
) -> Council:
    """The council, if the actor may read it; else :class:`Forbidden`."""
    council = get_council(session, council_id)
    if not can_read(session, person_id, council, now):
        raise Forbidden(
            f"council '{council.name}' is not public and you are not one of its members"
        )
    return council
