"""Consent over HTTP: the tester's findings replayed, each now refused, and the consenting
way working (founding members confirm; custody needs the receiving council's vote; leaving
ends the vote on open proposals)."""

from __future__ import annotations

from typing import Any

from server.conftest import Served
from server.test_commons import decide
from server.test_pages import csrf, sign_in


def _status(response, status: int) -> Any:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_custody_for_another_council_needs_its_vote(served: Served) -> None:
    """Finding: a transfer-custody event naming another council was accepted (201)."""
    s, c = served, served.client
    store, river = s.world.ids["bread_store"], s.world.ids["riverside"]
    lend = {"action": "transfer-custody", "quantity": 0, "mandate": "lent", "to_council_id": river}
    url = f"/api/resources/{store}/events"
    detail = _status(c.post(url, json=lend, headers=s.auth("carol")), 403)["detail"]
    assert "Riverside" in detail and "consent" in detail
    consent = decide(
        s, "riverside", ["fran", "alice", "bob"], "accept_custody", {"resource_id": store}
    )
    assert consent["outcome"] == "accepted"
    made = _status(
        c.post(url, json={**lend, "proposal_id": consent["id"]}, headers=s.auth("carol")), 201
    )
    assert made["to_council_id"] == river


def test_a_leaver_cannot_change_their_ballot(served: Served) -> None:
    """Finding: a member who had left changed their ballot on the council's open vote (200)."""
    s, c = served, served.client
    ballot = f"/api/proposals/{s.world.ids['market']}/ballot"
    _status(c.put(ballot, json={"choice": "no"}, headers=s.auth("bob")), 200)
    leave = f"/api/councils/{s.world.ids['riverside']}/memberships/me"
    _status(c.delete(leave, headers=s.auth("bob")), 200)
    refused = _status(c.put(ballot, json={"choice": "yes"}, headers=s.auth("bob")), 403)
    assert "left the council" in refused["detail"]


def test_founding_members_join_only_by_confirming(served: Served) -> None:
    """Finding: a founder added 37 people as founding members without their consent."""
    s, c = served, served.client
    commons, erin = s.world.ids["commons"], s.world.people["erin"]
    members = f"/api/councils/{commons}/memberships"
    assert erin not in {
        m["person_id"] for m in _status(c.get(members, headers=s.auth("dave")), 200)
    }
    _status(c.get(f"/api/members/{erin}", headers=s.auth("dave")), 403)
    (shown,) = _status(c.get("/api/members/me/founding-invitations", headers=s.auth("erin")), 200)
    assert (shown["council_name"], shown["inviter"]) == ("Commons Workshop", "Dave Sato")
    confirm = f"/api/councils/{commons}/founding-invitation/confirm"
    _status(c.post(confirm, headers=s.auth("bob")), 404)  # only the invitee confirms
    _status(c.post(confirm, headers=s.auth("erin")), 201)
    assert erin in {m["person_id"] for m in _status(c.get(members, headers=s.auth("dave")), 200)}
    assert _status(c.get(f"/api/members/{erin}", headers=s.auth("dave")), 200)["id"] == erin


def test_the_account_page_offers_confirming(served: Served) -> None:
    s, c = served, served.client
    commons = s.world.ids["commons"]
    sign_in(s, "erin")
    page = c.get("/account")
    assert "Found Commons Workshop?" in page.text and "Dave Sato named you" in page.text
    done = c.post(
        f"/account/founding/{commons}/confirm",
        data={"csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, f"/councils/{commons}")
    assert "Found Commons" not in c.get("/account").text
    assert c.get(f"/councils/{commons}").status_code == 200
