"""A small federation built through the real services, with a person for every role.

Riverside (territorial) and the Bakery (workplace) form the Valley
federation; Hilltop is a council outside it. Each role of the permission
table is one person:

* ``coordinator`` fran founded Riverside;
* ``delegate`` alice, member of Riverside, its elected delegate to Valley;
* ``member`` bob, a plain member of Riverside;
* ``sibling`` carol, founder of the Bakery (another council of Valley) and its delegate;
* ``other`` dave, founder of Hilltop, a council outside the federation
  (and of the public Commons workshop);
* ``nonmember`` erin, in no council at all (named a founding member of the Commons
  workshop, which she has not confirmed).

Riverside's rule ``membership.invite`` is ``coordinator`` (its coordinator's
invitations admit at once), written into its rules as the world is built;
the other councils keep the default ``vote``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soviets.governance import (
    accounts,
    assemblies,
    ballots,
    councils,
    founding,
    minutes,
    proposals,
    signin_links,
)
from soviets.ledger import bookings, inventory, needs, plans, processes
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.migrate import upgrade
from soviets.ledger.models import Agreement, CouncilRule, Delegate, Person
from soviets.server import auth
from soviets.server.security import hash_password

PASSWORD = "correct horse battery"
PEOPLE = {
    "fran": "Fran Okafor",
    "alice": "Alice Varga",
    "bob": "Bob Lindqvist",
    "carol": "Carol Mbeki",
    "dave": "Dave Sato",
    "erin": "Erin Novak",
}
ROLE_PERSON = {
    "coordinator": "fran",
    "delegate": "alice",
    "member": "bob",
    "sibling": "carol",
    "other": "dave",
    "nonmember": "erin",
}
PERIOD = "2030"


@dataclass
class World:
    """Ids of everything the tests refer to, and an API token per person."""

    people: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    """Secrets of links: an open ``invitation`` to Riverside, a ``reset`` of Erin's password."""

    def email(self, person: str) -> str:
        return f"{person}@example.org"


def _decide(s: Session, council: int, proposer: int, voters: list[int], **kw: Any) -> int:
    """Draft, open, all ``voters`` vote yes, close; the proposal id (accepted or not)."""
    kw.setdefault("kind", "general")
    made = proposals.create_proposal(s, proposer, council, **kw)
    proposals.open_proposal(s, proposer, made.id)
    for v in voters:
        ballots.cast_ballot(s, v, made.id, "yes")
    closed = proposals.close_and_count(s, proposer, made.id)
    assert closed.outcome == "accepted", closed.result
    return made.id


def build_world(url: str) -> World:
    """Migrate the database at ``url`` and fill it with the Valley federation."""
    upgrade(url)
    engine = make_engine(url)
    world = World()
    now = datetime.now(UTC)
    term = (now + timedelta(days=365)).isoformat()
    hashed = hash_password(PASSWORD)
    try:
        with transaction(session_factory(engine)) as s:
            for key, name in PEOPLE.items():
                person = Person(name=name, email=world.email(key), password_hash=hashed)
                s.add(person)
                s.flush()
                world.people[key] = person.id
                world.tokens[key] = auth.issue_token(s, person, "tests").secret
            p = world.people
            ids = world.ids

            river = councils.create_council(s, p["fran"], name="Riverside", kind="territorial")
            for member in ("alice", "bob"):
                founding.invite_founder(s, p["fran"], river.id, p[member])
                founding.confirm(s, p[member], river.id)
            bakery = councils.create_council(s, p["carol"], name="Bakery", kind="workplace")
            hill = councils.create_council(s, p["dave"], name="Hilltop", kind="territorial")
            commons = councils.create_council(
                s, p["dave"], name="Commons Workshop", kind="workplace", public=True
            )
            # Erin, in no council, is named a founding member of the Commons: unconfirmed.
            founding.invite_founder(s, p["dave"], commons.id, p["erin"])
            # Riverside's members gave their coordinators the standing mandate to found one.
            s.add(CouncilRule(council_id=river.id, key="federation.join", value="coordinator"))
            valley = councils.create_federation(
                s, p["fran"], name="Valley Federation", member_council_ids=[river.id]
            )
            s.add(CouncilRule(council_id=river.id, key="membership.invite", value="coordinator"))
            invited = accounts.create_invitation(
                s, p["fran"], river.id, email="newcomer@example.org"
            )
            ids["invitation"] = invited.id
            world.links["invitation"] = invited.secret
            found = accounts.request_password_reset(s, world.email("erin"), "192.0.2.1")
            assert found is not None
            world.links["reset"] = found[1].secret
            link = signin_links.request_link(s, world.email("erin"), "192.0.2.1")
            assert link is not None
            world.links["sign_in"] = link[1].secret
            ids.update(
                riverside=river.id,
                bakery=bakery.id,
                hilltop=hill.id,
                commons=commons.id,
                valley=valley.id,
            )

            elect = {"person_id": p["alice"], "federation_id": valley.id, "term_ends_at": term}
            _decide(
                s,
                river.id,
                p["fran"],
                [p["fran"], p["alice"], p["bob"]],
                kind="elect_delegate",
                title="Send Alice to the Valley federation",
                payload=elect,
            )
            admitted = _decide(
                s,
                valley.id,
                p["alice"],
                [p["alice"]],
                kind="admit_member",
                title="Admit the Bakery",
                payload={"council_id": bakery.id},
            )
            _decide(
                s,
                bakery.id,
                p["carol"],
                [p["carol"]],
                kind="join_federation",
                title="Join the Valley federation",
                payload={"admission_id": admitted},
            )
            elect = {"person_id": p["carol"], "federation_id": valley.id, "term_ends_at": term}
            _decide(
                s,
                bakery.id,
                p["carol"],
                [p["carol"]],
                kind="elect_delegate",
                title="Send Carol to the Valley federation",
                payload=elect,
            )
            ids["alice_delegate"] = s.scalar(
                select(Delegate.id).where(Delegate.person_id == p["alice"])
            )

            today = now.date()
            needs.create_period(
                s, name=PERIOD, starts_on=today, ends_on=date(today.year + 1, 12, 31)
            )
            bread = processes.add_good(s, name="bread", unit="loaf")
            processes.add_good(s, name="flour", unit="kg")
            processes.register_process(
                s, name="milling", council_id=bakery.id, labour=0.1, flows={"flour": 1.0}
            )
            baking = processes.register_process(
                s,
                name="baking",
                council_id=bakery.id,
                labour=0.25,
                flows={"bread": 1.0, "flour": -0.5},
            )
            ids.update(bread=bread.id, baking=baking.id)
            need = needs.register_need(
                s,
                council_id=river.id,
                period=PERIOD,
                good="bread",
                quantity=300,
                person_id=p["alice"],
            )
            needs.register_need(
                s,
                council_id=river.id,
                period=PERIOD,
                good="bread",
                quantity=200,
                priority="normal",
                person_id=p["bob"],
            )
            ids["need"] = need.id
            _decide(
                s,
                river.id,
                p["fran"],
                [p["fran"], p["alice"], p["bob"]],
                kind="approve_needs",
                title=f"Approve our needs for {PERIOD}",
                payload={"period": PERIOD},
            )
            # Registered after the vote: still proposed, so Bob may withdraw it.
            ids["proposed_need"] = needs.register_need(
                s,
                council_id=river.id,
                period=PERIOD,
                good="bread",
                quantity=50,
                priority="normal",
                person_id=p["bob"],
            ).id
            record = plans.run_plan(s, PERIOD, valley.id)
            ids["plan"] = record.id
            ids["adopt"] = _decide(
                s,
                valley.id,
                p["alice"],
                [p["alice"], p["carol"]],
                kind="adopt_plan",
                title=f"Adopt the plan for {PERIOD}",
                payload={"plan_id": record.id},
            )
            ids["agreement"] = s.scalar(select(Agreement.id).where(Agreement.plan_id == record.id))

            mandate = "opening inventory, recorded at the founding meeting"
            bike = inventory.create_resource(
                s, name="Cargo bike", kind="shared_good", holder_council_id=river.id, unit="bike"
            )
            inventory.record(
                s, "raise", resource_id=bike.id, quantity=1, actor_id=p["fran"], mandate=mandate
            )
            stock = inventory.create_resource(
                s,
                name="Bread store",
                kind="consumer_good",
                holder_council_id=bakery.id,
                unit="loaf",
                good_id=bread.id,
            )
            inventory.record(
                s, "produce", resource_id=stock.id, quantity=800, actor_id=p["carol"],
                mandate=mandate,
            )  # fmt: skip
            hill_tool = inventory.create_resource(
                s, name="Ladder", kind="shared_good", holder_council_id=hill.id, unit="ladder"
            )
            inventory.record(
                s, "raise", resource_id=hill_tool.id, quantity=1, actor_id=p["dave"],
                mandate=mandate,
            )  # fmt: skip
            ids.update(bike=bike.id, bread_store=stock.id, ladder=hill_tool.id)

            ids["closed"] = _decide(
                s,
                river.id,
                p["fran"],
                [p["fran"], p["alice"]],
                title="Paint the hall green",
                body="The hall needs a new coat before winter.",
            )
            market = proposals.create_proposal(
                s,
                p["bob"],
                river.id,
                kind="general",
                title="Open a Sunday market",
                body="Stalls in the square every Sunday morning, run by volunteers.",
            )
            proposals.open_proposal(s, p["bob"], market.id)
            park = proposals.create_proposal(
                s,
                p["fran"],
                river.id,
                kind="general",
                method="schulze",
                title="Name the new park",
                options=["Oak Park", "River Park", "Sun Park"],
            )
            proposals.open_proposal(s, p["fran"], park.id)
            draft = proposals.create_proposal(
                s, p["bob"], river.id, kind="general", title="Buy a second cargo bike"
            )
            hill_vote = proposals.create_proposal(
                s, p["dave"], hill.id, kind="general", title="Fix the hilltop road"
            )
            proposals.open_proposal(s, p["dave"], hill_vote.id)
            # Accepted, but the council holds one cargo bike, not three: every close fails.
            stuck = proposals.create_proposal(
                s,
                p["bob"],
                river.id,
                kind="inventory_transfer",
                title="Lend three cargo bikes to the Bakery",
                payload={"resource_id": bike.id, "quantity": 3, "to_council_id": bakery.id},
            )
            proposals.open_proposal(s, p["bob"], stuck.id)
            for voter in ("fran", "alice", "bob"):
                ballots.cast_ballot(s, p[voter], stuck.id, "yes")
            ids.update(market=market.id, park=park.id, draft=draft.id, hill_vote=hill_vote.id)
            ids["stuck"] = stuck.id

            start = (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
            booked = bookings.book(
                s,
                resource_id=bike.id,
                person_id=p["bob"],
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
            ids["booking"] = booked.id

            # Bob calls an assembly of Riverside in two days (he chairs it and keeps the
            # minutes); the draft about a cargo bike is on its agenda.
            meeting = assemblies.schedule_assembly(
                s, p["bob"], river.id, title="Autumn assembly", starts_at=start + timedelta(days=1),
                place="the community hall",
            )  # fmt: skip
            ids["assembly"] = meeting.id
            ids["agenda_item"] = assemblies.add_agenda_item(
                s, p["bob"], meeting.id, proposal_id=draft.id
            ).id
            minutes.write_minutes(s, p["bob"], meeting.id, "# Autumn assembly\n\nWe met.")
    finally:
        engine.dispose()
    return world
