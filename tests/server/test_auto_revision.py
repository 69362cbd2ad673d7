"""The service's clock re-plans by itself when an adopted plan's deliveries are overdue and
short (what ``soviets tick`` and the server's clock run), on SQLite and PostgreSQL: the
revision is stored, the federation's vote on it opened, the councils concerned told, and a
plan is revised by the clock only once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from server.conftest import Served, ok, start_round
from server.round_world import NEXT
from server.test_revisions import adopt_and_fall_short
from soviets.governance import replanning
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Delegate, Period, PlanRecord, Proposal
from soviets.server.planners import federated_planner


def test_schedule_share_is_even_over_the_days() -> None:
    start, end = date(2031, 1, 1), date(2031, 12, 31)
    assert replanning.schedule_share(start, end, date(2030, 12, 31)) == 0.0
    assert replanning.schedule_share(start, end, start) == 1 / 365
    assert replanning.schedule_share(start, end, date(2031, 7, 2)) == 183 / 365
    assert replanning.schedule_share(start, end, end) == 1.0
    assert replanning.schedule_share(start, end, date(2032, 3, 1)) == 1.0


def _replan(url: str, day: date) -> list[replanning.Revised]:
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            at = datetime.combine(day, time(12), tzinfo=UTC)
            return replanning.replan_overdue(s, federated_planner(), now=at)
    finally:
        engine.dispose()


def test_the_clock_revises_an_overdue_short_plan_once(round_any: Served) -> None:
    s, ids = round_any, round_any.world.ids
    plan = start_round(s)
    soup = adopt_and_fall_short(s, plan["id"])
    engine = make_engine(s.url)
    with transaction(session_factory(engine)) as db:
        period = db.scalar(select(Period).where(Period.name == NEXT))
        assert period is not None
        start, end = period.starts_on, period.ends_on
        # the delegates were re-elected for the period (their terms end before it)
        term = datetime.combine(end, time(23), tzinfo=UTC)
        db.execute(update(Delegate).values(term_ends_at=term))
    engine.dispose()
    # Early in the period 15 litres are ahead of the even schedule: nothing to re-plan.
    early = start + timedelta(days=20)
    assert soup["quantity"] * replanning.schedule_share(start, end, early) < 15.0
    assert _replan(s.url, early) == []
    # By mid-year half of it was due: the clock re-plans the rest and opens the vote.
    mid = start + timedelta(days=182)
    due = soup["quantity"] * replanning.schedule_share(start, end, mid)
    assert due - 15.0 > replanning.SLACK * soup["quantity"]
    (done,) = _replan(s.url, mid)
    assert done.plan_id == plan["id"] and done.error is None
    assert done.revision_id is not None and done.proposal_id is not None
    new = ok(s.client.get(f"/api/plans/{done.revision_id}", headers=s.auth("alice")))
    assert (new["revises_plan_id"], new["status"]) == (plan["id"], "proposed")
    line = next(x for x in new["result"]["revision"]["needs"] if x["good"] == "soup")
    assert line["remaining"] == line["need"] - 15.0
    vote = ok(s.client.get(f"/api/proposals/{done.proposal_id}", headers=s.auth("carol")))
    assert (vote["kind"], vote["status"]) == ("adopt_plan", "open")
    assert vote["council_id"] == ids["valley"]
    engine = make_engine(s.url)
    with transaction(session_factory(engine)) as db:
        p = db.get(Proposal, done.proposal_id)
        assert p is not None and p.payload_data == {"plan_id": done.revision_id}
        assert p.created_by == s.world.people["alice"]  # she proposed the plan's adoption
    engine.dispose()
    notices = ok(s.client.get("/api/inbox", headers=s.auth("fran")))["notices"]
    assert any("overdue and short" in n["text"] for n in notices)
    # The clock revises a plan once; the delegates may revise further by hand.
    assert _replan(s.url, mid + timedelta(days=30)) == []
    engine = make_engine(s.url)
    with transaction(session_factory(engine)) as db:
        revisions = db.scalars(
            select(PlanRecord.id).where(PlanRecord.revises_plan_id == plan["id"])
        )
        assert list(revisions) == [done.revision_id]
    engine.dispose()
