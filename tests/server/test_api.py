"""The JSON API over HTTP (in-process): sign-in, tokens, problem details, and each area's flow."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from server.conftest import Served
from server.world import PASSWORD, PERIOD
from soviets.ledger.models import ApiToken, Person
from soviets.server import auth

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def _sign_in(served: Served, person: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return served.client.post(
        "/api/tokens", json={"email": served.world.email(person), "password": password}
    )


# --- sign-in and tokens -------------------------------------------------------------------


def test_token_sign_in_use_and_revoke(served_any: Served) -> None:
    """A token from e-mail and password works until its owner revokes it (both backends)."""
    c = served_any.client
    made = _sign_in(served_any, "bob")
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/members/me", headers=headers).json()["name"] == "Bob Lindqvist"
    assert c.delete(f"/api/tokens/{made.json()['id']}", headers=headers).status_code == 204
    refused = c.get("/api/members/me", headers=headers)
    _problem(refused, 401)
    assert refused.headers["www-authenticate"] == "Bearer"


def test_secrets_are_stored_hashed(served: Served) -> None:
    """Passwords as argon2id hashes; tokens only as SHA-256 digests."""
    token = _sign_in(served, "erin").json()["token"]
    engine = create_engine(served.url)
    with engine.connect() as conn:
        stored = conn.execute(select(ApiToken.token_hash)).scalars().all()
        hashes = conn.execute(select(Person.password_hash)).scalars().all()
    engine.dispose()
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored
    assert all(h.startswith("$argon2id$") for h in hashes)


def test_wrong_password_and_unknown_account_read_the_same(served: Served) -> None:
    wrong = _problem(_sign_in(served, "bob", "not the password"), 401)
    served.world.people["nobody"] = 0
    unknown = _problem(_sign_in(served, "nobody"), 401)
    assert wrong["detail"] == unknown["detail"]


def test_sign_in_rate_limited_per_account(served: Served) -> None:
    """After five failures the account waits before its next check, even for the right password."""
    for _ in range(auth.ACCOUNT_LIMIT):
        _problem(_sign_in(served, "bob", "guess"), 401)
    locked = _problem(_sign_in(served, "bob"), 429)
    assert "try again in" in locked["detail"]
    assert int(served.client.post("/api/tokens", json={}).status_code) == 422
    # Another account from the same address is not locked by bob's failures.
    assert _sign_in(served, "alice").status_code == 201


def test_sign_in_rate_limited_per_address(served: Served) -> None:
    """Twenty failures from one address, spread over accounts, make that address wait."""
    people = ["alice", "bob", "carol", "dave", "erin"]
    for i in range(auth.CLIENT_LIMIT):
        _problem(_sign_in(served, people[i % len(people)], "guess"), 401)
    response = served.client.post(
        "/api/tokens", json={"email": "fran@example.org", "password": PASSWORD}
    )
    _problem(response, 429)
    assert 0 < int(response.headers["retry-after"]) <= auth.LONGEST_WAIT.total_seconds()


# --- problem details ------------------------------------------------------------------------


def test_validation_errors_are_problems_naming_the_field(served: Served) -> None:
    body = _problem(
        served.client.post(
            f"/api/councils/{served.world.ids['riverside']}/needs",
            json={"period": PERIOD, "good": "bread", "quantity": -3},
            headers=served.auth("bob"),
        ),
        422,
    )
    assert body["errors"][0]["field"] == "quantity"
    _problem(served.client.get("/api/no-such-thing", headers=served.auth("bob")), 404)
    _problem(served.client.get("/api/councils/0", headers=served.auth("bob")), 422)


def test_unexpected_errors_answer_500_without_a_traceback(served: Served, caplog) -> None:  # type: ignore[no-untyped-def]
    app = served.client.app

    @app.get("/api/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("secret internals")

    with caplog.at_level("ERROR", logger="soviets.server"):
        response = served.client.get("/api/boom")
    body = _problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert body["detail"] == "An unexpected error occurred; it has been logged."
    assert "secret internals" in caplog.text  # the server's log keeps the cause


def test_database_conflict_is_409(served: Served) -> None:
    """Refused by the database (unique name) or the rules: 409 problem, never 500."""
    first = served.client.post(
        "/api/councils",
        json={"name": "Riverside", "kind": "territorial"},
        headers=served.auth("erin"),
    )
    _problem(first, 409)


# --- votes ----------------------------------------------------------------------------------


def test_vote_change_live_tally_and_result(served_any: Served) -> None:
    """Open ballot: live tally while open, ballots changeable, the last counts (both backends)."""
    s, market = served_any, served_any.world.ids["market"]
    c = s.client
    for person, choice in (("bob", "yes"), ("alice", "no"), ("fran", "yes")):
        r = c.put(
            f"/api/proposals/{market}/ballot", json={"choice": choice}, headers=s.auth(person)
        )
        assert r.status_code == 200, r.text
    live = c.get(f"/api/proposals/{market}/tally", headers=s.auth("bob")).json()
    assert live["status"] == "open"
    assert live["tally"]["tallies"] == {"yes": 2, "no": 1, "abstain": 0}
    changed = c.put(
        f"/api/proposals/{market}/ballot", json={"choice": "yes"}, headers=s.auth("alice")
    )
    assert changed.json()["revision"] == 2
    assert c.get(f"/api/proposals/{market}/ballot", headers=s.auth("alice")).json() == {
        "proposal_id": market,
        "voted": True,
        "ballot": "yes",
    }
    closed = c.post(f"/api/proposals/{market}/close", headers=s.auth("bob")).json()
    assert closed["status"] == "closed" and closed["outcome"] == "accepted"
    assert closed["result"]["tally"]["tallies"] == {"yes": 3, "no": 0, "abstain": 0}
    people = s.world.people  # who voted what: in the closed proposal's chain record
    assert closed["result"]["voters"] == sorted(
        [people[p], "yes"] for p in ("bob", "alice", "fran")
    )
    late = c.put(f"/api/proposals/{market}/ballot", json={"choice": "no"}, headers=s.auth("bob"))
    _problem(late, 409)


def test_ranked_choice_by_schulze(served: Served) -> None:
    park, c = served.world.ids["park"], served.client
    ballots = {"fran": "River Park>Oak Park>Sun Park", "alice": "Oak Park>River Park>Sun Park"}
    ballots["bob"] = "River Park>Sun Park>Oak Park"
    for person, ranking in ballots.items():
        r = c.put(
            f"/api/proposals/{park}/ballot", json={"choice": ranking}, headers=served.auth(person)
        )
        assert r.status_code == 200, r.text
    result = c.post(f"/api/proposals/{park}/close", headers=served.auth("fran")).json()
    assert result["winner"] == "River Park"
    assert result["result"]["tally"]["order"][0] == "River Park"
    bad = c.put(
        f"/api/proposals/{park}/ballot", json={"choice": "Elm Park"}, headers=served.auth("bob")
    )
    _problem(bad, 409)  # closed by now: the state is checked before the ballot


def test_secret_ballot_shows_turnout_only(served: Served) -> None:
    c, river = served.client, served.world.ids["riverside"]
    made = c.post(
        f"/api/councils/{river}/proposals",
        json={"title": "Elect the treasurer by secret ballot", "secret": True},
        headers=served.auth("fran"),
    ).json()
    c.post(f"/api/proposals/{made['id']}/open", headers=served.auth("fran"))
    cast = c.put(
        f"/api/proposals/{made['id']}/ballot", json={"choice": "no"}, headers=served.auth("bob")
    )
    receipt = cast.json()["receipt"]
    assert receipt
    tally = c.get(f"/api/proposals/{made['id']}/tally", headers=served.auth("alice")).json()
    assert tally == {"status": "open", "electorate": 3, "ballots": 1}
    listed = c.get(f"/api/proposals/{made['id']}/ballots", headers=served.auth("alice")).json()
    assert listed[0]["ballot"] is None
    again = c.put(
        f"/api/proposals/{made['id']}/ballot",
        json={"choice": "yes", "receipt": receipt},
        headers=served.auth("bob"),
    )
    assert again.status_code == 200, again.text


def test_delegate_votes_in_the_federation_members_do_not(served: Served) -> None:
    c, valley = served.client, served.world.ids["valley"]
    made = c.post(
        f"/api/councils/{valley}/proposals",
        json={"title": "Share the mill"},
        headers=served.auth("alice"),
    )
    assert made.status_code == 201, made.text
    refused = c.post(
        f"/api/councils/{valley}/proposals", json={"title": "Me too"}, headers=served.auth("bob")
    )
    _problem(refused, 403)


# --- needs, inventory, agreements, bookings --------------------------------------------------


def test_register_needs(served: Served) -> None:
    c, river = served.client, served.world.ids["riverside"]
    made = c.post(
        f"/api/councils/{river}/needs",
        json={"period": PERIOD, "good": "flour", "quantity": 12.5, "priority": "normal"},
        headers=served.auth("bob"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["person_id"] == served.world.people["bob"]
    listed = c.get(
        f"/api/councils/{river}/needs", params={"period": PERIOD}, headers=served.auth("fran")
    )
    assert [n["good"] for n in listed.json()] == ["bread", "bread", "bread", "flour"]
    unknown = c.post(
        f"/api/councils/{river}/needs",
        json={"period": PERIOD, "good": "caviar", "quantity": 1},
        headers=served.auth("bob"),
    )
    _problem(unknown, 404)


def test_inventory_event_and_verification(served: Served) -> None:
    c, bike = served.client, served.world.ids["bike"]
    event = c.post(
        f"/api/resources/{bike}/events",
        json={"action": "use", "quantity": 0, "mandate": "Saturday market run"},
        headers=served.auth("fran"),
    )
    assert event.status_code == 201, event.text
    history = c.get(f"/api/resources/{bike}/events", headers=served.auth("bob")).json()
    assert [e["action"] for e in history] == ["raise", "use"]
    assert history[1]["prev_hash"] != history[0]["prev_hash"]
    assert c.get("/api/ledger/verify", headers=served.auth("erin")).json()["ok"] is True
    no_authority = c.post(
        f"/api/resources/{bike}/events",
        json={"action": "raise", "quantity": 1},
        headers=served.auth("fran"),
    )
    assert _problem(no_authority, 422)["detail"].startswith("field 'mandate'")


def _decide(s: Served, council: str, voters: list[str], kind: str, payload: dict) -> dict:
    """Draft, open, all ``voters`` vote yes and close a proposal through the API."""
    c, council_id = s.client, s.world.ids[council]
    made = c.post(
        f"/api/councils/{council_id}/proposals",
        json={"title": f"{kind} by vote", "kind": kind, "payload": payload},
        headers=s.auth(voters[0]),
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert c.post(f"/api/proposals/{pid}/open", headers=s.auth(voters[0])).status_code == 200
    for voter in voters:
        ballot = c.put(
            f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth(voter)
        )
        assert ballot.status_code == 200, ballot.text
    closed = c.post(f"/api/proposals/{pid}/close", headers=s.auth(voters[0]))
    assert closed.status_code == 200, closed.text
    return closed.json()


def test_agreement_accepted_by_both_then_delivered(served_any: Served) -> None:
    """Riverside consents by its approve_agreement vote; the Bakery's rules let its
    coordinator consent alone; nobody accepts alone where the rules ask for a vote."""
    s = served_any
    c, agreement, ids = s.client, s.world.ids["agreement"], s.world.ids
    early = c.post(
        f"/api/agreements/{agreement}/deliveries", json={"quantity": 10}, headers=s.auth("carol")
    )
    _problem(early, 409)
    accept = {"council_id": ids["riverside"]}
    alone = c.post(f"/api/agreements/{agreement}/accept", json=accept, headers=s.auth("bob"))
    _problem(alone, 403)
    by_rule = c.post(f"/api/agreements/{agreement}/accept", json=accept, headers=s.auth("fran"))
    assert "agreement.accept = vote" in _problem(by_rule, 409)["detail"]
    vote = _decide(s, "riverside", ["fran", "alice", "bob"], "approve_agreement",
                   {"agreement_id": agreement})  # fmt: skip
    assert vote["outcome"] == "accepted", vote
    rule = _decide(s, "bakery", ["carol"], "change_rules",
                   {"rules": {"agreement.accept": "coordinator"}})  # fmt: skip
    assert rule["outcome"] == "accepted", rule
    r = c.post(
        f"/api/agreements/{agreement}/accept",
        json={"council_id": ids["bakery"]},
        headers=s.auth("carol"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted"
    quantity = r.json()["quantity"]
    delivered = c.post(
        f"/api/agreements/{agreement}/deliveries",
        json={"quantity": quantity},
        headers=s.auth("carol"),
    )
    assert delivered.status_code == 201, delivered.text
    final = c.get(f"/api/agreements/{agreement}", headers=s.auth("bob")).json()
    assert final["status"] == "fulfilled" and final["delivered"] == pytest.approx(quantity)


def test_bookings_refuse_overlaps_and_strangers(served_any: Served) -> None:
    s = served_any
    c, bike = s.client, s.world.ids["bike"]
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    slot = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}
    made = c.post(f"/api/resources/{bike}/bookings", json=slot, headers=s.auth("alice"))
    assert made.status_code == 201, made.text
    overlap = {
        "starts_at": (start + timedelta(hours=1)).isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
    }
    clash = _problem(
        c.post(f"/api/resources/{bike}/bookings", json=overlap, headers=s.auth("fran")), 409
    )
    assert "already booked" in clash["detail"]
    _problem(c.post(f"/api/resources/{bike}/bookings", json=slot, headers=s.auth("dave")), 403)
    _problem(c.delete(f"/api/bookings/{made.json()['id']}", headers=s.auth("fran")), 403)
    assert (
        c.delete(f"/api/bookings/{made.json()['id']}", headers=s.auth("alice")).status_code == 200
    )
    assert (
        c.post(f"/api/resources/{bike}/bookings", json=overlap, headers=s.auth("fran")).status_code
        == 201
    )


def test_plans_visible_to_member_councils_not_outsiders(served: Served) -> None:
    c, plan = served.client, served.world.ids["plan"]
    body = c.get(f"/api/plans/{plan}", headers=served.auth("bob")).json()
    assert body["status"] == "adopted"
    assert body["result"]["objective_hours"] == pytest.approx(body["objective_hours"])
    _problem(c.get(f"/api/plans/{plan}", headers=served.auth("dave")), 403)


def test_openapi_lists_every_resource(served: Served) -> None:
    document = served.client.get("/openapi.json").json()
    tags = {t for ops in document["paths"].values() for op in ops.values() for t in op["tags"]}
    assert tags == {
        "tokens", "accounts", "members", "councils", "memberships", "delegates", "proposals",
        "ballots", "inventory", "needs", "processes", "plans", "agreements", "bookings",
        "assemblies", "briefing", "ratification", "discussion", "rounds",
    }  # fmt: skip
    assert "ProblemOut" in document["components"]["schemas"]


def test_postgres_schema_has_the_auth_tables(served_any: Served) -> None:
    engine = create_engine(served_any.url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM api_tokens")).scalar_one()
    engine.dispose()
    assert count == len(served_any.world.tokens)
