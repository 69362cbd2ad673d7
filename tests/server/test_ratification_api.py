"""The ratification API: what a member of the federation reads, what an outsider is
refused, and an adaptation outside the bounds refused with the field named."""

from __future__ import annotations

from server.conftest import Served
from server.world import add_ratification


def test_ratification_read_and_adapted_through_the_api(served: Served) -> None:
    s, c = served, served.client
    add_ratification(s.url, s.world)
    ids = s.world.ids
    decision = ids["ratified"]
    listed = c.get(f"/api/councils/{ids['valley']}/ratifications", headers=s.auth("bob"))
    assert listed.status_code == 200, listed.text
    (one,) = listed.json()
    assert (one["decision_id"], one["status"]) == (decision, "awaiting")
    assert [(x["council"], x["members"], x["answer"]) for x in one["seats"]] == [
        ("Riverside", 3, None),
        ("Bakery", 1, None),
    ]
    assert one["bounds"] == {"flour_type": "one of wholemeal, white"}
    for outsider in ("dave", "erin"):
        refused = c.get(f"/api/proposals/{decision}/ratification", headers=s.auth(outsider))
        assert refused.status_code == 403, outsider
    mine = c.get(f"/api/councils/{ids['hilltop']}/ratifications", headers=s.auth("dave"))
    assert mine.json() == []  # Hilltop is asked to ratify nothing

    body = {
        "kind": "adapt_decision",
        "title": "Rye for us",
        "payload": {"decision_id": decision, "values": {"flour_type": "rye"}},
    }
    out = c.post(f"/api/councils/{ids['bakery']}/proposals", json=body, headers=s.auth("carol"))
    assert out.status_code == 422
    (error,) = out.json()["errors"]
    assert error["field"] == "payload.values.flour_type"
    assert "not allowed for flour_type: one of wholemeal, white" in error["message"]
    body["payload"]["values"] = {"flour_type": "wholemeal"}  # type: ignore[index]
    made = c.post(f"/api/councils/{ids['bakery']}/proposals", json=body, headers=s.auth("carol"))
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert c.post(f"/api/proposals/{pid}/open", headers=s.auth("carol")).status_code == 200
    c.put(f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth("carol"))
    assert c.post(f"/api/proposals/{pid}/close", headers=s.auth("carol")).json()["outcome"] == (
        "accepted"
    )
    again = c.get(f"/api/proposals/{decision}/ratification", headers=s.auth("alice")).json()
    assert [(a["council"], a["field"], a["value"]) for a in again["adaptations"]] == [
        ("Bakery", "flour_type", "wholemeal")
    ]
