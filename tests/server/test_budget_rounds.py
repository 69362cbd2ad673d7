"""A federated planning round in labour-budget mode, on SQLite and PostgreSQL: each
territorial council's hour budget is what its members voted (``set_hours``), the same
numbers the central labour-budget plan of the ledger uses; the mode is recorded with the
plan and kept by its re-plan after a refusal and by its revision after a shortfall.
Where the budget binds, the protocol searches the share of normal needs by federated
plans (each trial aimed where the hours meet the budgets, each trial above the best
share stopped as soon as the clerk's bound proves it out of reach)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from databases import Databases
from server.conftest import Served, ok, serve_world
from server.round_world import BUDGET_HOURS, NEXT, build_budget_world
from server.test_pages import sign_in
from server.test_revisions import adopt_and_fall_short

SHARE_TOL = 1e-4  # the search's share_tol (soviets.federation.budget.labour_budget)
GAP_TOL = 5e-4  # the clerk's certified gap at the share found (plan_federated's gap_tol)


@pytest.fixture
def budget_any(db_url: str, databases: Databases) -> Iterator[Served]:
    with serve_world(db_url, databases, build_budget_world) as served:
        yield served


def _plan(s: Served, regime: str, mode: str) -> dict:
    return ok(
        s.client.post(
            f"/api/councils/{s.world.ids['valley']}/plans",
            json={"period": NEXT, "regime": regime, "mode": mode},
            headers=s.auth("alice"),
        ),
        201,
    )


def _vote_hours(s: Served, hours: float) -> None:
    """Riverside's three members vote ``hours`` of work for the period."""
    riverside = s.world.ids["riverside"]
    made = ok(
        s.client.post(
            f"/api/councils/{riverside}/proposals",
            json={
                "kind": "set_hours",
                "title": "Fewer hours",
                "payload": {"hours_per_member_week": hours / (3 * 52)},
            },
            headers=s.auth("fran"),
        )
    )
    ok(s.client.post(f"/api/proposals/{made['id']}/open", headers=s.auth("fran")))
    for person in ("fran", "alice", "bob"):
        ok(
            s.client.put(
                f"/api/proposals/{made['id']}/ballot",
                json={"choice": "yes"},
                headers=s.auth(person),
            )
        )
    closed = ok(s.client.post(f"/api/proposals/{made['id']}/close", headers=s.auth("fran")))
    assert closed["outcome"] == "accepted", closed


def _agreements(s: Served, plan_id: int) -> list[dict]:
    rows = ok(
        s.client.get(f"/api/councils/{s.world.ids['valley']}/agreements", headers=s.auth("alice"))
    )
    return [a for a in rows if a["plan_id"] == plan_id]


def test_a_labour_budget_round_is_recorded_and_its_replan_keeps_the_mode(
    budget_any: Served,
) -> None:
    s, ids = budget_any, budget_any.world.ids
    plan = _plan(s, "federated", "labour-budget")
    assert (plan["solver"], plan["mode"], plan["result"]["mode"]) == (
        "federated",
        "labour-budget",
        "labour-budget",
    )
    # 300 hours allow every need (200 litres at 0.7 hours): one trial, every need met
    assert plan["fulfilment"] == 1.0 and len(plan["result"]["protocol"]["trials"]) == 1
    assert plan["result"]["needs_met"]["Riverside"]["soup"] == pytest.approx(200.0, rel=1e-3)
    # the hour budget is the protocol's own limit, no agreement between councils
    made = _agreements(s, plan["id"])
    assert made and all(not a["good"].startswith("hours:") for a in made)
    veg = next(a for a in made if a["good"] == "vegetables")
    assert veg["supplier_council_id"] == ids["farm"]
    ok(
        s.client.post(
            f"/api/agreements/{veg['id']}/refuse",
            json={"council_id": ids["farm"], "reason": "fallow"},
            headers=s.auth("gus"),
        ),
        201,
    )
    new = ok(s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("alice")), 201)
    assert new["mode"] == "labour-budget" and new["fulfilment"] == 1.0
    # 200 litres from the Bakery's garden take 220 hours, still within the 300 voted
    assert new["result"]["activity"]["bakery garden"] == pytest.approx(400.0, rel=1e-3)
    assert new["objective_hours"] == pytest.approx(220.0, rel=1e-3)
    assert new["objective_hours"] < BUDGET_HOURS
    # the list of plans and the plan page show the mode and the share of normal needs met
    listed = ok(s.client.get(f"/api/councils/{ids['valley']}/plans", headers=s.auth("bob")))
    assert {p["mode"] for p in listed if p["id"] in (plan["id"], new["id"])} == {"labour-budget"}
    assert sign_in(s, "bob").status_code == 200
    page = s.client.get(f"/plans/{new['id']}")
    assert page.status_code == 200 and "mode: labour-budget" in page.text
    assert "Share of each normal need met" in page.text


def test_a_revision_keeps_the_mode_within_the_hours_left(budget_any: Served) -> None:
    s = budget_any
    plan = _plan(s, "federated", "labour-budget")
    adopt_and_fall_short(s, plan["id"])  # the Bakery worked 25 hours and delivered 15 litres
    new = ok(s.client.post(f"/api/plans/{plan['id']}/revise", headers=s.auth("alice")), 201)
    assert new["mode"] == "labour-budget" and new["revises_plan_id"] == plan["id"]
    assert new["result"]["revision"]["warm_start"] is True
    # 185 litres left of the 200, the Bakery's 5 held count as stock; 275 hours left
    assert new["result"]["needs_met"]["Riverside"]["soup"] == pytest.approx(185.0, rel=1e-3)
    assert new["fulfilment"] == 1.0


def test_a_binding_budget_gives_the_central_labour_budget_plan(budget_any: Served) -> None:
    s = budget_any
    least = _plan(s, "federated", "min-labour")
    assert least["objective_hours"] == pytest.approx(140.0, rel=1e-3)  # 200 litres at 0.7
    _vote_hours(s, 105.0)  # the 100 essential litres take 70 hours: 35 left for 50 more
    central = _plan(s, "central", "labour-budget")
    fed = _plan(s, "federated", "labour-budget")
    assert central["fulfilment"] == pytest.approx(0.5, abs=1e-6)
    assert fed["plan_status"] in ("optimal", "feasible") and fed["mode"] == "labour-budget"
    # the share found is the last one the councils reached: at most HiGHS's, within a step
    assert central["fulfilment"] - SHARE_TOL <= fed["fulfilment"] <= central["fulfilment"] + 1e-9
    # and the clerk certifies it: no share above the bound is reachable within 105 hours
    proof = fed["result"]["protocol"]
    assert proof["hours_ceiling"] == pytest.approx(105.0)
    assert fed["fulfilment"] <= central["fulfilment"] <= proof["share_bound"]
    assert proof["share_bound"] - fed["fulfilment"] <= SHARE_TOL
    shares = (fed["result"]["share_of_needs_met"], central["result"]["share_of_needs_met"])
    assert shares[0]["essential"] == pytest.approx(1.0, abs=1e-9) == shares[1]["essential"]
    assert shares[0]["normal"] == pytest.approx(shares[1]["normal"], abs=SHARE_TOL)
    # hours within the certified gap (plus a step's share of normal needs) and the budget
    assert fed["objective_hours"] <= 105.0 * (1 + 1e-6)
    assert fed["objective_hours"] == pytest.approx(central["objective_hours"], rel=2 * GAP_TOL)
    assert sign_in(s, "bob").status_code == 200
    page = s.client.get(f"/plans/{fed['id']}")
    assert page.status_code == 200 and "Certificate of the share" in page.text
    soup = next(a for a in _agreements(s, fed["id"]) if a["good"] == "soup")
    assert soup["quantity"] == pytest.approx(150.0, rel=1e-3)  # not the 200 of least hours


def test_budgets_below_the_essential_needs_say_why_on_the_plan_page(budget_any: Served) -> None:
    s = budget_any
    _vote_hours(s, 50.0)  # the 100 essential litres of soup take 70 hours at least
    fed = _plan(s, "federated", "labour-budget")
    assert fed["plan_status"] == "infeasible" and fed["fulfilment"] is None
    failure = fed["result"]["protocol"]["failure"]
    assert failure.startswith("the essential needs alone take at least 70")
    assert failure.endswith("more than the hour budgets allow (50 hours)")
    assert _agreements(s, fed["id"]) == []  # no plan, so nothing to ratify
    assert sign_in(s, "bob").status_code == 200
    page = s.client.get(f"/plans/{fed['id']}")
    assert page.status_code == 200 and "No plan meets the needs." in page.text
    assert "more than the hour budgets allow (50 hours)" in page.text
