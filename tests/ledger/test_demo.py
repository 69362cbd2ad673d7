"""``soviets demo``: a federation founded, voting, planning, agreeing, delivering, booking."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from demo_seed import EXAMPLE, demo_on
from soviets.cli.demo import DEMO_PASSWORD, builtin_economy, run_demo
from soviets.errors import SovietsError
from soviets.formats import read_economy_folder
from soviets.ledger import agreements, chain
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.economy import build_economy
from soviets.ledger.models import Agreement, Booking, Delegate, Need, Person, Proposal
from soviets.planning import plan


@pytest.mark.parametrize("example", [None, EXAMPLE], ids=["built-in", "two-regions"])
def test_demo_runs_the_whole_period(db_url, databases, example, monkeypatch, tmp_path):
    """The built-in valley's demo runs here, on each backend; the two regions' is the
    session's demo template (``demo_seed``: run once per backend, copied here)."""
    if example is None:
        monkeypatch.chdir(tmp_path)  # no examples/ here: the built-in valley is used
        monkeypatch.setattr("soviets.cli.demo.find_example", lambda: None)
        steps: list[str] = []
        result = run_demo(db_url, example, steps.append)
    else:
        run = demo_on(db_url, databases)
        result, steps = run.result, run.steps
    assert len(steps) >= 14
    engine = make_engine(db_url)
    try:
        with transaction(session_factory(engine)) as s:
            assert (
                s.scalar(select(func.count()).select_from(Need).where(Need.status != "approved"))
                == 0
            )
            assert result.needs_approved == s.scalar(select(func.count()).select_from(Need)) > 0
            assert s.scalar(select(func.count()).select_from(Delegate)) == result.delegates
            outcomes = list(s.scalars(select(Proposal.outcome)))
            assert outcomes.count("rejected") == 1  # the federation vote counted 'double'
            assert set(outcomes) == {"accepted", "rejected"}
            assert s.scalar(select(func.count()).where(Proposal.closes_at.is_(None))) == 0
            rows = list(s.scalars(select(Agreement)))
            assert len(rows) == result.agreements == result.accepted > 0
            assert {a.status for a in rows} <= {"accepted", "fulfilled"}
            assert result.delivery["status"] == "fulfilled"
            done = [r for r in agreements.progress(s, result.period) if r.status == "fulfilled"]
            assert len(done) == 1 and done[0].delivered == pytest.approx(done[0].agreed)
            assert s.scalar(select(func.count()).select_from(Booking)) == 1
            assert chain.verify(s).ok
            people = list(s.scalars(select(Person)))
            assert len(people) == len(result.people)
            assert PasswordHasher().verify(people[0].password_hash, DEMO_PASSWORD)
        vote = result.federation_vote
        assert (vote["weighting"], vote["outcome"]) == ("double", "rejected")
        if example is not None:  # 13 workplaces of 456 people against 2 regions of 10,000
            assert vote["councils"] == {"yes": 13, "no": 2, "abstain": 0}
            assert vote["members"] == {"yes": 456, "no": 10000, "abstain": 0}
            # the ledger's economy keeps each workplace in its region
            source = read_economy_folder(example)
            with transaction(session_factory(engine)) as s:
                ledger = build_economy(s, result.period)
            wanted = {c.name: c.parent for c in source.councils if c.kind == "workplace"}
            assert {c.name: c.parent for c in ledger.councils if c.kind == "workplace"} == wanted
        eco = builtin_economy() if example is None else None
        if eco is not None:  # the ledger's plan is the planner's plan of the same economy
            assert result.objective_hours == pytest.approx(plan(eco).objective_hours)
        with pytest.raises(SovietsError, match="already has councils"):
            run_demo(db_url, example, steps.append)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_demo_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    out = subprocess.run(
        [sys.executable, "-m", "soviets", "demo", "--db", url, "--example", str(EXAMPLE), "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["password"] == "demo" and doc["federation"] == "valley"
    assert doc["objective_hours"] == pytest.approx(398687.5, rel=1e-6)
    assert doc["agreements"] == doc["accepted"] == 28
    assert len(doc["people"]) == 19 and doc["people"][0]["email"] == "rosa@demo.example"
