"""Inventory pages: a council's resources and processes, their event history, the ledger's
check, and the forms that act on the commons within the council's rules.

Handlers only translate form fields: :mod:`soviets.governance.stock`,
:mod:`~soviets.governance.production` and :mod:`~soviets.governance.proposals`
check who may do what.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import commons, councils, production, proposals, stock, values
from soviets.governance.errors import InputError
from soviets.ledger import chain, inventory
from soviets.ledger.models import Resource
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import Msg, render

router = APIRouter()
Text = Annotated[str, Form(max_length=500)]
Id = Annotated[int, Form(ge=1, le=2_147_483_647)]


@router.get("/councils/{council_id}/inventory")
def inventory_page(council_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """What the council holds, every event on it, whether the hash chain verifies, and the
    forms to act on it."""
    person = found[1]
    council = councils.read_council(db, person.id, council_id)
    resources = stock.resources_of(db, person.id, council_id)
    events = []
    for resource in resources:
        events.extend(inventory.history(db, resource.id))
    events.sort(key=lambda e: e.seq, reverse=True)
    report = chain.verify(db)
    runs = council.kind == "workplace"
    return render(
        request,
        "inventory.html",
        {
            "title": Msg("Inventory of %(council)s", council=council.name),
            "council": council,
            "resources": resources,
            "by_id": {r.id: r for r in resources},
            "events": list({e.seq: e for e in events}.values()),
            "report": report,
            "people": queries.names(db, [e.actor_id for e in events]),
            "council_names": queries.council_names(db),
            "standing": commons.standing(db, person.id, council_id),
            "processes": production.processes_of(db, person.id, council_id) if runs else [],
            "goods": queries.goods(db),
        },
    )


def number(text: str, field: str) -> float:
    """A form field as a quantity (0 allowed), or an :class:`InputError` naming the field."""
    return values.form_quantity(text, field)


def flows(text: str) -> dict[str, float]:
    """Flows written as ``good=quantity`` pairs separated by commas or new lines."""
    out: dict[str, float] = {}
    for part in text.replace("\n", ",").split(","):
        if not part.strip():
            continue
        good, sep, quantity = part.partition("=")
        if not sep or not good.strip():
            raise InputError(
                f"write each flow as good=quantity, got '{part.strip()}'", field="flows"
            )
        name = values.form_text(good.strip(), "flows")
        out[name] = values.form_quantity(quantity, "flows", signed=True)
    if not out:
        raise InputError("list at least one flow, e.g. bread=1, flour=-0.5", field="flows")
    return out


def _held_by(db: Db, actor_id: int, resource_id: int, council_id: int) -> Resource:
    resource = stock.get_resource(db, actor_id, resource_id)
    if resource.holder_council_id != council_id:
        raise InputError(f"resource #{resource_id} is not this council's", field="resource_id")
    return resource


def _back(council_id: int, notice: str) -> RedirectResponse:
    return RedirectResponse(f"/councils/{council_id}/inventory?notice={notice}", status_code=303)


@router.post("/councils/{council_id}/stock-events")
def record_event(
    council_id: PathId,
    found: FormActor,
    db: Db,
    resource_id: Id,
    action: Annotated[str, Form(max_length=20)],
    quantity: Annotated[str, Form(max_length=50)],
    reason: Text,
) -> Response:
    """Record a stock event under the coordinator's standing mandate."""
    _held_by(db, found[1].id, resource_id, council_id)
    stock.record_event(
        db,
        found[1].id,
        resource_id,
        action=action,
        quantity=number(quantity, "quantity"),
        reason=reason,
    )
    return _back(council_id, "event-recorded")


@router.post("/councils/{council_id}/production")
def record_production(
    council_id: PathId,
    found: FormActor,
    db: Db,
    resource_id: Id,
    quantity: Annotated[str, Form(max_length=50)],
    note: Text = "",
) -> Response:
    """Record what the workplace produced into one of its stocks."""
    _held_by(db, found[1].id, resource_id, council_id)
    stock.record_production(
        db, found[1].id, resource_id, quantity=number(quantity, "quantity"), note=note
    )
    return _back(council_id, "production-recorded")


@router.post("/councils/{council_id}/stock-proposals")
def propose_stock_change(
    council_id: PathId,
    found: FormActor,
    db: Db,
    resource_id: Id,
    action: Annotated[str, Form(max_length=20)],
    quantity: Annotated[str, Form(max_length=50)],
    reason: Text,
) -> Response:
    """Draft a ``stock_change`` proposal for the council to vote on."""
    resource = _held_by(db, found[1].id, resource_id, council_id)
    amount = number(quantity, "quantity")
    made = proposals.create_proposal(
        db,
        found[1].id,
        council_id,
        kind="stock_change",
        title=f"{action.capitalize()} {amount:g} {resource.unit} of {resource.name}".strip(),
        body=reason,
        payload={"resource_id": resource_id, "action": action, "quantity": amount,
                 "reason": reason},
    )  # fmt: skip
    return RedirectResponse(f"/proposals/{made.id}?notice=proposal-made", status_code=303)


@router.post("/councils/{council_id}/process-proposals")
def propose_process(
    council_id: PathId,
    found: FormActor,
    db: Db,
    name: Annotated[str, Form(max_length=200)],
    labour: Annotated[str, Form(max_length=50)],
    flows_text: Annotated[str, Form(alias="flows", max_length=5000)],
    capacity: Annotated[str, Form(max_length=50)] = "",
    process_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Draft a ``register_process`` (or, with ``process_id``, ``change_process``) proposal."""
    payload: dict[str, object] = {
        "labour": number(labour, "labour"),
        "flows": flows(flows_text),
        "capacity": number(capacity, "capacity") if capacity.strip() else None,
    }
    if process_id.strip():
        if not process_id.strip().isdigit():
            raise InputError(f"must be a process id, got '{process_id}'", field="process_id")
        payload["process_id"] = int(process_id)
        kind, title = "change_process", f"Change process {name}"
    else:
        payload["name"] = name
        kind, title = "register_process", f"New process {name}"
    made = proposals.create_proposal(
        db, found[1].id, council_id, kind=kind, title=title, payload=payload
    )
    return RedirectResponse(f"/proposals/{made.id}?notice=proposal-made", status_code=303)
