"""Free time by vote: the hours of work per member per week a territorial council offers,
and a federation's caps on primary goods (``set_cap``: emissions, land).

A territorial council decides by a ``set_hours`` vote how many hours of work
per member per week it offers. When the vote is accepted the council's
``hours_available`` (hours per period, the limit labour-budget plans put on
the work of the workplaces under it) becomes that offer times its members
(declared, else registered) times 52 weeks, so the next labour-budget plan
uses it.

A federation decides by a ``set_cap`` vote the limit per period on a primary
good (``limit_per_period`` of the goods catalogue; null: no limit).

Before anyone votes, :func:`frontier` shows what each offer buys: the
hours-needs frontier (:mod:`soviets.planning.frontier`) of the council, or of
a federation, on the ledger's economy of a period.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets.governance import authz
from soviets.governance.errors import Conflict, InputError, NotFound
from soviets.governance.execution import Payload, register_executor
from soviets.ledger.models import Council, CouncilLink, Good, Membership, Period, Proposal

if TYPE_CHECKING:
    from soviets.planning.frontier import Frontier

WEEKS = 52.0  # weeks in a planning period (as in Plan.hours_per_member_week)


def members(session: Session, council: Council) -> int:
    """The council's members as the planner counts them: declared, else registered."""
    if council.declared_members is not None:
        return int(council.declared_members)
    return int(
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.council_id == council.id, Membership.left_at.is_(None))
        )
        or 0
    )


def offer(session: Session, council: Council) -> float | None:
    """The hours per member per week the council offers now (None: no limit set)."""
    n = members(session, council)
    if council.hours_available is None or n <= 0:
        return None
    return float(council.hours_available) / n / WEEKS


def _check(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.kind != "territorial":
        raise Conflict(
            f"council '{council.name}' is a {council.kind} council: only a territorial council "
            "offers hours of work per member"
        )
    if members(session, council) <= 0:
        raise Conflict(f"council '{council.name}' has no members to offer hours")
    return {"hours_per_member_week": float(payload["hours_per_member_week"])}


def _execute(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    council = session.get(Council, proposal.council_id)
    assert council is not None
    n = members(session, council)
    if n <= 0:
        raise Conflict(f"council '{council.name}' has no members to offer hours")
    council.hours_available = float(payload["hours_per_member_week"]) * n * WEEKS
    session.flush()


register_executor("set_hours", _execute, validate=_check)


def _check_cap(session: Session, council: Council, payload: Payload, now: datetime) -> Payload:
    if council.kind != "federation":
        raise Conflict(
            f"council '{council.name}' is a {council.kind} council: caps on primary goods are "
            "set by a federation"
        )
    good = session.scalar(select(Good).where(Good.name == payload["good"]))
    if good is None:
        raise InputError(f"no good named '{payload['good']}'", field="payload.good")
    if good.kind != "primary":
        raise Conflict(f"'{good.name}' is made, not a primary good: it takes no cap")
    limit = payload.get("limit")
    return {"good": good.name, "limit": None if limit is None else float(limit)}


def _execute_cap(session: Session, proposal: Proposal, payload: Payload, now: datetime) -> None:
    good = session.scalar(select(Good).where(Good.name == payload["good"]))
    if good is None:
        raise NotFound(f"no good named '{payload['good']}'")
    good.limit_per_period = payload["limit"]
    session.flush()


register_executor("set_cap", _execute_cap, validate=_check_cap)


def _federation_of(session: Session, council: Council) -> Council:
    """The federation above ``council`` (itself if it is one), following open links up."""
    seen: set[int] = set()
    current = council
    while current.kind != "federation":
        seen.add(current.id)
        up = session.scalar(
            select(CouncilLink.federation_id)
            .where(CouncilLink.member_id == current.id, CouncilLink.left_at.is_(None))
            .order_by(CouncilLink.federation_id)
        )
        if up is None or up in seen:
            raise Conflict(f"council '{council.name}' is in no federation: it has no plan")
        nxt = session.get(Council, up)
        assert nxt is not None
        current = nxt
    return current


def frontier(
    session: Session,
    actor_id: int | None,
    council_id: int,
    *,
    period: str | None = None,
    points: int = 21,
) -> Frontier:
    """The hours-needs frontier of a federation, or of one of its territorial councils (its
    offer varied, the others keeping theirs), on the ledger's economy of ``period``
    (default: the latest period). Anyone who may read the council may see it."""
    from soviets.ledger.economy import build_economy
    from soviets.planning import frontier as fr

    council = authz.require_read(session, actor_id, council_id)
    if council.kind not in ("federation", "territorial"):
        raise Conflict(
            f"council '{council.name}' is a {council.kind} council: frontiers are drawn for "
            "federations and territorial councils"
        )
    federation = _federation_of(session, council)
    if period is None:
        latest = session.scalar(select(Period).order_by(Period.starts_on.desc()))
        if latest is None:
            raise NotFound("no planning period yet: open one to draw a frontier")
        period = latest.name
    eco = build_economy(session, period, federation.id)
    scope = None if council.kind == "federation" else council.name
    if not fr.territorial(eco):
        raise InputError("no territorial council with members in this federation")
    return fr.compute(eco, council=scope, points=points, keep_other_hours=True)
