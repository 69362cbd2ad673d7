"""Tampering by raw SQL that the chain's links alone would miss, on SQLite and PostgreSQL.

Each test sets up an honest history (it verifies), changes the database as an
administrator could, with the guarding triggers off, and checks that
``verify`` names the row or entry and what differs.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, text, update
from sqlalchemy.orm import Session, sessionmaker

from soviets.ledger import bookings, chain, inventory, migrate
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import LedgerEvent, LedgerHead, LedgerRecord, Membership, Proposal

from .conftest import MANDATE, World, stock
from .test_cli import soviets  # noqa: F401  (the CLI through its entry point)

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def _unguard(engine: Engine, *tables: str) -> None:
    """Switch off the triggers guarding ``tables`` (what a database administrator can do)."""
    with engine.begin() as conn:
        for table in tables:
            if conn.dialect.name == "sqlite":
                names = conn.scalars(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                    {"t": table},
                ).all()
                for name in names:
                    conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def _raw(engine: Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def _report(factory: sessionmaker[Session], kept: str | None = None) -> chain.VerifyReport:
    with transaction(factory) as s:
        return chain.verify(s, kept_head=kept)


def _found(report: chain.VerifyReport, kind: str, *words: str) -> bool:
    return any(p.kind == kind and all(w in p.message for w in words) for p in report.problems)


def _head(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as s:
        seq, digest = chain.head(s)
    return f"{seq}:{digest}"


@pytest.fixture
def history(factory: sessionmaker[Session], world: World) -> dict[str, int]:
    """Bread moved from the farm to the village, a booked car, a closed proposal."""
    with transaction(factory) as s:
        bread = stock(s, world.farm, "bread", 10.0)
        inventory.transfer(
            s, resource_id=bread, quantity=4.0, from_council_id=world.farm,
            to_council_id=world.village, actor_id=world.ann, mandate=MANDATE,
        )  # fmt: skip
        inventory.record(s, "consume", resource_id=bread, quantity=5.0, actor_id=world.ann,
                         mandate=MANDATE)  # fmt: skip
        car = stock(s, world.village, "car", 1.0, kind="shared_good")
        booking = bookings.book(
            s, resource_id=car, person_id=world.cat, starts_at=SOON,
            ends_at=SOON + timedelta(hours=3),
        )  # fmt: skip
        now = datetime.now(UTC)
        proposal = Proposal(
            council_id=world.village, kind="general", title="Share the car", method="majority",
            quorum=0.5, created_by=world.cat, opened_at=now, electorate_size=2,
            status="closed", outcome="rejected", closed_at=now, ballots_counted=2, winner="no",
        )  # fmt: skip
        s.add(proposal)
        s.flush()
        ids = {"bread": bread, "car": car, "booking": booking.id, "proposal": proposal.id}
    report = _report(factory)
    assert report.ok, report.problems
    return ids


def test_honest_history_verifies_and_the_head_it_kept(factory, history, world):
    kept = _head(factory)
    with transaction(factory) as s:  # more honest changes after the head was kept
        bookings.cancel(s, booking_id=history["booking"], person_id=world.cat)
    assert _report(factory, kept).ok


def test_store_moved_to_another_council(engine, factory, history, world):
    _raw(engine, "UPDATE resources SET holder_council_id = :c WHERE id = :r",
         c=world.bakery, r=history["bread"])  # fmt: skip
    report = _report(factory)
    assert _found(report, "differs", f"resource {history['bread']}", "holder_council_id")


def test_renamed_stock_and_changed_kind(engine, factory, history):
    _raw(engine, "UPDATE resources SET name = 'cake', kind = 'housing' WHERE id = :r",
         r=history["bread"])  # fmt: skip
    report = _report(factory)
    assert _found(report, "differs", "name is 'cake'", "the chain says 'bread'", "kind")


def test_rewritten_outcome_of_a_closed_proposal(engine, factory, history):
    _unguard(engine, "proposals")
    _raw(engine, "UPDATE proposals SET outcome = 'accepted', winner = 'yes' WHERE id = :p",
         p=history["proposal"])  # fmt: skip
    report = _report(factory)
    assert _found(report, "differs", f"proposal {history['proposal']}", "outcome is 'accepted'")


def test_reopened_and_forged_closed_proposals(engine, factory, history, world):
    _unguard(engine, "proposals")
    _raw(engine, "UPDATE proposals SET status = 'open', outcome = NULL, closed_at = NULL, "
         "ballots_counted = NULL, winner = NULL WHERE id = :p", p=history["proposal"])  # fmt: skip
    _raw(engine, "INSERT INTO proposals (council_id, kind, title, body, method, quorum, floor, "
         "secret, payload, status, outcome, created_by, created_at, opened_at, electorate_size, "
         "closed_at) SELECT council_id, kind, 'Forged', body, method, quorum, floor, secret, "
         "payload, 'closed', 'accepted', created_by, created_at, opened_at, electorate_size, "
         "created_at FROM proposals WHERE id = :p", p=history["proposal"])  # fmt: skip
    report = _report(factory)
    assert _found(report, "deleted", f"proposal {history['proposal']}")
    assert _found(report, "unrecorded", f"proposal {history['proposal'] + 1}")


def test_reassigned_booking(engine, factory, history, world):
    _raw(engine, "UPDATE bookings SET person_id = :p WHERE id = :b",
         p=world.dan, b=history["booking"])  # fmt: skip
    report = _report(factory)
    assert _found(report, "differs", f"booking {history['booking']}", "person_id")


def test_booking_added_outside_the_ledger(engine, factory, history, world):
    later = SOON + timedelta(days=7)
    _raw(engine, "INSERT INTO bookings (resource_id, person_id, council_id, starts_at, ends_at, "
         "created_at) VALUES (:r, :p, :c, :s, :e, :s)", r=history["car"], p=world.dan,
         c=world.village, s=later.replace(tzinfo=None), e=(later + timedelta(hours=1)).replace(
             tzinfo=None))  # fmt: skip
    assert _found(_report(factory), "unrecorded", f"booking {history['booking'] + 1}")


def test_membership_role_change_leave_and_join(engine, factory, history, world):
    with engine.begin() as conn:
        cat = conn.scalar(text("SELECT id FROM memberships WHERE person_id = :p"), {"p": world.cat})
        ann = conn.scalar(
            text("SELECT min(id) FROM memberships WHERE person_id = :p"), {"p": world.ann}
        )
    _raw(engine, "UPDATE memberships SET role = 'coordinator' WHERE id = :m", m=cat)
    _raw(engine, "DELETE FROM memberships WHERE id = :m", m=ann)
    _raw(engine, "INSERT INTO memberships (person_id, council_id, role, joined_at) "
         "VALUES (:p, :c, 'member', :t)", p=world.bob, c=world.village,
         t=datetime(2030, 1, 1))  # fmt: skip
    report = _report(factory)
    assert _found(report, "differs", f"membership {cat}", "role is 'coordinator'")
    assert _found(report, "deleted", f"membership {ann}")
    assert _found(report, "unrecorded", "membership", "added or changed outside the ledger")


def _rewritten(model: type, values: dict) -> dict:
    """The fields a forger may have changed besides the numbering (a record's state)."""
    return {"state": values["state"]} if model is LedgerRecord else {}


def _rewrite(engine: Engine, factory: sessionmaker[Session], order) -> None:
    """Rewrite the whole chain in ``order(entries)``, every hash and the head recomputed."""
    _unguard(engine, "ledger_events", "ledger_records")
    with transaction(factory) as s:
        entries = order(list(chain.entries(s)))
        rows = []
        for e in entries:
            fields = chain.RECORD_FIELDS if isinstance(e, LedgerRecord) else chain.HASHED_FIELDS
            rows.append((type(e), e.id, fields, {f: getattr(e, f) for f in fields}))
        for model in (LedgerEvent, LedgerRecord):
            s.execute(update(model).values(seq=model.seq + 100_000),
                      execution_options={"synchronize_session": False})  # fmt: skip
        prev = chain.GENESIS
        for seq, (model, row_id, fields, values) in enumerate(rows, start=1):
            values.update(seq=seq, prev_hash=prev)
            digest = chain.event_hash(values, fields)
            s.execute(
                update(model)
                .where(model.id == row_id)
                .values(seq=seq, prev_hash=prev, hash=digest, **_rewritten(model, values)),
                execution_options={"synchronize_session": False},
            )
            prev = digest
        s.execute(update(LedgerHead).values(seq=len(rows), hash=prev))


def test_reordered_rehashed_history_is_found_by_replay(engine, factory, history):
    """The consume moved before the raise: every link holds, the stock would go negative."""
    kept = _head(factory)

    def raise_last(entries):
        first = next(e for e in entries if getattr(e, "action", None) == "raise")
        return [e for e in entries if e is not first] + [first]

    _rewrite(engine, factory, raise_last)
    report = _report(factory)
    assert {p.kind for p in report.problems} <= {"replay", "kept-head"}
    assert _found(report, "replay", "held only", "out of order")
    assert _found(_report(factory, kept), "kept-head", "not in the chain")


def test_recomputed_chain_is_found_by_a_kept_head(engine, factory, history, world):
    """A record rewritten with its row and the chain re-hashed: only a kept head shows it."""
    kept = _head(factory)
    with transaction(factory) as s:
        bookings.cancel(s, booking_id=history["booking"], person_id=world.cat)
    _raw(engine, "UPDATE bookings SET person_id = :p WHERE id = :b",
         p=world.dan, b=history["booking"])  # fmt: skip

    def reassign(entries):
        for e in entries:
            if isinstance(e, LedgerRecord) and e.table_name == "bookings":
                e.state = e.state.replace(f'"person_id":{world.cat}', f'"person_id":{world.dan}')
        return entries

    _rewrite(engine, factory, reassign)
    assert _report(factory).ok  # without a kept head, a full rewrite can look honest
    report = _report(factory, kept)
    assert [p.kind for p in report.problems] == ["kept-head"]


def test_cli_verify_head_and_plain_words(engine, factory, history, world, db_url, soviets):  # noqa: F811
    command.stamp(migrate.alembic_config(db_url), "head")  # create_all made the newest schema
    out = soviets("ledger", "head", "--db", db_url)
    assert out.returncode == 0, out.stderr
    kept = out.stdout.strip()
    assert kept == _head(factory)
    out = soviets("ledger", "verify", "--head", kept, "--db", db_url)
    assert out.returncode == 0 and "contains the head you kept" in out.stdout
    _raw(engine, "UPDATE resources SET holder_council_id = :c WHERE id = :r",
         c=world.bakery, r=history["bread"])  # fmt: skip
    out = soviets("ledger", "verify", "--db", db_url)
    assert out.returncode == 1
    assert f"resource {history['bread']} (table resources) was changed outside" in out.stdout
    assert f"holder_council_id is {world.bakery}, the chain says {world.farm}" in out.stdout
    out = soviets("ledger", "verify", "--head", "not-a-hash", "--db", db_url)
    assert out.returncode == 2 and "--head" in out.stderr and "Traceback" not in out.stderr


def test_migration_adopts_rows_that_existed_before(db_url):
    """A database from before 0006_chain: its rows are chained once, then guarded."""
    migrate.upgrade(db_url, "0004_accounts")
    engine = make_engine(db_url)
    try:
        at = datetime(2030, 1, 1)
        with engine.begin() as conn:  # written as the older code did (no records yet)
            for sql in (
                "INSERT INTO councils (id, name, kind, public, created_at) "
                "VALUES (1, 'farm', 'workplace', false, :t)",
                "INSERT INTO people (id, name, created_at) VALUES (1, 'Ann', :t)",
                "INSERT INTO memberships (id, person_id, council_id, role, joined_at) "
                "VALUES (1, 1, 1, 'member', :t)",
                "INSERT INTO resources (id, name, kind, holder_council_id, unit, quantity, "
                "created_at) VALUES (1, 'tractor', 'means_of_production', 1, '', 0, :t)",
            ):
                conn.execute(text(sql), {"t": at})
        migrate.upgrade(db_url)
        factory = session_factory(engine)
        report = _report(factory)
        assert report.ok and report.records == 2, report.problems
        _raw(engine, "UPDATE memberships SET role = 'coordinator' WHERE id = 1")
        assert _found(_report(factory), "differs", "membership 1", "role is 'coordinator'")
    finally:
        engine.dispose()


def test_concurrent_bookings_events_and_members_chain_without_deadlock(factory, history, world):
    """Bookings, inventory events on the same good and memberships changing at once: all
    go through (one lock order), and the chain verifies."""
    barrier = threading.Barrier(9)
    errors: list[BaseException] = []

    def act(i: int) -> None:
        barrier.wait()
        try:
            with transaction(factory) as s:
                if i < 3:
                    start = SOON + timedelta(days=10 + i)
                    bookings.book(s, resource_id=history["car"], person_id=world.dan,
                                  starts_at=start, ends_at=start + timedelta(hours=1))  # fmt: skip
                elif i < 6:
                    inventory.record(s, "use", resource_id=history["car"], quantity=0,
                                     actor_id=world.cat, mandate=MANDATE)  # fmt: skip
                else:
                    s.add(
                        Membership(
                            person_id=world.bob,
                            council_id=(world.farm, world.farm2, world.federation)[i - 6],
                        )
                    )
                    s.flush()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=act, args=(i,)) for i in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] or all("at most" in str(e) for e in errors), errors
    report = _report(factory)
    assert report.ok, report.problems
