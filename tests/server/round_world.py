"""The Valley world with a federated planning round to run: a third member council,
South Farm (workplace, founded by Gus), grows vegetables cheaper than the Bakery's
garden; for the period ``next`` Riverside needs soup, which the Bakery cooks from
vegetables. Every council lets its coordinators consent to agreements alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.world import PASSWORD, PERIOD, World, _decide, build_world
from soviets.governance import councils
from soviets.ledger import needs, processes
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import CouncilRule, Period, Person
from soviets.server import auth
from soviets.server.security import hash_password

NEXT = "next"


def build_round_world(url: str) -> World:
    """Build the Valley world at ``url`` and add South Farm, soup and the period ``next``."""
    world = build_world(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            gus = Person(
                name="Gus Ferreira", email="gus@example.org", password_hash=hash_password(PASSWORD)
            )
            s.add(gus)
            s.flush()
            world.people["gus"] = gus.id
            world.tokens["gus"] = auth.issue_token(s, gus, "tests").secret
            p, ids = world.people, world.ids
            farm = councils.create_council(s, gus.id, name="South Farm", kind="workplace")
            admitted = _decide(
                s, ids["valley"], p["alice"], [p["alice"], p["carol"]], kind="admit_member",
                title="Admit South Farm", payload={"council_id": farm.id},
            )  # fmt: skip
            _decide(
                s, farm.id, gus.id, [gus.id], kind="join_federation",
                title="Join the Valley federation", payload={"admission_id": admitted},
            )  # fmt: skip
            for council in (ids["riverside"], ids["bakery"], farm.id):
                s.add(CouncilRule(council_id=council, key="agreement.accept", value="coordinator"))
            processes.add_good(s, name="soup", unit="litre")
            processes.add_good(s, name="vegetables", unit="kg")
            farming = processes.register_process(
                s, name="south fields", council_id=farm.id, labour=0.1, flows={"vegetables": 1.0}
            )
            garden = processes.register_process(
                s, name="bakery garden", council_id=ids["bakery"], labour=0.3,
                flows={"vegetables": 1.0},
            )  # fmt: skip
            cooking = processes.register_process(
                s, name="soup cooking", council_id=ids["bakery"], labour=0.5,
                flows={"soup": 1.0, "vegetables": -2.0},
            )  # fmt: skip
            last = s.scalar(select(Period.ends_on).where(Period.name == PERIOD))
            assert last is not None
            start = date(last.year + 1, 1, 1)
            needs.create_period(s, name=NEXT, starts_on=start, ends_on=date(start.year, 12, 31))
            needs.register_need(
                s, council_id=ids["riverside"], period=NEXT, good="soup", quantity=100,
                person_id=p["bob"],
            )  # fmt: skip
            _decide(
                s, ids["riverside"], p["fran"], [p["fran"], p["alice"], p["bob"]],
                kind="approve_needs", title="Approve our needs", payload={"period": NEXT},
            )  # fmt: skip
            ids.update(farm=farm.id, farming=farming.id, garden=garden.id, cooking=cooking.id)
    finally:
        engine.dispose()
    return world


BUDGET_HOURS = 300.0  # Riverside's hours of work per period: every need can be met


def build_budget_world(url: str) -> World:
    """The round world with hour budgets: Riverside also needs 100 litres of soup as a
    normal need, the Bakery and South Farm work in its region, and Riverside's three
    members voted ``BUDGET_HOURS`` hours of work for the period (``set_hours``). Soup
    takes 0.7 hours a litre with the farm's vegetables, 1.1 with the Bakery's garden."""
    world = build_round_world(url)
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            p, ids = world.people, world.ids
            river = [p["fran"], p["alice"], p["bob"]]
            needs.register_need(
                s, council_id=ids["riverside"], period=NEXT, good="soup", quantity=100,
                priority="normal", person_id=p["bob"],
            )  # fmt: skip
            _decide(
                s, ids["riverside"], p["fran"], river, kind="approve_needs",
                title="Approve the soup we would like", payload={"period": NEXT},
            )  # fmt: skip
            for council, founder in (("bakery", p["carol"]), ("farm", p["gus"])):
                admitted = _decide(
                    s, ids["riverside"], p["fran"], river, kind="admit_to_region",
                    title=f"Admit {council}", payload={"council_id": ids[council]},
                )  # fmt: skip
                _decide(
                    s, ids[council], founder, [founder], kind="join_region",
                    title="Join Riverside", payload={"admission_id": admitted},
                )  # fmt: skip
            _decide(
                s, ids["riverside"], p["fran"], river, kind="set_hours", title="Our hours",
                payload={"hours_per_member_week": BUDGET_HOURS / (3 * 52)},
            )  # fmt: skip
    finally:
        engine.dispose()
    return world
