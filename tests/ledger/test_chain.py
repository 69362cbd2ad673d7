"""The hash chain: verify catches an edited, an inserted and a deleted event.

The chain also holds records of memberships and resources (see test_tamper.py), so the
five inventory events are not entries 1..5: ``seqs`` gives their positions.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from soviets.ledger import chain, inventory
from soviets.ledger.db import transaction

from .conftest import MANDATE, stock


@pytest.fixture
def events(factory, world):
    """Five events: raise 10 bread at the farm, three transfers to the village, one consume."""
    with transaction(factory) as s:
        rid = stock(s, world.farm, "bread", 10.0)
        for q in (1.0, 2.5, 0.125):
            inventory.transfer(
                s, resource_id=rid, quantity=q, from_council_id=world.farm,
                to_council_id=world.village, actor_id=world.ann, mandate=MANDATE,
            )  # fmt: skip
        inventory.record(
            s, "consume", resource_id=rid, quantity=1.0, actor_id=world.ann, mandate=MANDATE
        )
    return rid


@pytest.fixture
def seqs(factory, events) -> list[int]:
    """The chain positions of the five events, in order."""
    with transaction(factory) as s:
        return [e.seq for e in inventory.history(s)]


def _verify(factory) -> chain.VerifyReport:
    with transaction(factory) as s:
        return chain.verify(s)


def _kinds(report: chain.VerifyReport) -> set[tuple[int | None, str]]:
    return {(p.seq, p.kind) for p in report.problems}


def _without_guard(engine: Engine, sql: str, **params) -> None:
    """Run ``sql`` as a database administrator would: with the append-only trigger off."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER ledger_events_no_update"))
            conn.execute(text("DROP TRIGGER ledger_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_no_change"))
        conn.execute(text(sql), params)


def test_untouched_chain_verifies(factory, events):
    report = _verify(factory)
    assert report.ok, report.problems
    with transaction(factory) as s:
        rows = s.execute(
            text(
                "SELECT seq, prev_hash, hash FROM ledger_events UNION ALL "
                "SELECT seq, prev_hash, hash FROM ledger_records ORDER BY seq"
            )
        ).all()
        assert len(inventory.history(s)) == 5
    assert report.events == 5 and report.events + report.records == report.head_seq == len(rows)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert report.head_hash == rows[-1].hash


def test_hash_is_sha256_of_canonical_json(factory, events):
    with transaction(factory) as s:
        ev = inventory.history(s)[0]
        values = {name: getattr(ev, name) for name in chain.HASHED_FIELDS}
        import hashlib
        import json

        data = dict(values, created_at=ev.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        expected = hashlib.sha256(
            json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        assert ev.hash == expected


@pytest.mark.parametrize(
    "sql", ["UPDATE ledger_events SET quantity = 99", "DELETE FROM ledger_events"]
)
def test_trigger_refuses_update_and_delete(engine, events, sql):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(sql))


def test_edited_event_is_found(engine, factory, seqs):
    _without_guard(engine, f"UPDATE ledger_events SET quantity = 5 WHERE seq = {seqs[2]}")
    report = _verify(factory)
    assert (seqs[2], "edited") in _kinds(report)
    assert "balance" in {p.kind for p in report.problems}
    assert (seqs[2] + 1, "broken-link") not in _kinds(report)  # the link holds: one changed


def test_edited_authority_is_found(engine, factory, seqs):
    sql = f"UPDATE ledger_events SET mandate = 'nobody said so' WHERE seq = {seqs[1]}"
    _without_guard(engine, sql)
    assert _kinds(_verify(factory)) == {(seqs[1], "edited")}


def test_deleted_event_is_found(engine, factory, seqs):
    _without_guard(engine, f"DELETE FROM ledger_events WHERE seq = {seqs[3]}")
    kinds = _kinds(_verify(factory))
    after = seqs[3] + 1
    assert (after, "missing") in kinds and (after, "broken-link") in kinds


def test_deleted_last_event_is_found(engine, factory, seqs):
    _without_guard(engine, f"DELETE FROM ledger_events WHERE seq = {seqs[-1]}")
    kinds = _kinds(_verify(factory))
    assert (None, "head") in kinds


def test_inserted_event_is_found(engine, factory, events, world):
    """A forged event with a correct hash and link, appended by raw SQL, is still found."""
    with transaction(factory) as s:
        last = inventory.history(s)[-1]
    forged = {
        "seq": last.seq + 1,
        "action": "raise",
        "resource_id": events,
        "to_resource_id": None,
        "quantity": 100.0,
        "from_council_id": None,
        "to_council_id": world.farm,
        "actor_id": world.ann,
        "proposal_id": None,
        "mandate": "forged",
        "agreement_id": None,
        "created_at": last.created_at,
        "prev_hash": last.hash,
    }
    forged["hash"] = chain.event_hash(forged)
    columns = ", ".join(forged)
    values = ", ".join(f":{k}" for k in forged)
    with engine.begin() as conn:  # inserting is allowed: the table is append-only
        conn.execute(text(f"INSERT INTO ledger_events ({columns}) VALUES ({values})"), forged)
    assert (None, "head") in _kinds(_verify(factory))
    # Even an administrator who also moves the head is caught: the stock does not add up.
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_head SET seq = :seq, hash = :hash"),
            {"seq": forged["seq"], "hash": forged["hash"]},
        )
    report = _verify(factory)
    assert {p.kind for p in report.problems} == {"balance"}


def test_inserted_event_in_the_middle_is_found(engine, factory, seqs, world):
    """Making room for an event in the middle means renumbering: the links break."""
    _without_guard(engine, f"UPDATE ledger_events SET seq = seq + 100 WHERE seq >= {seqs[-1]}")
    kinds = _kinds(_verify(factory))
    assert (seqs[-1] + 100, "missing") in kinds and (seqs[-1] + 100, "edited") in kinds


def test_quantity_changed_outside_the_ledger_is_found(engine, factory, events):
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE resources SET quantity = quantity + 1 WHERE id = :r"), {"r": events}
        )
    assert {p.kind for p in _verify(factory).problems} == {"balance"}
