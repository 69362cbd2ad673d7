"""Assemblies: scheduling, agenda, attendance, votes in the room, minutes and the archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from soviets.governance import archive, assemblies, minutes, proposals
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger import chain
from soviets.ledger.models import LedgerRecord, Minutes, Proposal

from .conftest import T0, Gov

START = T0 + timedelta(days=3)
"""The assembly meets three days after it was called (more than the default 48 hours' notice)."""
DURING = START + timedelta(minutes=30)


@pytest.fixture
def coop(gov: Gov) -> tuple[int, list[int], int]:
    """A bakery of five (Ann coordinates) and an outsider, Eve, of another council."""
    ann, bob, cat, dan, fay, eve = gov.people("Ann", "Bob", "Cat", "Dan", "Fay", "Eve")
    bakery = gov.council(ann, "bakery", [bob, cat, dan, fay])
    gov.council(eve, "mill")
    return bakery, [ann, bob, cat, dan, fay], eve


def _assembly(gov: Gov, council: int, actor: int, **kw) -> int:  # type: ignore[no-untyped-def]
    kw.setdefault("title", "Spring assembly")
    kw.setdefault("starts_at", START)
    kw.setdefault("place", "the bakery's back room")
    with gov.tx() as s:
        return assemblies.schedule_assembly(s, actor, council, now=T0, **kw).id


def _present(gov: Gov, assembly: int, people: list[int]) -> None:
    with gov.tx() as s:
        for p in people:
            assemblies.set_attendance(s, p, assembly, p, True, now=DURING)


def test_schedule_keeps_time_in_utc_and_refuses_naive_times(gov: Gov, coop) -> None:
    bakery, (ann, bob, *_), eve = coop
    kyiv = timezone(timedelta(hours=2))
    aid = _assembly(gov, bakery, bob, starts_at=datetime(2030, 1, 4, 20, 0, tzinfo=kyiv))
    with gov.tx() as s:
        a = assemblies.get(s, aid)
        assert a.starts_at == datetime(2030, 1, 4, 18, 0, tzinfo=UTC)
        assert (a.chair_id, a.secretary_id) == (bob, bob)
    with gov.tx() as s, pytest.raises(InputError) as err:
        assemblies.schedule_assembly(
            s, bob, bakery, title="x", starts_at=datetime(2030, 1, 4), place="hall", now=T0
        )
    assert err.value.field == "starts_at" and "time zone" in str(err.value)
    with gov.tx() as s, pytest.raises(InputError) as err:
        assemblies.schedule_assembly(s, bob, bakery, title="x", starts_at=START, now=T0)
    assert err.value.field == "place"
    with gov.tx() as s, pytest.raises(Forbidden):
        assemblies.schedule_assembly(s, eve, bakery, title="x", starts_at=START, place="y", now=T0)


def test_coordinator_rule_restricts_scheduling(gov: Gov, coop) -> None:
    bakery, (ann, bob, *_), _ = coop
    gov.set_rule(bakery, "assembly.schedule", "coordinator")
    with gov.tx() as s, pytest.raises(Forbidden):
        assemblies.schedule_assembly(s, bob, bakery, title="x", starts_at=START, place="y", now=T0)
    assert _assembly(gov, bakery, ann) > 0


def test_agenda_in_order_and_only_officers_edit_it(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, *_), eve = coop
    pid = gov.propose(cat, bakery, title="Buy a second oven")
    aid = _assembly(gov, bakery, bob)
    with gov.tx() as s:
        first = assemblies.add_agenda_item(s, bob, aid, title="Reports").id
        second = assemblies.add_agenda_item(s, bob, aid, proposal_id=pid).id
        third = assemblies.add_agenda_item(s, ann, aid, title="Any other business").id
        order = assemblies.order_agenda(s, bob, aid, [second, first, third])
        assert [(i.id, i.position) for i in order] == [(second, 1), (first, 2), (third, 3)]
    for actor, error in ((cat, Forbidden), (eve, Forbidden)):
        with gov.tx() as s, pytest.raises(error):
            assemblies.add_agenda_item(s, actor, aid, title="mine")
    other = gov.council(eve, "press")
    foreign = gov.propose(eve, other, title="not theirs")
    with gov.tx() as s, pytest.raises(InputError):
        assemblies.add_agenda_item(s, bob, aid, proposal_id=foreign)
    with gov.tx() as s:
        assemblies.remove_agenda_item(s, bob, first)
        view = assemblies.view_assembly(s, cat, aid)
        assert [(i.item.position, i.item.id) for i in view.agenda] == [(1, second), (2, third)]


def test_attendance_by_officers_and_each_member_for_themselves(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, _), eve = coop
    aid = _assembly(gov, bakery, bob, secretary_id=cat)
    with gov.tx() as s, pytest.raises(Conflict):  # too early
        assemblies.set_attendance(s, dan, aid, dan, True, now=T0)
    with gov.tx() as s:
        assemblies.set_attendance(s, cat, aid, ann, True, now=DURING)  # secretary for Ann
        assemblies.set_attendance(s, dan, aid, dan, True, now=DURING)  # Dan checks in
        assemblies.set_attendance(s, dan, aid, dan, False, now=DURING)  # and corrects it
    with gov.tx() as s, pytest.raises(Forbidden):  # a member cannot mark another one
        assemblies.set_attendance(s, dan, aid, ann, False, now=DURING)
    with gov.tx() as s, pytest.raises(Forbidden):
        assemblies.set_attendance(s, eve, aid, eve, True, now=DURING)
    with gov.tx() as s:
        view = assemblies.view_assembly(s, ann, aid)
        marks = {a.name: (a.present, a.recorded_by) for a in view.attendance}
        assert marks["Ann"] == (True, "Cat") and marks["Dan"] == (False, "Dan")
        assert marks["Bob"] == (None, None) and view.present_count == 1


def test_room_vote_needs_the_rules_notice_and_quorum(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), _ = coop
    pid = gov.propose(cat, bakery, title="Buy a second oven")
    aid = _assembly(gov, bakery, bob)
    with gov.tx() as s:
        assemblies.add_agenda_item(s, bob, aid, proposal_id=pid)
    _present(gov, aid, [ann, bob])
    hands = {"yes": 2}
    with gov.tx() as s, pytest.raises(Conflict, match="assembly.decide"):
        assemblies.decide_in_assembly(s, bob, aid, pid, hands=hands, now=DURING)
    gov.set_rule(bakery, "assembly.decide", "yes")
    with gov.tx() as s, pytest.raises(Conflict, match="2 of 5 members are present"):
        assemblies.decide_in_assembly(s, bob, aid, pid, hands=hands, now=DURING)
    _present(gov, aid, [cat])
    with gov.tx() as s, pytest.raises(Forbidden):  # Cat is neither chair nor secretary
        assemblies.decide_in_assembly(s, cat, aid, pid, hands=hands, now=DURING)
    with gov.tx() as s, pytest.raises(InputError, match="only 3 members are present"):
        assemblies.decide_in_assembly(s, bob, aid, pid, hands={"yes": 4}, now=DURING)
    # An assembly called at short notice cannot decide.
    rushed = _assembly(gov, bakery, bob, starts_at=T0 + timedelta(hours=5))
    with gov.tx() as s:
        assemblies.add_agenda_item(s, bob, rushed, proposal_id=pid)
        for p in (ann, bob, cat):
            assemblies.set_attendance(s, p, rushed, p, True, now=T0 + timedelta(hours=5))
    with gov.tx() as s, pytest.raises(Conflict, match="notice_hours"):
        assemblies.decide_in_assembly(s, bob, rushed, pid, hands=hands, now=T0 + timedelta(hours=6))
    with gov.tx() as s:
        assert s.get(Proposal, pid).status == "draft"  # type: ignore[union-attr]


def test_show_of_hands_decides_with_the_attendance_as_electorate(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), _ = coop
    gov.set_rule(bakery, "assembly.decide", "yes")
    pid = gov.propose(cat, bakery, title="Buy a second oven")
    lost = gov.propose(dan, bakery, title="Close on Mondays")
    aid = _assembly(gov, bakery, bob)
    with gov.tx() as s:
        assemblies.add_agenda_item(s, bob, aid, proposal_id=pid)
        assemblies.add_agenda_item(s, bob, aid, proposal_id=lost)
    _present(gov, aid, [ann, bob, cat])
    with gov.tx() as s:
        p = assemblies.decide_in_assembly(s, bob, aid, pid, hands={"yes": 2, "no": 1}, now=DURING)
        assert (p.status, p.outcome, p.electorate_size, p.ballots_counted) == (
            "closed",
            "accepted",
            3,
            3,
        )
        result = p.result_data or {}
        assert result["decided"] == "in assembly" and result["assembly_id"] == aid
        assert result["mode"] == "show of hands" and result["tally"]["tallies"]["yes"] == 2
        q = assemblies.decide_in_assembly(s, bob, aid, lost, hands={"yes": 1, "no": 2}, now=DURING)
        assert q.outcome == "rejected"
    with gov.tx() as s:  # the closed outcome is chained and the chain verifies
        record = s.scalar(
            select(LedgerRecord)
            .where(LedgerRecord.table_name == "proposals", LedgerRecord.row_id == pid)
            .order_by(LedgerRecord.seq.desc())
        )
        assert record is not None
        chained = json.loads(json.loads(record.state or "{}")["result"])
        assert chained["decided"] == "in assembly" and chained["outcome"] == "accepted"
        assert chain.verify(s).ok
    with gov.tx() as s, pytest.raises(Conflict, match="closed"):
        assemblies.decide_in_assembly(s, bob, aid, pid, hands={"yes": 3}, now=DURING)


def test_roll_call_stores_each_present_members_ballot(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), _ = coop
    gov.set_rule(bakery, "assembly.decide", "yes")
    pid = gov.propose(
        cat, bakery, title="Which bread first", method="schulze", options=["rye", "wheat", "spelt"]
    )
    aid = _assembly(gov, bakery, bob)
    with gov.tx() as s:
        assemblies.add_agenda_item(s, bob, aid, proposal_id=pid)
    _present(gov, aid, [ann, bob, cat])
    with gov.tx() as s, pytest.raises(InputError, match="not recorded present"):
        assemblies.decide_in_assembly(s, bob, aid, pid, roll_call={dan: "rye"}, now=DURING)
    votes = {ann: "spelt>rye>wheat", bob: "spelt>wheat>rye", cat: "rye>spelt>wheat"}
    with gov.tx() as s:
        p = assemblies.decide_in_assembly(s, bob, aid, pid, roll_call=votes, now=DURING)
        assert (p.outcome, p.winner, p.ballots_counted) == ("accepted", "spelt", 3)
        assert (p.result_data or {})["mode"] == "roll call"
        assert s.execute(text("select count(*) from ballots")).scalar() == 3


def test_minutes_drafted_approved_by_the_room_then_frozen_and_chained(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), eve = coop
    gov.set_rule(bakery, "assembly.decide", "yes")
    aid = _assembly(gov, bakery, bob, secretary_id=cat)
    _present(gov, aid, [ann, bob, cat])
    with gov.tx() as s, pytest.raises(Forbidden):
        minutes.write_minutes(s, bob, aid, "not the secretary", now=DURING)
    with gov.tx() as s:
        minutes.write_minutes(s, cat, aid, "# Notes\n\nWe talked about ovens.", now=DURING)
        m = minutes.write_minutes(s, cat, aid, "# Notes\n\nWe agreed on ovens.", now=DURING)
        approval = assemblies.propose_minutes_approval(s, cat, aid, now=DURING)
        assert approval.payload_data == {
            "minutes_id": m.id,
            "text_sha256": minutes.text_hash("# Notes\n\nWe agreed on ovens."),
        }
    with gov.tx() as s:
        p = assemblies.decide_in_assembly(s, cat, aid, approval.id, hands={"yes": 3}, now=DURING)
        assert p.outcome == "accepted", p.result
    with gov.tx() as s:
        row = s.get(Minutes, m.id)
        assert row is not None and (row.status, row.approved_by) == ("approved", approval.id)
        assert s.scalar(
            select(LedgerRecord.id).where(
                LedgerRecord.table_name == "minutes", LedgerRecord.row_id == m.id
            )
        )
        assert chain.verify(s).ok
    with gov.tx() as s, pytest.raises(Conflict, match="never change"):
        minutes.write_minutes(s, cat, aid, "rewritten", now=DURING)
    with gov.tx() as s, pytest.raises(Conflict, match="attendance is kept"):
        assemblies.set_attendance(s, dan, aid, dan, True, now=DURING)
    with gov.tx() as s:  # a change made behind the application's back is found
        s.execute(text("update minutes set text = 'forged' where id = :i"), {"i": m.id})
    with gov.tx() as s:
        assert not chain.verify(s).ok


def test_changed_draft_cannot_be_approved_by_a_stale_vote(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), _ = coop
    aid = _assembly(gov, bakery, cat)
    with gov.tx() as s:
        minutes.write_minutes(s, cat, aid, "first text", now=DURING)
        approval = assemblies.propose_minutes_approval(s, cat, aid, now=DURING).id
        minutes.write_minutes(s, cat, aid, "second text", now=DURING)
    with gov.tx() as s, pytest.raises(Conflict, match="changed since"):
        proposals.open_proposal(s, cat, approval, now=DURING)
    with gov.tx() as s:  # a fresh proposal approves the text as it stands, by an online vote
        fresh = assemblies.propose_minutes_approval(s, cat, aid, now=DURING).id
    gov.open(cat, fresh, now=DURING)
    with gov.tx() as s, pytest.raises(Conflict, match="cannot change while the vote runs"):
        minutes.write_minutes(s, cat, aid, "third text", now=DURING)
    for voter in (ann, bob, cat):
        gov.vote(voter, fresh, "yes", now=DURING)
    assert gov.close(cat, fresh, now=DURING + timedelta(minutes=1)).outcome == "accepted"
    with gov.tx() as s:
        row = s.scalar(select(Minutes))
        assert row is not None and (row.status, row.text) == ("approved", "second text")


def test_archive_lists_every_decision_paginated_and_searches(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, *_), eve = coop
    for n in range(25):
        title = f"Decision {n:02d}" + (" about rye bread" if n % 5 == 0 else "")
        gov.decide(bakery, ann, [ann, bob, cat], title=title, body=f"text {n} 100%_sure")
    with gov.tx() as s:
        first = archive.decisions(s, bob, bakery)
        assert (first.total, first.pages, len(first.rows)) == (25, 2, 20)
        second = archive.decisions(s, bob, bakery, page=2)
        titles = [p.title for p in first.rows + second.rows]
        assert len(set(titles)) == 25
        found = archive.decisions(s, bob, bakery, q="RYE bread")
        assert sorted(p.title for p in found.rows) == sorted(
            f"Decision {n:02d} about rye bread" for n in range(0, 25, 5)
        )
        assert archive.decisions(s, bob, bakery, q="100%_").total == 25  # wildcards are literal
        assert archive.decisions(s, bob, bakery, q="1%0").total == 0
        with pytest.raises(InputError):
            archive.decisions(s, bob, bakery, page=0)
    with gov.tx() as s, pytest.raises(Forbidden):
        archive.decisions(s, eve, bakery)


def test_minutes_search_and_exports(gov: Gov, coop) -> None:
    bakery, (ann, bob, cat, dan, fay), eve = coop
    aid = _assembly(gov, bakery, cat, title="Harvest assembly")
    _present(gov, aid, [ann, cat])
    with gov.tx() as s:
        minutes.write_minutes(s, cat, aid, "Рішення: купити борошно.\n\nWe buy flour.", now=DURING)
        approval = assemblies.propose_minutes_approval(s, cat, aid, now=DURING).id
    gov.open(cat, approval, now=DURING)
    for voter in (ann, bob, cat):
        gov.vote(voter, approval, "yes", now=DURING)
    gov.close(cat, approval, now=DURING)
    with gov.tx() as s:
        assert [m.assembly_id for m in archive.minutes(s, bob, bakery, q="FLOUR").rows] == [aid]
        assert archive.minutes(s, bob, bakery, q="борошно").total == 1
        assert archive.minutes(s, bob, bakery, q="harvest").total == 1
        assert archive.minutes(s, bob, bakery, q="sugar").total == 0
        md = archive.minutes_markdown(s, dan, aid)
        assert md.startswith("# Minutes: Harvest assembly")
        assert "Present (2 members): Ann, Cat" in md and "We buy flour." in md
        assert f"approved by proposal #{approval}" in md
        pdf = archive.minutes_pdf(s, dan, aid)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    with gov.tx() as s, pytest.raises(Forbidden):
        archive.minutes_markdown(s, eve, aid)
    with gov.tx() as s, pytest.raises(Forbidden):
        archive.minutes(s, eve, bakery)


def test_closed_result_json_is_plain(gov: Gov, coop) -> None:
    """The in-room result keeps the usual fields (tallies, quorum) for every reader."""
    bakery, (ann, bob, cat, dan, fay), _ = coop
    gov.set_rule(bakery, "assembly.decide", "yes")
    pid = gov.propose(cat, bakery, title="Paint the door", quorum=0.9)
    aid = _assembly(gov, bakery, bob)
    with gov.tx() as s:
        assemblies.add_agenda_item(s, bob, aid, proposal_id=pid)
    _present(gov, aid, [ann, bob, cat])
    with gov.tx() as s:  # two hands of three present: below the proposal's 0.9 quorum
        p = assemblies.decide_in_assembly(s, bob, aid, pid, hands={"yes": 2}, now=DURING)
        data = json.loads(p.result or "{}")
        assert p.outcome == "rejected" and data["quorum_needed"] == 3 and not data["quorum_met"]
