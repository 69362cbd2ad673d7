"""Inventory pages: a council's resources with their event history and the ledger's check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soviets.governance import authz
from soviets.ledger import chain, inventory
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, PageActor
from soviets.server.templating import render

router = APIRouter()


@router.get("/councils/{council_id}/inventory")
def inventory_page(council_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """What the council holds, every event on it, and whether the hash chain verifies."""
    person = found[1]
    council = authz.require_read(db, person.id, council_id)
    resources = inventory.holdings(db, council_id)
    events = []
    for resource in resources:
        events.extend(inventory.history(db, resource.id))
    events.sort(key=lambda e: e.seq, reverse=True)
    report = chain.verify(db)
    return render(
        request,
        "inventory.html",
        {
            "title": f"Inventory of {council.name}",
            "council": council,
            "resources": resources,
            "by_id": {r.id: r for r in resources},
            "events": list({e.seq: e for e in events}.values()),
            "report": report,
            "people": queries.names(db, [e.actor_id for e in events]),
            "council_names": queries.council_names(db),
        },
    )
