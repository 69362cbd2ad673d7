"""Every API endpoint x every role: who is let through and who is refused.

The table below is the specification. A cell is *refused* when the answer is
401, 403 or 404 (signed out: exactly 401) and *let through* otherwise (2xx,
or a 409/422 from the council's rules, which are checked only after the
permission). The test fails on any unexpected allow and any unexpected
refusal, and on any API route missing from the table.

Roles (see :mod:`server.world`): ``signed_out``; ``nonmember`` (in no
council); ``other`` (member of Hilltop, outside the federation); ``sibling``
(member and delegate of the Bakery, the other council of the Valley
federation); ``member``, ``delegate`` and ``coordinator`` of Riverside.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.conftest import client_for, copy_world, restore_copy
from server.live import free_port
from server.world import PASSWORD, PERIOD, ROLE_PERSON, World, add_ratification
from soviets.server.mail import MailSettings

ROLES = ("signed_out", "nonmember", "other", "sibling", "member", "delegate", "coordinator")
SIGNED_IN = frozenset(ROLES) - {"signed_out"}
RIVERSIDE = frozenset({"member", "delegate", "coordinator"})
"""Those who may read Riverside: its members."""
VALLEY = RIVERSIDE | {"sibling"}
"""Those who may read the Valley federation: the members of its member councils."""
DENIED = (401, 403, 404)
MAIL = MailSettings(host="127.0.0.1", port=free_port(), starttls=False)
"""A mail server that is not there: reset mails fail (logged), the answers stay the same."""

Body = Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Row:
    """One endpoint on one target: the roles that must get through."""

    method: str
    route: str
    allowed: frozenset[str]
    body: Body = None
    fill: dict[str, str] = field(default_factory=dict)

    def url(self, world: World) -> str:
        """The route with its ids filled in from the world (``{x}`` -> ``world.ids[fill[x]]``)."""
        values = {k: _lookup(world, v) for k, v in self.fill.items()}
        return "/api" + self.route.format(**values)


def _lookup(world: World, key: str) -> int:
    if key.startswith("person:"):
        return world.people[key.split(":", 1)[1]]
    return world.ids[key]


def _later(days: int) -> tuple[str, str]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(hour=10, minute=0, second=0)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def _booking(w: World) -> dict[str, Any]:
    starts, ends = _later(30)
    return {"starts_at": starts, "ends_at": ends}


def _assembly(w: World) -> dict[str, Any]:
    return {"title": "Spring assembly", "starts_at": _later(20)[0], "place": "the hall"}


C, P, R, A = "council_id", "proposal_id", "resource_id", "assembly_id"
OFFICERS = frozenset({"member", "coordinator"})
"""Who may change Riverside's assembly: Bob, who called it, and a coordinator."""
TABLE: tuple[Row, ...] = (
    # tokens and members
    Row("POST", "/tokens", frozenset(ROLES),
        lambda w: {"email": w.email("bob"), "password": PASSWORD}),
    Row("GET", "/tokens", SIGNED_IN),
    Row("DELETE", "/tokens/{token_id}", frozenset({"member"}), fill={"token_id": "bob_token"}),
    Row("GET", "/members/me", SIGNED_IN),
    Row("POST", "/members/me/password", SIGNED_IN,
        lambda w: {"old_password": PASSWORD, "new_password": "a much longer secret"}),
    Row("POST", "/members/me/sign-out-everywhere", SIGNED_IN),
    # accounts: invitations, sign-up, password resets (the last three need no sign-in)
    Row("POST", "/councils/{council_id}/invitations", frozenset({"coordinator"}),
        lambda w: {"email": "friend@example.org"}, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/invitations", frozenset({"other"}), fill={C: "hilltop"},
        body=lambda w: {}),
    Row("GET", "/councils/{council_id}/invitations", RIVERSIDE, fill={C: "riverside"}),
    Row("DELETE", "/invitations/{invitation_id}", frozenset({"coordinator"}),
        fill={"invitation_id": "invitation"}),
    Row("POST", "/invitations/accept", SIGNED_IN, lambda w: {"token": w.links["invitation"]}),
    Row("POST", "/invitations/decline", SIGNED_IN, lambda w: {"token": w.links["invitation"]}),
    Row("POST", "/accounts", frozenset(ROLES),
        lambda w: {"token": w.links["invitation"], "name": "Nia Okoro",
                   "email": "nia@example.org", "password": "a long enough secret"}),
    Row("POST", "/password-resets", frozenset(ROLES), lambda w: {"email": w.email("bob")}),
    Row("POST", "/password-resets/confirm", frozenset(ROLES),
        lambda w: {"token": w.links["reset"], "new_password": "a long enough secret"}),
    Row("POST", "/sign-in-links", frozenset(ROLES), lambda w: {"email": w.email("bob")}),
    Row("POST", "/sign-in-links/confirm", frozenset(ROLES),
        lambda w: {"token": w.links["sign_in"]}),
    Row("GET", "/members/me/councils", SIGNED_IN),
    Row("GET", "/members/{person_id}", RIVERSIDE, fill={"person_id": "person:bob"}),
    # Dave belongs to the public Commons workshop, but a public council is no shared
    # council: only those in a council with him (nobody here but himself) see his name.
    Row("GET", "/members/{person_id}", frozenset({"other"}), fill={"person_id": "person:dave"}),
    Row("GET", "/members/{person_id}", frozenset({"sibling"}), fill={"person_id": "person:carol"}),
    # councils
    Row("GET", "/councils", SIGNED_IN),
    Row("POST", "/councils", SIGNED_IN, lambda w: {"name": "Tool library", "kind": "workplace"}),
    Row("POST", "/federations", frozenset({"coordinator"}),
        lambda w: {"name": "River league", "member_council_ids": [w.ids["riverside"]]}),
    Row("GET", "/councils/{council_id}", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}", VALLEY, fill={C: "valley"}),
    Row("GET", "/councils/{council_id}", frozenset({"other"}), fill={C: "hilltop"}),
    Row("GET", "/councils/{council_id}", SIGNED_IN, fill={C: "commons"}),
    Row("GET", "/councils/{council_id}/federations", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/member-councils", VALLEY, fill={C: "valley"}),
    Row("GET", "/councils/{council_id}/rules", RIVERSIDE, fill={C: "riverside"}),
    # memberships
    Row("GET", "/councils/{council_id}/memberships", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/memberships", SIGNED_IN, fill={C: "commons"}),
    Row("POST", "/councils/{council_id}/applications", RIVERSIDE, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/applications", SIGNED_IN, fill={C: "commons"}),
    Row("DELETE", "/councils/{council_id}/memberships/me", RIVERSIDE, fill={C: "riverside"}),
    # founding invitations: Dave founded the Commons and named Erin, who has not confirmed
    Row("POST", "/councils/{council_id}/founders", frozenset({"other"}),
        lambda w: {"person_id": w.people["bob"]}, fill={C: "commons"}),
    Row("POST", "/councils/{council_id}/founders", frozenset({"coordinator"}),
        lambda w: {"person_id": w.people["erin"]}, fill={C: "riverside"}),
    Row("GET", "/members/me/founding-invitations", SIGNED_IN),
    Row("POST", "/councils/{council_id}/founding-invitation/confirm", frozenset({"nonmember"}),
        fill={C: "commons"}),
    Row("POST", "/councils/{council_id}/founding-invitation/decline", frozenset({"nonmember"}),
        fill={C: "commons"}),
    # delegates
    Row("GET", "/councils/{council_id}/delegates", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/delegates", VALLEY, fill={C: "valley"}),
    Row("GET", "/delegates/{delegate_id}", VALLEY, fill={"delegate_id": "alice_delegate"}),
    Row("GET", "/delegates/{delegate_id}/mandates", VALLEY,
        fill={"delegate_id": "alice_delegate"}),
    # proposals
    Row("GET", "/councils/{council_id}/proposals", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/proposals", VALLEY, fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/proposals", RIVERSIDE,
        lambda w: {"title": "Plant trees"}, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/proposals", frozenset({"delegate", "sibling"}),
        lambda w: {"title": "Share the mill"}, fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/proposals", RIVERSIDE,
        lambda w: {"title": "Bob coordinates", "kind": "set_role",
                   "payload": {"person_id": w.people["bob"], "role": "coordinator"}},
        fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/proposals", RIVERSIDE,
        lambda w: {"title": "Leave the valley", "kind": "leave_federation",
                   "payload": {"federation_id": w.ids["valley"]}}, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/proposals", RIVERSIDE,
        lambda w: {"title": "Drop the bike loan", "kind": "abandon_proposal",
                   "payload": {"proposal_id": w.ids["stuck"]}}, fill={C: "riverside"}),
    # A council's vote to hide a comment: its voters get through to its rule (409 here, as
    # Riverside's discussion.hide is the default, coordinator).
    Row("POST", "/councils/{council_id}/proposals", RIVERSIDE,
        lambda w: {"title": "Hide comment", "kind": "hide_comment",
                   "payload": {"comment_id": w.ids["comment"], "reason": "off topic"}},
        fill={C: "riverside"}),
    Row("GET", "/proposals/{proposal_id}", RIVERSIDE, fill={P: "market"}),
    Row("GET", "/proposals/{proposal_id}", VALLEY, fill={P: "adopt"}),
    Row("PATCH", "/proposals/{proposal_id}", frozenset({"member"}),
        lambda w: {"title": "Buy two cargo bikes"}, fill={P: "draft"}),
    Row("DELETE", "/proposals/{proposal_id}", frozenset({"member"}), fill={P: "draft"}),
    Row("POST", "/proposals/{proposal_id}/open", frozenset({"member", "coordinator"}),
        fill={P: "draft"}),
    # Closing follows the vote's rules, not a role: any reader may ask (409 until settled).
    Row("POST", "/proposals/{proposal_id}/close", RIVERSIDE, fill={P: "market"}),
    Row("POST", "/proposals/{proposal_id}/withdraw", frozenset({"member"}), fill={P: "draft"}),
    Row("GET", "/proposals/{proposal_id}/electorate", RIVERSIDE, fill={P: "market"}),
    # ballots
    Row("PUT", "/proposals/{proposal_id}/ballot", RIVERSIDE, lambda w: {"choice": "yes"},
        fill={P: "market"}),
    Row("PUT", "/proposals/{proposal_id}/ballot", frozenset({"other"}),
        lambda w: {"choice": "no"}, fill={P: "hill_vote"}),
    Row("GET", "/proposals/{proposal_id}/ballot", RIVERSIDE, fill={P: "market"}),
    Row("GET", "/proposals/{proposal_id}/ballots", RIVERSIDE, fill={P: "closed"}),
    Row("GET", "/proposals/{proposal_id}/tally", RIVERSIDE, fill={P: "market"}),
    Row("GET", "/proposals/{proposal_id}/tally", VALLEY, fill={P: "adopt"}),
    # discussion: comments, amendments and alternatives
    Row("GET", "/proposals/{proposal_id}/comments", RIVERSIDE, fill={P: "market"}),
    Row("GET", "/proposals/{proposal_id}/comments", VALLEY, fill={P: "adopt"}),
    Row("POST", "/proposals/{proposal_id}/comments", RIVERSIDE,
        lambda w: {"stance": "against", "body": "Sundays are for rest."}, fill={P: "market"}),
    Row("POST", "/proposals/{proposal_id}/comments", VALLEY,
        lambda w: {"stance": "note", "body": "Flour is in the plan.",
                   "parent_id": w.ids["valley_comment"]}, fill={P: "adopt"}),
    Row("PATCH", "/comments/{comment_id}", frozenset({"member"}),
        lambda w: {"body": "Good for the farms and the bakers."}, fill={"comment_id": "comment"}),
    # The author withdraws; a coordinator hides (the default discussion.hide rule).
    Row("POST", "/comments/{comment_id}/hide", frozenset({"member", "coordinator"}),
        lambda w: {"reason": "off topic"}, fill={"comment_id": "comment"}),
    Row("GET", "/comments/{comment_id}/history", RIVERSIDE, fill={"comment_id": "comment"}),
    Row("GET", "/comments/{comment_id}/history", VALLEY, fill={"comment_id": "valley_comment"}),
    Row("GET", "/proposals/{proposal_id}/amendments", RIVERSIDE, fill={P: "debate"}),
    Row("POST", "/proposals/{proposal_id}/amendments", RIVERSIDE,
        lambda w: {"kind": "alternative", "title": "Nut trees", "body": "Plant walnuts."},
        fill={P: "debate"}),
    Row("POST", "/amendments/{amendment_id}/withdraw", frozenset({"member"}),
        fill={"amendment_id": "amendment"}),
    # inventory
    Row("GET", "/councils/{council_id}/resources", RIVERSIDE, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/resources", frozenset({"coordinator"}),
        lambda w: {"name": "Ladder", "kind": "shared_good"}, fill={C: "riverside"}),
    Row("GET", "/resources/{resource_id}", RIVERSIDE, fill={R: "bike"}),
    Row("GET", "/resources/{resource_id}", frozenset({"sibling"}), fill={R: "bread_store"}),
    Row("GET", "/resources/{resource_id}/events", RIVERSIDE, fill={R: "bike"}),
    Row("POST", "/resources/{resource_id}/events", frozenset({"coordinator"}),
        lambda w: {"action": "use", "quantity": 0, "mandate": "weekly market run"},
        fill={R: "bike"}),
    # Write-downs beyond stock.writedown_limit (default 0): the coordinator gets through to the
    # rule (409), everyone else is refused.
    Row("POST", "/resources/{resource_id}/events", frozenset({"coordinator"}),
        lambda w: {"action": "lower", "quantity": 1, "mandate": "I felt like it"},
        fill={R: "bike"}),
    Row("POST", "/resources/{resource_id}/production", frozenset({"sibling"}),
        lambda w: {"quantity": 40, "note": "Monday's bake"}, fill={R: "bread_store"}),
    Row("GET", "/ledger/verify", SIGNED_IN),
    # needs
    Row("GET", "/periods", SIGNED_IN),
    Row("GET", "/councils/{council_id}/needs?period=" + PERIOD, RIVERSIDE, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/needs", RIVERSIDE,
        lambda w: {"period": PERIOD, "good": "bread", "quantity": 10}, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/periods", frozenset({"delegate", "sibling"}),
        lambda w: {"name": "2040", "starts_on": "2040-01-01", "ends_on": "2040-12-31"},
        fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/periods", frozenset(),
        lambda w: {"name": "2040", "starts_on": "2040-01-01", "ends_on": "2040-12-31"},
        fill={C: "riverside"}),
    Row("POST", "/needs/{need_id}/withdraw", frozenset({"member"}),
        fill={"need_id": "proposed_need"}),
    # Alice's need is approved: she gets through to the rule (409), nobody else at all.
    Row("POST", "/needs/{need_id}/withdraw", frozenset({"delegate"}), fill={"need_id": "need"}),
    # processes
    Row("GET", "/goods", SIGNED_IN),
    Row("GET", "/councils/{council_id}/processes", frozenset({"sibling"}), fill={C: "bakery"}),
    Row("POST", "/councils/{council_id}/processes", frozenset({"sibling"}),
        lambda w: {"name": "rolls", "labour": 0.3, "flows": {"bread": 1, "flour": -0.4}},
        fill={C: "bakery"}),
    Row("PUT", "/processes/{process_id}", frozenset({"sibling"}),
        lambda w: {"labour": 0.01, "flows": {"bread": 1, "flour": -0.5}},
        fill={"process_id": "baking"}),
    # plans
    Row("GET", "/councils/{council_id}/plans", VALLEY, fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/plans", frozenset({"delegate", "sibling"}),
        lambda w: {"period": PERIOD}, fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/plans/multiyear", frozenset({"delegate", "sibling"}),
        lambda w: {"periods": [PERIOD], "objective": "min-hours"}, fill={C: "valley"}),
    Row("POST", "/councils/{council_id}/plans/multiyear", frozenset(),
        lambda w: {"periods": [PERIOD]}, fill={C: "riverside"}),
    Row("GET", "/plans/{plan_id}", VALLEY, fill={"plan_id": "plan"}),
    # the hours-needs frontier (before a set_hours vote)
    Row("GET", "/councils/{council_id}/frontier", VALLEY, fill={C: "valley"}),
    Row("GET", "/councils/{council_id}/frontier", RIVERSIDE, fill={C: "riverside"}),
    # federated rounds (the world's plan is central: 409 once through)
    Row("GET", "/plans/{plan_id}/messages", VALLEY, fill={"plan_id": "plan"}),
    Row("POST", "/plans/{plan_id}/replan", frozenset({"delegate", "sibling"}),
        fill={"plan_id": "plan"}),
    Row("POST", "/plans/{plan_id}/revise", frozenset({"delegate", "sibling"}),
        fill={"plan_id": "plan"}),
    Row("GET", "/plans/{plan_id}/actual", VALLEY, fill={"plan_id": "plan"}),
    Row("POST", "/processes/{process_id}/production", frozenset({"sibling"}),
        lambda w: {"period": PERIOD, "activity": 1.0}, fill={"process_id": "baking"}),
    # agreements
    Row("GET", "/councils/{council_id}/agreements", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/agreements", VALLEY, fill={C: "valley"}),
    Row("GET", "/agreements/{agreement_id}", VALLEY, fill={"agreement_id": "agreement"}),
    # Only a coordinator may accept alone, and only where agreement.accept allows (409 here).
    Row("POST", "/agreements/{agreement_id}/accept", frozenset({"coordinator"}),
        lambda w: {"council_id": w.ids["riverside"]}, fill={"agreement_id": "agreement"}),
    Row("POST", "/agreements/{agreement_id}/refuse", frozenset({"coordinator"}),
        lambda w: {"council_id": w.ids["riverside"]}, fill={"agreement_id": "agreement"}),
    Row("POST", "/agreements/{agreement_id}/deliveries", frozenset({"sibling"}),
        lambda w: {"quantity": 5}, fill={"agreement_id": "agreement"}),
    # assemblies (Bob called Riverside's assembly: he chairs it and keeps its minutes)
    Row("GET", "/councils/{council_id}/assemblies", RIVERSIDE, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/assemblies", RIVERSIDE, _assembly, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/assemblies", frozenset({"other"}), _assembly,
        fill={C: "hilltop"}),
    Row("GET", "/assemblies/{assembly_id}", RIVERSIDE, fill={A: "assembly"}),
    Row("PATCH", "/assemblies/{assembly_id}", OFFICERS, lambda w: {"place": "the square"},
        fill={A: "assembly"}),
    Row("POST", "/assemblies/{assembly_id}/cancel", OFFICERS, fill={A: "assembly"}),
    Row("POST", "/assemblies/{assembly_id}/agenda", OFFICERS, lambda w: {"title": "Reports"},
        fill={A: "assembly"}),
    Row("PUT", "/assemblies/{assembly_id}/agenda", OFFICERS,
        lambda w: {"items": [w.ids["agenda_item"]]}, fill={A: "assembly"}),
    Row("DELETE", "/agenda-items/{item_id}", OFFICERS, fill={"item_id": "agenda_item"}),
    # Attendance opens an hour before the start: those allowed get through to that rule (409).
    Row("PUT", "/assemblies/{assembly_id}/attendance/{person_id}",
        frozenset({"member", "delegate"}), lambda w: {"present": True},
        fill={A: "assembly", "person_id": "person:alice"}),
    Row("POST", "/assemblies/{assembly_id}/decisions", frozenset({"member"}),
        lambda w: {"proposal_id": w.ids["draft"], "hands": {"yes": 1}}, fill={A: "assembly"}),
    Row("PUT", "/assemblies/{assembly_id}/minutes", frozenset({"member"}),
        lambda w: {"text": "We met and agreed."}, fill={A: "assembly"}),
    Row("POST", "/assemblies/{assembly_id}/minutes/approval", frozenset({"member"}),
        fill={A: "assembly"}),
    Row("GET", "/assemblies/{assembly_id}/minutes.md", RIVERSIDE, fill={A: "assembly"}),
    Row("GET", "/assemblies/{assembly_id}/minutes.pdf", RIVERSIDE, fill={A: "assembly"}),
    Row("GET", "/councils/{council_id}/archive?q=hall", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/archive", frozenset({"other"}), fill={C: "hilltop"}),
    # ratification of federation decisions (ratify and adapt through proposals)
    Row("GET", "/councils/{council_id}/ratifications", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/ratifications", VALLEY, fill={C: "valley"}),
    Row("GET", "/councils/{council_id}/ratifications", frozenset({"other"}), fill={C: "hilltop"}),
    Row("GET", "/proposals/{proposal_id}/ratification", VALLEY, fill={P: "ratified"}),
    # bookings
    Row("GET", "/resources/{resource_id}/bookings", RIVERSIDE, fill={R: "bike"}),
    Row("POST", "/resources/{resource_id}/bookings", RIVERSIDE, _booking, fill={R: "bike"}),
    Row("POST", "/resources/{resource_id}/bookings", frozenset({"other"}), _booking,
        fill={R: "ladder"}),
    Row("DELETE", "/bookings/{booking_id}", frozenset({"member"}), fill={"booking_id": "booking"}),
    # briefing: everyone's own inbox and mail choice; feeds, seen counts and delegates' votes
    # by who may read the council (bob_notice and feed_token are Bob's)
    Row("GET", "/inbox", SIGNED_IN),
    Row("POST", "/inbox/read", SIGNED_IN),
    Row("POST", "/inbox/{notice_id}/read", frozenset({"member"}), fill={"notice_id": "bob_notice"}),
    Row("GET", "/members/me/mail", SIGNED_IN),
    Row("PUT", "/members/me/mail", SIGNED_IN, lambda w: {"mode": "digest"}),
    Row("GET", "/feed-tokens", SIGNED_IN),
    Row("POST", "/councils/{council_id}/feed-tokens", RIVERSIDE, fill={C: "riverside"}),
    Row("POST", "/councils/{council_id}/feed-tokens", VALLEY, fill={C: "valley"}),
    Row("DELETE", "/feed-tokens/{token_id}", frozenset({"member"}),
        fill={"token_id": "feed_token"}),
    Row("GET", "/councils/{council_id}/seen", RIVERSIDE, fill={C: "riverside"}),
    Row("GET", "/councils/{council_id}/seen", VALLEY, fill={C: "valley"}),
    Row("POST", "/proposals/{proposal_id}/seen", RIVERSIDE, fill={P: "closed"}),
    Row("GET", "/delegates/{delegate_id}/votes", VALLEY, fill={"delegate_id": "alice_delegate"}),
)  # fmt: skip


def _call(client, row: Row, world: World, role: str) -> int:  # type: ignore[no-untyped-def]
    person = None if role == "signed_out" else ROLE_PERSON[role]
    headers = {"Authorization": f"Bearer {world.tokens[person]}"} if person else {}
    body = row.body(world) if row.body else None
    response = client.request(row.method, row.url(world), json=body, headers=headers)
    assert response.status_code < 500, (row, role, response.text)
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
    return response.status_code


@pytest.fixture(scope="module")
def table_world(world_template, tmp_path_factory) -> tuple[Path, World]:  # type: ignore[no-untyped-def]
    """The template world plus the id of bob's API token (token ids follow people ids), and a
    federation decision sent to ratification (:func:`server.world.add_ratification`)."""
    source, world = world_template
    path = tmp_path_factory.mktemp("table") / "template.sqlite"
    shutil.copyfile(source, path)
    world.ids.setdefault("bob_token", world.people["bob"])
    add_ratification(f"sqlite:///{path}", world)
    return path, world


def test_every_route_is_in_the_table(table_world) -> None:  # type: ignore[no-untyped-def]
    """No endpoint escapes the permission table."""
    url, _world = copy_world(table_world, Path(str(table_world[0].parent)))
    paths = client_for(url).get("/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path.removeprefix("/api"))
        for path, operations in paths.items()
        for method in operations
    }
    covered = {(row.method, row.route.split("?")[0]) for row in TABLE}
    assert routes - covered == set(), "endpoints missing from the permission table"
    assert covered - routes == set(), "table rows for endpoints that do not exist"


def test_permission_table(table_world, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Each row x role: reads, and writes that must be refused, on one shared copy of the
    world; writes that must get through each on a fresh copy (so none sees another's effect:
    the writer's database is restored from the template before each of them).
    """
    unexpected_allow: list[str] = []
    unexpected_deny: list[str] = []
    reads_url, world = copy_world(table_world, tmp_path)
    writes_url, _ = copy_world(table_world, tmp_path)
    with client_for(reads_url, MAIL) as reader, client_for(writes_url, MAIL) as writer:
        for row in TABLE:
            for role in ROLES:
                if row.method == "GET" or role not in row.allowed:
                    status = _call(reader, row, world, role)
                else:
                    restore_copy(writer.app.state.engine, table_world[0], writes_url)
                    status = _call(writer, row, world, role)
                denied = status in DENIED
                cell = f"{row.method} {row.url(world)} as {role}: {status}"
                if role == "signed_out" and "signed_out" not in row.allowed:
                    assert status == 401, cell
                if denied and role in row.allowed:
                    unexpected_deny.append(cell)
                if not denied and role not in row.allowed:
                    unexpected_allow.append(cell)
        reader.app.state.engine.dispose()  # type: ignore[attr-defined]
        writer.app.state.engine.dispose()  # type: ignore[attr-defined]
    cells = len(TABLE) * len(ROLES)
    routes = len({(r.method, r.route.split("?")[0]) for r in TABLE})
    with capsys.disabled():
        print(  # the figure the issue asks for
            f"\npermission table: {len(TABLE)} rows ({routes} endpoints) x {len(ROLES)} roles"
            f" = {cells} cells; unexpected allows: {len(unexpected_allow)},"
            f" unexpected refusals: {len(unexpected_deny)}"
        )
    assert unexpected_allow == [], unexpected_allow
    assert unexpected_deny == [], unexpected_deny
