"""Needs registration: a member lists what they need for a planning period."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import commons, councils, planning_service, values
from soviets.ledger.models import Period
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import Msg, render

router = APIRouter()


@router.get("/councils/{council_id}/needs")
def needs_page(
    council_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    period: Annotated[str, Query(max_length=50)] = "",
) -> Response:
    """The council's needs for a period, and the form to add mine."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    periods = queries.periods(db)
    chosen = next((p for p in periods if p.name == period), periods[0] if periods else None)
    rows = planning_service.needs_of(db, person.id, council_id, chosen.name) if chosen else []
    return render(
        request,
        "needs.html",
        {
            "title": Msg("Needs of %(council)s", council=council.name),
            "council": council,
            "periods": periods,
            "period": chosen,
            "needs": rows,
            "goods": queries.goods(db, produced_only=True),
            "people": queries.names(db, [n.person_id for n in rows if n.person_id]),
            "is_member": commons.standing(db, person.id, council_id).member,
        },
    )


@router.post("/councils/{council_id}/needs")
def add_need(
    council_id: PathId,
    found: FormActor,
    db: Db,
    period: Annotated[str, Form(max_length=50)],
    good: Annotated[str, Form(max_length=200)],
    quantity: Annotated[str, Form(max_length=50)],
    priority: Annotated[str, Form(max_length=20)] = "essential",
) -> Response:
    """Register one of my needs for the period."""
    planning_service.register_need(
        db,
        found[1].id,
        council_id,
        period=values.form_text(period, "period"),
        good=values.form_text(good, "good"),
        quantity=values.form_quantity(quantity, "quantity", zero=False),
        priority=priority,
    )
    target = f"/councils/{council_id}/needs?period={quote(period)}&notice=need-added"
    return RedirectResponse(target, status_code=303)


@router.post("/needs/{need_id}/withdraw")
def withdraw_need(need_id: PathId, found: FormActor, db: Db) -> Response:
    """Withdraw one of my needs while it is still proposed."""
    withdrawn = planning_service.withdraw_need(db, found[1].id, need_id)
    period = db.get(Period, withdrawn.period_id)
    target = f"/councils/{withdrawn.council_id}/needs?period={quote(period.name if period else '')}"
    return RedirectResponse(target + "&notice=need-withdrawn", status_code=303)
