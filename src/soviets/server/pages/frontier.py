"""The frontier page: what each offer of hours of work per member per week buys, shown
before a ``set_hours`` vote. :func:`soviets.governance.hours.frontier` decides who may
see it; this handler only renders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from soviets.governance import councils, hours
from soviets.server.api.common import PathId
from soviets.server.deps import Db, PageActor
from soviets.server.frontier_chart import frontier_chart, shares_of
from soviets.server.i18n import Later
from soviets.server.templating import Msg, render

router = APIRouter()


@router.get("/councils/{council_id}/frontier")
def frontier_page(
    council_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    period: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Chart and table: hours offered per member per week against the needs met."""
    person = found[1]
    f = hours.frontier(db, person.id, council_id, period=period)
    council = councils.read_council(db, person.id, council_id)
    rows = list(zip(f.points, shares_of(f), strict=True))
    return render(
        request,
        "frontier.html",
        {
            "title": Msg("Hours and needs: %(council)s", council=council.name),
            "council": council,
            "frontier": f,
            "rows": rows,
            "chart": Later(lambda: frontier_chart(f)),
        },
    )
