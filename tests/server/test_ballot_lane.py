"""The ballot's lane and its group commit: one transaction for many ballots, same answers."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server.conftest import Served
from soviets.errors import Forbidden
from soviets.governance import ballots
from soviets.ledger.db import make_engine, session_factory
from soviets.ledger.models import Ballot
from soviets.server import ballot_writer
from soviets.server.ballot_lane import MAX_BODY
from soviets.server.ballot_writer import BallotWriter, Unauthorized

VOTERS = ("fran", "alice", "bob")


def _stored(url: str, proposal_id: int) -> dict[int, int]:
    """Voter id -> revision of each ballot row on the proposal."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Ballot.voter_id, Ballot.revision).where(Ballot.proposal_id == proposal_id)
            )
            return {voter: revision for voter, revision in rows}
    finally:
        engine.dispose()


def test_ballots_waiting_together_commit_in_one_transaction(served: Served) -> None:
    market, world = served.world.ids["market"], served.world
    engine = make_engine(served.url)
    writer = BallotWriter(session_factory(engine))
    casts = [(world.tokens[p], c) for p in VOTERS for c in ("yes", "no", "abstain", "yes")]

    async def all_at_once() -> list[Any]:
        return await asyncio.gather(
            *(writer.cast(token, market, choice) for token, choice in casts),
            return_exceptions=True,
        )

    try:
        answers = asyncio.run(all_at_once())
    finally:
        writer.close()
        engine.dispose()
    assert [a.ballot for a in answers] == [c for _, c in casts]
    # Each voter's four ballots were acknowledged with revisions 1..4, in the order sent.
    for person in VOTERS:
        token = world.tokens[person]
        revisions = [a.revision for a, (t, _) in zip(answers, casts, strict=True) if t == token]
        assert revisions == [1, 2, 3, 4]
    assert _stored(served.url, market) == dict.fromkeys((world.people[p] for p in VOTERS), 4)
    assert 1 <= writer.batches < len(casts)  # the first alone (or not), the rest together


def test_a_refused_or_failing_ballot_spoils_none_of_its_batch(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    market, stuck, world = served.world.ids["market"], served.world.ids["stuck"], served.world
    real = ballots.cast_ballot
    first = threading.Event()
    release = threading.Event()

    def cast(db: Session, actor: int, proposal: int, choice: str, **kw: Any) -> Any:
        if not first.is_set():  # hold the writer while the rest queue up as one batch
            first.set()
            release.wait(10)
        if proposal == stuck:
            raise OperationalError("UPDATE ...", {}, Exception("disk I/O error"))
        return real(db, actor, proposal, choice, **kw)

    monkeypatch.setattr(ballot_writer.ballots, "cast_ballot", cast)
    before = _stored(served.url, stuck)
    engine = make_engine(served.url)
    writer = BallotWriter(session_factory(engine))

    async def batch() -> list[Any]:
        held = asyncio.ensure_future(writer.cast(world.tokens["fran"], market, "no"))
        await asyncio.to_thread(first.wait, 10)
        rest = [
            writer.cast(world.tokens["alice"], market, "yes"),
            writer.cast("sov_not-a-token", market, "yes"),
            writer.cast(world.tokens["erin"], market, "yes"),  # in no council
            writer.cast(world.tokens["bob"], stuck, "yes"),  # its transaction fails
            writer.cast(world.tokens["bob"], market, "abstain"),
        ]
        later = asyncio.gather(*rest, return_exceptions=True)
        await asyncio.sleep(0.2)
        release.set()
        return [await held, *await later]

    try:
        answers = asyncio.run(batch())
    finally:
        writer.close()
        engine.dispose()
    fran, alice, nobody, erin, failed, bob = answers
    assert (fran.ballot, alice.ballot, bob.ballot) == ("no", "yes", "abstain")
    assert isinstance(nobody, Unauthorized)
    assert isinstance(erin, Forbidden)
    assert isinstance(failed, OperationalError)
    people = world.people
    assert _stored(served.url, market) == {people["fran"]: 1, people["alice"]: 1, people["bob"]: 1}
    assert _stored(served.url, stuck) == before  # nothing of the failed ballot was written


def _padded(choice: str) -> bytes:
    """A valid ballot body too large for the lane: the app's own route answers it."""
    return b'{"choice": "' + choice.encode() + b'"}' + b" " * (MAX_BODY + 1)


@pytest.mark.parametrize(
    ("person", "proposal", "status"),
    [("alice", "market", 200), ("erin", "market", 403), ("alice", None, 404),
     ("dave", "hill_vote", 200), ("bob", "draft", 409)],
)  # fmt: skip
def test_the_lane_answers_as_the_app_route_does(
    served: Served, person: str, proposal: str | None, status: int
) -> None:
    proposal_id = served.world.ids[proposal] if proposal else 999_999
    url = f"/api/proposals/{proposal_id}/ballot"
    headers = {**served.auth(person), "content-type": "application/json"}
    lane = served.client.put(url, content=b'{"choice": "yes"}', headers=headers)
    route = served.client.put(url, content=_padded("yes"), headers=headers)
    assert (lane.status_code, route.status_code) == (status, status), (lane.text, route.text)
    assert lane.headers["content-type"] == route.headers["content-type"]
    assert lane.headers["x-content-type-options"] == "nosniff"  # security headers on both
    a, b = lane.json(), route.json()
    if status == 200:
        assert (a["revision"], b["revision"]) == (1, 2)
        a.pop("revision"), b.pop("revision")
    assert a == b


def test_requests_the_lane_passes_on_get_the_app_answers(served: Served) -> None:
    market = served.world.ids["market"]
    url = f"/api/proposals/{market}/ballot"
    signed_out = served.client.put(url, json={"choice": "yes"})
    assert signed_out.status_code == 401
    assert signed_out.headers["www-authenticate"] == "Bearer"
    bad = served.client.put(url, json={"choice": ""}, headers=served.auth("alice"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "choice"
    wrong_token = served.client.put(
        url, json={"choice": "yes"}, headers={"Authorization": "Bearer sov_nothing"}
    )
    assert wrong_token.status_code == 401
    assert wrong_token.json() == signed_out.json()
    assert _stored(served.url, market) == {}
