"""``soviets db`` and ``soviets ledger`` on a migrated database, through the real entry point.

Commands run in this process (``soviets.cli.main`` with its arguments) to keep
the tests quick; ``test_demo.py`` runs ``python -m soviets`` as a real process.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, text

from soviets.cli import main
from soviets.formats import read_economy_folder
from soviets.ledger import migrate, plans
from soviets.ledger.db import make_engine, transaction

from .test_economy import setup_valley


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def soviets(capsys, monkeypatch) -> Callable[..., Run]:
    """Run ``soviets ARGS`` through its entry point; exit code and captured output."""

    def run(*args: str) -> Run:
        monkeypatch.setattr(sys, "argv", ["soviets", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.fixture
def engine(db_url: str, soviets) -> Iterator[Engine]:
    """Here the schema comes from ``soviets db upgrade``, not from create_all."""
    out = soviets("db", "upgrade", "--db", db_url)
    assert out.returncode == 0, out.stderr
    assert f"is at revision {migrate.head()}" in out.stdout
    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


def test_ledger_commands(db_url, engine, factory, world, tmp_path, soviets):
    with transaction(factory) as s:
        setup_valley(s, world)
    with transaction(factory) as s:
        plan_id = plans.run_plan(s, world.period, world.federation).id
        plans.adopt_plan(s, plan_id=plan_id, proposal_id=None)

    out = soviets("ledger", "economy", "2030", str(tmp_path / "eco"), "--db", db_url)
    assert out.returncode == 0, out.stderr
    assert "3 goods, 5 councils, 3 processes, 1 needs" in out.stdout
    assert read_economy_folder(tmp_path / "eco").process_names == ["grow", "grow2", "bake"]

    out = soviets("ledger", "progress", "2030", "--today", "2031-01-01", "--json", "--db", db_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["period"] == "2030"
    assert [(r["supplier"], r["receiver"], r["good"], r["late"]) for r in doc["agreements"]] == [
        ("bakery", "village", "bread", True),
        ("farm", "bakery", "grain", True),
        ("farm2", "bakery", "grain", True),
    ]
    assert set(doc["agreements"][0]) == {
        "agreement_id", "supplier", "receiver", "good", "unit", "agreed", "delivered", "status",
        "late",
    }  # fmt: skip

    out = soviets("ledger", "verify", "--json", "--db", db_url)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] and report["events"] == 1  # the tractor's stock

    with engine.begin() as conn:  # a database administrator edits history
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER ledger_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE ledger_events DISABLE TRIGGER ledger_events_no_change"))
        conn.execute(text("UPDATE ledger_events SET quantity = 3"))
    out = soviets("ledger", "verify", "--db", db_url)
    assert out.returncode == 1
    assert "NOT intact" in out.stdout and "edited" in out.stdout


def test_user_mistakes_are_one_line_and_exit_2(db_url, engine, tmp_path, soviets):
    for args, message in [
        (("ledger", "progress", "1999"), "error: no period named '1999'"),
        (("ledger", "progress", "1999", "--today", "soon"), "--today must be a date"),
        (("ledger", "inventory", "--council", "atlantis"), "no council named 'atlantis'"),
    ]:
        out = soviets(*args, "--db", db_url)
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and out.stderr.count("\n") == 1
    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    out = soviets("ledger", "verify", "--db", empty)
    assert out.returncode == 2
    assert "run `soviets db upgrade` first" in out.stderr
