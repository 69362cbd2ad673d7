"""Shared goods: no overlapping bookings (enforced by the database), rules from the council."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from soviets.ledger import bookings
from soviets.ledger.db import transaction
from soviets.ledger.errors import BookingRefused, LedgerError, NotAllowed, SlotTaken
from soviets.ledger.models import CouncilRule, Membership, Person

from .conftest import stock

T0 = datetime(2031, 3, 2, 8, 0, tzinfo=UTC)  # in the future: bookings may not end in the past


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@pytest.fixture
def car(factory, world) -> int:
    with transaction(factory) as s:
        return stock(s, world.village, "car", 1.0, kind="shared_good")


def _book(factory, car, person, start, end):
    with transaction(factory) as s:
        return bookings.book(
            s, resource_id=car, person_id=person, starts_at=h(start), ends_at=h(end)
        )


def test_booking_and_overlap(factory, world, car):
    _book(factory, car, world.cat, 0, 2)
    with pytest.raises(SlotTaken, match="already booked from 2031-03-02 08:00 UTC"):
        _book(factory, car, world.dan, 1, 3)
    _book(factory, car, world.dan, 2, 4)  # starts when the other ends: no overlap
    with transaction(factory) as s:
        got = [(b.person_id, b.starts_at, b.ends_at) for b in bookings.bookings_of(s, car)]
    assert got == [(world.cat, h(0), h(2)), (world.dan, h(2), h(4))]


def test_cancelled_booking_frees_the_slot(factory, world, car):
    b = _book(factory, car, world.cat, 0, 2)
    with pytest.raises(NotAllowed), transaction(factory) as s:
        bookings.cancel(s, booking_id=b.id, person_id=world.dan)
    with transaction(factory) as s:
        bookings.cancel(s, booking_id=b.id, person_id=world.cat)
    _book(factory, car, world.dan, 1, 3)


def test_only_members_of_the_holder_council_book_shared_goods(factory, world, car):
    with pytest.raises(NotAllowed, match="not a member"):
        _book(factory, car, world.ann, 0, 1)
    with transaction(factory) as s:
        oven = stock(s, world.village, "oven", 1.0, kind="means_of_production")
    with pytest.raises(LedgerError, match="not a shared good"):
        _book(factory, oven, world.cat, 0, 1)


def test_times_must_make_sense(factory, world, car):
    with pytest.raises(BookingRefused, match="end after it starts"):
        _book(factory, car, world.cat, 2, 1)
    with pytest.raises(BookingRefused, match="past"), transaction(factory) as s:
        bookings.book(
            s, resource_id=car, person_id=world.cat,
            starts_at=datetime(2001, 1, 1), ends_at=datetime(2001, 1, 2),
        )  # fmt: skip


def test_rules_come_from_the_councils_vote(factory, world, car):
    with transaction(factory) as s:
        assert bookings.booking_rules(s, world.village) == bookings.BookingRules(24.0, 2)
    with pytest.raises(BookingRefused, match="at most 24 hours"):
        _book(factory, car, world.cat, 0, 25)
    _book(factory, car, world.cat, 0, 1)
    _book(factory, car, world.cat, 1, 2)
    with pytest.raises(BookingRefused, match="at most 2 bookings at once"):
        _book(factory, car, world.cat, 2, 3)
    with transaction(factory) as s:
        s.add(CouncilRule(council_id=world.village, key="booking.max_hours", value="48"))
        s.add(CouncilRule(council_id=world.village, key="booking.max_active", value="3"))
    with transaction(factory) as s:
        assert bookings.booking_rules(s, world.village) == bookings.BookingRules(48.0, 3)
    _book(factory, car, world.cat, 2, 50)


def test_database_refuses_overlap_by_itself(engine, factory, world, car):
    _book(factory, car, world.cat, 0, 2)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO bookings (resource_id, person_id, council_id, starts_at, ends_at, "
                "created_at) VALUES (:r, :p, :c, :s, :e, :s)"
            ),
            {"r": car, "p": world.dan, "c": world.village, "s": h(1), "e": h(3)},
        )


def test_no_overlaps_under_50_concurrent_requests(factory, world, car):
    """50 members ask at once for random, mostly overlapping two-hour slots."""
    with transaction(factory) as s:
        people = []
        for i in range(50):
            p = Person(name=f"Neighbour {i}")
            s.add(p)
            s.flush()
            s.add(Membership(person_id=p.id, council_id=world.village))
            people.append(p.id)
    rng = random.Random(5)
    starts = [rng.randrange(0, 20) for _ in people]
    barrier = threading.Barrier(len(people))
    results: list[str] = []
    lock = threading.Lock()

    def request(person: int, start: int) -> None:
        barrier.wait()
        try:
            _book(factory, car, person, start, start + 2)
            result = "booked"
        except BookingRefused:
            result = "refused"
        with lock:
            results.append(result)

    threads = [threading.Thread(target=request, args=a) for a in zip(people, starts, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50
    with transaction(factory) as s:
        held = [(b.starts_at, b.ends_at) for b in bookings.bookings_of(s, car)]
    assert results.count("booked") == len(held) >= 1
    assert results.count("refused") >= 50 - 11  # at most 11 two-hour slots fit in 22 hours
    for (_, e1), (s2, _) in zip(held, held[1:], strict=False):
        assert e1 <= s2, "two bookings overlap"
