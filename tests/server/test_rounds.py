"""A federated planning round in the service, on SQLite and PostgreSQL: the protocol's own
agreements, its messages audited by member councils only, a refusal and the re-plan, the
federation's adoption, production records and plan against actual."""

from __future__ import annotations

import hashlib
import zlib

import pytest
from sqlalchemy import delete, select

from server.conftest import Served, start_round
from server.round_world import NEXT
from soviets.ledger import inventory
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import CouncilRule, Good, ProtocolLog


def _agreements(s: Served, plan_id: int) -> list[dict]:
    r = s.client.get(f"/api/councils/{s.world.ids['valley']}/agreements", headers=s.auth("alice"))
    assert r.status_code == 200, r.text
    return [a for a in r.json() if a["plan_id"] == plan_id]


def _key(s: Served, a: dict) -> tuple[int, int, float]:
    return (a["supplier_council_id"], a["receiver_council_id"], round(a["quantity"], 6))


def test_a_round_proposes_the_protocols_own_agreements(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    plan = start_round(s)
    assert plan["solver"] == "federated" and plan["status"] == "proposed"
    assert plan["plan_status"] in ("optimal", "feasible")
    own = plan["result"]["agreements"]
    made = _agreements(s, plan["id"])
    # every agreement is one of the protocol's (summed per pair and good), none pro rata
    expected = {}
    for a in own:
        if a["supplier"] != a["receiver"]:
            k = (a["supplier"], a["receiver"], a["good"])
            expected[k] = expected.get(k, 0.0) + a["quantity"]
    assert len(made) == len(expected) >= 2
    names = {ids["farm"]: "South Farm", ids["bakery"]: "Bakery", ids["riverside"]: "Riverside"}
    for a in made:
        k = (names[a["supplier_council_id"]], names[a["receiver_council_id"]], a["good"])
        assert a["quantity"] == pytest.approx(expected[k]) and a["status"] == "proposed"
    # the cheaper farm grows the vegetables for 100 litres of soup
    veg = [a for a in made if a["good"] == "vegetables"]
    assert veg and veg[0]["supplier_council_id"] == ids["farm"]
    assert veg[0]["quantity"] == pytest.approx(200.0, rel=1e-3)


def _messages(s: Served, plan_id: int, person: str | None = "bob", **params) -> list[dict]:
    r = s.client.get(f"/api/plans/{plan_id}/messages", params=params, headers=s.auth(person))
    assert r.status_code == 200, r.text
    return r.json()


def test_messages_are_audited_by_member_councils_and_hidden_from_outsiders(
    round_any: Served,
) -> None:
    s, ids = round_any, round_any.world.ids
    plan = start_round(s)
    protocol = plan["result"]["protocol"]
    first = s.client.get(f"/api/plans/{plan['id']}/messages", headers=s.auth("bob"))
    total = int(first.headers["X-Total-Count"])
    stored = [m for m in first.json() if m["seq"] is None]
    summary = [m for m in stored if m["kind"] == "summary"]
    assert len(summary) == 1
    assert summary[0]["count"] == protocol["messages"] > 0
    assert summary[0]["size"] == protocol["bytes"] > 0
    # the whole log: every message the protocol counted, a page at a time
    assert total == len(stored) + protocol["messages"]
    pages = [_messages(s, plan["id"], offset=o, limit=500) for o in range(0, total, 500)]
    rows = [m for page in pages for m in page]
    logged = [m for m in rows if m["seq"] is not None]
    assert len(rows) == total and len(logged) == protocol["messages"]
    assert [m["seq"] for m in logged] == list(range(len(logged)))
    kinds = {m["kind"] for m in logged}
    assert {"offer", "order", "allocation", "agreement", "report", "stop"} <= kinds
    order = next(m for m in logged if m["kind"] == "order" and m["good"] == "vegetables")
    assert order["unit"] and order["quantity"] > 0 and order["body"]["seller"] == order["receiver"]
    offer = next(m for m in logged if m["kind"] == "offer")
    assert offer["receiver"] == "board" and offer["price"] is not None
    # a page: its rows are the same as in the whole list
    assert _messages(s, plan["id"], offset=3, limit=4) == rows[3:7]
    # filters: a round and a kind; a council's own messages (sent, received, on its board)
    orders = _messages(s, plan["id"], kind="order", round=order["round"], limit=500)
    assert order in orders and all(m["round"] == order["round"] for m in orders)
    assert {m["kind"] for m in orders} == {"order"}
    farm = _messages(s, plan["id"], "gus", council_id=ids["farm"], limit=500)
    assert {"agreement", "summary", "offer", "order", "allocation"} <= {m["kind"] for m in farm}
    assert len(farm) < total
    for m in farm:
        if m["receiver"] == "board":
            assert m["good"] == "vegetables", m
        elif m["kind"] != "summary":
            assert "South Farm" in (m["sender"], m["receiver"]), m
    for person in ("dave", "erin", None):
        r = s.client.get(f"/api/plans/{plan['id']}/messages", headers=s.auth(person))
        assert r.status_code in (401, 403), (person, r.status_code)
    for bad, field in (({"kind": "gossip"}, "kind"), ({"offset": -1}, "offset")):
        r = s.client.get(f"/api/plans/{plan['id']}/messages", params=bad, headers=s.auth("bob"))
        assert r.status_code == 422 and field in r.text, r.text


def test_the_log_is_kept_compressed_with_its_sha256(round_any: Served, db_url: str) -> None:
    s = round_any
    plan = start_round(s)
    engine = make_engine(db_url)
    try:
        with transaction(session_factory(engine)) as session:
            row = session.get(ProtocolLog, plan["id"])
            assert row is not None and row.messages == plan["result"]["protocol"]["messages"]
            payload = zlib.decompress(row.data)
            assert hashlib.sha256(payload).hexdigest() == row.sha256
            assert row.wire_bytes == plan["result"]["protocol"]["bytes"]
            assert len(row.data) < row.wire_bytes
            row.data = zlib.compress(payload[:-1] + bytes([payload[-1] ^ 1]))
    finally:
        engine.dispose()
    r = s.client.get(f"/api/plans/{plan['id']}/messages", headers=s.auth("bob"))
    assert r.status_code == 409 and "sha256" in r.text


def test_a_refusal_replans_without_it_and_the_federation_adopts(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    plan = start_round(s)
    made = _agreements(s, plan["id"])
    soup = next(a for a in made if a["good"] == "soup")
    veg = next(a for a in made if a["good"] == "vegetables")
    for council, person in ((ids["bakery"], "carol"), (ids["riverside"], "fran")):
        r = s.client.post(
            f"/api/agreements/{soup['id']}/accept",
            json={"council_id": council},
            headers=s.auth(person),
        )
        assert r.status_code == 200, r.text
    # adoption waits until the refused agreement is re-planned
    r = s.client.post(
        f"/api/agreements/{veg['id']}/refuse",
        json={"council_id": ids["farm"], "reason": "our fields lie fallow this year"},
        headers=s.auth("gus"),
    )
    assert r.status_code == 201, r.text
    again = s.client.post(
        f"/api/agreements/{veg['id']}/refuse",
        json={"council_id": ids["farm"]},
        headers=s.auth("gus"),
    )
    assert again.status_code == 409
    assert (
        s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("bob")).status_code == 403
    )
    r = s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("alice"))
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["result"]["round"]["replaces"] == plan["id"]
    assert new["result"]["round"]["refusals"][0]["supplier"] == "South Farm"
    after = _agreements(s, new["id"])
    assert all(a["supplier_council_id"] != ids["farm"] for a in after)
    assert new["result"]["activity"]["bakery garden"] == pytest.approx(200.0, rel=1e-3)
    kept = next(a for a in after if a["good"] == "soup")
    assert kept["status"] == "accepted"  # the same soup agreement keeps both consents
    # the farm's members are told the plan changed
    inbox = s.client.get("/api/inbox", headers=s.auth("gus"))
    assert inbox.status_code == 200, inbox.text
    assert any("re-planned" in n["text"] for n in inbox.json()["notices"])
    # the old plan is closed to a second re-plan
    assert (
        s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("alice")).status_code == 409
    )
    adopt = s.client.post(
        f"/api/councils/{ids['valley']}/proposals",
        json={"kind": "adopt_plan", "title": "Adopt the round", "payload": {"plan_id": new["id"]}},
        headers=s.auth("alice"),
    )
    assert adopt.status_code == 201, adopt.text
    pid = adopt.json()["id"]
    assert s.client.post(f"/api/proposals/{pid}/open", headers=s.auth("alice")).status_code == 200
    for person in ("alice", "carol"):
        r = s.client.put(
            f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth(person)
        )
        assert r.status_code in (200, 201), r.text
    r = s.client.post(f"/api/proposals/{pid}/close", headers=s.auth("alice"))
    assert r.status_code == 200, r.text
    adopted = s.client.get(f"/api/plans/{new['id']}", headers=s.auth("alice")).json()
    assert adopted["status"] == "adopted"
    assert len(_agreements(s, new["id"])) == len(after)  # no pro-rata agreements added


def test_a_draw_on_a_councils_stock_is_its_agreement_to_refuse(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    engine = make_engine(s.url)
    try:
        with transaction(session_factory(engine)) as db:
            good = db.scalar(select(Good.id).where(Good.name == "vegetables"))
            cellar = inventory.create_resource(
                db, name="Root cellar", kind="consumer_good", holder_council_id=ids["riverside"],
                unit="kg", good_id=good,
            )  # fmt: skip
            inventory.record(
                db, "produce", resource_id=cellar.id, quantity=50.0,
                actor_id=s.world.people["fran"], mandate="last year's harvest, kept",
            )  # fmt: skip
    finally:
        engine.dispose()
    plan = start_round(s)
    made = _agreements(s, plan["id"])
    veg = {a["supplier_council_id"]: a for a in made if a["good"] == "vegetables"}
    # the plan cooks with Riverside's 50 kg first (no hours): Riverside supplies them
    # by an agreement it can refuse; the farm grows the rest
    assert veg[ids["riverside"]]["receiver_council_id"] == ids["bakery"]
    assert veg[ids["riverside"]]["quantity"] == pytest.approx(50.0, rel=1e-3)
    assert veg[ids["farm"]]["quantity"] == pytest.approx(150.0, rel=1e-3)
    r = s.client.post(
        f"/api/agreements/{veg[ids['riverside']]['id']}/refuse",
        json={"council_id": ids["riverside"], "reason": "the cellar is for the winter"},
        headers=s.auth("fran"),
    )
    assert r.status_code == 201, r.text
    r = s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("alice"))
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["result"]["round"]["caps"] == {"stock:vegetables": pytest.approx(0.0, abs=1e-6)}
    after = {
        a["supplier_council_id"]: a for a in _agreements(s, new["id"]) if a["good"] == "vegetables"
    }
    assert set(after) == {ids["farm"]}
    assert after[ids["farm"]]["quantity"] == pytest.approx(200.0, rel=1e-3)


def test_production_consumes_inputs_and_plan_against_actual(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    plan = start_round(s)
    # cooking without vegetables is refused and writes nothing
    r = s.client.post(
        f"/api/processes/{ids['cooking']}/production",
        json={"period": NEXT, "activity": 10.0},
        headers=s.auth("carol"),
    )
    assert r.status_code == 409 and "vegetables" in r.json()["detail"]
    assert (
        s.client.post(
            f"/api/processes/{ids['garden']}/production",
            json={"period": NEXT, "activity": 50.0},
            headers=s.auth("bob"),
        ).status_code
        == 403
    )  # not a member of the Bakery
    r = s.client.post(
        f"/api/processes/{ids['garden']}/production",
        json={"period": NEXT, "activity": 50.0},
        headers=s.auth("carol"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["hours"] == pytest.approx(15.0)
    r = s.client.post(
        f"/api/processes/{ids['cooking']}/production",
        json={"period": NEXT, "activity": 20.0},
        headers=s.auth("carol"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["flows"] == {"soup": pytest.approx(20.0), "vegetables": pytest.approx(-40.0)}
    stock = s.client.get(f"/api/councils/{ids['bakery']}/resources", headers=s.auth("carol"))
    assert stock.status_code == 200, stock.text
    held = {x["name"]: x["quantity"] for x in stock.json()}
    assert held["vegetables"] == pytest.approx(10.0) and held["soup"] == pytest.approx(20.0)
    soup = next(a for a in _agreements(s, plan["id"]) if a["good"] == "soup")
    for council, person in ((ids["bakery"], "carol"), (ids["riverside"], "fran")):
        s.client.post(
            f"/api/agreements/{soup['id']}/accept",
            json={"council_id": council},
            headers=s.auth(person),
        )
    r = s.client.post(
        f"/api/agreements/{soup['id']}/deliveries", json={"quantity": 15.0}, headers=s.auth("carol")
    )
    assert r.status_code == 201, r.text
    rows = s.client.get(f"/api/plans/{plan['id']}/actual", headers=s.auth("bob")).json()
    hours = next(x for x in rows if x["what"] == "hours" and x["council"] == "Bakery")
    assert hours["actual"] == pytest.approx(15.0 + 10.0) and hours["unit"] == "hours"
    assert hours["planned"] == pytest.approx(plan["council_hours"]["Bakery"])
    out = next(x for x in rows if x["what"] == "output" and x["good"] == "soup")
    assert (out["planned"], out["actual"]) == (pytest.approx(100.0, rel=1e-3), pytest.approx(20.0))
    sent = next(x for x in rows if x["agreement_id"] == soup["id"])
    assert sent["actual"] == pytest.approx(15.0) and sent["short"] == pytest.approx(
        soup["quantity"] - 15.0
    )
    outsider = s.client.get(f"/api/plans/{plan['id']}/actual", headers=s.auth("dave"))
    assert outsider.status_code == 403


def test_an_unknown_mode_and_an_outsider_are_refused_a_round(round_any: Served) -> None:
    s = round_any
    r = s.client.post(
        f"/api/councils/{s.world.ids['valley']}/plans",
        json={"period": NEXT, "regime": "federated", "mode": "most-leisure"},
        headers=s.auth("alice"),
    )
    assert r.status_code == 422 and "labour-budget" in r.text
    r = s.client.post(
        f"/api/councils/{s.world.ids['valley']}/plans",
        json={"period": NEXT, "regime": "federated"},
        headers=s.auth("bob"),
    )
    assert r.status_code == 403


@pytest.mark.ray
def test_a_round_on_ray_gives_the_inprocess_agreements(
    round_any: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$SOVIETS_FEDERATION_RUNTIME=ray``: the councils' agents run as Ray actors on a
    loopback cluster; the round's agreements are those of the in-process run."""
    if "postgresql" in round_any.url:
        pytest.skip("the runtime does not depend on the database: SQLite is enough")
    pytest.importorskip("ray")
    local = start_round(round_any)
    monkeypatch.setenv("SOVIETS_FEDERATION_RUNTIME", "ray")
    remote = start_round(round_any)
    assert remote["result"]["protocol"]["runtime"] == "ray"
    assert local["result"]["protocol"]["runtime"] == "inprocess"
    assert remote["result"]["agreements"] == local["result"]["agreements"]
    assert remote["result"]["activity"] == local["result"]["activity"]
    # the log of the councils' messages is kept from the Ray actors too
    r = round_any.client.get(f"/api/plans/{remote['id']}/messages", headers=round_any.auth("bob"))
    stored = [m for m in r.json() if m["seq"] is None]
    logged = int(r.headers["X-Total-Count"]) - len(stored)
    assert logged == remote["result"]["protocol"]["messages"] > 0


def test_a_council_refuses_by_rejecting_its_approve_agreement_vote(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    engine = make_engine(s.url)
    with engine.begin() as conn:  # South Farm goes back to the default: agreements by vote
        conn.execute(
            delete(CouncilRule).where(
                CouncilRule.council_id == ids["farm"], CouncilRule.key == "agreement.accept"
            )
        )
    engine.dispose()
    plan = start_round(s)
    veg = next(a for a in _agreements(s, plan["id"]) if a["good"] == "vegetables")
    alone = s.client.post(
        f"/api/agreements/{veg['id']}/refuse",
        json={"council_id": ids["farm"]},
        headers=s.auth("gus"),
    )
    assert alone.status_code == 409 and "vote" in alone.json()["detail"]
    made = s.client.post(
        f"/api/councils/{ids['farm']}/proposals",
        json={
            "kind": "approve_agreement",
            "title": "Grow vegetables for the Bakery",
            "payload": {"agreement_id": veg["id"]},
        },
        headers=s.auth("gus"),
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert s.client.post(f"/api/proposals/{pid}/open", headers=s.auth("gus")).status_code == 200
    r = s.client.put(f"/api/proposals/{pid}/ballot", json={"choice": "no"}, headers=s.auth("gus"))
    assert r.status_code == 200, r.text
    closed = s.client.post(f"/api/proposals/{pid}/close", headers=s.auth("gus")).json()
    assert closed["outcome"] == "rejected"
    r = s.client.post(f"/api/plans/{plan['id']}/replan", headers=s.auth("alice"))
    assert r.status_code == 201, r.text
    refusal = r.json()["result"]["round"]["refusals"][0]
    assert (refusal["council"], refusal["good"]) == ("South Farm", "vegetables")
    assert all(a["supplier_council_id"] != ids["farm"] for a in _agreements(s, r.json()["id"]))
