"""The common inventory: held by councils only, never negative, every change authorised."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from soviets.errors import SovietsError
from soviets.ledger import chain, inventory
from soviets.ledger.db import transaction
from soviets.ledger.errors import InsufficientQuantity, NotAllowed, NotFound
from soviets.ledger.models import Resource

from .conftest import MANDATE, stock


def test_schema_has_no_person_holder(engine):
    """Resources have a NOT NULL council holder and no column that points at a person."""
    insp = inspect(engine)
    columns = {c["name"]: c for c in insp.get_columns("resources")}
    assert columns["holder_council_id"]["nullable"] is False
    fks = insp.get_foreign_keys("resources")
    assert {fk["referred_table"] for fk in fks} == {"councils", "goods", "processes"}
    holder = [fk for fk in fks if fk["constrained_columns"] == ["holder_council_id"]]
    assert holder and holder[0]["referred_table"] == "councils"
    assert not [c for c in columns if "person" in c or "owner" in c]


@pytest.mark.parametrize("holder", ["NULL", "9999"])
def test_database_refuses_a_resource_without_a_council(engine, world, holder):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO resources (name, kind, holder_council_id, unit, quantity, created_at) "
                f"VALUES ('car', 'shared_good', {holder}, '', 1, CURRENT_TIMESTAMP)"
            )
        )


def test_database_refuses_negative_quantity(engine, factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.farm, "grain", 3.0)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE resources SET quantity = -1 WHERE id = :r"), {"r": rid})


def test_database_refuses_an_unauthorised_event(engine, factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.farm, "grain", 3.0)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ledger_events (seq, action, resource_id, quantity, actor_id, "
                "created_at, prev_hash, hash) VALUES (2, 'raise', :r, 1, :a, CURRENT_TIMESTAMP, "
                ":h, :h2)"
            ),
            {"r": rid, "a": world.ann, "h": "a" * 64, "h2": "b" * 64},
        )


def test_transfer_moves_quantity_and_records_event(factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.farm, "grain", 10.0, unit="t")
        ev = inventory.transfer(
            s, resource_id=rid, quantity=4.0, from_council_id=world.farm,
            to_council_id=world.bakery, actor_id=world.ann, mandate=MANDATE,
        )  # fmt: skip
        assert (ev.action, ev.quantity, ev.from_council_id, ev.to_council_id) == (
            "transfer", 4.0, world.farm, world.bakery,
        )  # fmt: skip
    with transaction(factory) as s:
        held = {(r.holder_council_id, r.name): r.quantity for r in inventory.holdings(s)}
        assert held == {(world.farm, "grain"): 6.0, (world.bakery, "grain"): 4.0}
        assert [e.action for e in inventory.history(s, rid)] == ["raise", "transfer"]
        assert chain.verify(s).ok


def test_transfer_to_a_council_that_does_not_exist_fails(factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.farm, "grain", 10.0)
    with pytest.raises(NotFound, match="no council with id 9999"), transaction(factory) as s:
        inventory.transfer(
            s, resource_id=rid, quantity=1.0, from_council_id=world.farm, to_council_id=9999,
            actor_id=world.ann, mandate=MANDATE,
        )  # fmt: skip
    with transaction(factory) as s:
        assert s.get(Resource, rid).quantity == 10.0
        assert len(inventory.history(s)) == 1


def test_refusals_are_one_line_sovietserrors(factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.farm, "grain", 2.0, unit="t")
    cases = [
        (InsufficientQuantity, "holds 2 t of 'grain', not 5",
         dict(quantity=5.0, from_council_id=world.farm, mandate=MANDATE)),
        (NotAllowed, "held by council", dict(quantity=1.0, from_council_id=world.bakery,
                                              mandate=MANDATE)),
        (NotAllowed, "needs the accepted proposal or the standing mandate",
         dict(quantity=1.0, from_council_id=world.farm)),
        (SovietsError, "quantity must be a number > 0",
         dict(quantity=-1.0, from_council_id=world.farm, mandate=MANDATE)),
    ]  # fmt: skip
    for error, message, kwargs in cases:
        with pytest.raises(error, match=message) as info, transaction(factory) as s:
            inventory.transfer(
                s, resource_id=rid, to_council_id=world.village, actor_id=world.ann, **kwargs
            )
        assert "\n" not in str(info.value)
    with transaction(factory) as s:
        assert s.get(Resource, rid).quantity == 2.0
        assert len(inventory.history(s)) == 1


def test_record_actions(factory, world):
    with transaction(factory) as s:
        rid = stock(s, world.bakery, "bread", 0.0)
        for action, q in (("produce", 5.0), ("consume", 2.0), ("lower", 1.0), ("use", 0.0)):
            inventory.record(
                s, action, resource_id=rid, quantity=q, actor_id=world.bob, mandate=MANDATE
            )
        inventory.record(
            s, "transfer-custody", resource_id=rid, quantity=1.0, actor_id=world.bob,
            mandate=MANDATE, to_council_id=world.village,
        )  # fmt: skip
        assert inventory.get_resource(s, rid).quantity == 2.0
        with pytest.raises(InsufficientQuantity):
            inventory.record(
                s, "consume", resource_id=rid, quantity=3.0, actor_id=world.bob, mandate=MANDATE
            )
    with transaction(factory) as s:
        assert [e.action for e in inventory.history(s)] == [
            "produce", "consume", "lower", "use", "transfer-custody",
        ]  # fmt: skip
        assert chain.verify(s).ok


def test_quantities_never_negative_under_50_concurrent_transfers(factory, world):
    """50 threads, each in its own session, move grain back and forth at once."""
    with transaction(factory) as s:
        farm_grain = stock(s, world.farm, "grain", 20.0)
        bakery_grain = stock(s, world.bakery, "grain", 0.0)
    moves = [(farm_grain, world.farm, world.bakery)] * 35 + [
        (bakery_grain, world.bakery, world.farm)
    ] * 15
    barrier = threading.Barrier(len(moves))
    outcome: list[str] = []
    lock = threading.Lock()

    def move(resource_id: int, source: int, target: int) -> None:
        barrier.wait()
        try:
            with transaction(factory) as s:
                inventory.transfer(
                    s, resource_id=resource_id, quantity=1.0, from_council_id=source,
                    to_council_id=target, actor_id=world.ann, mandate=MANDATE,
                )  # fmt: skip
            result = "ok"
        except InsufficientQuantity:
            result = "refused"
        with lock:
            outcome.append(f"{source}:{result}")

    threads = [threading.Thread(target=move, args=m) for m in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcome) == 50
    assert set(outcome) <= {f"{world.farm}:ok", f"{world.farm}:refused",
                            f"{world.bakery}:ok", f"{world.bakery}:refused"}  # fmt: skip
    sent = outcome.count(f"{world.farm}:ok")
    returned = outcome.count(f"{world.bakery}:ok")
    assert sent >= 20  # the farm's first 20 always go through
    with transaction(factory) as s:
        farm_q = s.get(Resource, farm_grain).quantity
        bakery_q = s.get(Resource, bakery_grain).quantity
        assert farm_q >= 0 and bakery_q >= 0
        assert farm_q == 20.0 - sent + returned
        assert farm_q + bakery_q == 20.0
        report = chain.verify(s)
        assert report.ok, report.problems
        assert report.events == 1 + sent + returned  # the raise, then one per move
