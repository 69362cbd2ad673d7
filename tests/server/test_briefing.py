"""Briefing at the service level, on SQLite and PostgreSQL: notices written at each event,
the inbox, read and seen, feed tokens, delegates' votes, deliveries due, and mail (notice by
notice and the daily digest) read back from a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from databases import Databases
from server.live import free_port
from server.smtp import smtp_server
from server.world import World, _decide, build_world
from soviets.errors import Forbidden, InputError, NotFound
from soviets.governance import authz, ballots, briefing, notices, proposals
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Agreement, Delegate, DigestSent, Elector, Notice, Period
from soviets.server.briefing_mail import send_due
from soviets.server.mail import MailSettings


@pytest.fixture
def valley(db_url: str, databases: Databases) -> Iterator[tuple[World, object]]:
    """The Valley world on a fresh database (a copy of the session's template), and its
    session factory."""
    world = databases.seed(db_url, build_world)
    engine = make_engine(db_url)
    try:
        yield world, session_factory(engine)
    finally:
        engine.dispose()


def _kinds(s: Session, person_id: int, subject: str) -> set[str]:
    return set(
        s.scalars(
            select(Notice.kind).where(Notice.person_id == person_id, Notice.subject == subject)
        )
    )


def test_each_event_tells_whom_it_concerns(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    with transaction(sessions) as s:
        # Waiting for your vote: exactly the open votes where bob is an elector without a
        # ballot (he voted on the stuck transfer, not on the market or the park).
        electorate = set(
            s.scalars(select(Elector.proposal_id).where(Elector.person_id == p["bob"]))
        )
        waiting = {w.proposal_id for w in briefing.waiting_for_vote(s, p["bob"])}
        assert waiting == {ids["market"], ids["park"]} and waiting <= electorate
        ballots.cast_ballot(s, p["bob"], ids["market"], "yes")
        assert {w.proposal_id for w in briefing.waiting_for_vote(s, p["bob"])} == {ids["park"]}
        # Opening and deciding Riverside's vote told each of its three members, nobody else.
        closed = f"proposal:{ids['closed']}"
        for person in ("fran", "alice", "bob"):
            assert _kinds(s, p[person], closed) == {"new_proposal", "decision"}
        for person in ("carol", "dave", "erin"):
            assert _kinds(s, p[person], closed) == set()
        # Valley's plan vote: each member council hears how its own delegate voted.
        adopt = f"proposal:{ids['adopt']}"
        bob_told = s.scalars(
            select(Notice.text).where(
                Notice.person_id == p["bob"],
                Notice.subject == adopt,
                Notice.kind == "delegate_vote",
            )
        ).all()
        assert len(bob_told) == 1 and "Alice Varga voted “yes”" in bob_told[0]
        carol_told = s.scalars(
            select(Notice.text).where(
                Notice.person_id == p["carol"], Notice.kind == "delegate_vote"
            )
        ).all()
        assert carol_told and all("Carol Mbeki" in t for t in carol_told)
        # Erin, named a founder of the Commons, has that invitation and nothing else.
        erin = briefing.inbox(s, p["erin"])
        assert [(n.kind, n.council_id) for n in erin.notices] == [("invitation", ids["commons"])]
        # No notice ever names a council its person may not read, except an invitation to it.
        for notice in s.scalars(select(Notice)):
            if notice.kind != "invitation" and notice.council_id is not None:
                council = authz.get_council(s, notice.council_id)
                assert authz.can_read(s, notice.person_id, council), notice.text


def test_a_recall_tells_the_delegate_and_the_council(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    with transaction(sessions) as s:
        _decide(s, ids["riverside"], p["fran"], [p["fran"], p["alice"], p["bob"]],
                kind="recall_delegate", title="Recall Alice",
                payload={"delegate_id": ids["alice_delegate"]})  # fmt: skip
        assert s.get(Delegate, ids["alice_delegate"]).status == "recalled"
        told = {
            n.person_id: n.text for n in s.scalars(select(Notice).where(Notice.kind == "recall"))
        }
        assert set(told) == {p["fran"], p["alice"], p["bob"]}
        assert told[p["alice"]].startswith("Riverside recalled you as its delegate")
        assert told[p["bob"]].startswith("Alice Varga is recalled")


def test_read_seen_and_no_reading_across_councils(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    with transaction(sessions) as s:
        decision = s.scalar(
            select(Notice).where(
                Notice.person_id == p["bob"],
                Notice.subject == f"proposal:{ids['closed']}",
                Notice.kind == "decision",
            )
        )
        before = briefing.inbox(s, p["bob"]).unread
        briefing.mark_read(s, p["bob"], decision.id)
        assert briefing.inbox(s, p["bob"]).unread == before - 1
        # Marking a decision's notice read counts as seeing it; opening it again does not count
        # twice; Fran opens it: two of Riverside's three members have seen it.
        assert briefing.mark_seen(s, p["bob"], ids["closed"]) is False
        assert briefing.mark_seen(s, p["fran"], ids["closed"]) is True
        counts, readers = briefing.seen_counts(s, p["alice"], ids["riverside"], [ids["closed"]])
        assert (counts, readers) == ({ids["closed"]: 2}, 3)
        # An open vote is not a decision: nothing recorded.
        assert briefing.mark_seen(s, p["bob"], ids["market"]) is False
        # Dave, of Hilltop, can neither read Bob's notice, see Riverside's counts nor mark seen.
        with pytest.raises(NotFound):
            briefing.mark_read(s, p["dave"], decision.id)
        with pytest.raises(Forbidden):
            briefing.seen_counts(s, p["dave"], ids["riverside"], [ids["closed"]])
        with pytest.raises(Forbidden):
            briefing.mark_seen(s, p["dave"], ids["closed"])
        # Asking Hilltop's counts for Riverside's decision gives nothing away.
        assert briefing.seen_counts(s, p["dave"], ids["hilltop"], [ids["closed"]])[0] == {}
        assert briefing.mark_all_read(s, p["bob"]) == before - 1
        assert briefing.inbox(s, p["bob"]).unread == 0


def test_feed_tokens_open_a_private_feed_until_revoked(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    with transaction(sessions) as s:
        made = briefing.create_feed_token(s, p["bob"], ids["riverside"])
        council, decided = briefing.council_feed(s, ids["riverside"], made.secret)
        assert ids["closed"] in [d.id for d in decided]
        assert all(d.status == "closed" and d.council_id == council.id for d in decided)
        for secret in (None, "not-a-token", made.secret + "x"):
            with pytest.raises(Forbidden):
                briefing.council_feed(s, ids["riverside"], secret)
        with pytest.raises(Forbidden):  # a Riverside token opens no other council's feed
            briefing.council_feed(s, ids["hilltop"], made.secret)
        with pytest.raises(Forbidden):
            briefing.create_feed_token(s, p["dave"], ids["riverside"])
        with pytest.raises(NotFound):
            briefing.revoke_feed_token(s, p["dave"], made.id)
        assert briefing.council_feed(s, ids["commons"], None)[0].public  # public: no token
        briefing.revoke_feed_token(s, p["bob"], made.id)
        with pytest.raises(Forbidden):
            briefing.council_feed(s, ids["riverside"], made.secret)
        assert briefing.list_feed_tokens(s, p["bob"]) == [
            t for t in briefing.list_feed_tokens(s, p["bob"]) if t.id != made.id
        ]


def test_delegate_votes_beside_the_mandate(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    with transaction(sessions) as s:
        votes = briefing.delegate_votes(s, p["bob"], ids["alice_delegate"])
        assert {v.proposal_id: v.ballot for v in votes}[ids["adopt"]] == "yes"
        assert all(v.mandate is None for v in votes)
        # A mandate for general proposals, then a new one in Valley: Alice must follow it.
        _decide(s, ids["riverside"], p["fran"], [p["fran"], p["alice"], p["bob"]],
                kind="instruct_delegate", title="Alice votes no on general proposals",
                payload={"delegate_id": ids["alice_delegate"],
                         "mandates": [{"proposal_kind": "general", "vote": "no"}]})  # fmt: skip
        made = proposals.create_proposal(s, p["carol"], ids["valley"], kind="general", title="Mill")
        proposals.open_proposal(s, p["carol"], made.id)
        ballots.cast_ballot(s, p["alice"], made.id, "no")
        latest = briefing.delegate_votes(s, p["fran"], ids["alice_delegate"])[0]
        assert (latest.proposal_id, latest.ballot, latest.mandate) == (made.id, "no", "no")
        with pytest.raises(Forbidden):
            briefing.delegate_votes(s, p["dave"], ids["alice_delegate"])


def test_deliveries_due_are_told_once(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    ids = world.ids
    with transaction(sessions) as s:
        agreement = s.get(Agreement, ids["agreement"])
        agreement.status = "accepted"
        ends = s.get(Period, agreement.period_id).ends_on
        early = datetime(ends.year, ends.month, ends.day, tzinfo=UTC) - timedelta(days=30)
        assert briefing.deliveries_due(s, early) == 0  # not due yet
        soon = early + timedelta(days=20)
        made = briefing.deliveries_due(s, soon)
        parties = {agreement.supplier_council_id, agreement.receiver_council_id}
        expected = {m for c in parties for m in authz.member_ids(s, c)}
        told = set(s.scalars(select(Notice.person_id).where(Notice.kind == "delivery_due")))
        assert made == len(expected) and told == expected
        assert briefing.deliveries_due(s, soon + timedelta(days=1)) == 0  # once only


def test_mail_each_notice_and_one_digest_a_day(valley) -> None:  # type: ignore[no-untyped-def]
    world, sessions = valley
    p, ids = world.people, world.ids
    start = datetime.now(UTC)
    with transaction(sessions) as s:
        briefing.set_mail_mode(s, p["bob"], "each", start)
        briefing.set_mail_mode(s, p["fran"], "digest", start)
        with pytest.raises(InputError, match="must be one of"):
            briefing.set_mail_mode(s, p["fran"], "hourly")
    with transaction(sessions) as s:
        made = proposals.create_proposal(s, p["alice"], ids["riverside"], kind="general",
                                         title="Repair the bridge")  # fmt: skip
        proposals.open_proposal(s, p["alice"], made.id, now=start + timedelta(minutes=1))
    dead = MailSettings(host="127.0.0.1", port=free_port(), starttls=False)
    failed = send_due(sessions, dead, start + timedelta(minutes=2))
    assert (failed.notices, failed.digests, failed.failed) == (0, 0, 2)
    with transaction(sessions) as s:  # the failed digest gave its claim back
        assert s.scalars(select(DigestSent)).all() == []
    with smtp_server() as (inbox, settings):
        report = send_due(sessions, settings, start + timedelta(minutes=3))
        assert (report.notices, report.digests, report.failed) == (1, 1, 0)
        bob = inbox.wait_for(world.email("bob"))
        assert bob["Subject"] == "New proposal"
        assert "Repair the bridge" in bob.get_body(("plain",)).get_content()
        fran = inbox.wait_for(world.email("fran"))
        text = fran.get_body(("plain",)).get_content()
        assert fran["Subject"].startswith("Your daily briefing for ")
        assert "Waiting for your vote: Riverside" in text and "Repair the bridge" in text
        assert "/inbox" in text
        # Later the same day: nothing again, though a new notice came for both.
        with transaction(sessions) as s:
            ballots.cast_ballot(s, p["fran"], made.id, "yes")
            notices.notify(s, [p["bob"], p["fran"]], "decision", f"proposal:{made.id}", "Later.")
        # an hour after the digest, or its day's last second (a run just before midnight)
        sent = start + timedelta(minutes=3)
        end_of_day = sent.replace(hour=23, minute=59, second=59, microsecond=999_999)
        again = send_due(sessions, settings, min(sent + timedelta(hours=1), end_of_day))
        assert (again.notices, again.digests) == (1, 0)
        assert len([m for m in inbox.messages if m["To"] == world.email("fran")]) == 1
        # The next day: one new digest with what came since.
        nextday = send_due(sessions, settings, start + timedelta(days=1, minutes=5))
        assert (nextday.notices, nextday.digests) == (0, 1)
        frans = [m for m in inbox.messages if m["To"] == world.email("fran")]
        assert len(frans) == 2 and "Later." in frans[-1].get_body(("plain",)).get_content()
    with transaction(sessions) as s:
        sent = s.scalars(select(DigestSent).where(DigestSent.person_id == p["fran"])).all()
        assert len(sent) == 2 and all(d.sent_at is not None for d in sent)
