"""Re-planning the rest of a period when deliveries of an adopted plan fall short, on SQLite
and PostgreSQL: the needs less what was delivered are planned again by the protocol, stored
as a revision of the plan (adopted over it by the federation's vote) and the councils
concerned are told."""

from __future__ import annotations

import pytest

from server.conftest import Served, ok, start_round
from server.round_world import NEXT
from server.test_pages import csrf, sign_in


def _adopt(s: Served, plan_id: int) -> dict:
    valley = s.world.ids["valley"]
    made = ok(
        s.client.post(
            f"/api/councils/{valley}/proposals",
            json={"kind": "adopt_plan", "title": "Adopt", "payload": {"plan_id": plan_id}},
            headers=s.auth("alice"),
        )
    )
    ok(s.client.post(f"/api/proposals/{made['id']}/open", headers=s.auth("alice")))
    for person in ("alice", "carol"):
        ok(
            s.client.put(
                f"/api/proposals/{made['id']}/ballot",
                json={"choice": "yes"},
                headers=s.auth(person),
            )
        )
    return ok(s.client.post(f"/api/proposals/{made['id']}/close", headers=s.auth("alice")))


def _agreements(s: Served, plan_id: int) -> list[dict]:
    rows = ok(
        s.client.get(f"/api/councils/{s.world.ids['valley']}/agreements", headers=s.auth("alice"))
    )
    return [a for a in rows if a["plan_id"] == plan_id]


def adopt_and_fall_short(s: Served, plan_id: int) -> dict:
    """Accept the round world's soup agreement, adopt the plan, and have the Bakery grow
    and cook only 20 litres of soup and deliver 15 of its 100; return the agreement."""
    ids = s.world.ids
    soup = next(a for a in _agreements(s, plan_id) if a["good"] == "soup")
    for council, person in ((ids["bakery"], "carol"), (ids["riverside"], "fran")):
        ok(
            s.client.post(
                f"/api/agreements/{soup['id']}/accept",
                json={"council_id": council},
                headers=s.auth(person),
            )
        )
    assert _adopt(s, plan_id)["outcome"] == "accepted"
    for process, activity in (("garden", 50.0), ("cooking", 20.0)):
        ok(
            s.client.post(
                f"/api/processes/{ids[process]}/production",
                json={"period": NEXT, "activity": activity},
                headers=s.auth("carol"),
            )
        )
    ok(
        s.client.post(
            f"/api/agreements/{soup['id']}/deliveries",
            json={"quantity": 15.0},
            headers=s.auth("carol"),
        )
    )
    return soup


def test_a_shortfall_is_replanned_as_a_revision_of_the_adopted_plan(round_any: Served) -> None:
    s = round_any
    plan = start_round(s)
    # a proposed plan is not revised: it is re-planned around refusals, or adopted
    r = s.client.post(f"/api/plans/{plan['id']}/revise", headers=s.auth("alice"))
    assert r.status_code == 409 and "not adopted" in r.json()["detail"]
    soup = adopt_and_fall_short(s, plan["id"])
    # only the federation's delegates re-plan
    r = s.client.post(f"/api/plans/{plan['id']}/revise", headers=s.auth("bob"))
    assert r.status_code == 403
    new = ok(s.client.post(f"/api/plans/{plan['id']}/revise", headers=s.auth("alice")), 201)
    assert new["revises_plan_id"] == plan["id"] and new["status"] == "proposed"
    assert new["solver"] == "federated"
    revision = new["result"]["revision"]
    assert revision["revises"] == plan["id"]
    assert {x["agreement_id"] for x in revision["short"]} >= {soup["id"]}
    line = next(x for x in revision["needs"] if x["good"] == "soup")
    assert (line["council"], line["need"], line["delivered"], line["remaining"]) == (
        "Riverside",
        pytest.approx(100.0),
        pytest.approx(15.0),
        pytest.approx(85.0),
    )
    # the rest of the period meets the 85 litres left (the Bakery's 5 held count as stock)
    met = new["result"]["needs_met"]["Riverside"]["soup"]
    assert met == pytest.approx(85.0, rel=1e-3)
    after = _agreements(s, new["id"])
    assert after and all(a["status"] in ("proposed", "accepted") for a in after)
    # the councils whose agreements changed are told
    notices = ok(s.client.get("/api/inbox", headers=s.auth("fran")))["notices"]
    assert any("fell short" in n["text"] for n in notices)
    # the revision is adopted over the plan: both stay adopted, the revision the latest
    assert _adopt(s, new["id"])["outcome"] == "accepted"
    assert ok(s.client.get(f"/api/plans/{plan['id']}", headers=s.auth("alice")))["status"] == (
        "adopted"
    )
    assert ok(s.client.get(f"/api/plans/{new['id']}", headers=s.auth("alice")))["status"] == (
        "adopted"
    )
    r = s.client.post(f"/api/plans/{plan['id']}/revise", headers=s.auth("alice"))
    assert r.status_code == 409 and f"revised by plan {new['id']}" in r.json()["detail"]
    # the plan page offers the re-plan while deliveries fall short, and links the revision
    assert sign_in(s, "alice").status_code == 200
    page = s.client.get(f"/plans/{new['id']}")
    assert page.status_code == 200 and f'href="/plans/{plan["id"]}"' in page.text
    assert f'action="/plans/{new["id"]}/revise"' in page.text
    sent = s.client.post(
        f"/plans/{new['id']}/revise", data={"csrf_token": csrf(page.text)}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?notice=revised")
    again = s.client.get(sent.headers["location"])
    assert f'href="/plans/{new["id"]}"' in again.text and "re-planned" in again.text
