"""Fixtures of the governance tests: a fresh database per test (SQLite and PostgreSQL)
and a small helper that drives the service functions, one transaction per call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from databases import Databases, create_tables
from soviets.governance import accounts, ballots, councils, founding, proposals, rules
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import CouncilRule, Delegate, Person, Proposal

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
"""The tests' clock: every action passes an explicit time."""
LATER = T0 + timedelta(hours=1)
OVER = T0 + timedelta(days=8)
"""After the default deadline (7 days from opening at T0): votes opened at T0 close."""
TERM = (T0 + timedelta(days=365)).isoformat()


@pytest.fixture
def engine(db_url: str, databases: Databases) -> Iterator[Engine]:
    """An engine on a fresh database with every table and trigger (create_all), copied
    from a template made once per session."""
    databases.seed(db_url, create_tables)
    eng = make_engine(db_url, pool_size=10, max_overflow=60, pool_timeout=60)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


class Gov:
    """Shortcuts over the service layer; each call is one committed transaction."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def tx(self):  # type: ignore[no-untyped-def]
        return transaction(self.factory)

    def people(self, *names: str) -> list[int]:
        with self.tx() as s:
            rows = [Person(name=n, email=f"{n.lower()}@example.org") for n in names]
            s.add_all(rows)
            s.flush()
            return [p.id for p in rows]

    def council(
        self,
        founder: int,
        name: str,
        members: Sequence[int] = (),
        kind: str = "workplace",
        public: bool = False,
    ) -> int:
        with self.tx() as s:
            c = councils.create_council(s, founder, name=name, kind=kind, public=public, now=T0)
            for m in members:  # each named founding member confirms
                founding.invite_founder(s, founder, c.id, m, now=T0)
                founding.confirm(s, m, c.id, now=T0)
            return c.id

    def federation(self, founder: int, name: str, members: Sequence[int]) -> int:
        """Found a federation; each member council's rules let its coordinator bring it in."""
        for council in members:
            self.set_rule(council, "federation.join", "coordinator")
        with self.tx() as s:
            return councils.create_federation(
                s, founder, name=name, member_council_ids=list(members), now=T0
            ).id

    def set_rule(self, council: int, key: str, value: str | None) -> None:
        """Set (None: remove) a council rule directly, as an accepted change_rules vote would."""
        with self.tx() as s:
            row = s.get(CouncilRule, (council, key))
            if row is not None:
                s.delete(row)
                s.flush()
            if value is not None:
                s.add(CouncilRule(council_id=council, key=key, value=value, set_at=T0))

    def propose(self, actor: int, council: int, **kw: Any) -> int:
        """Draft a proposal; a quorum below the council's rule lowers the rule first."""
        kw.setdefault("kind", "general")
        kw.setdefault("title", "a question")
        kw.setdefault("now", T0)
        if kw.get("quorum") is not None:
            with self.tx() as s:
                rule = rules.rule_number(s, council, "proposal.quorum")
            if kw["quorum"] < rule:
                self.set_rule(council, "proposal.quorum", str(kw["quorum"]))
        with self.tx() as s:
            return proposals.create_proposal(s, actor, council, **kw).id

    def open(self, actor: int, proposal_id: int, now: datetime = T0) -> None:
        with self.tx() as s:
            proposals.open_proposal(s, actor, proposal_id, now=now)

    def vote(self, actor: int, proposal_id: int, choice: Any, now: datetime = T0, **kw: Any):  # type: ignore[no-untyped-def]
        with self.tx() as s:
            return ballots.cast_ballot(s, actor, proposal_id, choice, now=now, **kw)

    def close(self, actor: int, proposal_id: int, now: datetime = OVER) -> Proposal:
        with self.tx() as s:
            return proposals.close_and_count(s, actor, proposal_id, now=now)

    def get(self, proposal_id: int) -> Proposal:
        with self.tx() as s:
            return s.get(Proposal, proposal_id)  # type: ignore[return-value]

    def admit(self, council: int, inviter: int, person: int, voters: Sequence[int]) -> Proposal:
        """Admit ``person`` the consenting way: ``inviter`` invites, the person accepts, the
        admission vote opens and everyone in ``voters`` votes yes; the closed vote."""
        with self.tx() as s:
            issued = accounts.create_invitation(s, inviter, council, now=T0)
            joining = accounts.accept_invitation(s, person, issued.secret, now=T0)
            assert joining.proposal is not None, "the council's rule admits without a vote"
            pid = joining.proposal.id
        for v in voters:
            self.vote(v, pid, "yes")
        return self.close(inviter, pid)

    def decide(self, council: int, proposer: int, voters: Sequence[int], **kw: Any) -> Proposal:
        """Draft, open, everyone in ``voters`` votes yes, close: the closed proposal."""
        pid = self.propose(proposer, council, **kw)
        self.open(proposer, pid)
        for v in voters:
            self.vote(v, pid, "yes")
        return self.close(proposer, pid)

    def elect(
        self,
        council: int,
        voters: Sequence[int],
        person: int,
        federation: int,
        mandates: list[dict[str, Any]] | None = None,
    ) -> int:
        """Elect ``person`` as the council's delegate to ``federation``; the delegate id."""
        payload: dict[str, Any] = {"person_id": person, "federation_id": federation}
        payload["term_ends_at"] = TERM
        if mandates is not None:
            payload["mandates"] = mandates
        p = self.decide(council, voters[0], voters, kind="elect_delegate", payload=payload)
        assert p.outcome == "accepted", p.result
        with self.tx() as s:
            return s.scalar(select(Delegate.id).where(Delegate.elected_by == p.id))  # type: ignore[return-value]


@pytest.fixture
def gov(factory: sessionmaker[Session]) -> Gov:
    return Gov(factory)
