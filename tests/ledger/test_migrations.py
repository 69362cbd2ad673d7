"""Migrations: a fresh database upgraded to head matches the models, triggers included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from soviets.ledger import migrate
from soviets.ledger.base import Base
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Council, Membership, Person

from .conftest import stock


def test_upgrade_head_matches_the_models(db_url):
    assert migrate.current(db_url) is None
    head = migrate.head()
    assert migrate.upgrade(db_url) == head
    assert migrate.differences(db_url) == []
    assert migrate.upgrade(db_url) == head  # running it again changes nothing


def _triggers(conn) -> set[str]:
    """Names of the triggers and exclusion constraints in the connection's schema."""
    if conn.dialect.name == "sqlite":
        return set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    return set(
        conn.scalars(
            text(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
                "UNION SELECT conname FROM pg_constraint k "
                "JOIN pg_namespace n ON n.oid = k.connamespace "
                "WHERE k.contype = 'x' AND n.nspname = current_schema()"
            )
        )
    )


def test_migration_has_every_trigger_of_the_models(db_url, tmp_path):
    """What create_all attaches (triggers, exclusion constraints) the migration makes too."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            migrated = _triggers(conn)
        if engine.dialect.name == "sqlite":
            reference = make_engine(f"sqlite:///{tmp_path / 'reference.sqlite'}")
            Base.metadata.create_all(reference)
            with reference.begin() as conn:
                expected = _triggers(conn)
            reference.dispose()
        else:  # the models' schema, built beside the migrated one
            with engine.begin() as conn:
                conn.execute(text("CREATE SCHEMA reference"))
                conn.execute(text("SET search_path TO reference, public"))
                Base.metadata.create_all(conn, checkfirst=False)
                expected = _triggers(conn)
    finally:
        engine.dispose()
    assert len(expected) >= 3
    assert migrated == expected


def test_migrated_database_enforces_the_triggers(db_url):
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    factory = session_factory(engine)
    try:
        with transaction(factory) as s:
            council = Council(name="village", kind="territorial")
            person = Person(name="Cat")
            s.add_all([council, person])
            s.flush()
            s.add(Membership(person_id=person.id, council_id=council.id))
            car = stock(s, council.id, "car", 1.0, kind="shared_good")
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM ledger_events"))
        row = {"r": car, "p": person.id, "c": council.id}
        insert = text(
            "INSERT INTO bookings (resource_id, person_id, council_id, starts_at, ends_at, "
            "created_at) VALUES (:r, :p, :c, :s, :e, :s)"
        )
        with engine.begin() as conn:
            conn.execute(insert, row | {"s": datetime(2031, 1, 1, 8, tzinfo=UTC),
                                        "e": datetime(2031, 1, 1, 10, tzinfo=UTC)})  # fmt: skip
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert, row | {"s": datetime(2031, 1, 1, 9, tzinfo=UTC),
                                        "e": datetime(2031, 1, 1, 11, tzinfo=UTC)})  # fmt: skip
    finally:
        engine.dispose()


def _kind_check(conn, kind: str) -> bool:
    """Whether the proposals table's CHECK lets a proposal of ``kind`` in (inside a savepoint)."""
    council = conn.execute(
        text(
            "INSERT INTO councils (name, kind, public, created_at)"
            " VALUES (:n, 'workplace', false, CURRENT_TIMESTAMP) RETURNING id"
        ),
        {"n": f"mill {kind}"},
    ).scalar()
    person = conn.execute(
        text("INSERT INTO people (name, created_at) VALUES ('Ida', CURRENT_TIMESTAMP) RETURNING id")
    ).scalar()
    nested = conn.begin_nested()
    try:
        conn.execute(
            text(
                "INSERT INTO proposals (council_id, kind, title, body, method, quorum, secret,"
                " payload, status, created_by, created_at) VALUES (:c, :k, 't', '', 'majority',"
                " 0.5, false, '{}', 'draft', :p, CURRENT_TIMESTAMP)"
            ),
            {"c": council, "k": kind, "p": person},
        )
    except IntegrityError:
        nested.rollback()
        return False
    nested.commit()
    return True


def _kinds_allowed(engine, kinds: list[str]) -> list[bool]:
    """Which of ``kinds`` the proposals table accepts (all inserts rolled back)."""
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            return [_kind_check(conn, kind) for kind in kinds]
        finally:
            outer.rollback()


def test_commons_kinds_come_and_go_with_their_migration(db_url):
    """0003_commons lets the commons proposal kinds in; going back to the revision before
    keeps them out; the triggers on proposals survive both ways."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    kinds = ["stock_change", "register_process", "change_process", "general", "no_such_kind"]
    try:
        assert _kinds_allowed(engine, kinds) == [True, True, True, True, False]
        with engine.begin() as conn:
            before = _triggers(conn)
        command.downgrade(migrate.alembic_config(db_url), "0002_proposals")
        assert _kinds_allowed(engine, kinds) == [False, False, False, True, False]
        later = ("ledger_records", "trg_amendments")  # tables of 0006_chain, 0012_deliberation
        with engine.begin() as conn:  # only the later migrations' own triggers are gone
            assert _triggers(conn) == {t for t in before if not t.startswith(later)}
        assert migrate.upgrade(db_url) == migrate.head()
        assert migrate.differences(db_url) == []
        assert _kinds_allowed(engine, kinds) == [True, True, True, True, False]
    finally:
        engine.dispose()


def test_discussion_status_comes_with_its_migration(db_url):
    """0012_deliberation lets a proposal be in discussion (with the end of its discussion) and
    freezes its text there; downgrading to 0008 removes the status again."""
    migrate.upgrade(db_url)
    engine = make_engine(db_url)
    insert = text(
        "INSERT INTO proposals (council_id, kind, title, body, method, quorum, secret, payload,"
        " status, created_by, created_at, discussion_ends_at) VALUES (:c, 'general', 't', '',"
        " 'majority', 0.5, false, '{}', 'discussion', :p, :t, :e)"
    )
    now = datetime(2031, 1, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            council = conn.execute(
                text("INSERT INTO councils (name, kind, public, created_at)"
                     " VALUES ('mill', 'workplace', false, :t) RETURNING id"), {"t": now}
            ).scalar()  # fmt: skip
            person = conn.execute(
                text("INSERT INTO people (name, created_at) VALUES ('Ida', :t) RETURNING id"),
                {"t": now},
            ).scalar()
            row = {"c": council, "p": person, "t": now}
            pid = conn.execute(text(str(insert) + " RETURNING id"), row | {"e": now}).scalar()
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert, row | {"e": None})  # in discussion without an end
        with pytest.raises(DBAPIError, match="frozen"), engine.begin() as conn:
            conn.execute(text("UPDATE proposals SET body = 'other' WHERE id = :i"), {"i": pid})
        with engine.begin() as conn:  # its proposer withdraws it
            conn.execute(
                text("UPDATE proposals SET status = 'withdrawn', closed_at = :t WHERE id = :i"),
                {"i": pid, "t": now},
            )
        command.downgrade(migrate.alembic_config(db_url), "0008_transfer")
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(insert, row | {"e": now})
    finally:
        engine.dispose()
