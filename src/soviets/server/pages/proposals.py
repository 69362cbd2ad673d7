"""Proposal pages: read one, cast or change a ballot, open and close, draft a new one."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from soviets.governance import (
    amendments,
    ballots,
    briefing,
    choices,
    discussion,
    drafting,
    proposal_rights,
    proposals,
    ratification,
    rules,
    views,
)
from soviets.governance.errors import InputError
from soviets.ledger.models import Proposal
from soviets.ledger.types import as_utc, utcnow
from soviets.server import proposal_forms, queries
from soviets.server.api.common import PathId
from soviets.server.deps import Db, FormActor, PageActor
from soviets.server.templating import Msg, render

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
        "mandate": views.ballot_mandate(db, person_id, proposal.id) if rights.may_vote else None,
        "chain_head": views.decision_head(db, person_id, proposal.id),
        "discussion": discussion.overview(db, person_id, proposal.id),
        "amendments": amendments.list_amendments(db, person_id, proposal.id),
    }


@router.get("/proposals/{proposal_id}")
def proposal_page(proposal_id: PathId, request: Request, found: PageActor, db: Db) -> Response:
    """A proposal: its rules, the ballot form while open, the live tally or the result."""
    person = found[1]
    proposal = proposals.get_proposal(db, person.id, proposal_id)
    briefing.mark_seen(db, person.id, proposal_id)  # a decision opened counts as seen
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
    kind: Annotated[str, Query(max_length=30)] = "general",
    abandon: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    """The form to draft a proposal of one kind (``?abandon=N``: to abandon open proposal N)."""
    person = found[1]
    choices_ = drafting.draft_choices(db, person.id, council_id)
    council = choices_.council
    if abandon is not None:
        kind = "abandon_proposal"
    chosen = proposal_forms.form_for(kind, council.kind)
    if chosen is None:
        raise InputError(
            f"a {council.kind} council cannot decide a proposal of kind '{kind}'", field="kind"
        )
    target = next((c for c in choices_.options["proposal"] if c.value == str(abandon)), None)
    return render(
        request,
        "proposal_new.html",
        {
            "title": Msg("New proposal: %(kind)s", kind=Msg(chosen.label)),
            "council": council,
            "kinds": proposal_forms.forms_for(council.kind),
            "form": chosen,
            "choices": choices_.options,
            "missing": proposal_forms.missing_choices(chosen, choices_.options),
            "rules": choices_.rules,
            "rule_fields": proposal_forms.rule_fields(council.kind),
            "mandate_rows": range(proposal_forms.MANDATE_ROWS),
            "selected": {"proposal_id": str(abandon)} if target else {},
            "title_value": f"Abandon proposal {target.label}" if target else "",
            "council_rules": {
                key: rules.rule_number(db, council.id, key)
                for key in (
                    "proposal.quorum",
                    "proposal.floor",
                    "proposal.voting_hours",
                    "proposal.min_voting_hours",
                )
            },
            "term_default": (utcnow() + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M"),
            "ratified_kinds": rules.ratified_kinds(db, council.id),
            "ratification_rule": ratification.rule_text(db, council.id),
        },
    )


def _share(text: str, field: str) -> float | None:
    """A share typed in percent (blank: the council's rule) as a number from 0 to 1."""
    if not text.strip():
        return None
    try:
        percent = float(text)
    except ValueError:
        percent = math.nan
    if not 0 <= percent <= 100:
        raise InputError(f"the {field} is a percentage from 0 to 100, got '{text}'", field=field)
    return percent / 100


def _closes_at(text: str) -> datetime | None:
    """The closing time typed in the form (UTC; blank: none)."""
    if not text.strip():
        return None
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise InputError(
            f"give the closing date and time such as 2027-01-31T18:00, got '{text}'",
            field="closes_at",
        ) from None


@router.post("/councils/{council_id}/proposals/new")
def create(
    council_id: PathId,
    request: Request,
    found: FormActor,
    db: Db,
    title: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=20_000)] = "",
    method: Annotated[str, Form(max_length=20)] = "majority",
    kind: Annotated[str, Form(max_length=30)] = "general",
    options: Annotated[str, Form(max_length=5_000)] = "",
    quorum: Annotated[str, Form(max_length=20)] = "",
    floor: Annotated[str, Form(max_length=20)] = "",
    closes_at: Annotated[str, Form(max_length=30)] = "",
    secret: Annotated[bool, Form()] = False,
    open_now: Annotated[bool, Form()] = False,
) -> Response:
    """Draft the proposal, and open voting at once when asked."""
    person = found[1]
    council = drafting.drafting_council(db, person.id, council_id)
    chosen = proposal_forms.form_for(kind, council.kind)
    if chosen is None:
        raise InputError(
            f"a {council.kind} council cannot decide a proposal of kind '{kind}'", field="kind"
        )
    labels = [line.strip() for line in options.splitlines() if line.strip()]
    payload = proposal_forms.payload(chosen, request.state.form)
    if council.kind == "federation":
        payload |= proposal_forms.terms(request.state.form)
    made = proposals.create_proposal(
        db,
        person.id,
        council_id,
        kind=kind,
        title=title,
        body=body,
        method=method,
        quorum=_share(quorum, "quorum"),
        floor=_share(floor, "floor"),
        secret=secret,
        payload=payload,
        options=labels if method == "schulze" else None,
        closes_at=_closes_at(closes_at),
    )
    if open_now:
        proposals.open_proposal(db, person.id, made.id)
    return RedirectResponse(f"/proposals/{made.id}?notice=proposal-made", status_code=303)
