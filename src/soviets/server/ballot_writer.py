"""Group commit of ballots: one writer thread per worker process casts them in batches.

A ballot request hands its token, proposal, choice and receipt to the writer
and waits. The writer takes every ballot waiting at that moment (up to
:data:`MAX_BATCH`), checks their tokens in one query, casts each in a savepoint
of one transaction (:func:`soviets.governance.ballots.cast_ballot`: every rule
of a ballot, the membership recheck included, runs as for a single ballot)
and commits once. Only then does each request get its answer: an
acknowledged ballot is a committed one. A ballot that is refused rolls back
its own savepoint and gets its refusal; a batch whose transaction fails as a
whole (a lost connection, a deadlock between two workers on PostgreSQL) is
rolled back and each of its ballots is cast again alone.

On SQLite one writer holds the write lock at a time anyway; the batch pays
for the lock, the ``BEGIN`` and the commit once instead of once per ballot, and
no request thread ever waits for the lock.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from soviets.errors import SovietsError
from soviets.governance import ballots
from soviets.governance.ballots import CastResult
from soviets.ledger.models import ApiToken
from soviets.server.security import digest

log = logging.getLogger("soviets.ballots")

MAX_BATCH = 256
"""Most ballots in one transaction."""


class Overloaded(Exception):
    """More ballots wait than the writer's queue holds: answer 503, try again soon."""


class Unauthorized(Exception):
    """The token is unknown or revoked."""


@dataclass
class _Job:
    """One ballot request: what it asks, and where its answer goes."""

    secret: str
    proposal_id: int
    choice: str
    receipt: str | None
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[CastResult] = field(repr=False)
    person_id: int | None = None


_STOP = None


class BallotWriter:
    """The worker's one ballot writer: :meth:`cast` queues a ballot, the thread commits batches."""

    def __init__(self, sessions: sessionmaker[Session], *, waiting: int = 1000) -> None:
        self._sessions = sessions
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=waiting)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        """Transactions committed so far (for tests and figures)."""

    async def cast(
        self, secret: str, proposal_id: int, choice: str, receipt: str | None = None
    ) -> CastResult:
        """Cast the token owner's ballot; returns once it is committed.

        Raises the refusal (:class:`SovietsError`), :class:`Unauthorized` for a bad
        token, :class:`Overloaded` when the queue is full.
        """
        loop = asyncio.get_running_loop()
        job = _Job(secret, proposal_id, choice, receipt, loop, loop.create_future())
        self._start()
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            raise Overloaded from None
        return await job.answer

    def close(self) -> None:
        """Let the thread finish the ballots queued so far, then stop it."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(_STOP)
            thread.join()

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="ballot-writer", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is _STOP:
                    self._queue.put(_STOP)  # stop after this batch
                    break
                batch.append(job)
            self._write(batch)

    def _write(self, batch: list[_Job]) -> None:
        """Commit the batch in one transaction, or each ballot alone when that fails."""
        try:
            outcomes = self._transaction(batch)
        except Exception as exc:
            if len(batch) == 1:
                outcomes = [exc]
            else:
                log.info("a batch of %d ballots failed (%s); casting each alone", len(batch), exc)
                for job in batch:
                    self._write([job])
                return
        for job, outcome in zip(batch, outcomes, strict=True):
            job.loop.call_soon_threadsafe(_settle, job.answer, outcome)

    def _transaction(self, batch: list[_Job]) -> list[CastResult | Exception]:
        """One transaction: the tokens in one query, each ballot in a savepoint, one commit."""
        with self._sessions() as db:
            digests = {job.secret: digest(job.secret) for job in batch}
            owners = dict(
                db.execute(
                    select(ApiToken.token_hash, ApiToken.person_id).where(
                        ApiToken.token_hash.in_(set(digests.values())),
                        ApiToken.revoked_at.is_(None),
                    )
                ).all()
            )
            for job in batch:
                job.person_id = owners.get(digests[job.secret])
            # The same order in every worker: two batches on PostgreSQL lock rows alike.
            # Stable, so one voter's ballots keep the order they came in.
            order = sorted(batch, key=lambda j: (j.proposal_id, j.person_id or 0))
            done = {id(job): _cast_one(db, job) for job in order}
            db.commit()
        self.batches += 1
        return [done[id(job)] for job in batch]


def _cast_one(db: Session, job: _Job) -> CastResult | Exception:
    """Cast one ballot of the batch in a savepoint; its refusal is its answer."""
    if job.person_id is None:
        return Unauthorized()
    try:
        with db.begin_nested():
            return ballots.cast_ballot(
                db, job.person_id, job.proposal_id, job.choice, receipt=job.receipt
            )
    except SovietsError as exc:
        return exc


def _settle(answer: asyncio.Future[CastResult], outcome: CastResult | Exception) -> None:
    if answer.done():  # the client went away
        return
    if isinstance(outcome, Exception):
        answer.set_exception(outcome)
    else:
        answer.set_result(outcome)
