"""POST /api/councils/{id}/plans/multiyear: delegates plan several periods; one plan each."""

from __future__ import annotations

from server.conftest import Served
from server.world import PERIOD

PROBLEM = "application/problem+json"


def _url(s: Served) -> str:
    return f"/api/councils/{s.world.ids['valley']}/plans/multiyear"


def test_delegate_plans_periods_and_others_may_not(served: Served) -> None:
    c = served.client
    made = c.post(_url(served), json={"periods": [PERIOD]}, headers=served.auth("alice"))
    assert made.status_code == 201, made.text
    (plan,) = made.json()
    assert plan["solver"] == "highs-multiyear" and plan["status"] == "proposed"
    assert plan["period"] == PERIOD
    result = plan["result"]
    assert result["kind"] == "multiyear-plan" and result["period_index"] == 0
    assert plan["objective_hours"] == result["periods"][0]["hours"]
    assert plan["plan_status"] == "optimal" and result["certificate"]["gap"] <= 1e-8
    stored = c.get(f"/api/plans/{plan['id']}", headers=served.auth("alice"))
    assert stored.status_code == 200 and stored.json()["solver"] == "highs-multiyear"
    refused = c.post(_url(served), json={"periods": [PERIOD]}, headers=served.auth("dave"))
    assert refused.status_code == 403 and refused.headers["content-type"].startswith(PROBLEM)


def test_bad_requests_are_problems(served: Served) -> None:
    c, alice = served.client, served.auth("alice")
    for body, status in (
        ({"periods": ["1999"]}, 404),
        ({"periods": [PERIOD, PERIOD]}, 422),
        ({"periods": []}, 422),
        ({"periods": [PERIOD], "objective": "max-profit"}, 422),
        ({"periods": [PERIOD], "floor": 2}, 422),
    ):
        res = c.post(_url(served), json=body, headers=alice)
        assert res.status_code == status, (body, res.text)
        assert res.headers["content-type"].startswith(PROBLEM)


def test_plan_page_of_a_multiyear_plan(served: Served) -> None:
    from server.test_pages import sign_in

    made = served.client.post(
        _url(served), json={"periods": [PERIOD]}, headers=served.auth("alice")
    )
    (plan,) = made.json()
    result = plan["result"]
    assert set(result["share_of_needs_met"]) == {"all", "essential", "normal"}
    assert result["share_of_needs_met"]["essential"] == 1.0
    sign_in(served, "alice")
    page = served.client.get(f"/plans/{plan['id']}")
    assert page.status_code == 200, page.text
    assert "Period 1 of a plan over 1 periods (min-hours)" in page.text
    assert "Hours of work in this period" in page.text
