"""Many clients at once: no server error, no dropped connection, no ballot doubled or lost.

The short form of ``python -m benchmarks.load``: ``soviets serve`` (uvicorn on
loopback) on SQLite and on PostgreSQL, 64 concurrent clients casting ballots
for 20 members (so each member votes several times at once), then the
database audited against every acknowledged answer. Also the admission
control alone, with an app that waits until told to answer.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from benchmarks.load import audit, build_vote, fire, serve
from starlette.types import Receive, Scope, Send
from typer.testing import CliRunner

from soviets.cli import app as cli
from soviets.server.admission import Admission, AdmissionMiddleware

CLIENTS = 64
REQUESTS = 200


def test_64_clients_lose_and_double_no_ballot(db_url: str) -> None:
    vote = build_vote(db_url, members=20)
    # A wait longer than the run: on a busy test machine no 503 may come from slowness alone.
    with serve(db_url, extra_env={"SOVIETS_QUEUE_WAIT": "600"}) as (base, _):
        level = asyncio.run(fire(base, vote, CLIENTS, REQUESTS))
    assert level.dropped == 0, level.errors
    assert level.statuses == {200: REQUESTS}
    found = audit(db_url, vote.proposal_id, level.acks)
    assert found.ok, found
    assert found.lost == found.double == 0


class Held:
    """An ASGI app that answers 200 only once ``go`` is set; counts who is inside."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.inside = 0
        self.most = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.inside += 1
        self.most = max(self.most, self.inside)
        await self.go.wait()
        self.inside -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _crowd(settings: Admission, requests: int) -> tuple[list[httpx.Response], Held]:
    held = Held()
    app = AdmissionMiddleware(held, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        sent = [asyncio.create_task(client.get("/")) for _ in range(requests)]
        while held.inside < settings.limit:
            await asyncio.sleep(0.01)
        # Everyone over limit + queue has been refused before anyone is let out.
        refused = requests - settings.limit - settings.queue
        while sum(t.done() for t in sent) < refused:
            await asyncio.sleep(0.01)
        held.go.set()
        answers = await asyncio.gather(*sent)
    return answers, held


def test_admission_lets_in_limit_queues_the_next_and_refuses_the_rest() -> None:
    answers, held = asyncio.run(_crowd(Admission(limit=2, queue=3, wait=600), 8))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 5 + [503] * 3
    assert held.most == 2
    refused = [a for a in answers if a.status_code == 503]
    assert all(a.headers["retry-after"] == "1" for a in refused)
    assert all(a.headers["content-type"] == "application/problem+json" for a in refused)
    assert refused[0].json()["status"] == 503


def test_a_wait_that_runs_out_is_refused_and_frees_its_place() -> None:
    async def run() -> list[int]:
        held = Held()
        app = AdmissionMiddleware(held, Admission(limit=1, queue=5, wait=0.05))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = asyncio.create_task(client.get("/"))
            while held.inside < 1:
                await asyncio.sleep(0.01)
            waited = await client.get("/")  # gives up while the first is still inside
            held.go.set()
            done = await first
            after = await client.get("/")  # the place is free again
        return [done.status_code, waited.status_code, after.status_code]

    assert asyncio.run(run()) == [200, 503, 200]


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("SOVIETS_MAX_REQUESTS", "100", "$SOVIETS_MAX_REQUESTS must be between 1 and 32"),
        ("SOVIETS_QUEUE_WAIT", "soon", "$SOVIETS_QUEUE_WAIT must be a number"),
        ("SOVIETS_SQLITE_SYNCHRONOUS", "off", "$SOVIETS_SQLITE_SYNCHRONOUS must be NORMAL or FULL"),
    ],
)
def test_serve_refuses_a_bad_load_setting_in_one_line(
    tmp_path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    url = f"sqlite:///{tmp_path / 'never.sqlite'}"
    result = CliRunner().invoke(cli, ["serve", "--db", url, "--port", "1"])
    assert result.exit_code == 2
    assert said in result.output
    assert "Traceback" not in result.output
