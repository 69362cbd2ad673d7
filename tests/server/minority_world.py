"""A workplace council of nine members, built through the real services, for the minority test.

The Mill has nine members. Its rules let a coordinator write down at most
``WRITEDOWN_LIMIT`` kg of a stock alone (set by a ``change_rules`` vote of all
nine at founding); everything else keeps the defaults (quorum 0.5, floor 0,
processes and agreements by vote, admissions by vote: any member may invite,
and the council votes on each invitee's admission). It holds a
flour store and runs one process, milling. The Bakery, founded by an
outsider, is where transfers would go; Erin is in no council.

``minority`` names the members who act in the test (fewer than the quorum's
share of nine); in the ``coordinator`` variant the Mill's founder, its only
coordinator, is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from soviets.governance import ballots, councils, founding, proposals
from soviets.ledger import inventory, processes
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.migrate import upgrade
from soviets.ledger.models import Person
from soviets.server import auth
from soviets.server.security import hash_password

MEMBERS = 9
MINORITY = 4
"""Fewer than half of nine: below the default quorum of 0.5."""
WRITEDOWN_LIMIT = 5.0
"""kg of flour a coordinator may write down alone in one event (the Mill's rule)."""
OPENING_FLOUR = 100.0
"""kg in the flour store at founding."""


@dataclass
class MillWorld:
    """Ids of the Mill world and an API token per person."""

    members: list[int] = field(default_factory=list)
    """The Mill's members: ``members[0]`` founded it and is its coordinator; ``members[4]``
    (honest in both variants) proposed the open vote ``roof``."""
    minority: list[int] = field(default_factory=list)
    honest: list[int] = field(default_factory=list)
    tokens: dict[int, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def _person(s: Session, world: MillWorld, name: str, email: str, hashed: str) -> int:
    person = Person(name=name, email=email, password_hash=hashed)
    s.add(person)
    s.flush()
    world.tokens[person.id] = auth.issue_token(s, person, "tests").secret
    return person.id


def build_mill(url: str, *, coordinator_in_minority: bool) -> MillWorld:
    """Migrate the database at ``url`` and found the Mill, the Bakery and their stocks."""
    upgrade(url)
    engine = make_engine(url)
    world = MillWorld()
    hashed = hash_password("correct horse battery")
    try:
        with transaction(session_factory(engine)) as s:
            for i in range(MEMBERS):
                world.members.append(
                    _person(s, world, f"Miller {i + 1}", f"miller{i + 1}@example.org", hashed)
                )
            olga = _person(s, world, "Olga Baker", "olga@example.org", hashed)
            world.ids["erin"] = _person(s, world, "Erin Novak", "erin@example.org", hashed)
            founder = world.members[0]
            mill = councils.create_council(s, founder, name="Mill", kind="workplace")
            for person_id in world.members[1:]:
                founding.invite_founder(s, founder, mill.id, person_id)
                founding.confirm(s, person_id, mill.id)
            bakery = councils.create_council(s, olga, name="Bakery", kind="workplace")
            limit = proposals.create_proposal(
                s,
                founder,
                mill.id,
                kind="change_rules",
                title="A coordinator may write down up to 5 kg of a stock",
                payload={"rules": {"stock.writedown_limit": WRITEDOWN_LIMIT}},
            )
            proposals.open_proposal(s, founder, limit.id)
            for person_id in world.members:
                ballots.cast_ballot(s, person_id, limit.id, "yes")
            closed = proposals.close_and_count(s, founder, limit.id)
            assert closed.outcome == "accepted", closed.result

            processes.add_good(s, name="grain", unit="kg", kind="primary")
            flour = processes.add_good(s, name="flour", unit="kg")
            milling = processes.register_process(
                s,
                name="milling",
                council_id=mill.id,
                labour=0.05,
                flows={"flour": 1, "grain": -1.25},
            )
            store = inventory.create_resource(
                s,
                name="Flour store",
                kind="consumer_good",
                holder_council_id=mill.id,
                unit="kg",
                good_id=flour.id,
            )
            inventory.record(
                s, "produce", resource_id=store.id, quantity=OPENING_FLOUR, actor_id=founder,
                mandate="opening inventory, counted at the founding meeting",
            )  # fmt: skip
            bread = inventory.create_resource(
                s,
                name="Bread shelf",
                kind="consumer_good",
                holder_council_id=bakery.id,
                unit="loaf",
            )
            inventory.record(
                s, "raise", resource_id=bread.id, quantity=40, actor_id=olga,
                mandate="opening inventory",
            )  # fmt: skip
            # An honest proposal, open, that the minority may try to drop or close.
            roof = proposals.create_proposal(
                s, world.members[4], mill.id, kind="general", title="Mend the mill's roof"
            )
            proposals.open_proposal(s, world.members[4], roof.id)
            world.ids.update(
                mill=mill.id,
                bakery=bakery.id,
                olga=olga,
                flour_store=store.id,
                bread_shelf=bread.id,
                milling=milling.id,
                roof=roof.id,
                founding=limit.id,
            )
    finally:
        engine.dispose()
    if coordinator_in_minority:
        world.minority = world.members[:MINORITY]
    else:
        world.minority = world.members[-MINORITY:]
    world.honest = [m for m in world.members if m not in world.minority]
    return world
