"""Fixtures of the ledger tests: an engine with every table, and a small federation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import soviets.ledger.models  # noqa: F401
from databases import Databases, create_tables
from soviets.ledger import inventory, needs, processes
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Council, CouncilLink, Membership, Person

MANDATE = "standing mandate of the test"


@pytest.fixture
def engine(db_url: str, databases: Databases) -> Iterator[Engine]:
    """An engine on a fresh database with every table and trigger (create_all), copied
    from a template made once per session."""
    databases.seed(db_url, create_tables)
    eng = make_engine(db_url, pool_size=10, max_overflow=60, pool_timeout=60)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@dataclass
class World:
    """Ids of a small federation: two farms, a bakery, a village, their people."""

    federation: int
    farm: int
    farm2: int
    bakery: int
    village: int
    ann: int  # member of farm
    bob: int  # member of bakery
    cat: int  # member of village
    dan: int  # member of village
    period: str = "2030"


def _council(s: Session, name: str, kind: str, fed: int | None = None) -> int:
    c = Council(name=name, kind=kind)
    s.add(c)
    s.flush()
    if fed is not None:
        s.add(CouncilLink(member_id=c.id, federation_id=fed))
    return c.id


def _person(s: Session, name: str, *councils: int) -> int:
    p = Person(name=name, email=f"{name.lower()}@example.org")
    s.add(p)
    s.flush()
    for c in councils:
        s.add(Membership(person_id=p.id, council_id=c))
    s.flush()
    return p.id


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    """Federation 'valley': farm and farm2 grow grain, bakery bakes bread, village needs it."""
    with transaction(factory) as s:
        fed = _council(s, "valley", "federation")
        farm = _council(s, "farm", "workplace", fed)
        farm2 = _council(s, "farm2", "workplace", fed)
        bakery = _council(s, "bakery", "workplace", fed)
        village = _council(s, "village", "territorial", fed)
        w = World(
            federation=fed,
            farm=farm,
            farm2=farm2,
            bakery=bakery,
            village=village,
            ann=_person(s, "Ann", farm, farm2),
            bob=_person(s, "Bob", bakery),
            cat=_person(s, "Cat", village),
            dan=_person(s, "Dan", village),
        )
        needs.create_period(
            s, name=w.period, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31)
        )
        processes.add_good(s, name="grain", unit="t")
        processes.add_good(s, name="bread", unit="t")
        processes.add_good(s, name="land", unit="ha", kind="primary", limit=1000.0)
    return w


def stock(
    s: Session, council: int, name: str, quantity: float, kind: str = "consumer_good", **kw
) -> int:
    """Create a resource held by ``council`` and raise it to ``quantity``; returns its id."""
    r = inventory.create_resource(s, name=name, kind=kind, holder_council_id=council, **kw)
    actor = s.query(Membership.person_id).filter_by(council_id=council).first()
    actor_id = actor[0] if actor else s.query(Person.id).first()[0]
    if quantity:
        inventory.record(
            s, "raise", resource_id=r.id, quantity=quantity, actor_id=actor_id, mandate=MANDATE
        )
    return r.id
