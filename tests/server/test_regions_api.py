"""Placing a council in a region through the API and the web form: the region's
``admit_to_region`` vote and the council's ``join_region`` vote, nothing less (the
rules themselves: tests/governance/test_region_consent.py)."""

from __future__ import annotations

from typing import Any

from server.conftest import Served
from server.test_pages import sign_in
from server.test_webforms import _post, switch


def _decided(s: Served, council: int, who: str, voters: list[str], kind: str, payload: Any) -> int:
    """Draft, open, everyone in ``voters`` votes yes, close; the accepted proposal's id."""
    c = s.client
    body = {"kind": kind, "title": kind, "payload": payload}
    made = c.post(f"/api/councils/{council}/proposals", json=body, headers=s.auth(who))
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert c.post(f"/api/proposals/{pid}/open", headers=s.auth(who)).status_code == 200
    for voter in voters:
        cast = c.put(f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth(voter))
        assert cast.status_code == 200, cast.text
    closed = c.post(f"/api/proposals/{pid}/close", headers=s.auth(who)).json()
    assert closed["outcome"] == "accepted", closed
    return int(pid)


def test_region_by_both_votes_through_the_api(served_any: Served) -> None:
    s, c = served_any, served_any.client
    ids = s.world.ids
    river, bakery = ids["riverside"], ids["bakery"]
    # The coordinator's direct placement is gone.
    put = c.put(
        f"/api/councils/{bakery}/region", json={"region_id": river}, headers=s.auth("carol")
    )
    assert put.status_code in (404, 405)
    admit = {"kind": "admit_to_region", "title": "x", "payload": {"council_id": bakery}}
    for outsider in ("dave", "erin", "carol"):  # no vote in Riverside
        refused = c.post(f"/api/councils/{river}/proposals", json=admit, headers=s.auth(outsider))
        assert refused.status_code == 403, outsider
    alone = {"kind": "join_region", "title": "x", "payload": {"admission_id": 999_999}}
    refused = c.post(f"/api/councils/{bakery}/proposals", json=alone, headers=s.auth("carol"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "payload.admission_id"

    admission = _decided(s, river, "fran", ["fran", "alice", "bob"], "admit_to_region",
                         {"council_id": bakery})  # fmt: skip
    shown = c.get(f"/api/proposals/{admission}", headers=s.auth("bob")).json()
    assert "join_region" in " ".join(shown["effect_text"])
    assert c.get(f"/api/councils/{bakery}", headers=s.auth("carol")).json()["parent_id"] is None
    _decided(s, bakery, "carol", ["carol"], "join_region", {"admission_id": admission})
    assert c.get(f"/api/councils/{bakery}", headers=s.auth("carol")).json()["parent_id"] == river
    again = {"kind": "join_region", "title": "x", "payload": {"admission_id": admission}}
    taken = c.post(f"/api/councils/{bakery}/proposals", json=again, headers=s.auth("carol"))
    assert taken.status_code == 409 and "already taken" in taken.text


def test_region_forms_offer_only_what_can_be_chosen(served: Served) -> None:
    ids = served.world.ids
    sign_in(served, "fran")
    page = served.client.get(f"/councils/{ids['riverside']}/proposals/new?kind=admit_to_region")
    assert f'<option value="{ids["bakery"]}">Bakery (workplace)' in page.text
    assert "Hilltop" not in page.text.split("Council admitted")[1].split("</select>")[0]
    made = _post(served, "riverside", {"title": "Admit the Bakery", "kind": "admit_to_region",
                                       "payload.council_id": str(ids["bakery"])})  # fmt: skip
    assert made.status_code == 303, made.text[-600:]
    # Once the region's vote admits the Bakery, the Bakery's form offers that admission.
    admission = _decided(served, ids["riverside"], "fran", ["fran", "alice", "bob"],
                         "admit_to_region", {"council_id": ids["bakery"]})  # fmt: skip
    switch(served, "carol")
    page = served.client.get(f"/councils/{ids['bakery']}/proposals/new?kind=join_region")
    assert f'<option value="{admission}">#{admission}: Riverside' in page.text
