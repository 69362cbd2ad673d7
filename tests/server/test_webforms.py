"""The new-proposal form, the decisions pages, overnight bookings and the focus ring.

Served by the real app on a copy of the Valley world (see ``world.py``); the
browser tests in ``test_browser_kinds.py`` drive the same forms in Chromium.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.conftest import Served
from server.test_pages import csrf, sign_in
from server.world import _decide
from soviets.governance.effects import effect_model
from soviets.governance.rules import RULES
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models.governance import PROPOSAL_KINDS
from soviets.server import proposal_forms
from soviets.server.proposal_forms import FORMS, forms_for

STYLE = Path(proposal_forms.__file__).parent / "static" / "style.css"


# --- the focus ring ---------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.2 definition)."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _colours() -> dict[str, str]:
    root = re.search(r":root\s*{([^}]*)}", STYLE.read_text()).group(1)  # type: ignore[union-attr]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def test_contrast_formula_matches_known_pairs() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    # The pale ring this replaced: about 2:1 on the page.
    assert contrast("#f4a259", "#fbfaf7") < 2.1


def test_focus_ring_contrast_at_least_3_to_1() -> None:
    colours = _colours()
    for background in ("paper", "card"):
        assert contrast(colours["focus"], colours[background]) >= 3, background
    # In the red header the ring is white.
    assert contrast(colours["focus-on-red"], colours["red"]) >= 3
    css = STYLE.read_text()
    assert re.search(r"outline:\s*3px solid var\(--focus\)", css)
    on_red = r"header\.top a:focus-visible[^{]*{\s*outline-color: var\(--focus-on-red\)"
    assert re.search(on_red, css)


# --- one form per kind ------------------------------------------------------------------


def test_every_proposal_kind_has_a_form() -> None:
    assert {f.kind for f in FORMS} == set(PROPOSAL_KINDS)
    for council_kind in ("workplace", "territorial", "federation"):
        kinds = [f.kind for f in forms_for(council_kind)]
        assert len(kinds) == len(set(kinds)), council_kind
    assert "approve_needs" not in [f.kind for f in forms_for("workplace")]
    assert "adopt_plan" in [f.kind for f in forms_for("federation")]


def test_form_fields_become_the_payload() -> None:
    elect = proposal_forms.form_for("elect_delegate", "territorial")
    assert elect is not None
    form = {
        "payload.person_id": "4",
        "payload.federation_id": "7",
        "payload.term_ends_at": "2027-06-30T18:00",
        "payload.mandates.0.target": "kind:adopt_plan",
        "payload.mandates.0.vote": "no",
        "payload.mandates.1.target": "proposal:12",
        "payload.mandates.1.vote": "ranking",
        "payload.mandates.1.ranking": "A>B",
        "payload.mandates.2.target": "",
    }
    assert proposal_forms.payload(elect, form) == {
        "person_id": 4,
        "federation_id": 7,
        "term_ends_at": "2027-06-30T18:00:00",
        "mandates": [
            {"vote": "no", "proposal_kind": "adopt_plan"},
            {"vote": "ranking", "proposal_id": 12, "ranking": "A>B"},
        ],
    }
    rules = proposal_forms.form_for("change_rules", "workplace")
    assert rules is not None
    changed = {
        "payload.rules.booking.max_hours": "12.5",
        "payload.rules.booking.max_active": "3",
        "payload.rules.proposal.quorum.default": "true",
        "payload.rules.council.public": "true",
    }
    assert proposal_forms.payload(rules, changed) == {
        "rules": {
            "booking.max_hours": 12.5,
            "booking.max_active": 3,
            "proposal.quorum": None,
            "council.public": True,
        }
    }


def switch(served: Served, who: str) -> None:
    """Sign out whoever is signed in, and sign in as ``who``."""
    served.client.post("/signout", data={"csrf_token": csrf(served.client.get("/").text)})
    sign_in(served, who)


def _post(served: Served, council: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post the new-proposal form as the person signed in."""
    home = served.client.get("/")
    return served.client.post(
        f"/councils/{served.world.ids[council]}/proposals/new",
        data={"csrf_token": csrf(home.text), **data},
        follow_redirects=False,
    )


def test_form_refuses_bad_input_naming_the_field(served: Served) -> None:
    sign_in(served, "fran")
    base = {"title": "Quorum", "kind": "general"}
    bad = _post(served, "riverside", {**base, "quorum": "120"})
    assert bad.status_code == 422, bad.text[-600:]
    assert "quorum is a percentage from 0 to 100" in bad.text
    past = _post(served, "riverside", {**base, "closes_at": "2001-01-01T10:00"})
    assert past.status_code == 422 and "proposal.min_voting_hours" in past.text
    low = _post(served, "riverside", {**base, "floor": "-5"})
    assert low.status_code == 422 and "floor is a percentage from 0 to 100" in low.text
    admit = _post(served, "riverside", {"title": "Admit", "kind": "admit_member"})
    assert admit.status_code == 422 and "cannot decide a proposal of kind" in admit.text
    empty = _post(served, "riverside", {"title": "Rules", "kind": "change_rules"})
    assert empty.status_code == 422 and "at least one rule" in empty.text
    wrong = _post(served, "riverside", {"title": "Plan", "kind": "adopt_plan"})
    assert wrong.status_code == 422 and "cannot decide a proposal of kind" in wrong.text
    switch(served, "dave")
    outsider = _post(served, "riverside", base)
    assert outsider.status_code == 403


def test_quorum_and_deadline_from_the_form(served: Served) -> None:
    closes = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    sign_in(served, "fran")
    made = _post(
        served,
        "riverside",
        {
            "title": "Q",
            "kind": "general",
            "quorum": "75",
            "floor": "40",
            "closes_at": closes,
            "open_now": "true",
        },
    )
    assert made.status_code == 303
    page = served.client.get(made.headers["location"])
    assert "quorum 75%" in page.text and f"closes {closes.replace('T', ' ')} UTC" in page.text


def test_form_lists_only_what_can_be_chosen(served: Served) -> None:
    sign_in(served, "fran")
    ids = served.world.ids
    page = served.client.get(f"/councils/{ids['riverside']}/proposals/new?kind=recall_delegate")
    assert f'<option value="{ids["alice_delegate"]}">Alice Varga, delegate to Valley' in page.text
    rules = served.client.get(f"/councils/{ids['riverside']}/proposals/new?kind=change_rules")
    assert "now: false" in rules.text  # council.public
    switch(served, "carol")
    bakery = served.client.get(f"/councils/{ids['bakery']}/proposals/new?kind=set_role")
    assert "Carol Mbeki (coordinator)" in bakery.text and "Alice Varga" not in bakery.text


# --- decisions, a page at a time --------------------------------------------------------


def test_decisions_are_paginated(served: Served) -> None:
    ids, people = served.world.ids, served.world.people
    voters = [people["fran"], people["alice"]]
    engine = make_engine(served.url)
    with transaction(session_factory(engine)) as s:
        for i in range(25):
            _decide(s, ids["riverside"], people["fran"], voters, title=f"Decision {i}")
    engine.dispose()
    sign_in(served, "bob")
    council = served.client.get(f"/councils/{ids['riverside']}")
    total = council.text.count("Decision ")
    assert total == 5 and "Decision 24" in council.text
    closed = re.search(r"All (\d+) decisions", council.text)
    assert closed is not None and int(closed.group(1)) >= 27
    n = int(closed.group(1))
    first = served.client.get(f"/councils/{ids['riverside']}/decisions")
    assert first.text.count("<tr>") - 1 == 20 and "Decision 24" in first.text
    assert f"page 1 of {-(-n // 20)}" in first.text and 'rel="next"' in first.text
    second = served.client.get(f"/councils/{ids['riverside']}/decisions?page=2")
    assert second.text.count("<tr>") - 1 == n - 20 and "Paint the hall green" in second.text
    assert 'rel="prev"' in second.text
    beyond = served.client.get(f"/councils/{ids['riverside']}/decisions?page=3")
    assert beyond.status_code == 422 and "page must be from 1 to 2" in beyond.text
    switch(served, "dave")
    assert served.client.get(f"/councils/{ids['riverside']}/decisions").status_code == 403


# --- overnight bookings -----------------------------------------------------------------


def test_overnight_booking_from_the_form(served: Served) -> None:
    home = sign_in(served, "alice")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    url = f"/resources/{served.world.ids['bike']}/bookings"
    form = {"csrf_token": csrf(home.text), "day": day.isoformat(), "starts": "22:00"}
    same_day = served.client.post(url, data={**form, "ends": "06:00"})
    assert same_day.status_code == 422 and "overnight" in same_day.text
    night = {**form, "ends": "06:00", "end_day": (day + timedelta(days=1)).isoformat()}
    booked = served.client.post(url, data=night, follow_redirects=False)
    assert booked.status_code == 303
    calendar = served.client.get(url)
    assert f"22:00–{day + timedelta(days=1):%d %b} 06:00 you" in calendar.text


def test_each_form_asks_for_its_kinds_effect_fields() -> None:
    """The form of a kind asks for exactly the fields of the kind's effect model (for
    ``admit_member``, only a federation's: the council; people join by their own
    application or invitation)."""
    for form in FORMS:
        model = effect_model(form.kind).model_fields
        asked = {f.key for f in form.fields}
        assert asked <= set(model), form.kind
        required = {name for name, info in model.items() if info.is_required()}
        assert required <= asked, form.kind
        if form.kind != "admit_member":
            assert asked == set(model), form.kind
    assert proposal_forms.form_for("admit_member", "workplace") is None
    federation = proposal_forms.form_for("admit_member", "federation")
    assert [f.key for f in federation.fields] == ["council_id"]  # type: ignore[union-attr]


def test_rules_form_offers_every_rule() -> None:
    assert set(proposal_forms.RULE_FIELDS) == set(RULES)
    assert "federation.weighting" not in proposal_forms.rule_fields("territorial")
    assert "federation.weighting" in proposal_forms.rule_fields("federation")
