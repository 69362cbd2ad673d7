"""The council service's clock, every N seconds: close every vote whose deadline has passed,
tell councils of deliveries due, re-plan the rest of a period whose deliveries are overdue
and short (:mod:`soviets.governance.replanning`), mail members their notices and digests.

Reads close overdue votes too (:func:`soviets.governance.proposals.close_due` runs
in the read functions), so a vote nobody looks at is the only one this task is
for: its result is recorded, and carried out, soon after its deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from soviets.governance import briefing, proposals, replanning
from soviets.ledger.db import transaction
from soviets.server.briefing_mail import send_due
from soviets.server.mail import MailSettings
from soviets.server.planners import federated_planner

log = logging.getLogger("soviets.deadlines")


def tick(sessions: sessionmaker[Session]) -> dict[int, str]:
    """Close every overdue vote, end every overdue discussion (one transaction), and tell
    the councils of deliveries due; proposal id -> outcome (or error)."""
    with transaction(sessions) as session:
        closed = proposals.close_due(session)
        briefing.deliveries_due(session)
        return closed


def replan(sessions: sessionmaker[Session]) -> list[replanning.Revised]:
    """Re-plan the rest of the period of every adopted plan whose deliveries are overdue and
    short, and open the federation's vote on each revision (one transaction)."""
    with transaction(sessions) as session:
        return replanning.replan_overdue(session, federated_planner())


async def _every(sessions: sessionmaker[Session], settings: MailSettings, seconds: float) -> None:
    while True:
        try:
            closed = await asyncio.to_thread(tick, sessions)
            for proposal_id, outcome in closed.items():
                log.info("proposal #%d at its deadline: %s", proposal_id, outcome)
            for r in await asyncio.to_thread(replan, sessions):
                log.info("plan #%d overdue and short: %s", r.plan_id, replanning.describe(r))
            await asyncio.to_thread(send_due, sessions, settings)
        except Exception:  # the clock keeps going; the next tick tries again
            log.exception("closing overdue votes or mailing notices failed")
        await asyncio.sleep(seconds)


def lifespan(seconds: float | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: with ``seconds``, a background task closes overdue votes and
    mails notices."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if seconds:
            task = asyncio.create_task(_every(app.state.sessions, app.state.mail, seconds))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    return run
