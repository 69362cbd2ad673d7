"""The plan pages: figures, charts of hours and labour values, my councils' agreements,
and the forms to run a plan, open the next planning period, accept and deliver.

Handlers only translate form fields; :mod:`soviets.governance.planning_service`
checks who may do what.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import commons, councils, planning_service, proposals, rounds
from soviets.governance.access import council_ids_of
from soviets.governance.errors import InputError
from soviets.ledger import agreements
from soviets.ledger.models import Agreement
from soviets.server import charts, queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.i18n import Later, gettext_
from soviets.server.pages import rounds as round_pages
from soviets.server.pages.inventory import number
from soviets.server.planners import federated_planner
from soviets.server.templating import N_, Msg, render

router = APIRouter()
Id = Annotated[int, Form(ge=1, le=2_147_483_647)]


@router.get("/plans")
def plans_page(
    request: Request,
    found: PageActor,
    db: Db,
    federation: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The plans of every federation I may read (or of one), and the delegates' forms."""
    person = found[1]
    if federation is not None:
        feds = [councils.read_council(db, person.id, federation)]
    else:
        feds = [c for c in councils.list_councils(db, person.id) if c.kind == "federation"]
    listed = [
        (f, planning_service.plans_of(db, person.id, f.id), commons.standing(db, person.id, f.id))
        for f in feds
    ]
    return render(
        request,
        "plans.html",
        {
            "title": N_("Plans"),
            "listed": listed,
            "periods": queries.periods(db),
            "next_period": planning_service.next_period(db),
        },
    )


@router.post("/councils/{council_id}/plans")
def run_plan(
    council_id: PathId,
    found: FormActor,
    db: Db,
    period: Annotated[str, Form(min_length=1, max_length=50)],
    mode: Annotated[str, Form(max_length=20)] = "min-labour",
    regime: Annotated[str, Form(max_length=20)] = "central",
) -> Response:
    """Run the planner for the federation and period (delegates); ``regime=federated``:
    a federated planning round."""
    if mode not in ("min-labour", "labour-budget"):
        raise InputError(f"mode must be min-labour or labour-budget, got '{mode}'", field="mode")
    if regime not in ("central", "federated"):
        raise InputError(f"regime must be central or federated, got '{regime}'", field="regime")
    if regime == "federated":
        planner = federated_planner()
        record = rounds.start_round(db, found[1].id, council_id, period, planner, mode)
    else:
        record = planning_service.run_plan(db, found[1].id, council_id, period, mode=mode)
    return RedirectResponse(f"/plans/{record.id}", status_code=303)


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"must be a date such as 2027-01-01, got '{text}'", field=field) from None


@router.post("/councils/{council_id}/periods")
def open_period(
    council_id: PathId,
    found: FormActor,
    db: Db,
    name: Annotated[str, Form(min_length=1, max_length=50)],
    starts_on: Annotated[str, Form(max_length=20)],
    ends_on: Annotated[str, Form(max_length=20)],
) -> Response:
    """Open the next planning period (delegates of the federation)."""
    planning_service.open_period(
        db,
        found[1].id,
        council_id,
        name=name,
        starts_on=_day(starts_on, "starts_on"),
        ends_on=_day(ends_on, "ends_on"),
    )
    return RedirectResponse(f"/plans?federation={council_id}&notice=period-opened", 303)


def _agreement_rows(
    db: Db, person_id: int, rows: list[Agreement], mine: set[int]
) -> list[dict[str, object]]:
    standing = {c: commons.standing(db, person_id, c) for c in mine}
    out = []
    for a in rows:
        accepted = set(queries.accepted_by(db, a.id))
        delivered = agreements.delivered(db, a.id)
        waiting = sorted(
            c for c in (a.supplier_council_id, a.receiver_council_id)
            if c in mine and c not in accepted
        )  # fmt: skip
        alone = [
            c for c in waiting if standing[c].coordinator and not standing[c].agreements_by_vote
        ]
        out.append(
            {
                "agreement": a,
                "delivered": delivered,
                "remaining": max(0.0, a.quantity - delivered),
                "share": min(1.0, delivered / a.quantity) if a.quantity > 0 else 1.0,
                "accepted": accepted,
                "may_accept": alone,
                "may_propose": [c for c in waiting if c not in alone],
                "may_deliver": a.status == "accepted" and a.supplier_council_id in mine,
            }
        )
    return out


@router.get("/plans/{plan_id}")
def plan_page(
    plan_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    council: Annotated[str | None, Query(max_length=12)] = None,
    round: Annotated[str | None, Query(max_length=12)] = None,
    kind: Annotated[str | None, Query(max_length=30)] = None,
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> Response:
    """One plan: total hours, hours per member per week, needs met, charts, agreements;
    a page of a federated round's messages (filtered by ``council``: what concerns that
    council, ``round`` and ``kind``, from ``offset``) and plan against actual."""
    person = found[1]
    record = planning_service.get_plan(db, person.id, plan_id)
    result = record.result or {}
    mine = set(council_ids_of(db, person.id))
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
            "title": Msg("Plan for %(period)s", period=record.period.name),
            "plan": record,
            "result": result,
            "federation": councils.read_council(db, person.id, record.federation_id),
            "hours_chart": Later(
                lambda: charts.bar_chart(
                    list((record.council_hours or {}).items()),
                    title=gettext_(N_("Hours of work by council")),
                    unit="h",
                    chart_id="hours",
                )
            ),
            "values_chart": Later(
                lambda: charts.bar_chart(
                    [(g, v) for g, v in values.items() if v is not None],
                    title=gettext_(N_("Labour value: hours per unit of each good")),
                    unit="h/unit",
                    chart_id="values",
                )
            ),
            "agreements": _agreement_rows(db, person.id, rows, mine),
            "council_names": queries.council_names(db),
            "units": {g.name: g.unit for g in queries.goods(db)},
            **round_pages.context(
                db, person.id, record, mine, round_pages.message_query(council, round, kind, offset)
            ),
        },
    )


@router.post("/agreements/{agreement_id}/accept")
def accept(agreement_id: PathId, found: FormActor, db: Db, council_id: Id) -> Response:
    """Accept an agreement on behalf of my council (where its rules let a coordinator)."""
    done = planning_service.accept_agreement(db, found[1].id, agreement_id, council_id)
    target = f"/plans/{done.plan_id}?notice=agreement-accepted#agreements"
    return RedirectResponse(target, status_code=303)


@router.post("/agreements/{agreement_id}/accept-proposals")
def propose_accepting(agreement_id: PathId, found: FormActor, db: Db, council_id: Id) -> Response:
    """Draft my council's ``approve_agreement`` proposal for the agreement."""
    found_agreement = planning_service.get_agreement(db, found[1].id, agreement_id)
    good = found_agreement.good
    made = proposals.create_proposal(
        db,
        found[1].id,
        council_id,
        kind="approve_agreement",
        title=f"Accept agreement #{agreement_id}: {found_agreement.quantity:g} {good.unit} "
        f"of {good.name}".strip(),
        payload={"agreement_id": agreement_id},
    )
    return RedirectResponse(f"/proposals/{made.id}?notice=proposal-made", status_code=303)


@router.post("/agreements/{agreement_id}/deliveries")
def deliver(
    agreement_id: PathId,
    found: FormActor,
    db: Db,
    quantity: Annotated[str, Form(max_length=50)],
) -> Response:
    """Deliver part of an accepted agreement from my council's stock."""
    event = planning_service.deliver(
        db, found[1].id, agreement_id, quantity=number(quantity, "quantity")
    )
    done = agreements.get_agreement(db, event.agreement_id or agreement_id)
    return RedirectResponse(f"/plans/{done.plan_id}?notice=delivered#agreements", 303)
