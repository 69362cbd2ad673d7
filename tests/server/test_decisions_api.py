"""Ending proposals (withdrawn, failed, abandoned), roles and leaving a federation by vote,
and withdrawing needs: through the JSON API on both backends, and through the pages."""

from __future__ import annotations

from typing import Any

from server.conftest import Served
from server.test_api import _problem
from server.test_pages import csrf, sign_in
from server.world import PERIOD


def _decide(s: Served, council: str, proposer: str, voters: list[str], **body: Any) -> dict:
    """Draft, open, ``voters`` vote yes, close: the closed proposal's JSON."""
    c, ids = s.client, s.world.ids
    made = c.post(f"/api/councils/{ids[council]}/proposals", json=body, headers=s.auth(proposer))
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert c.post(f"/api/proposals/{pid}/open", headers=s.auth(proposer)).status_code == 200
    for voter in voters:
        cast = c.put(f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth(voter))
        assert cast.status_code == 200, cast.text
    closed = c.post(f"/api/proposals/{pid}/close", headers=s.auth(proposer))
    assert closed.status_code == 200, closed.text
    return closed.json()


def test_withdraw_a_draft(served_any: Served) -> None:
    s = served_any
    c, draft, river = s.client, s.world.ids["draft"], s.world.ids["riverside"]
    _problem(c.post(f"/api/proposals/{draft}/withdraw", headers=s.auth("fran")), 403)
    done = c.post(f"/api/proposals/{draft}/withdraw", headers=s.auth("bob"))
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("withdrawn", None)
    assert (
        "can no longer be withdrawn"
        in _problem(c.post(f"/api/proposals/{draft}/withdraw", headers=s.auth("bob")), 409)[
            "detail"
        ]
    )
    _problem(c.post(f"/api/proposals/{draft}/open", headers=s.auth("bob")), 409)
    listed = c.get(
        f"/api/councils/{river}/proposals", params={"status": "withdrawn"}, headers=s.auth("alice")
    )
    assert [p["id"] for p in listed.json()] == [draft]
    assert c.get(f"/api/proposals/{draft}/tally", headers=s.auth("alice")).json() == {
        "status": "withdrawn"
    }


def test_a_stuck_proposal_closes_as_failed(served_any: Served) -> None:
    """Accepted but impossible to carry out: it closes as failed, the error kept."""
    s = served_any
    c, stuck, market = s.client, s.world.ids["stuck"], s.world.ids["market"]
    early = _problem(c.post(f"/api/proposals/{market}/close", headers=s.auth("alice")), 409)
    assert "could still change the result" in early["detail"]
    shown = c.get(f"/api/proposals/{stuck}", headers=s.auth("bob")).json()
    assert shown["effect"] == {"resource_id": s.world.ids["bike"], "quantity": 3.0,
                               "to_council_id": s.world.ids["bakery"]}  # fmt: skip
    assert shown["effect_text"] == [
        f"'Riverside' offers 3 bike of 'Cargo bike' (#{s.world.ids['bike']}) (it holds 1 bike) "
        "to 'Bakery'; it moves when that council accepts it by its own vote."
    ]
    failed = c.post(f"/api/proposals/{stuck}/close", headers=s.auth("bob"))  # all have voted
    assert failed.status_code == 200, failed.text
    body = failed.json()
    assert (body["status"], body["outcome"], body["ballots_counted"]) == ("closed", "failed", 3)
    assert "not 3" in body["result"]["failure"]
    assert body["result"]["effect_text"] == shown["effect_text"]
    _problem(c.post(f"/api/proposals/{stuck}/close-as-failed", headers=s.auth("fran")), 404)
    resources = c.get(f"/api/councils/{s.world.ids['riverside']}/resources", headers=s.auth("bob"))
    assert {r["name"]: r["quantity"] for r in resources.json()}["Cargo bike"] == 1


def test_council_abandons_a_proposal_by_vote(served: Served) -> None:
    stuck = served.world.ids["stuck"]
    abandon = _decide(
        served, "riverside", "alice", ["fran", "alice"], title="Drop the bike loan",
        kind="abandon_proposal", payload={"proposal_id": stuck},
    )  # fmt: skip
    assert abandon["outcome"] == "accepted", abandon["result"]
    target = served.client.get(f"/api/proposals/{stuck}", headers=served.auth("bob")).json()
    assert (target["outcome"], target["winner"]) == ("abandoned", None)
    assert target["result"]["abandoned_by"] == abandon["id"]


def test_role_change_by_vote(served_any: Served) -> None:
    s = served_any
    c, bob = s.client, s.world.people["bob"]
    made = _decide(
        s, "riverside", "alice", ["fran", "alice"], title="Bob coordinates too",
        kind="set_role", payload={"person_id": bob, "role": "coordinator"},
    )  # fmt: skip
    assert made["outcome"] == "accepted", made["result"]
    members = c.get(
        f"/api/councils/{s.world.ids['riverside']}/memberships", headers=s.auth("bob")
    ).json()
    assert {m["person_id"]: m["role"] for m in members}[bob] == "coordinator"
    # Now Bob may record inventory events, a coordinator's task.
    event = c.post(
        f"/api/resources/{s.world.ids['bike']}/events",
        json={"action": "use", "quantity": 0, "mandate": "market run"},
        headers=s.auth("bob"),
    )
    assert event.status_code == 201, event.text


def test_council_leaves_the_federation(served_any: Served) -> None:
    s = served_any
    c, ids = s.client, s.world.ids
    # An open federation vote with Alice's ballot on it.
    made = c.post(
        f"/api/councils/{ids['valley']}/proposals", json={"title": "Share the mill"},
        headers=s.auth("carol"),
    )  # fmt: skip
    fed_vote = made.json()["id"]
    c.post(f"/api/proposals/{fed_vote}/open", headers=s.auth("carol"))
    c.put(f"/api/proposals/{fed_vote}/ballot", json={"choice": "yes"}, headers=s.auth("alice"))
    leave = _decide(
        s, "riverside", "fran", ["fran", "bob"], title="Leave the valley",
        kind="leave_federation", payload={"federation_id": ids["valley"]},
    )  # fmt: skip
    assert leave["outcome"] == "accepted", leave["result"]
    delegate = c.get(f"/api/delegates/{ids['alice_delegate']}", headers=s.auth("carol")).json()
    assert (delegate["status"], delegate["ended_by"]) == ("recalled", leave["id"])
    ballots = c.get(f"/api/proposals/{fed_vote}/ballots", headers=s.auth("carol")).json()
    assert ballots[0]["withdrawn_reason"].startswith("recalled: the council left the federation")
    assert (
        c.get(f"/api/councils/{ids['riverside']}/federations", headers=s.auth("bob")).json() == []
    )
    _problem(c.get(f"/api/councils/{ids['valley']}", headers=s.auth("bob")), 403)
    members = c.get(f"/api/councils/{ids['valley']}/member-councils", headers=s.auth("carol"))
    assert [m["name"] for m in members.json()] == ["Bakery"]


def test_withdraw_a_need(served_any: Served) -> None:
    s = served_any
    c, ids = s.client, s.world.ids
    _problem(c.post(f"/api/needs/{ids['proposed_need']}/withdraw", headers=s.auth("alice")), 403)
    _problem(c.post(f"/api/needs/{ids['proposed_need']}/withdraw", headers=s.auth("dave")), 403)
    done = c.post(f"/api/needs/{ids['proposed_need']}/withdraw", headers=s.auth("bob"))
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["quantity"]) == ("withdrawn", 50)
    approved = c.post(f"/api/needs/{ids['need']}/withdraw", headers=s.auth("alice"))
    assert "is approved: only a proposed need" in _problem(approved, 409)["detail"]
    _problem(c.post("/api/needs/99999/withdraw", headers=s.auth("bob")), 404)
    listed = c.get(
        f"/api/councils/{ids['riverside']}/needs", params={"period": PERIOD},
        headers=s.auth("fran"),
    ).json()  # fmt: skip
    assert [n["status"] for n in listed] == ["approved", "approved", "withdrawn"]


# --- pages ------------------------------------------------------------------------------


def test_withdraw_need_button(served: Served) -> None:
    ids = served.world.ids
    home = sign_in(served, "bob")
    page = served.client.get(f"/councils/{ids['riverside']}/needs?period={PERIOD}")
    assert page.text.count('action="/needs/') == 1  # only Bob's proposed need has the button
    assert f'action="/needs/{ids["proposed_need"]}/withdraw"' in page.text
    done = served.client.post(
        f"/needs/{ids['proposed_need']}/withdraw", data={"csrf_token": csrf(home.text)}
    )
    assert done.status_code == 200 and "Your need is withdrawn." in done.text
    assert 'action="/needs/' not in done.text
    no_token = served.client.post(f"/needs/{ids['need']}/withdraw", data={})
    assert no_token.status_code == 403


def test_withdraw_and_close_buttons(served: Served) -> None:
    ids = served.world.ids
    home = sign_in(served, "bob")
    token = csrf(home.text)
    draft = served.client.get(f"/proposals/{ids['draft']}")
    assert "Withdraw this proposal" in draft.text
    market = served.client.get(f"/proposals/{ids['market']}").text
    assert "Close voting and count" not in market  # nobody decides when a vote closes
    assert "Voting closes" in market and "What it will do if accepted" in market
    done = served.client.post(f"/proposals/{ids['draft']}/withdraw", data={"csrf_token": token})
    assert done.status_code == 200 and "The draft is withdrawn." in done.text
    assert "Withdrawn " in done.text and "Withdraw this proposal" not in done.text
    stuck = served.client.get(f"/proposals/{ids['stuck']}")
    assert "Close as failed" not in stuck.text
    assert "every elector has voted" in stuck.text  # so the result is settled: it may close
    assert "offers 3 bike of &#39;Cargo bike&#39;" in stuck.text
    closed = served.client.post(f"/proposals/{ids['stuck']}/close", data={"csrf_token": token})
    assert closed.status_code == 200
    assert "Failed</strong>" in closed.text and "not 3" in closed.text


def test_new_proposal_form_offers_the_new_kinds(served: Served) -> None:
    ids = served.world.ids
    home = sign_in(served, "alice")
    form = served.client.get(f"/councils/{ids['riverside']}/proposals/new?abandon={ids['stuck']}")
    for kind in ("abandon_proposal", "set_role", "leave_federation"):
        assert f"?kind={kind}" in form.text
    assert f"Abandon proposal #{ids['stuck']} Lend three cargo bikes" in form.text
    made = served.client.post(
        f"/councils/{ids['riverside']}/proposals/new",
        data={
            "csrf_token": csrf(home.text), "title": "Bob coordinates too", "kind": "set_role",
            "payload.person_id": str(served.world.people["bob"]), "payload.role": "coordinator",
        },
    )  # fmt: skip
    assert made.status_code == 200 and "The proposal is made." in made.text
    missing = served.client.post(
        f"/councils/{ids['riverside']}/proposals/new",
        data={"csrf_token": csrf(home.text), "title": "Leave", "kind": "leave_federation"},
    )
    assert missing.status_code == 422 and "choose the federation" in missing.text


def test_federation_result_shows_both_counts(served: Served) -> None:
    ids = served.world.ids
    sign_in(served, "alice")
    page = served.client.get(f"/proposals/{ids['adopt']}").text
    assert "counted by councils and members (both needed)" in page
    assert "By members represented" in page
    body = served.client.get(f"/api/proposals/{ids['adopt']}", headers=served.auth("alice")).json()
    assert body["weighting"] == "double"
    assert body["result"]["members"]["electorate"] == body["electorate_members"] > 0
    assert body["effect_text"][0].startswith(f"Plan #{ids['plan']} for period ")
