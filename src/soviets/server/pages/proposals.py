"""Proposal pages: read one, cast or change a ballot, open and close, draft a new one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import ballots, choices, councils, proposal_rights, proposals
from soviets.governance.errors import InputError
from soviets.ledger.models import Proposal
from soviets.server import queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import render

router = APIRouter()


def _context(db: Db, person_id: int, proposal: Proposal) -> dict[str, object]:
    rights = proposal_rights.rights(db, person_id, proposal)
    electors = proposals.list_electorate(db, person_id, proposal.id)
    listed = ballots.list_ballots(db, person_id, proposal.id)
    mine = ballots.my_ballot(db, person_id, proposal.id)
    return {
        "title": proposal.title,
        "proposal": proposal,
        "council": rights.council,
        "tally": proposals.live_tally(db, person_id, proposal.id),
        "options": choices.labels(proposal),
        "may_vote": rights.may_vote,
        "voted": ballots.has_voted(db, person_id, proposal.id),
        "my_ballot": mine,
        "my_ranks": _ranks(mine) if proposal.method == "schulze" else {},
        "ballots": listed,
        "people": queries.names(db, [b.voter_id for b in listed] + [proposal.created_by]),
        "may_manage": rights.may_manage,
        "may_withdraw": rights.may_withdraw,
        "close_reason": proposals.close_reason(db, person_id, proposal.id),
        "effect": proposals.effect_text(db, person_id, proposal.id),
        "may_propose": rights.may_propose,
        "electorate": len([e for e in electors if e.removed_at is None]),
    }


@router.get("/proposals/{proposal_id}")
def proposal_page(proposal_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """A proposal: its rules, the ballot form while open, the live tally or the result."""
    person = found[1]
    proposal = proposals.get_proposal(db, person.id, proposal_id)
    return render(request, "proposal.html", _context(db, person.id, proposal))


def _ranks(ranking: str | None) -> dict[str, int]:
    """The number beside each option of a ranking such as ``A>B=C`` (A: 1, B and C: 2)."""
    if not ranking:
        return {}
    return {
        label: place
        for place, group in enumerate(ranking.split(">"), start=1)
        for label in group.split("=")
    }


def _ranking(labels: list[str], ranks: dict[int, str]) -> str:
    """A ranking such as ``A>B=C`` from the numbers typed beside each option (1 = first).

    Options left blank share the last place.
    """
    groups: dict[int, list[str]] = {}
    blank: list[str] = []
    for i, label in enumerate(labels):
        text = ranks.get(i, "").strip()
        if not text:
            blank.append(label)
            continue
        if not text.isdigit() or int(text) < 1:
            raise InputError(f"the rank of '{label}' must be a whole number from 1", field=label)
        groups.setdefault(int(text), []).append(label)
    if not groups:
        raise InputError("give at least one option a rank (1 for your first choice)")
    order = ["=".join(groups[r]) for r in sorted(groups)]
    if blank:
        order.append("=".join(blank))
    return ">".join(order)


@router.post("/proposals/{proposal_id}/ballot")
def cast(proposal_id: PathId, request: Request, found: FormActor, db: Db) -> Response:
    """Cast or change my ballot (a ranked vote takes a number beside each option)."""
    person = found[1]
    form = request.state.form
    proposal = proposals.get_proposal(db, person.id, proposal_id)
    if proposal.method == "schulze":
        labels = choices.labels(proposal)
        ranks = {i: str(form.get(f"rank_{i}", "")) for i in range(len(labels))}
        choice = _ranking(labels, ranks)
    else:
        choice = str(form.get("choice", ""))
        if not choice:
            raise InputError("choose one of the options", field="choice")
    receipt = str(form.get("receipt", "")).strip() or None
    result = ballots.cast_ballot(db, person.id, proposal_id, choice, receipt=receipt)
    if result.receipt:
        # A secret ballot's receipt is shown once, on this page, and never stored.
        context = _context(db, person.id, proposal)
        context["receipt"] = result.receipt
        return render(request, "proposal.html", context)
    return RedirectResponse(f"/proposals/{proposal_id}?notice=ballot-cast", status_code=303)


@router.post("/proposals/{proposal_id}/open")
def open_vote(proposal_id: PathId, found: FormActor, db: Db) -> Response:
    """Open voting on my draft (or as coordinator)."""
    proposals.open_proposal(db, found[1].id, proposal_id)
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/close")
def close_vote(proposal_id: PathId, found: FormActor, db: Db) -> Response:
    """Close a vote whose result is settled (its rules allow it), count and carry it out."""
    proposals.close_and_count(db, found[1].id, proposal_id)
    return RedirectResponse(f"/proposals/{proposal_id}", status_code=303)


@router.post("/proposals/{proposal_id}/withdraw")
def withdraw(proposal_id: PathId, found: FormActor, db: Db) -> Response:
    """Withdraw my proposal while nobody has voted on it."""
    proposals.withdraw_proposal(db, found[1].id, proposal_id)
    return RedirectResponse(f"/proposals/{proposal_id}?notice=proposal-withdrawn", status_code=303)


@router.get("/councils/{council_id}/proposals/new")
def new_form(
    council_id: PathId,
    request: Request,
    found: PageActor,
    db: Db,
    abandon: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The form to draft a proposal (``?abandon=N``: to abandon open proposal N)."""
    person = found[1]
    council = proposal_rights.drafting_council(db, person.id, council_id)
    open_ones = proposals.list_proposals(db, person.id, council_id, status="open")
    target = next((p for p in open_ones if p.id == abandon), None)
    return render(
        request,
        "proposal_new.html",
        {
            "title": "New proposal",
            "council": council,
            "periods": queries.periods(db),
            "open_proposals": open_ones,
            "target": target,
            "members": []
            if council.kind == "federation"
            else councils.list_members(db, person.id, council_id),
            "federations": councils.list_federations(db, person.id, council_id),
        },
    )


def _id(text: str, field: str, what: str) -> int:
    """A chosen id from a form's select (refused when empty or not a number)."""
    if not text.strip().isdigit():
        raise InputError(f"choose {what}", field=field)
    return int(text)


def _payload(kind: str, form: dict[str, str]) -> dict[str, object]:
    """The payload of a proposal of ``kind`` from the new-proposal form's fields."""
    if kind == "approve_needs":
        return {"period": form["period"]}
    if kind == "abandon_proposal":
        return {"proposal_id": _id(form["target"], "target", "the proposal to abandon")}
    if kind == "set_role":
        return {
            "person_id": _id(form["member"], "member", "the member whose role changes"),
            "role": form["role"],
        }
    if kind == "leave_federation":
        return {"federation_id": _id(form["federation"], "federation", "the federation to leave")}
    return {}


@router.post("/councils/{council_id}/proposals/new")
def create(
    council_id: PathId,
    found: FormActor,
    db: Db,
    title: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=20_000)] = "",
    method: Annotated[str, Form(max_length=20)] = "majority",
    kind: Annotated[str, Form(max_length=30)] = "general",
    period: Annotated[str, Form(max_length=50)] = "",
    target: Annotated[str, Form(max_length=20)] = "",
    member: Annotated[str, Form(max_length=20)] = "",
    role: Annotated[str, Form(max_length=20)] = "coordinator",
    federation: Annotated[str, Form(max_length=20)] = "",
    options: Annotated[str, Form(max_length=5_000)] = "",
    secret: Annotated[bool, Form()] = False,
    open_now: Annotated[bool, Form()] = False,
) -> Response:
    """Draft the proposal, and open voting at once when asked."""
    person = found[1]
    labels = [line.strip() for line in options.splitlines() if line.strip()]
    fields = {
        "period": period,
        "target": target,
        "member": member,
        "role": role,
        "federation": federation,
    }
    made = proposals.create_proposal(
        db,
        person.id,
        council_id,
        kind=kind,
        title=title,
        body=body,
        method=method,
        secret=secret,
        payload=_payload(kind, fields),
        options=labels if method == "schulze" else None,
    )
    if open_now:
        proposals.open_proposal(db, person.id, made.id)
    return RedirectResponse(f"/proposals/{made.id}?notice=proposal-made", status_code=303)
