"""A council's page: members, open proposals, delegates and mandates, inventory, needs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soviets.governance import authz, councils, delegates, proposals, rules
from soviets.ledger import bookings, inventory
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, PageActor
from soviets.server.templating import render

router = APIRouter()


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
    open_ones = [p for p in listed if p.status == "open"]
    closed = [p for p in listed if p.status == "closed"][:5]
    drafts = [p for p in listed if p.status == "draft" and p.created_by == person.id]
    membership = authz.open_membership(db, person.id, council_id)
    people = queries.names(db, [d.person_id for d in delegations])
    return render(
        request,
        "council.html",
        {
            "title": council.name,
            "council": council,
            "members": members,
            "member_councils": member_councils,
            "readable": {c.id for c in member_councils if authz.can_read(db, person.id, c)},
            "federations": councils.list_federations(db, person.id, council_id),
            "delegations": delegations,
            "mandates": mandates,
            "open_proposals": open_ones,
            "closed_proposals": closed,
            "drafts": drafts,
            "resources": inventory.holdings(db, council_id),
            "processes": queries.processes_of(db, council_id),
            "plans": queries.plans_of(db, council_id) if is_federation else [],
            "rules": rules.council_rules(db, person.id, council_id),
            "booking_rules": bookings.booking_rules(db, council_id),
            "membership": membership,
            "is_voter": authz.is_voter(db, person.id, council),
            "people": people,
            "council_names": queries.council_names(db),
            "periods": queries.periods(db),
        },
    )
