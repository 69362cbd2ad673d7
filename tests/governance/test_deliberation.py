"""Deliberation: comments and their versions, hiding by the council's rules, the discussion
phase, amendments and alternatives decided first or ranked together (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from soviets.governance import amendments, discussion, proposals, rules
from soviets.governance.errors import Conflict, Forbidden, InputError
from soviets.ledger.models import Amendment, Proposal

from .conftest import T0, Gov

HOUR = timedelta(hours=1)
RULE = {"rules": {"booking.max_hours": 4}}


@pytest.fixture
def mill(gov: Gov) -> tuple[int, int, list[int]]:
    """A mill (Ann coordinates; Bob, Cat members) and a bakery (Dan)."""
    ann, bob, cat, dan = gov.people("Ann", "Bob", "Cat", "Dan")
    mill = gov.council(ann, "mill", [bob, cat])
    bakery = gov.council(dan, "bakery")
    return mill, bakery, [ann, bob, cat, dan]


def _discussed(gov: Gov, council: int, proposer: int, mode: str = "first", **kw) -> int:  # type: ignore[no-untyped-def]
    """A proposal opened into a 24-hour discussion under ``mode``."""
    gov.set_rule(council, "proposal.discussion_hours", "24")
    gov.set_rule(council, "proposal.amendments", mode)
    kw.setdefault("kind", "change_rules")
    kw.setdefault("payload", RULE)
    pid = gov.propose(proposer, council, **kw)
    gov.open(proposer, pid)
    return pid


def _amend(gov: Gov, actor: int, pid: int, **kw) -> int:  # type: ignore[no-untyped-def]
    with gov.tx() as s:
        return amendments.propose_amendment(s, actor, pid, now=T0 + HOUR, **kw).id


def _tick(gov: Gov, at) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with gov.tx() as s:
        return proposals.close_due(s, at)


def _max_hours(gov: Gov, council: int) -> str | None:
    with gov.tx() as s:
        return rules.get_rule(s, council, "booking.max_hours")


# --- comments ------------------------------------------------------------------------------


def test_threads_stances_and_edits_keep_their_history(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    pid = gov.propose(ann, council, title="Buy a second millstone")
    with gov.tx() as s:
        first = discussion.add_comment(s, bob, pid, stance="for", body="Halves the queue", now=T0)
        discussion.add_comment(s, cat, pid, stance="against", body="Costs 300 hours", now=T0)
        discussion.add_comment(
            s, ann, pid, stance="question", body="Which supplier?", parent_id=first.id, now=T0
        )
        discussion.edit_comment(s, bob, first.id, body="Halves the queue at harvest", now=T0 + HOUR)
    with gov.tx() as s:
        threads = discussion.list_comments(s, cat, pid)
        sides = discussion.arguments(threads)
        history = discussion.comment_history(s, cat, first.id)
    assert [c.body for c in sides["for"]] == ["Halves the queue at harvest"]
    assert [c.body for c in sides["against"]] == ["Costs 300 hours"]
    assert [r.body for r in threads[0].replies] == ["Which supplier?"]
    assert threads[0].revision == 2 and threads[0].edited_at is not None
    assert [(v.revision, v.body) for v in history] == [
        (1, "Halves the queue"),
        (2, "Halves the queue at harvest"),
    ]
    with gov.tx() as s, pytest.raises(Forbidden, match="only its author"):
        discussion.edit_comment(s, cat, first.id, body="mine now")
    with gov.tx() as s, pytest.raises(InputError, match="stance"):
        discussion.add_comment(s, cat, pid, stance="maybe", body="hm")
    with gov.tx() as s, pytest.raises(InputError, match="not a comment on proposal"):
        other = gov.propose(ann, council, title="another")
        discussion.add_comment(s, cat, other, stance="note", body="x", parent_id=first.id)


def test_hiding_follows_the_rules_and_leaves_a_trace(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    pid = gov.propose(ann, council, title="Night shifts")
    with gov.tx() as s:
        rude = discussion.add_comment(s, bob, pid, stance="against", body="rude words", now=T0).id
        mine = discussion.add_comment(s, cat, pid, stance="note", body="typo", now=T0).id
    with gov.tx() as s, pytest.raises(Forbidden, match="a coordinator"):
        discussion.hide_comment(s, cat, rude, reason="I dislike it")
    with gov.tx() as s, pytest.raises(InputError, match="reason"):
        discussion.hide_comment(s, ann, rude, reason=" ")
    with gov.tx() as s:
        discussion.hide_comment(s, ann, rude, reason="insults a member", now=T0 + HOUR)
        discussion.hide_comment(s, cat, mine, now=T0 + HOUR)  # the author withdraws
    with gov.tx() as s:
        hidden, withdrawn = discussion.list_comments(s, bob, pid)
    assert hidden.body is None and hidden.hidden_by == "Ann"
    assert hidden.hidden_reason == "insults a member" and hidden.hidden_at is not None
    assert withdrawn.withdrawn and withdrawn.hidden_reason == "withdrawn by its author"
    with gov.tx() as s, pytest.raises(Conflict, match="hidden"):
        discussion.comment_history(s, bob, rude)
    with gov.tx() as s, pytest.raises(Conflict, match="hidden"):
        discussion.edit_comment(s, bob, rude, body="nicer words")
    # By the rule "author", not even a coordinator hides someone else's comment.
    gov.set_rule(council, "discussion.hide", "author")
    with gov.tx() as s:
        third = discussion.add_comment(s, bob, pid, stance="for", body="fine", now=T0).id
    with gov.tx() as s, pytest.raises(Forbidden, match="nobody but its author"):
        discussion.hide_comment(s, ann, third, reason="off topic")


def test_hiding_by_the_councils_vote_leaves_proposer_decision_and_reason(gov: Gov, mill) -> None:
    council, bakery, (ann, bob, cat, dan) = mill
    pid = gov.propose(ann, council, title="Night shifts")
    with gov.tx() as s:
        rude = discussion.add_comment(s, bob, pid, stance="against", body="rude words", now=T0).id
    # Under the default rule a hide_comment vote is refused: the coordinator decides.
    with gov.tx() as s, pytest.raises(Conflict, match="discussion.hide = coordinator"):
        discussion.propose_hiding(s, cat, rude, reason="insults a member", now=T0)
    gov.set_rule(council, "discussion.hide", "vote")
    # Now nobody hides it alone, not even a coordinator; its author still withdraws it.
    with gov.tx() as s, pytest.raises(Forbidden, match="only the council's vote"):
        discussion.hide_comment(s, ann, rude, reason="insults a member")
    with gov.tx() as s:
        assert rude not in discussion.overview(s, ann, pid).hideable
        assert rude in discussion.overview(s, bob, pid).hideable
    # A comment of another council's proposal, a blank reason, an outsider: refused.
    other = gov.propose(dan, bakery, title="Rye")
    with gov.tx() as s:
        theirs = discussion.add_comment(s, dan, other, stance="note", body="ok", now=T0).id
    with gov.tx() as s, pytest.raises(InputError, match="no comment"):
        proposals.create_proposal(
            s, cat, council, kind="hide_comment", title="x",
            payload={"comment_id": theirs, "reason": "x"}, now=T0,
        )  # fmt: skip
    with gov.tx() as s, pytest.raises(InputError, match="reason"):
        discussion.propose_hiding(s, cat, rude, reason="   ", now=T0)
    with gov.tx() as s, pytest.raises(Forbidden):
        discussion.propose_hiding(s, dan, rude, reason="x", now=T0)
    # Cat proposes; Ann and Cat vote yes, Bob no: accepted, and the comment is hidden.
    with gov.tx() as s:
        vote = discussion.propose_hiding(s, cat, rude, reason="insults a member", now=T0).id
    gov.open(cat, vote)
    for voter, choice in ((ann, "yes"), (cat, "yes"), (bob, "no")):
        gov.vote(voter, vote, choice)
    assert gov.close(cat, vote).outcome == "accepted"
    with gov.tx() as s:
        (hidden,) = discussion.list_comments(s, bob, pid)
    assert hidden.body is None and hidden.hidden_at is not None and not hidden.withdrawn
    assert (hidden.hidden_by, hidden.hidden_by_proposal) == ("Cat", vote)
    assert hidden.hidden_reason == "insults a member"
    # A second vote on a hidden comment is refused when drafted.
    with gov.tx() as s, pytest.raises(Conflict, match="already hidden"):
        discussion.propose_hiding(s, cat, rude, reason="again", now=T0)


def test_a_rejected_hiding_vote_leaves_the_comment_shown(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    gov.set_rule(council, "discussion.hide", "vote")
    pid = gov.propose(ann, council, title="Night shifts")
    with gov.tx() as s:
        sharp = discussion.add_comment(s, bob, pid, stance="against", body="sharp", now=T0).id
        vote = discussion.propose_hiding(s, ann, sharp, reason="too sharp", now=T0).id
    gov.open(ann, vote)
    for voter, choice in ((ann, "yes"), (cat, "no"), (bob, "no")):
        gov.vote(voter, vote, choice)
    assert gov.close(ann, vote).outcome == "rejected"
    with gov.tx() as s:
        (shown,) = discussion.list_comments(s, cat, pid)
    assert shown.body == "sharp" and shown.hidden_at is None


def test_outsiders_neither_read_nor_write_a_discussion(gov: Gov, mill) -> None:
    council, bakery, (ann, bob, _, dan) = mill
    pid = gov.propose(ann, council, title="Private matter")
    with gov.tx() as s:
        cid = discussion.add_comment(s, bob, pid, stance="for", body="secret", now=T0).id
    calls = [
        lambda s: discussion.list_comments(s, dan, pid),
        lambda s: discussion.add_comment(s, dan, pid, stance="for", body="me too"),
        lambda s: discussion.edit_comment(s, dan, cid, body="x"),
        lambda s: discussion.hide_comment(s, dan, cid, reason="x"),
        lambda s: discussion.comment_history(s, dan, cid),
        lambda s: amendments.list_amendments(s, dan, pid),
    ]
    for call in calls:
        with gov.tx() as s, pytest.raises(Forbidden):
            call(s)
    # A public council's discussion is readable by all, yet only its members take part.
    with gov.tx() as s:
        s.execute(text("UPDATE councils SET public = true WHERE id = :c"), {"c": council})
    with gov.tx() as s:
        assert [c.body for c in discussion.list_comments(s, dan, pid)] == ["secret"]
    with gov.tx() as s, pytest.raises(Forbidden, match="take part"):
        discussion.add_comment(s, dan, pid, stance="for", body="me too")


# --- the discussion phase --------------------------------------------------------------------


def test_no_discussion_hours_open_the_vote_at_once(gov: Gov, mill) -> None:
    council, _, (ann, *_) = mill
    pid = gov.propose(ann, council, kind="change_rules", payload=RULE)
    gov.open(ann, pid)
    assert gov.get(pid).status == "open"


def test_discussion_freezes_the_text_and_takes_no_ballots(gov: Gov, mill) -> None:
    council, _, (ann, bob, *_) = mill
    pid = _discussed(gov, council, ann)
    p = gov.get(pid)
    assert p.status == "discussion" and p.discussion_ends_at == T0 + 24 * HOUR
    assert p.amendments == "first" and p.opened_at is None
    with pytest.raises(Conflict, match="not open for voting"):
        gov.vote(bob, pid, "yes", now=T0 + HOUR)
    with pytest.raises(DBAPIError, match="frozen"), gov.tx() as s:
        s.execute(text("UPDATE proposals SET body = 'changed' WHERE id = :p"), {"p": pid})
    assert _tick(gov, T0 + 23 * HOUR) == {}
    assert _tick(gov, T0 + 24 * HOUR) == {pid: "discussion over: voting open"}
    with pytest.raises(Conflict, match="not in its discussion phase"):
        _amend(gov, bob, pid, kind="amendment", title="late", body="too late")
    # The database refuses amendments once voting is open, whatever the code says.
    with pytest.raises(DBAPIError, match="amendments may change only"), gov.tx() as s:
        late = {"number": 9, "kind": "amendment", "title": "x", "body": "y", "payload": "{}"}
        s.add(Amendment(proposal_id=pid, status="proposed", created_by=bob, created_at=T0, **late))


def test_the_proposer_may_withdraw_during_discussion(gov: Gov, mill) -> None:
    council, _, (ann, *_) = mill
    pid = _discussed(gov, council, ann)
    with gov.tx() as s:
        proposals.withdraw_proposal(s, ann, pid, now=T0 + HOUR)
    assert gov.get(pid).status == "withdrawn"
    assert _tick(gov, T0 + 48 * HOUR) == {}


def test_amendments_first_then_the_amended_proposal(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    pid = _discussed(gov, council, ann, title="Shorter bookings")
    six = _amend(
        gov,
        bob,
        pid,
        kind="amendment",
        title="Six hours",
        payload={"rules": {"booking.max_hours": 6}},
    )
    text_only = _amend(gov, cat, pid, kind="amendment", title="Clearer", body="Bookings of 4 h")
    with gov.tx() as s, pytest.raises(InputError, match="changes the text or the payload"):
        amendments.propose_amendment(s, cat, pid, kind="amendment", title="void", now=T0 + HOUR)
    assert _tick(gov, T0 + 24 * HOUR) == {
        pid: "discussion over: 2 amendments put to their own votes"
    }
    assert _tick(gov, T0 + 25 * HOUR) == {}  # waiting for those votes
    with gov.tx() as s:
        votes = {a.id: a.vote_id for a in amendments.list_amendments(s, ann, pid)}
    assert gov.get(pid).status == "discussion" and None not in votes.values()
    at = T0 + 25 * HOUR
    for voter in (ann, bob, cat):
        gov.vote(voter, votes[six], "yes", now=at)
        gov.vote(voter, votes[text_only], "no", now=at)
    assert _tick(gov, T0 + 24 * HOUR + 8 * 24 * HOUR) == {
        votes[six]: "accepted",
        votes[text_only]: "rejected",
        pid: "discussion over: voting open",
    }
    p = gov.get(pid)
    assert p.method == "majority" and p.amended_body is None
    assert p.voted_payload == {"rules": {"booking.max_hours": 6}}
    with gov.tx() as s:
        states = {a.id: a.status for a in amendments.list_amendments(s, ann, pid)}
    assert states == {six: "accepted", text_only: "rejected"}
    final = T0 + 24 * HOUR + 8 * 24 * HOUR
    for voter in (ann, bob, cat):
        gov.vote(voter, pid, "yes", now=final)
    assert gov.close(ann, pid, now=final + HOUR).outcome == "accepted"
    assert _max_hours(gov, council) == "6"  # the amended payload was carried out


def test_schulze_ranks_every_version_together(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    pid = _discussed(gov, council, ann, mode="schulze")
    _amend(
        gov, bob, pid, kind="amendment", title="Six", payload={"rules": {"booking.max_hours": 6}}
    )
    _amend(gov, cat, pid, kind="alternative", title="Eight", body="Eight hours",
           payload={"rules": {"booking.max_hours": 8}})  # fmt: skip
    withdrawn = _amend(gov, cat, pid, kind="amendment", title="Two", body="Two hours")
    with gov.tx() as s:
        amendments.withdraw_amendment(s, cat, withdrawn, now=T0 + 2 * HOUR)
    assert _tick(gov, T0 + 24 * HOUR) == {pid: "discussion over: voting open"}
    p = gov.get(pid)
    with gov.tx() as s:
        labels = [o.label for o in s.get(Proposal, pid).options]  # type: ignore[union-attr]
    assert p.method == "schulze" and p.no_change == amendments.NO_CHANGE
    assert labels == ["Original", "Amendment 1", "Alternative 2", "No change"]
    at = T0 + 25 * HOUR
    gov.vote(ann, pid, "Alternative 2>Amendment 1>Original>No change", now=at)
    gov.vote(bob, pid, "Amendment 1>Alternative 2>Original>No change", now=at)
    gov.vote(cat, pid, "Alternative 2>No change>Original>Amendment 1", now=at)
    closed = gov.close(ann, pid, now=at + 8 * 24 * HOUR)
    assert (closed.outcome, closed.winner) == ("accepted", "Alternative 2")
    assert _max_hours(gov, council) == "8"


def test_no_change_winning_rejects_every_version(gov: Gov, mill) -> None:
    council, _, (ann, bob, cat, _) = mill
    pid = _discussed(gov, council, ann, mode="first")
    _amend(gov, cat, pid, kind="alternative", title="Eight", body="Eight hours",
           payload={"rules": {"booking.max_hours": 8}})  # fmt: skip
    _tick(gov, T0 + 24 * HOUR)  # no amendment to vote first: one ranked vote
    with gov.tx() as s:
        labels = [o.label for o in s.get(Proposal, pid).options]  # type: ignore[union-attr]
    assert labels == ["Proposal", "Alternative 1", "No change"]
    at = T0 + 25 * HOUR
    for voter in (ann, bob, cat):
        gov.vote(voter, pid, "No change>Proposal>Alternative 1", now=at)
    closed = gov.close(ann, pid, now=at + 8 * 24 * HOUR)
    assert closed.outcome == "rejected" and closed.winner is None
    assert "nothing passes" in (closed.result_data or {})["reason"]
    assert _max_hours(gov, council) is None


def test_only_voters_amend_and_only_yes_no_proposals(gov: Gov, mill) -> None:
    council, _, (ann, bob, _, dan) = mill
    pid = _discussed(gov, council, ann)
    with gov.tx() as s, pytest.raises(Forbidden):
        amendments.propose_amendment(s, dan, pid, kind="amendment", title="x", body="y")
    with gov.tx() as s, pytest.raises(InputError, match="payload"):
        amendments.propose_amendment(s, bob, pid, kind="amendment", title="bad", now=T0 + HOUR,
                                     payload={"rules": {"booking.max_hours": -1}})  # fmt: skip
    ranked = _discussed(
        gov, council, ann, kind="general", payload={}, method="schulze", options=["A", "B"]
    )
    with gov.tx() as s, pytest.raises(InputError, match="ranked proposal"):
        amendments.propose_amendment(s, bob, ranked, kind="alternative", title="C", body="C",
                                     now=T0 + HOUR)  # fmt: skip
