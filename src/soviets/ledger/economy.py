"""Build the planner's :class:`~soviets.economy.Economy` from the ledger.

For a period: every good of the catalogue; the councils (all of them, or a
federation and the councils below it); the processes of those workplace
councils with their capacities (see :mod:`soviets.ledger.processes`); and the
*approved* needs of those territorial councils, summed per council, good and
priority; and as stocks the goods those councils hold now: resources of kind
``consumer_good`` linked to a good of the catalogue (:func:`held_goods`).
A council's parent is the region it was placed in (``councils.parent_id``, see
:func:`soviets.governance.councils.set_region`), else its first federation.
A council's members are those it declared (``councils.declared_members``), else its
current registered members: the planner's hours per member per week divide by
the territorial councils' members so counted.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from soviets import economy as eco
from soviets.errors import InputError
from soviets.ledger.inventory import get_council
from soviets.ledger.models import (
    Council,
    CouncilLink,
    Good,
    Membership,
    Need,
    Process,
    Resource,
)
from soviets.ledger.needs import get_period
from soviets.ledger.processes import capacities


def council_tree(session: Session, federation_id: int) -> list[int]:
    """The federation and every council linked below it (open links), ids in order."""
    found = {get_council(session, federation_id).id}
    frontier = set(found)
    while frontier:
        below = set(
            session.scalars(
                select(CouncilLink.member_id).where(
                    CouncilLink.federation_id.in_(frontier), CouncilLink.left_at.is_(None)
                )
            )
        )
        frontier = below - found
        found |= frontier
    return sorted(found)


def held_goods(session: Session, council_ids: list[int]) -> dict[tuple[int, int], float]:
    """Quantity of each good held as ``consumer_good`` by each council: {(good, council): q}."""
    rows = session.execute(
        select(Resource.good_id, Resource.holder_council_id, func.sum(Resource.quantity))
        .where(
            Resource.kind == "consumer_good",
            Resource.good_id.is_not(None),
            Resource.holder_council_id.in_(council_ids),
            Resource.quantity > 0,
        )
        .group_by(Resource.good_id, Resource.holder_council_id)
    )
    return {(g, c): float(q) for g, c, q in rows if g is not None}  # None filtered above


def build_economy(session: Session, period: str, federation_id: int | None = None) -> eco.Economy:
    """The economy of ``period`` from the ledger (approved needs only).

    It is checked like an economy read from files: a council's parent is its
    region where it has one, else its first federation, so federations that are
    members of each other are refused as a parent cycle.
    """
    per = get_period(session, period)
    stmt = select(Council).order_by(Council.id)
    if federation_id is not None:
        stmt = stmt.where(Council.id.in_(council_tree(session, federation_id)))
    councils = list(session.scalars(stmt))
    ids = {c.id: c.name for c in councils}
    goods = list(session.scalars(select(Good).order_by(Good.id)))
    good_names = {g.id: g.name for g in goods}
    stocks: dict[str, float] = defaultdict(float)
    for (good_id, _council), quantity in held_goods(session, list(ids)).items():
        stocks[good_names[good_id]] += quantity
    return eco.Economy.from_records(
        goods=[eco.Good(g.name, g.unit, g.kind, g.limit_per_period) for g in goods],
        councils=_council_records(session, councils),
        processes=_process_records(session, ids, good_names),
        needs=_approved_needs(session, per.id, ids, good_names),
        stocks=dict(sorted(stocks.items())),
        name=f"ledger {per.name}",
        error_at=_in_ledger,
    )


def _council_records(session: Session, councils: list[Council]) -> list[eco.Council]:
    """The councils as records: parent (region, else first federation among
    ``councils``) and members (declared, else current memberships)."""
    ids = {c.id: c.name for c in councils}
    members = dict(
        session.execute(
            select(Membership.council_id, func.count())
            .where(Membership.left_at.is_(None))
            .group_by(Membership.council_id)
        ).all()
    )
    parent: dict[int, int] = {}
    for member_id, fed_id in session.execute(
        select(CouncilLink.member_id, CouncilLink.federation_id)
        .where(CouncilLink.left_at.is_(None))
        .order_by(CouncilLink.federation_id)
    ):
        if member_id in ids and fed_id in ids:
            parent.setdefault(member_id, fed_id)
    for c in councils:  # a council placed in a region keeps it (region -> workplaces)
        if c.parent_id is not None and c.parent_id in ids:
            parent[c.id] = c.parent_id
    return [
        eco.Council(
            name=c.name,
            kind=c.kind,
            parent=ids[parent[c.id]] if c.id in parent else None,
            members=(
                c.declared_members if c.declared_members is not None else int(members.get(c.id, 0))
            ),
            hours_available=c.hours_available,
        )
        for c in councils
    ]


def _process_records(
    session: Session, ids: dict[int, str], good_names: dict[int, str]
) -> list[eco.Process]:
    """The processes of the councils in ``ids``, with their capacities."""
    caps = capacities(session)
    return [
        eco.Process(
            name=p.name,
            council=ids[p.council_id],
            labour=p.labour,
            flows={good_names[f.good_id]: f.quantity for f in p.flows},
            capacity=caps.get(p.id),
        )
        for p in session.scalars(select(Process).order_by(Process.id))
        if p.council_id in ids
    ]


def _approved_needs(
    session: Session, period_id: int, ids: dict[int, str], good_names: dict[int, str]
) -> list[eco.Need]:
    """The approved needs of the period of the councils in ``ids``, summed per council,
    good and priority."""
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for council_id, good_id, priority, quantity in session.execute(
        select(Need.council_id, Need.good_id, Need.priority, Need.quantity)
        .where(Need.period_id == period_id, Need.status == "approved")
        .order_by(Need.id)
    ):
        if council_id in ids:
            totals[(ids[council_id], good_names[good_id], priority)] += quantity
    return [eco.Need(c, g, q, pr) for (c, g, pr), q in sorted(totals.items())]


def _in_ledger(table: str, index: int, field: str, message: str) -> InputError:
    """An error of the economy built from the ledger, naming the ledger's table and field."""
    return InputError(message, file=f"ledger {table}", field=field)
