"""The plan pages: figures, charts of hours and labour values, and my councils' agreements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import access, authz, councils
from soviets.ledger import agreements
from soviets.ledger.models import Agreement
from soviets.server import charts, queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import render

router = APIRouter()


@router.get("/plans")
def plans_page(
    request: Request,
    found: PageActor,
    db: Db,
    federation: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The plans of every federation I may read (or of one)."""
    person = found[1]
    feds = [c for c in councils.list_councils(db, person.id) if c.kind == "federation"]
    if federation is not None:
        feds = [authz.require_read(db, person.id, federation)]
    listed = [(f, queries.plans_of(db, f.id)) for f in feds]
    return render(request, "plans.html", {"title": "Plans", "listed": listed})


def _agreement_rows(db: Db, rows: list[Agreement], mine: set[int]) -> list[dict[str, object]]:
    out = []
    for a in rows:
        accepted = set(queries.accepted_by(db, a.id))
        delivered = agreements.delivered(db, a.id)
        out.append(
            {
                "agreement": a,
                "delivered": delivered,
                "share": min(1.0, delivered / a.quantity) if a.quantity > 0 else 1.0,
                "accepted": accepted,
                "may_accept": sorted(
                    c
                    for c in (a.supplier_council_id, a.receiver_council_id)
                    if c in mine and c not in accepted
                ),
            }
        )
    return out


@router.get("/plans/{plan_id}")
def plan_page(plan_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """One plan: total hours, hours per member per week, needs met, charts, agreements."""
    person = found[1]
    record = access.plan(db, person.id, plan_id)
    result = record.result or {}
    mine = set(access.council_ids_of(db, person.id))
    rows = [
        a
        for a in queries.agreements_of_plan(db, record.id)
        if a.supplier_council_id in mine or a.receiver_council_id in mine
    ]
    values = result.get("labour_values") or {}
    return render(
        request,
        "plan.html",
        {
            "title": f"Plan for {record.period.name}",
            "plan": record,
            "result": result,
            "federation": authz.get_council(db, record.federation_id),
            "hours_chart": charts.bar_chart(
                list((record.council_hours or {}).items()),
                title="Hours of work by council",
                unit="h",
                chart_id="hours",
            ),
            "values_chart": charts.bar_chart(
                [(g, v) for g, v in values.items() if v is not None],
                title="Labour value: hours per unit of each good",
                unit="h/unit",
                chart_id="values",
            ),
            "agreements": _agreement_rows(db, rows, mine),
            "council_names": queries.council_names(db),
        },
    )


@router.post("/agreements/{agreement_id}/accept")
def accept(
    agreement_id: PathId,
    found: FormActor,
    db: Db,
    council_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    """Accept an agreement on behalf of my council."""
    person = found[1]
    found_agreement = access.agreement(db, person.id, agreement_id)
    authz.require_member(db, person.id, council_id)
    agreements.accept(db, agreement_id, council_id, person.id)
    target = f"/plans/{found_agreement.plan_id}?notice=agreement-accepted#agreements"
    return RedirectResponse(target, status_code=303)
