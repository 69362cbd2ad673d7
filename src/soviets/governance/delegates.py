"""Delegates: elected by their council, bound by imperative mandates, recallable at once.

* ``elect_delegate`` (in the sending council), payload ``{"person_id": N,
  "federation_id": F, "term_ends_at": "2026-12-31T00:00:00", "mandates":
  [...]}``: the person (a voter of the sending council) takes the council's
  one seat in federation F until the term ends; a sitting delegate is
  replaced.
* ``instruct_delegate``, payload ``{"delegate_id": D, "mandates": [...]}``:
  sets imperative mandates. A mandate is ``{"proposal_kind": K, "vote": V}``
  or ``{"proposal_id": P, "vote": V}`` with V ``yes``, ``no`` or ``free``, or
  ``{"proposal_id": P, "vote": "ranking", "ranking": "A>C=B"}`` for a ranked
  federation vote. A mandate for one proposal overrides the one for its kind.
* ``recall_delegate``, payload ``{"delegate_id": D}``.

A delegate's ballot that contradicts the mandate in force is refused. When a
delegation ends (recall, replacement, leaving the council, the council leaving
the federation) or a new mandate contradicts a ballot already cast, the
delegate's ballots on the federation's open proposals are withdrawn in the
same transaction; a successor takes the seat on those open proposals.

When the term ends the delegate can no longer cast or change a ballot, and
votes opened afterwards give them no seat; but a ballot cast while in office
stays valid and counts, as any act done in office does, until the sending
council recalls the delegate, instructs otherwise or elects a successor (who
then takes the seat and may vote). Until then the seat is still theirs, so
the person cannot take another council's seat in the same federation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from soviets.governance import authz, choices, notices
from soviets.governance.errors import Conflict, Forbidden, InputError, NotFound
from soviets.governance.execution import (
    Payload,
    field_time,
    register_executor,
)
from soviets.ledger.models import (
    Ballot,
    BallotMark,
    Council,
    Delegate,
    Elector,
    Mandate,
    Proposal,
    ProposalOption,
)
from soviets.ledger.models.governance import PROPOSAL_KINDS


def _open_federation_proposals(session: Session, federation_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Proposal.id).where(
                Proposal.council_id == federation_id, Proposal.status == "open"
            )
        )
    )


def lock_delegate(session: Session, delegate_id: int) -> Delegate:
    """The delegate row, locked against concurrent ballots of this delegate."""
    delegate = session.scalar(select(Delegate).where(Delegate.id == delegate_id).with_for_update())
    if delegate is None:
        raise NotFound(f"no delegate #{delegate_id}")
    return delegate


def withdraw_ballots(
    session: Session, delegate: Delegate, proposal_ids: list[int], now: datetime, reason: str
) -> int:
    """Withdraw the delegate's counted ballots on these proposals; how many were withdrawn."""
    if not proposal_ids:
        return 0
    result = session.execute(
        update(Ballot)
        .where(
            Ballot.proposal_id.in_(proposal_ids),
            Ballot.voter_id == delegate.person_id,
            Ballot.seat_council_id == delegate.council_id,
            Ballot.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now, withdrawn_reason=reason[:200])
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", result).rowcount  # an UPDATE's result has a row count


def end_delegation(
    session: Session,
    delegate: Delegate,
    status: str,
    proposal_id: int | None,
    now: datetime,
    reason: str,
) -> None:
    """End a delegation now: leave the seat on open votes and withdraw the ballots cast there."""
    delegate = lock_delegate(session, delegate.id)
    delegate.status, delegate.ended_at, delegate.ended_by = status, now, proposal_id
    session.flush()
    open_ids = _open_federation_proposals(session, delegate.federation_id)
    if open_ids:
        # The electorate rows first: a ballot being cast holds them (FOR SHARE) until it commits.
        session.execute(
            update(Elector)
            .where(
                Elector.proposal_id.in_(open_ids),
                Elector.person_id == delegate.person_id,
                Elector.seat_council_id == delegate.council_id,
                Elector.removed_at.is_(None),
            )
            .values(removed_at=now)
            .execution_options(synchronize_session=False)
        )
        withdraw_ballots(session, delegate, open_ids, now, reason)
    session.expire_all()


def _seat_weight(session: Session, proposal_id: int, council_id: int) -> int:
    """A seat's weight on an open vote: as fixed when it opened (a predecessor's row), or,
    for a council that had no delegate then, the members it represents now."""
    fixed = session.scalar(
        select(Elector.weight).where(
            Elector.proposal_id == proposal_id, Elector.seat_council_id == council_id
        )
    )
    if fixed is not None:
        return fixed
    return authz.council_weight(session, authz.get_council(session, council_id))


def _take_seat(session: Session, delegate: Delegate) -> None:
    """Give the new delegate their council's seat on the federation's open proposals."""
    for proposal_id in _open_federation_proposals(session, delegate.federation_id):
        seated = session.scalar(
            select(Elector).where(
                Elector.proposal_id == proposal_id,
                Elector.seat_council_id == delegate.council_id,
                Elector.removed_at.is_(None),
            )
        )
        if seated is not None:
            continue
        row = session.get(Elector, (proposal_id, delegate.person_id))
        if row is None:
            session.add(
                Elector(
                    proposal_id=proposal_id,
                    person_id=delegate.person_id,
                    seat_council_id=delegate.council_id,
                    weight=_seat_weight(session, proposal_id, delegate.council_id),
                )
            )
        elif row.seat_council_id == delegate.council_id:
            row.removed_at = None
    session.flush()


# --- mandates ---------------------------------------------------------------------------


def applicable_mandate(session: Session, delegate: Delegate, proposal: Proposal) -> Mandate | None:
    """The mandate binding the delegate on this proposal: its own, else its kind's."""
    own = session.scalar(
        select(Mandate).where(
            Mandate.delegate_id == delegate.id, Mandate.proposal_id == proposal.id
        )
    )
    if own is not None:
        return own
    return session.scalar(
        select(Mandate).where(
            Mandate.delegate_id == delegate.id, Mandate.proposal_kind == proposal.kind
        )
    )


def mandate_violation(
    session: Session, delegate: Delegate, proposal: Proposal, ranking: choices.Ranking
) -> str | None:
    """Why the ballot contradicts the delegate's mandate, or None when it does not."""
    mandate = applicable_mandate(session, delegate, proposal)
    if mandate is None or mandate.vote == "free":
        return None
    said = choices.canonical(proposal, ranking)
    if mandate.vote == "ranking":
        required = choices.canonical(
            proposal, choices.parse_choice(proposal, mandate.ranking or "")
        )
    elif proposal.method == "schulze":
        required = f"a '{mandate.vote}' vote, which a ranked vote cannot express"
    else:
        required = (
            "object" if (mandate.vote == "no" and proposal.method == "consent") else mandate.vote
        )
    if said == required:
        return None
    scope = f"proposal #{proposal.id}" if mandate.proposal_id else f"{proposal.kind} proposals"
    sender = authz.get_council(session, delegate.council_id).name
    by = f" (set by proposal #{mandate.set_by})" if mandate.set_by else ""
    return (
        f"the imperative mandate of council '{sender}'{by} for {scope} requires "
        f"'{required}'; the ballot says '{said}'"
    )


def check_mandate(
    session: Session, delegate: Delegate, proposal: Proposal, ranking: choices.Ranking
) -> None:
    """Refuse (:class:`Forbidden`) a delegate's ballot that contradicts their mandate."""
    why = mandate_violation(session, delegate, proposal, ranking)
    if why is not None:
        raise Forbidden(f"ballot refused: {why}")


def _check_mandates(
    session: Session, federation_id: int, items: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Check mandates (shaped by :class:`soviets.governance.effects.Mandate`) against the
    federation and its proposals."""
    out: list[dict[str, object]] = []
    seen: set[tuple[str, object]] = set()
    for i, item in enumerate(items):
        where = f"payload.mandates[{i}]"
        vote = item["vote"]
        if ("proposal_kind" in item) == ("proposal_id" in item):
            raise InputError("give either proposal_kind or proposal_id", field=where)
        mandate: dict[str, object] = {"vote": vote}
        if "proposal_kind" in item:
            kind = item["proposal_kind"]
            if kind not in PROPOSAL_KINDS:
                raise InputError(f"unknown proposal kind {kind!r}", field=f"{where}.proposal_kind")
            if vote == "ranking":
                raise InputError(
                    "a required ranking can only be given for one proposal", field=f"{where}.vote"
                )
            mandate["proposal_kind"] = kind
            target: tuple[str, object] = ("kind", kind)
        else:
            proposal_id = item["proposal_id"]
            proposal = session.get(Proposal, proposal_id)
            if proposal is None or proposal.council_id != federation_id:
                raise InputError(
                    f"no proposal #{proposal_id} in the delegate's federation",
                    field=f"{where}.proposal_id",
                )
            if proposal.status in ("closed", "withdrawn"):
                raise Conflict(f"proposal #{proposal_id} is already {proposal.status}")
            ranked = proposal.method == "schulze"
            if ranked and vote in ("yes", "no"):
                raise InputError(
                    f"proposal #{proposal_id} is a ranked vote: give a ranking or free",
                    field=f"{where}.vote",
                )
            if not ranked and vote == "ranking":
                raise InputError(
                    f"proposal #{proposal_id} is a yes/no vote: give yes, no or free",
                    field=f"{where}.vote",
                )
            mandate["proposal_id"] = proposal_id
            target = ("proposal", proposal_id)
            if vote == "ranking":
                ranking = choices.parse_choice(proposal, str(item.get("ranking") or ""))
                mandate["ranking"] = choices.canonical(proposal, ranking)
        if vote != "ranking" and "ranking" in item:
            raise InputError("a ranking goes only with vote 'ranking'", field=f"{where}.ranking")
        if target in seen:
            raise InputError("two mandates for the same target", field=where)
        seen.add(target)
        out.append(mandate)
    return out


def _set_mandates(
    session: Session,
    delegate: Delegate,
    mandates: list[dict[str, Any]],
    proposal: Proposal,
    now: datetime,
) -> None:
    for item in mandates:
        if "proposal_id" in item:
            cond = Mandate.proposal_id == item["proposal_id"]
        else:
            cond = Mandate.proposal_kind == item["proposal_kind"]
        row = session.scalar(select(Mandate).where(Mandate.delegate_id == delegate.id, cond))
        if row is None:
            row = Mandate(
                delegate_id=delegate.id,
                proposal_kind=item.get("proposal_kind"),
                proposal_id=item.get("proposal_id"),
            )
            session.add(row)
        row.vote, row.ranking = item["vote"], item.get("ranking")
        row.set_by, row.set_at = proposal.id, now
    session.flush()
    # Ballots already cast against the new mandates no longer stand.
    for ballot in session.scalars(
        select(Ballot).where(
            Ballot.voter_id == delegate.person_id,
            Ballot.seat_council_id == delegate.council_id,
            Ballot.withdrawn_at.is_(None),
            Ballot.proposal_id.in_(_open_federation_proposals(session, delegate.federation_id)),
        )
    ).all():
        target = session.get_one(Proposal, ballot.proposal_id)
        marks = session.execute(
            select(ProposalOption.label, BallotMark.rank)
            .join(ProposalOption, ProposalOption.id == BallotMark.option_id)
            .where(BallotMark.ballot_id == ballot.id)
        ).all()
        ranking = choices.from_marks([(m.label, m.rank) for m in marks])
        if mandate_violation(session, delegate, target, ranking):
            withdraw_ballots(
                session,
                delegate,
                [ballot.proposal_id],
                now,
                f"contradicts the mandate set by proposal #{proposal.id}",
            )
    session.expire_all()


# --- election, instruction and recall by vote ---------------------------------------------


def _validate_elect(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    person_id = payload["person_id"]
    federation_id = payload["federation_id"]
    federation = authz.member_federation(session, council, federation_id)
    person = authz.get_person(session, person_id)
    if not authz.is_voter(session, person_id, council, now):
        raise Conflict(f"{person.name} has no vote in council '{council.name}' to be its delegate")
    # A seat is held until its council elects a successor or recalls the delegate, even
    # after the term ends (the ballots cast in office still count): as the database's
    # one-seat-per-person index sees it.
    seat = session.scalar(
        select(Delegate).where(
            Delegate.person_id == person_id,
            Delegate.federation_id == federation_id,
            Delegate.status == "active",
            Delegate.council_id != council.id,
        )
    )
    if seat is not None:
        raise Conflict(
            f"{person.name} already holds another council's seat in '{federation.name}' "
            "(one person, one vote)"
        )
    term = field_time(payload, "term_ends_at")
    if term <= now:
        raise InputError("the term must end in the future", field="payload.term_ends_at")
    out: Payload = {
        "person_id": person_id,
        "federation_id": federation_id,
        "term_ends_at": term.isoformat(),
    }
    if "mandates" in payload:
        out["mandates"] = _check_mandates(session, federation_id, payload["mandates"])
    return out


def _elect(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = authz.get_council(session, proposal.council_id)
    federation_id, person_id = payload["federation_id"], payload["person_id"]
    person = authz.get_person(session, person_id)
    if not authz.linked(session, council.id, federation_id):
        raise Conflict(f"council '{council.name}' has left the federation #{federation_id}")
    if not authz.is_voter(session, person_id, council, now):
        raise Conflict(f"{person.name} no longer has a vote in council '{council.name}'")
    for sitting in session.scalars(
        select(Delegate).where(Delegate.federation_id == federation_id, Delegate.status == "active")
    ).all():
        if sitting.council_id == council.id:
            end_delegation(
                session,
                sitting,
                "replaced",
                proposal.id,
                now,
                f"replaced by proposal #{proposal.id}",
            )
        elif sitting.person_id == person_id:
            raise Conflict(
                f"{person.name} already holds another council's seat in federation #{federation_id}"
            )
    delegate = Delegate(
        person_id=person_id,
        council_id=council.id,
        federation_id=federation_id,
        term_ends_at=field_time(payload, "term_ends_at"),
        elected_by=proposal.id,
        started_at=now,
    )
    session.add(delegate)
    session.flush()
    _take_seat(session, delegate)
    if payload.get("mandates"):
        _set_mandates(session, delegate, payload["mandates"], proposal, now)


def _own_active_delegate(session: Session, council: Council, payload: Payload) -> Delegate:
    delegate_id = payload["delegate_id"]
    delegate = session.get(Delegate, delegate_id)
    if delegate is None or delegate.council_id != council.id:
        raise InputError(
            f"no delegate #{delegate_id} of council '{council.name}'", field="payload.delegate_id"
        )
    if delegate.status != "active":
        raise Conflict(f"delegate #{delegate_id} is no longer active ({delegate.status})")
    return delegate


def _validate_instruct(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    delegate = _own_active_delegate(session, council, payload)
    mandates = _check_mandates(session, delegate.federation_id, payload.get("mandates") or [])
    if not mandates:
        raise InputError("give at least one mandate", field="payload.mandates")
    return {"delegate_id": delegate.id, "mandates": mandates}


def _instruct(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    delegate = lock_delegate(session, payload["delegate_id"])
    if delegate.status == "active":  # an instruction to an ended delegation is void
        _set_mandates(session, delegate, payload["mandates"], proposal, now)


def _validate_recall(
    session: Session, council: Council, payload: Payload, now: datetime
) -> Payload:
    return {"delegate_id": _own_active_delegate(session, council, payload).id}


def _recall(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    delegate = lock_delegate(session, payload["delegate_id"])
    if delegate.status == "active":  # ended meanwhile: nothing left to recall
        end_delegation(
            session, delegate, "recalled", proposal.id, now, f"recalled by proposal #{proposal.id}"
        )
        notices.on_recalled(session, delegate, proposal.id, now)


register_executor("elect_delegate", _elect, validate=_validate_elect)
register_executor("instruct_delegate", _instruct, validate=_validate_instruct)
register_executor("recall_delegate", _recall, validate=_validate_recall)


# --- reading (permission-checked) ------------------------------------------------------------


def list_delegates(
    session: Session, actor_id: int | None, council_id: int, *, include_past: bool = False
) -> list[Delegate]:
    """Delegates in a readable federation, or sent by a readable council (active by default)."""
    council = authz.require_read(session, actor_id, council_id)
    column = Delegate.federation_id if council.kind == "federation" else Delegate.council_id
    stmt = select(Delegate).where(column == council_id)
    if not include_past:
        stmt = stmt.where(Delegate.status == "active")
    return list(session.scalars(stmt.order_by(Delegate.id)))


def get_delegate(session: Session, actor_id: int | None, delegate_id: int) -> Delegate:
    """A delegate whose sending council or federation the actor may read."""
    delegate = session.get(Delegate, delegate_id)
    if delegate is None:
        raise NotFound(f"no delegate #{delegate_id}")
    for council_id in (delegate.council_id, delegate.federation_id):
        if authz.can_read(session, actor_id, authz.get_council(session, council_id)):
            return delegate
    raise Forbidden(f"delegate #{delegate_id} belongs to councils you may not read")


def list_mandates(session: Session, actor_id: int | None, delegate_id: int) -> list[Mandate]:
    """The mandates of a delegate the actor may see."""
    get_delegate(session, actor_id, delegate_id)
    return list(
        session.scalars(
            select(Mandate).where(Mandate.delegate_id == delegate_id).order_by(Mandate.id)
        )
    )
