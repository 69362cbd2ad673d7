"""Free time by vote: a set_hours vote sets the hours the next labour-budget plan may use."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from soviets.governance import hours
from soviets.governance.errors import Conflict, Forbidden
from soviets.ledger import needs, plans, processes
from soviets.ledger.models import Council, CouncilLink, Good, Proposal

from .conftest import T0


def _valley(gov):  # type: ignore[no-untyped-def]
    """Village (2 members, territorial) with a bakery under it, in federation valley.

    Bread takes 2 h/t and 1 t of flour (primary, no cap); the village needs 10 t
    (essential) and 10 t more (normal): 40 hours meet everything; 30 hours meet the
    essential need and half the normal one.
    """
    ann, cat, dan, eve = gov.people("Ann", "Cat", "Dan", "Eve")
    bakery = gov.council(ann, "bakery", [])
    village = gov.council(cat, "village", [dan], kind="territorial")
    fed = gov.federation(cat, "valley", [village])
    with gov.tx() as s:
        s.add(CouncilLink(member_id=bakery, federation_id=village, joined_at=T0))
        needs.create_period(s, name="2031", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31))
        processes.add_good(s, name="bread", unit="t")
        processes.add_good(s, name="flour", unit="t", kind="primary")
        processes.register_process(
            s, name="bake", council_id=bakery, labour=2.0, flows={"bread": 1.0, "flour": -1.0}
        )
        for priority in ("essential", "normal"):
            needs.register_need(
                s, council_id=village, period="2031", good="bread", quantity=10.0,
                priority=priority, person_id=cat,
            )  # fmt: skip
        p = Proposal(council_id=village, kind="approve_needs", title="needs", method="majority",
                     quorum=0.0, created_by=cat)  # fmt: skip
        s.add(p)
        s.flush()
        assert needs.approve_needs(s, council_id=village, period="2031", proposal_id=p.id) == 2
    return {"cat": cat, "dan": dan, "eve": eve, "ann": ann, "village": village, "fed": fed,
            "bakery": bakery}  # fmt: skip


def _plan_hours(gov, fed: int) -> float:  # type: ignore[no-untyped-def]
    with gov.tx() as s:
        return float(plans.run_plan(s, "2031", fed, mode="labour-budget").objective_hours)


def test_set_hours_vote_changes_the_next_labour_budget_plan(gov):  # type: ignore[no-untyped-def]
    w = _valley(gov)
    assert _plan_hours(gov, w["fed"]) == pytest.approx(40.0)  # no limit: every need met
    offer = 30.0 / (2 * 52)  # 30 hours a year shared by 2 members
    closed = gov.decide(
        w["village"], w["cat"], [w["cat"], w["dan"]], kind="set_hours", title="less work",
        payload={"hours_per_member_week": offer},
    )  # fmt: skip
    assert closed.outcome == "accepted", closed.outcome
    with gov.tx() as s:
        village = s.get(Council, w["village"])
        assert village.hours_available == pytest.approx(30.0)
        assert hours.offer(s, village) == pytest.approx(offer)
    assert _plan_hours(gov, w["fed"]) == pytest.approx(30.0, rel=1e-6)


def test_frontier_shows_the_offer_before_the_vote(gov):  # type: ignore[no-untyped-def]
    w = _valley(gov)
    with gov.tx() as s:
        f = hours.frontier(s, w["cat"], w["village"], points=5)
        assert f.scope == "village" and f.current is None
        # 40 hours meet every need: 40 / 2 members / 52 weeks
        assert f.full == pytest.approx(40.0 / 104, rel=1e-6)
        last = f.points[-1].councils["village"]
        assert last.essential_count == 1.0 and last.normal_count == pytest.approx(1.0)
        fed = hours.frontier(s, w["cat"], w["fed"], points=5)
        assert fed.scope == "federation"
        with pytest.raises(Forbidden):
            hours.frontier(s, w["eve"], w["village"])
        with pytest.raises(Conflict, match="workplace"):
            hours.frontier(s, w["ann"], w["bakery"])


def test_only_a_territorial_council_sets_hours(gov):  # type: ignore[no-untyped-def]
    w = _valley(gov)
    with pytest.raises(Conflict, match="territorial"):
        gov.propose(w["ann"], w["bakery"], kind="set_hours", title="x",
                    payload={"hours_per_member_week": 10.0})  # fmt: skip


def test_set_cap_vote_limits_the_next_plan(gov):  # type: ignore[no-untyped-def]
    w = _valley(gov)
    gov.elect(w["village"], [w["cat"], w["dan"]], w["cat"], w["fed"])
    closed = gov.decide(w["fed"], w["cat"], [w["cat"]], kind="set_cap", title="less flour",
                        payload={"good": "flour", "limit": 15.0})  # fmt: skip
    assert closed.outcome == "accepted", closed.result
    with gov.tx() as s:
        flour = s.scalar(select(Good).where(Good.name == "flour"))
        assert flour.limit_per_period == 15.0
    # 15 t of flour: the 10 t of essential bread and half the normal 10 t, 30 hours
    assert _plan_hours(gov, w["fed"]) == pytest.approx(30.0, rel=1e-6)
    with pytest.raises(Conflict, match="federation"):
        gov.propose(w["cat"], w["village"], kind="set_cap", title="x",
                    payload={"good": "flour", "limit": 1.0})  # fmt: skip
    with pytest.raises(Conflict, match="primary"):
        gov.propose(w["cat"], w["fed"], kind="set_cap", title="x",
                    payload={"good": "bread", "limit": 1.0})  # fmt: skip
