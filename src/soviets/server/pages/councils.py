"""A council's page: members, open proposals, delegates and mandates, inventory, needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from soviets.governance import (
    briefing,
    councils,
    delegates,
    proposals,
    ratification,
    rules,
    views,
)
from soviets.ledger import bookings, inventory
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, PageActor
from soviets.server.templating import Msg, render

router = APIRouter()
RECENT = 5
"""Decisions shown on the council page; the rest are on its decisions pages."""
VOTES_SHOWN = 10
"""A delegate's latest federation votes shown beside their mandate on the sending council's page."""


@router.get("/councils/{council_id}")
def council_page(council_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """Everything a member needs to see about one council on one page."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    is_federation = council.kind == "federation"
    members = [] if is_federation else councils.list_members(db, person.id, council_id)
    member_councils = (
        councils.list_member_councils(db, person.id, council_id) if is_federation else []
    )
    delegations = delegates.list_delegates(db, person.id, council_id)
    mandates = {d.id: delegates.list_mandates(db, person.id, d.id) for d in delegations}
    listed = proposals.list_proposals(db, person.id, council_id)
    open_ones = [p for p in listed if p.status in ("discussion", "open")]
    recent = views.decisions(db, person.id, council_id, size=RECENT)
    drafts = [p for p in listed if p.status == "draft" and p.created_by == person.id]
    membership, is_voter = views.standing(db, person.id, council_id)
    people = queries.names(db, [d.person_id for d in delegations])
    seen, readers = briefing.seen_counts(db, person.id, council_id, [p.id for p in recent.items])
    votes = {
        d.id: briefing.delegate_votes(db, person.id, d.id)[:VOTES_SHOWN]
        for d in delegations
        if d.council_id == council_id
    }
    return render(
        request,
        "council.html",
        {
            "title": council.name,
            "council": council,
            "members": members,
            "member_councils": member_councils,
            "readable": views.readable_ids(db, person.id, member_councils),
            "federations": councils.list_federations(db, person.id, council_id),
            "delegations": delegations,
            "mandates": mandates,
            "votes": votes,
            "seen": seen,
            "readers": readers,
            "open_proposals": open_ones,
            "closed_proposals": recent.items,
            "decision_count": recent.total,
            "drafts": drafts,
            "resources": inventory.holdings(db, council_id),
            "processes": queries.processes_of(db, council_id),
            "plans": queries.plans_of(db, council_id) if is_federation else [],
            "rules": rules.council_rules(db, person.id, council_id),
            "admits_by_vote": rules.invite_mode(db, council_id) == "vote",
            "booking_rules": bookings.booking_rules(db, council_id),
            "membership": membership,
            "is_voter": is_voter,
            "people": people,
            "council_names": queries.council_names(db),
            "periods": queries.periods(db),
            "ratifications": ratification.list_ratifications(db, person.id, council_id),
        },
    )


@router.get("/councils/{council_id}/decisions")
def decisions_page(
    council_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Every decision of the council (closed proposals), newest first, a page at a time."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    listed = views.decisions(db, person.id, council_id, page)
    seen, readers = briefing.seen_counts(db, person.id, council_id, [p.id for p in listed.items])
    return render(
        request,
        "decisions.html",
        {
            "title": Msg("Decisions of %(council)s", council=council.name),
            "council": council,
            "listed": listed,
            "seen": seen,
            "readers": readers,
            "people": queries.names(db, [p.created_by for p in listed.items]),
        },
    )
