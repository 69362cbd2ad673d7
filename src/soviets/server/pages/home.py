"""The start page: my councils, the federations they belong to, and public councils."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soviets.governance import councils, views
from soviets.server.deps import Db, PageActor
from soviets.server.templating import N_, render

router = APIRouter()


@router.get("/")
def home(request: Request, found: PageActor, db: Db) -> Response:
    """My councils (with my role), then every other council I may read."""
    person = found[1]
    mine = councils.my_councils(db, person.id)
    roles = views.my_roles(db, person.id)
    mine_ids = {c.id for c in mine}
    others = [c for c in councils.list_councils(db, person.id) if c.id not in mine_ids]
    return render(
        request,
        "home.html",
        {"title": N_("My councils"), "mine": mine, "roles": roles, "others": others},
    )
