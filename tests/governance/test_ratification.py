"""Ratification and local adaptation of federation decisions by member councils."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from soviets.governance import proposals, ratification, rules
from soviets.governance.bounds import check_bounds
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger import chain
from soviets.ledger.models import (
    Agreement,
    Council,
    Good,
    LedgerRecord,
    Period,
    PlanRecord,
    Proposal,
    RatificationSeat,
)
from soviets.server.proposal_forms import terms

from .conftest import OVER, T0, Gov

MEMBERS = {"farm": 500, "bakery": 300, "mill": 100}
"""Members each council represents (declared): 900 in all; farm alone is more than half."""


@dataclass
class Valley:
    fed: int
    farm: int
    bakery: int
    mill: int
    ann: int
    bob: int
    cat: int
    dan: int
    eve: int
    fay: int


@pytest.fixture
def valley(gov: Gov) -> Valley:
    """Federation 'valley' of farm (Ann, Bob, Cat), bakery (Ann, Dan, Eve) and mill (Ann,
    Fay); delegates Bob, Dan and Fay."""
    ann, bob, cat, dan, eve, fay = gov.people("Ann", "Bob", "Cat", "Dan", "Eve", "Fay")
    farm = gov.council(ann, "farm", [bob, cat])
    bakery = gov.council(ann, "bakery", [dan, eve])
    mill = gov.council(ann, "mill", [fay])
    with gov.tx() as s:
        for cid, name in ((farm, "farm"), (bakery, "bakery"), (mill, "mill")):
            s.get(Council, cid).declared_members = MEMBERS[name]  # type: ignore[union-attr]
    fed = gov.federation(ann, "valley", [farm, bakery, mill])
    v = Valley(fed, farm, bakery, mill, ann, bob, cat, dan, eve, fay)
    gov.elect(farm, [ann, bob, cat], bob, fed)
    gov.elect(bakery, [ann, dan, eve], dan, fed)
    gov.elect(mill, [ann, fay], fay, fed)
    return v


VOTERS = {"farm": ("ann", "bob", "cat"), "bakery": ("ann", "dan", "eve"), "mill": ("ann", "fay")}


def federation_decides(gov: Gov, v: Valley, **kw: object) -> int:
    """Bob proposes in the federation, the three delegates vote yes, it closes at OVER."""
    pid = gov.propose(v.bob, v.fed, **kw)
    gov.open(v.bob, pid)
    for delegate in (v.bob, v.dan, v.fay):
        gov.vote(delegate, pid, "yes")
    gov.close(v.bob, pid, now=OVER)
    return pid


def ratify_vote(gov: Gov, v: Valley, decision: int, council: str) -> int:
    with gov.tx() as s:
        seat = s.scalar(
            select(RatificationSeat)
            .where(
                RatificationSeat.council_id == getattr(v, council),
                RatificationSeat.proposal_id.is_not(None),
            )
            .join(Proposal, Proposal.id == RatificationSeat.proposal_id)
            .where(Proposal.payload.contains(f'"decision_id":{decision}'))
        )
        assert seat is not None
        return int(seat.proposal_id)  # type: ignore[arg-type]


def answer(gov: Gov, v: Valley, decision: int, council: str, choice: str) -> None:
    """Every member of ``council`` votes ``choice`` on its ratify vote, which then closes."""
    pid = ratify_vote(gov, v, decision, council)
    for name in VOTERS[council]:
        gov.vote(getattr(v, name), pid, choice, now=OVER)
    gov.close(v.ann, pid, now=OVER + timedelta(minutes=1))


def state(gov: Gov, v: Valley, decision: int) -> ratification.RatificationView:
    with gov.tx() as s:
        return ratification.get_ratification(s, v.eve, decision, now=OVER + timedelta(minutes=2))


def test_ratified_by_a_majority_of_councils_representing_a_majority(
    gov: Gov, valley: Valley
) -> None:
    v = valley
    decision = federation_decides(gov, v, title="Share the tractor", payload={"ratify": True})
    closed = gov.get(decision)
    assert closed.outcome == "accepted" and closed.executed_at is None
    assert closed.result_data["awaiting_ratification"] is True
    seen = state(gov, v, decision)
    assert seen.status == "awaiting"
    assert [(s.council, s.members, s.answer) for s in seen.seats] == [
        ("farm", 500, None),
        ("bakery", 300, None),
        ("mill", 100, None),
    ]
    # each member council got an open ratify vote, under its own rules (electorate: its members)
    pid = ratify_vote(gov, v, decision, "bakery")
    ratify = gov.get(pid)
    assert (ratify.kind, ratify.status, ratify.council_id, ratify.electorate_size) == (
        "ratify",
        "open",
        v.bakery,
        3,
    )
    with pytest.raises(Conflict, match="its vote ends by its rules"), gov.tx() as s:
        proposals.withdraw_proposal(s, v.dan, pid, now=OVER)
    answer(gov, v, decision, "mill", "no")
    assert state(gov, v, decision).status == "awaiting"  # farm + bakery can still ratify
    answer(gov, v, decision, "farm", "yes")
    assert state(gov, v, decision).status == "awaiting"  # 1 of 3 councils: not a majority
    answer(gov, v, decision, "bakery", "yes")
    done = state(gov, v, decision)
    assert done.status == "ratified"
    assert (done.count.ratified_councils, done.count.ratified_members) == (2, 800)
    assert [(s.council, s.answer) for s in done.seats] == [
        ("farm", "ratified"),
        ("bakery", "ratified"),
        ("mill", "refused"),
    ]
    # the answers and the final state are chained in the ledger
    with gov.tx() as s:
        tables = [r.table_name for r in s.scalars(select(LedgerRecord).order_by(LedgerRecord.seq))]
        assert tables.count("ratification_seats") >= 3 + 3  # created, then each answer
        last = s.scalars(
            select(LedgerRecord)
            .where(LedgerRecord.table_name == "ratifications")
            .order_by(LedgerRecord.seq.desc())
        ).first()
        assert last is not None and '"status":"ratified"' in (last.state or "")
        assert chain.verify(s).ok


def test_refused_when_the_ratifying_councils_represent_too_few_members(
    gov: Gov, valley: Valley
) -> None:
    v = valley
    decision = federation_decides(
        gov, v, title="Close the mill on Sundays", payload={"ratify": True}
    )
    answer(gov, v, decision, "bakery", "yes")
    answer(gov, v, decision, "mill", "yes")  # 2 of 3 councils, but 400 of 900 members
    assert state(gov, v, decision).status == "awaiting"
    answer(gov, v, decision, "farm", "no")
    done = state(gov, v, decision)
    assert done.status == "refused"
    assert "2 of 3 member councils, representing 400 of 900 members" in (done.note or "")
    assert "can no longer ratify it" in (done.note or "")


def test_refused_at_the_deadline(gov: Gov, valley: Valley) -> None:
    v = valley
    decision = federation_decides(gov, v, payload={"ratify": True})
    answer(gov, v, decision, "farm", "yes")
    late = OVER + timedelta(days=31)  # the federation's vote closed at OVER; 30 days to ratify
    bakery = ratify_vote(gov, v, decision, "bakery")
    for name in VOTERS["bakery"]:
        gov.vote(getattr(v, name), bakery, "yes", now=OVER)
    gov.close(v.ann, bakery, now=late)  # a yes that comes too late counts for nothing
    with gov.tx() as s:
        seen = ratification.get_ratification(s, v.ann, decision, now=late)
    assert seen.status == "refused" and "by the deadline" in (seen.note or "")
    assert [(x.council, x.answer) for x in seen.seats] == [
        ("farm", "ratified"),
        ("bakery", None),
        ("mill", None),
    ]


def test_rules_decide_what_is_ratified(gov: Gov, valley: Valley) -> None:
    v = valley
    gov.set_rule(v.fed, "ratification.kinds", "general")
    with pytest.raises(InputError, match=r"ratification\.kinds"):
        gov.propose(v.bob, v.fed, payload={"ratify": False})
    pid = gov.propose(v.bob, v.fed)
    assert gov.get(pid).payload_data == {"ratify": True}
    gov.set_rule(v.fed, "ratification.kinds", None)
    gov.set_rule(v.fed, "ratification.optional", "false")
    with pytest.raises(InputError, match=r"ratification\.optional"):
        gov.propose(v.bob, v.fed, payload={"ratify": True})
    with pytest.raises(InputError, match="only a federation"):
        gov.propose(v.ann, v.farm, payload={"ratify": True})
    with pytest.raises(InputError, match="only a decision to be ratified declares bounds"):
        gov.propose(v.bob, v.fed, payload={"bounds": {"x": {"min": 1, "max": 2}}})
    # the rule itself is a federation's, changed only by its change_rules vote
    with pytest.raises(InputError, match="only a federation"), gov.tx() as s:
        proposals.create_proposal(
            s,
            v.ann,
            v.farm,
            kind="change_rules",
            title="r",
            payload={"rules": {"ratification.councils": 0.6}},
            now=T0,
        )
    changed = federation_decides(
        gov, v, kind="change_rules", payload={"rules": {"ratification.councils": 0.6}}
    )
    assert gov.get(changed).outcome == "accepted"
    with gov.tx() as s:
        assert rules.rule_number(s, v.fed, "ratification.councils") == 0.6


# --- local adaptation within bounds ---------------------------------------------------------

PLANNED = {"farm": 100.0, "bakery": 50.0}
"""Flour the plan has the mill deliver to each council (tonnes)."""


def _plan(gov: Gov, v: Valley) -> int:
    with gov.tx() as s:
        period = Period(name="2031", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31))
        s.add_all([period, Good(name="flour", unit="t")])
        s.flush()
        record = PlanRecord(
            period_id=period.id, federation_id=v.fed, status="proposed", solver="test",
            plan_status="optimal", certificate={}, activity={}, council_hours={}, result={},
            allocation=[
                {"supplier": "mill", "receiver": name, "good": "flour", "quantity": q}
                for name, q in PLANNED.items()
            ],
        )  # fmt: skip
        s.add(record)
        s.flush()
        return record.id


def _adapt(gov: Gov, v: Valley, decision: int, values: dict[str, object]) -> Proposal:
    return gov.decide(
        v.bakery,
        v.dan,
        [v.ann, v.dan, v.eve],
        kind="adapt_decision",
        title="Less flour for us",
        payload={"decision_id": decision, "values": values},
    )


BOUNDS = {
    "quantity_share": {"min": 0.8, "max": 1.2, "unit": "of the planned quantity"},
    "start": {"from": "2031-01-01", "to": "2031-03-31"},
    "flour_type": {"choices": ["wholemeal", "white"]},
}


def test_adaptation_within_bounds_is_what_the_executor_uses(gov: Gov, valley: Valley) -> None:
    v = valley
    plan = _plan(gov, v)
    decision = federation_decides(
        gov,
        v,
        kind="adopt_plan",
        title="Adopt the 2031 plan",
        payload={"plan_id": plan, "ratify": True, "bounds": BOUNDS},
    )
    with pytest.raises(
        InputError,
        match=r"1\.5 is outside the federation's bounds for "
        r"quantity_share: from 0\.8 to 1\.2",
    ) as refused:
        gov.propose(
            v.dan,
            v.bakery,
            kind="adapt_decision",
            title="Much more flour",
            payload={"decision_id": decision, "values": {"quantity_share": 1.5}},
        )
    assert refused.value.field == "payload.values.quantity_share"
    with pytest.raises(InputError, match="not allowed for flour_type: one of wholemeal, white"):
        _adapt(gov, v, decision, {"flour_type": "rye"})
    with pytest.raises(InputError, match="outside the federation's bounds for start"):
        _adapt(gov, v, decision, {"start": "2031-06-01"})
    with pytest.raises(InputError, match="cannot be adapted"):
        _adapt(gov, v, decision, {"price": 3})
    adapted = _adapt(gov, v, decision, {"quantity_share": 0.9, "flour_type": "wholemeal"})
    assert adapted.outcome == "accepted", adapted.result
    seen = state(gov, v, decision)
    assert [(a.council, a.field, a.value) for a in seen.adaptations] == [
        ("bakery", "flour_type", "wholemeal"),
        ("bakery", "quantity_share", 0.9),
    ]
    assert seen.adaptations[1].bounds == "from 0.8 to 1.2 of the planned quantity"
    with gov.tx() as s:  # nothing is carried out before ratification
        assert s.scalars(select(Agreement)).all() == []
    answer(gov, v, decision, "farm", "yes")
    answer(gov, v, decision, "bakery", "yes")
    assert state(gov, v, decision).status == "ratified"
    with gov.tx() as s:
        names = {c.id: c.name for c in s.scalars(select(Council))}
        got = {names[a.receiver_council_id]: a.quantity for a in s.scalars(select(Agreement))}
        assert s.get(PlanRecord, plan).proposal_id == decision  # type: ignore[union-attr]
    assert got == pytest.approx({"farm": 100.0, "bakery": 50.0 * 0.9})
    # once the decision has taken effect, no adaptation is taken any more
    with pytest.raises(Conflict, match="no longer awaits ratification"):
        _adapt(gov, v, decision, {"quantity_share": 1.1})


def test_only_member_councils_adapt_and_read(gov: Gov, valley: Valley) -> None:
    v = valley
    decision = federation_decides(
        gov,
        v,
        payload={"ratify": True, "bounds": {"flour_type": {"choices": ["wholemeal", "white"]}}},
    )
    (zed,) = gov.people("Zed")
    outside = gov.council(zed, "hilltop")
    with pytest.raises(Conflict, match="was not a member council"):
        gov.propose(
            zed,
            outside,
            kind="adapt_decision",
            title="x",
            payload={"decision_id": decision, "values": {"flour_type": "white"}},
        )
    with gov.tx() as s:
        with pytest.raises(Forbidden):
            ratification.get_ratification(s, zed, decision, now=OVER)
        with pytest.raises(Forbidden):
            ratification.list_ratifications(s, zed, v.fed, now=OVER)
        assert [
            r.decision_id for r in ratification.list_ratifications(s, v.eve, v.bakery, now=OVER)
        ] == [decision]


def test_bounds_from_the_form_and_their_errors() -> None:
    """The form's lines become the bounds the service checks; bad lines name the field."""
    given = terms(
        {
            "ratify": "true",
            "bounds": "quantity_share = 0.8 to 1.2 of the plan\n"
            "start = 2031-01-01 to 2031-03-31\nflour_type = wholemeal | white\n",
        }
    )
    assert given["ratify"] is True
    assert check_bounds("adopt_plan", given["bounds"]) == {
        "flour_type": {"choices": ["wholemeal", "white"]},
        "quantity_share": {"min": 0.8, "max": 1.2, "unit": "of the plan"},
        "start": {"from": "2031-01-01", "to": "2031-03-31"},
    }
    with pytest.raises(InputError, match="give 'low to high'") as bad:
        terms({"bounds": "loaves = many"})
    assert bad.value.field == "payload.bounds"
    with pytest.raises(InputError, match="min 2 is above max 1"):
        check_bounds("general", {"x": {"min": 2, "max": 1}})
    with pytest.raises(InputError, match="quantity_share bounds an adopt_plan decision"):
        check_bounds("general", {"quantity_share": {"min": 0.5, "max": 1}})
    with pytest.raises(InputError, match="needs a date") as day:
        check_bounds("general", {"start": {"from": "soon", "to": "2031-01-01"}})
    assert day.value.field == "payload.bounds.start.from"
