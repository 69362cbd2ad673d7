"""No minority can take over a council: a Hypothesis state machine over the real API.

A minority of the Mill (4 of its 9 members, below the default quorum of
0.5) sends any sequence of API calls it likes: proposals of every kind
(rules changes lowering the quorum, floor and voting times, stock changes,
process registrations and changes, transfers, dropping an honest vote, roles,
admissions), with any quorum, floor, method and closing time; opening them,
casting and changing its own ballots, asking to close them early,
withdrawing, editing and deleting drafts; stock events with any mandate text,
quantity and cited proposal; production records; process changes;
agreement consent; invitations, taken up by accounts it controls (each opens
a vote on the invitee's admission, which the minority may then vote on). The
clock moves on through the deadline machinery (the scheduler's
:func:`proposals.close_due` at a later time). The honest majority never votes.

After every step the council must be as the rules allow: its rules, roles,
members and processes unchanged, no proposal accepted or carried out, no vote
closed before its deadline except as rejected or abandoned, and its stock
changed only under a coordinator's standing mandate (write-downs of at most
``stock.writedown_limit`` per event). In one variant the minority includes the
council's coordinator, in the other it does not (then it may change no stock
at all).

The sequences and steps tried are counted and written to
``$TMPDIR/soviets-minority-<variant>.json`` (and printed, see ``pytest -s``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from server.minority_world import MINORITY, WRITEDOWN_LIMIT, MillWorld, build_mill
from soviets.governance import proposals
from soviets.ledger.db import transaction
from soviets.ledger.models import (
    CouncilRule,
    LedgerEvent,
    Membership,
    Process,
    Proposal,
    Resource,
)
from soviets.ledger.models.governance import METHODS
from soviets.server import create_app
from soviets.server.mail import MailSettings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from databases import pg_test_url  # noqa: E402
from pg import PG_ADMIN_URL  # noqa: E402

Payload = Callable[[MillWorld, list[int]], dict[str, Any]]
"""A proposal's payload, made from the world's ids and the proposals made so far."""

RULE_CHANGES: list[dict[str, Any]] = [
    {"proposal.quorum": 0.1},
    {"proposal.quorum": 0},
    {"proposal.floor": 0},
    {"proposal.voting_hours": 1, "proposal.min_voting_hours": 1},
    {"proposal.min_voting_hours": 1},
    {"stock.writedown_limit": 1e6},
    {"process.change": "coordinator"},
    {"agreement.accept": "coordinator"},
    {"membership.invite": "member"},
    {"proposal.quorum": None},
]
KINDS: list[tuple[str, Payload]] = [
    ("general", lambda w, made: {}),
    *[("change_rules", lambda w, made, r=r: {"rules": r}) for r in RULE_CHANGES],
    *[
        (
            "stock_change",
            lambda w, made, a=a, q=q: {
                "resource_id": w.ids["flour_store"],
                "action": a,
                "quantity": q,
                "reason": "we need it",
            },
        )
        for a in ("lower", "consume", "raise")
        for q in (6, 100)
    ],
    (
        "register_process",
        lambda w, made: {"name": "grinding", "labour": 0.01, "flows": {"flour": 1}},
    ),
    (
        "change_process",
        lambda w, made: {
            "process_id": w.ids["milling"],
            "labour": 0.0,
            "flows": {"flour": 2, "grain": -1},
        },
    ),
    (
        "inventory_transfer",
        lambda w, made: {
            "resource_id": w.ids["flour_store"],
            "quantity": 50,
            "to_council_id": w.ids["bakery"],
        },
    ),
    ("abandon_proposal", lambda w, made: {"proposal_id": w.ids["roof"]}),
    ("abandon_proposal", lambda w, made: {"proposal_id": made[-1] if made else w.ids["roof"]}),
    ("set_role", lambda w, made: {"person_id": w.minority[-1], "role": "coordinator"}),
    ("set_role", lambda w, made: {"person_id": w.members[0], "role": "member"}),
    ("admit_member", lambda w, made: {"person_id": w.ids["erin"]}),
    ("admit_member", lambda w, made: {"person_id": w.ids["olga"]}),
]
CHOICES = {
    "majority": ("yes", "no", "abstain"),
    "two-thirds": ("yes", "no", "abstain"),
    "consent": ("yes", "object", "abstain"),
    "schulze": ("A>B", "B>A", "A=B"),
}
"""Ballots each method takes (the ranked options are always A and B)."""
EVENT_ACTIONS = ("produce", "consume", "use", "raise", "lower", "move", "transfer-custody")
UPS = ("produce", "raise")
DOWNS = ("lower", "consume")
STANDING = "coordinator's standing mandate"


class Tally:
    """What a run tried: sequences, steps, and the answers per action."""

    def __init__(self) -> None:
        self.sequences = 0
        self.steps = 0
        self.answers: Counter[str] = Counter()
        self.clock_moves = 0
        self.closed_by_clock = 0
        self.outcomes: Counter[str] = Counter()

    def summary(self, variant: str) -> dict[str, Any]:
        return {
            "variant": variant,
            "sequences": self.sequences,
            "steps": self.steps,
            "clock_moves": self.clock_moves,
            "closed_at_deadline": self.closed_by_clock,
            "closed_votes_with_minority_ballots": dict(sorted(self.outcomes.items())),
            "answers": dict(sorted(self.answers.items())),
        }


class Store:
    """Fresh copies of one built world, cheap enough to make one per sequence."""

    def __init__(self, backend: str, folder: Path, coordinator_in_minority: bool) -> None:
        self.backend = backend
        self.folder = folder
        if backend == "sqlite":
            self.template = folder / "mill.sqlite"
            self.world = build_mill(
                f"sqlite:///{self.template}", coordinator_in_minority=coordinator_in_minority
            )
        else:
            self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            self.finished: list[str] = []
            self.template_name = f"soviets_mill_{uuid.uuid4().hex[:12]}"
            self._execute(f'CREATE DATABASE "{self.template_name}"')
            self.world = build_mill(
                self._url(self.template_name), coordinator_in_minority=coordinator_in_minority
            )

    def _url(self, name: str) -> str:
        return pg_test_url(name)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def fresh(self) -> str:
        """The URL of a new copy of the world."""
        if self.backend == "sqlite":
            target = self.folder / f"run-{uuid.uuid4().hex[:8]}.sqlite"
            shutil.copyfile(self.template, target)
            return f"sqlite:///{target}"
        name = f"soviets_run_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template_name}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        """Remove a copy made by :meth:`fresh` (on PostgreSQL at :meth:`close`)."""
        if self.backend == "sqlite":
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            self.finished.append(str(make_url(url).database))

    def close(self) -> None:
        """Drop the PostgreSQL copies and the template all at once: each ``DROP DATABASE``
        waits for a checkpoint of the whole server, and drops side by side share one
        (``tests/databases.py``)."""
        if self.backend == "sqlite":
            return
        names = [*self.finished, self.template_name]
        with ThreadPoolExecutor(len(names)) as pool:
            list(pool.map(_drop_database, names))
        self.admin.dispose()


def _drop_database(name: str) -> None:
    """Drop one database on a connection of its own (so that drops run side by side)."""
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _snapshot(s: Session, w: MillWorld) -> dict[str, Any]:
    """What only the council's votes may change: rules, memberships, processes."""
    mill = w.ids["mill"]
    rules = s.execute(
        select(CouncilRule.key, CouncilRule.value, CouncilRule.set_by)
        .where(CouncilRule.council_id == mill)
        .order_by(CouncilRule.key)
    ).all()
    members = s.execute(
        select(Membership.person_id, Membership.role, Membership.left_at)
        .where(Membership.council_id == mill)
        .order_by(Membership.id)
    ).all()
    procs = s.scalars(select(Process).order_by(Process.id)).all()
    return {
        "rules": [tuple(r) for r in rules],
        "members": [tuple(m) for m in members],
        "processes": [
            (
                p.name,
                p.council_id,
                p.labour,
                p.capacity,
                sorted((f.good_id, f.quantity) for f in p.flows),
            )
            for p in procs
        ],
    }


def machine_for(store: Store, tally: Tally) -> type[RuleBasedStateMachine]:
    """A state machine class acting on fresh copies of ``store``'s world."""
    world = store.world
    coordinator = world.members[0] in world.minority

    class Minority(RuleBasedStateMachine):
        """The minority's moves; the invariants of the council after each."""

        def __init__(self) -> None:
            super().__init__()
            tally.sequences += 1
            self.url = store.fresh()
            self.app = create_app(self.url, mail=MailSettings(host="127.0.0.1", port=9))
            self.client = TestClient(self.app, raise_server_exceptions=True)
            self.made: list[int] = []
            self.methods: dict[int, str] = {}
            self.clock = datetime.now(UTC)
            with transaction(self.app.state.sessions) as s:
                self.before = _snapshot(s, world)
                self.head_seq = s.scalar(
                    select(LedgerEvent.seq).order_by(LedgerEvent.seq.desc()).limit(1)
                )
                self.quantities = {r.id: r.quantity for r in s.scalars(select(Resource)).all()}

        def teardown(self) -> None:
            with transaction(self.app.state.sessions) as s:
                ended = s.scalars(
                    select(Proposal).where(
                        Proposal.council_id == world.ids["mill"], Proposal.status == "closed"
                    )
                ).all()
                for p in ended:
                    if p.ballots_counted and p.id != world.ids["founding"]:
                        tally.outcomes[f"{p.outcome} with {p.ballots_counted} ballots"] += 1
            self.client.close()
            self.app.state.engine.dispose()
            store.drop(self.url)

        # --- calls --------------------------------------------------------------------

        def _call(self, what: str, actor: int, method: str, path: str, body: Any = None) -> Any:
            tally.steps += 1
            headers = {"Authorization": f"Bearer {world.tokens[world.minority[actor]]}"}
            answer = self.client.request(method, "/api" + path, json=body, headers=headers)
            assert answer.status_code < 500, (what, answer.status_code, answer.text)
            tally.answers[f"{what} {answer.status_code}"] += 1
            return answer

        def _proposal(self, pick: int) -> int:
            """One of the proposals made so far (0: the latest) or the honest open one."""
            known = [*reversed(self.made), world.ids["roof"]]
            return known[pick % len(known)]

        def _draft(
            self,
            actor: int,
            kind: int,
            method: str,
            quorum: float | None,
            floor: float | None,
            closes_in: float | None,
            ranked: bool,
        ) -> int | None:
            """Draft a proposal; its id, or None when refused."""
            name, payload = KINDS[kind]
            body: dict[str, Any] = {
                "title": f"{name} by a few",
                "kind": name,
                "method": method,
                "payload": payload(world, self.made),
            }
            if quorum is not None:
                body["quorum"] = quorum
            if floor is not None:
                body["floor"] = floor
            if closes_in is not None:
                body["closes_at"] = (datetime.now(UTC) + timedelta(hours=closes_in)).isoformat()
            if method == "schulze":
                options: list[Any] = ["A", "B"]
                if ranked:  # each option carries a payload of the kind
                    options = [
                        {"label": "A", "payload": body["payload"]},
                        {"label": "B", "payload": payload(world, self.made)},
                    ]
                    body.pop("payload")
                body["options"] = options
            answer = self._call(
                f"propose {name}", actor, "POST", f"/councils/{world.ids['mill']}/proposals", body
            )
            if answer.status_code != 201:
                return None
            made: int = answer.json()["id"]
            self.made.append(made)
            self.methods[made] = method
            return made

        @rule(
            actor=st.integers(0, MINORITY - 1),
            kind=st.integers(0, len(KINDS) - 1),
            method=st.sampled_from(METHODS),
            quorum=st.sampled_from([None, None, None, 0.6, 1.0, 0.1]),
            floor=st.sampled_from([None, None, 0.5, 0.9]),
            closes_in=st.sampled_from([None, None, 25, 200, 1]),
            ranked=st.booleans(),
        )
        def propose(
            self,
            actor: int,
            kind: int,
            method: str,
            quorum: float | None,
            floor: float | None,
            closes_in: float | None,
            ranked: bool,
        ) -> None:
            """Draft a proposal of any kind, with any quorum, floor and closing time."""
            self._draft(actor, kind, method, quorum, floor, closes_in, ranked)

        @rule(
            actor=st.integers(0, MINORITY - 1),
            kind=st.integers(0, len(KINDS) - 1),
            method=st.sampled_from(METHODS),
            quorum=st.sampled_from([None, 0.6]),
            closes_in=st.sampled_from([None, 25]),
            yes=st.integers(0, MINORITY),
            ranked=st.booleans(),
        )
        def push(
            self,
            actor: int,
            kind: int,
            method: str,
            quorum: float | None,
            closes_in: float | None,
            yes: int,
            ranked: bool,
        ) -> None:
            """The whole minority pushes one proposal: draft, open, ``yes`` of them vote for it
            (the others against), ask to close it early, then wait out its deadline."""
            made = self._draft(actor, kind, method, quorum, None, closes_in, ranked)
            if made is None:
                return
            self._call("open", actor, "POST", f"/proposals/{made}/open")
            for voter in range(MINORITY):
                choice = CHOICES[method][0 if voter < yes else 1]
                self._call("ballot", voter, "PUT", f"/proposals/{made}/ballot", {"choice": choice})
            self._call("close", actor, "POST", f"/proposals/{made}/close")
            self.time_passes(200)

        @rule(actor=st.integers(0, MINORITY - 1), pick=st.integers(0, 50))
        def open_vote(self, actor: int, pick: int) -> None:
            self._call("open", actor, "POST", f"/proposals/{self._proposal(pick)}/open")

        @rule(actor=st.integers(0, MINORITY - 1), pick=st.integers(0, 50), choice=st.integers(0, 2))
        def vote(self, actor: int, pick: int, choice: int) -> None:
            proposal = self._proposal(pick)
            body = {"choice": CHOICES[self.methods.get(proposal, "majority")][choice]}
            self._call("ballot", actor, "PUT", f"/proposals/{proposal}/ballot", body)

        @rule(actor=st.integers(0, MINORITY - 1), pick=st.integers(0, 50))
        def close(self, actor: int, pick: int) -> None:
            self._call("close", actor, "POST", f"/proposals/{self._proposal(pick)}/close")

        @rule(actor=st.integers(0, MINORITY - 1), pick=st.integers(0, 50))
        def withdraw(self, actor: int, pick: int) -> None:
            self._call("withdraw", actor, "POST", f"/proposals/{self._proposal(pick)}/withdraw")

        @rule(
            actor=st.integers(0, MINORITY - 1),
            pick=st.integers(0, 50),
            quorum=st.sampled_from([0.0, 0.2]),
            floor=st.sampled_from([0.0, 0.1]),
            kind=st.integers(0, len(KINDS) - 1),
        )
        def edit(self, actor: int, pick: int, quorum: float, floor: float, kind: int) -> None:
            name, payload = KINDS[kind]
            body = {
                "quorum": quorum,
                "floor": floor,
                "kind": name,
                "payload": payload(world, self.made),
            }
            self._call("edit", actor, "PATCH", f"/proposals/{self._proposal(pick)}", body)

        @rule(actor=st.integers(0, MINORITY - 1), pick=st.integers(0, 50))
        def delete(self, actor: int, pick: int) -> None:
            self._call("delete", actor, "DELETE", f"/proposals/{self._proposal(pick)}")

        @rule(
            actor=st.sampled_from([0, 0, 0, 1, 2, 3]),  # mostly the first: the coordinator
            action=st.sampled_from(["lower", "consume", *EVENT_ACTIONS]),
            quantity=st.sampled_from([5, 1, 5.000001, 6, 0, 99, 1e6]),
            mandate=st.sampled_from(["mice got in", "", "coordinator's standing mandate"]),
            cite=st.sampled_from([None, None, 0, 1]),
            to_bakery=st.booleans(),
        )
        def stock_event(
            self,
            actor: int,
            action: str,
            quantity: float,
            mandate: str,
            cite: int | None,
            to_bakery: bool,
        ) -> None:
            body: dict[str, Any] = {"action": action, "quantity": quantity, "mandate": mandate}
            if cite is not None:
                body["proposal_id"] = self._proposal(cite)
            if to_bakery:
                body["to_council_id"] = world.ids["bakery"]
            resource = world.ids["flour_store"]
            self._call(f"stock {action}", actor, "POST", f"/resources/{resource}/events", body)

        @rule(action=st.sampled_from(DOWNS), quantity=st.sampled_from([5, 1, 6, 5.000001]))
        def write_down(self, action: str, quantity: float) -> None:
            """The first of the minority (the coordinator, in that variant) takes from the
            stock, within the limit or just beyond it."""
            body = {"action": action, "quantity": quantity, "mandate": "mice got in"}
            resource = world.ids["flour_store"]
            self._call(f"stock {action}", 0, "POST", f"/resources/{resource}/events", body)

        @rule(actor=st.integers(0, MINORITY - 1), quantity=st.sampled_from([1, 1e6]))
        def production(self, actor: int, quantity: float) -> None:
            resource = world.ids["flour_store"]
            body = {"quantity": quantity, "note": "Monday's milling"}
            self._call("production", actor, "POST", f"/resources/{resource}/production", body)

        @rule(actor=st.integers(0, MINORITY - 1), labour=st.sampled_from([0.0, 0.5]))
        def processes(self, actor: int, labour: float) -> None:
            body = {"name": "sifting", "labour": labour, "flows": {"flour": 1}}
            self._call(
                "register process", actor, "POST", f"/councils/{world.ids['mill']}/processes", body
            )
            body = {"labour": labour, "flows": {"flour": 1, "grain": -1}}
            self._call("change process", actor, "PUT", f"/processes/{world.ids['milling']}", body)

        @rule(actor=st.integers(0, MINORITY - 1), take_up=st.booleans())
        def invite(self, actor: int, take_up: bool) -> None:
            """Invite someone; maybe an account the minority controls signs up through it."""
            body: dict[str, Any] = {}
            made = self._call(
                "invite", actor, "POST", f"/councils/{world.ids['mill']}/invitations", body
            )
            if not take_up or made.status_code != 201:
                return
            tally.steps += 1
            friend = uuid.uuid4().hex[:8]
            joined = self.client.post(
                "/api/accounts",
                json={"token": made.json()["token"], "name": f"Friend {friend}",
                      "email": f"{friend}@example.org", "password": "a long enough secret"},
            )  # fmt: skip
            assert joined.status_code == 201, joined.text
            tally.answers["sign up 201"] += 1
            admission = joined.json()["admission_proposal_id"]
            assert joined.json()["membership"] is None and admission is not None
            self.made.append(admission)
            self.methods[admission] = "majority"

        @rule(hours=st.sampled_from([200, 30, 1]))
        def time_passes(self, hours: int) -> None:
            """The clock moves on; the scheduler closes what is due."""
            tally.steps += 1
            tally.clock_moves += 1
            self.clock += timedelta(hours=hours)
            with transaction(self.app.state.sessions) as s:
                tally.closed_by_clock += len(proposals.close_due(s, self.clock))

        # --- invariants ---------------------------------------------------------------

        @invariant()
        def council_unchanged(self) -> None:
            with transaction(self.app.state.sessions) as s:
                assert _snapshot(s, world) == self.before
                self._proposals_hold(s)
                self._stock_holds(s)

        def _proposals_hold(self, s: Session) -> None:
            for p in s.scalars(select(Proposal).where(Proposal.council_id == world.ids["mill"])):
                if p.id == world.ids["founding"]:
                    continue  # the vote of all nine at founding
                assert p.outcome not in ("accepted", "failed"), (p.id, p.kind, p.result)
                assert p.executed_at is None, p.id
                if p.status == "closed" and p.outcome != "abandoned":
                    assert p.closes_at is not None and p.closed_at is not None
                    early = p.closed_at < p.closes_at
                    # Closed early: only when settled, and a minority's settled vote is lost.
                    assert not early or p.outcome == "rejected", (p.id, p.result)

        def _stock_holds(self, s: Session) -> None:
            events = s.scalars(
                select(LedgerEvent).where(LedgerEvent.seq > self.head_seq).order_by(LedgerEvent.seq)
            ).all()
            expected = dict(self.quantities)
            for e in events:
                assert coordinator, f"a minority without a coordinator recorded {e.action}"
                assert e.resource_id == world.ids["flour_store"], e.resource_id
                assert e.actor_id == world.members[0]
                assert e.proposal_id is None and e.agreement_id is None
                assert e.mandate is not None and e.mandate.startswith(STANDING), e.mandate
                if e.action in DOWNS:
                    assert e.quantity <= WRITEDOWN_LIMIT, (e.action, e.quantity)
                    expected[e.resource_id] -= e.quantity
                elif e.action in UPS:
                    expected[e.resource_id] += e.quantity
                else:
                    assert e.action in ("use", "move", "transfer-custody"), e.action
            for r in s.scalars(select(Resource)):
                assert r.quantity == pytest.approx(expected[r.id]), r.name

    return Minority


def _run(backend: str, coordinator: bool, folder: Path, examples: int, steps: int) -> Tally:
    variant = f"{backend}-{'with' if coordinator else 'without'}-coordinator"
    store = Store(backend, folder, coordinator)
    tally = Tally()
    try:
        run_state_machine_as_test(
            machine_for(store, tally),
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        store.close()
    summary = tally.summary(variant)
    out = Path(tempfile.gettempdir()) / f"soviets-minority-{variant}.json"
    out.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary))
    return tally


@pytest.mark.parametrize(
    ("coordinator", "examples"), [(True, 30), (False, 15)], ids=["with-coordinator", "plain"]
)
def test_no_minority_takes_over_sqlite(coordinator: bool, examples: int, tmp_path: Path) -> None:
    tally = _run("sqlite", coordinator, tmp_path, examples=examples, steps=20)
    assert tally.sequences >= examples and tally.steps > examples * 10
    assert tally.outcomes, "no vote with the minority's ballots reached its end"
    refused = sum(n for k, n in tally.answers.items() if k.split()[-1] in ("403", "404", "409"))
    assert refused > 0


@pytest.mark.postgres
def test_no_minority_takes_over_postgres(tmp_path: Path, postgres_available: bool) -> None:
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    tally = _run("postgresql", True, tmp_path, examples=8, steps=20)
    assert tally.sequences >= 8


def test_a_coordinator_cannot_invite_a_minority_into_a_majority(tmp_path: Path) -> None:
    """4 of 9 with the coordinator invite 2 accounts they control, which sign up and so apply;
    the 4 vote to admit them and, with them, for a rules change. Under the default rule
    ``membership.invite = vote`` the invitees never become members (their admissions lack the
    quorum), cannot vote, and the rules stay as they were, even after every deadline."""
    store = Store("sqlite", tmp_path, coordinator_in_minority=True)
    w = store.world
    mill = w.ids["mill"]
    with TestClient(create_app(store.fresh())) as c:
        voters = [{"Authorization": f"Bearer {w.tokens[m]}"} for m in w.minority]
        coordinator = voters[0]
        admissions, invitees = [], []
        for i in range(2):
            made = c.post(f"/api/councils/{mill}/invitations", json={}, headers=coordinator)
            assert made.status_code == 201, made.text
            email, password = f"friend{i}@example.org", "a long enough secret"
            joined = c.post(
                "/api/accounts",
                json={"token": made.json()["token"], "name": f"Friend {i}", "email": email,
                      "password": password},
            )  # fmt: skip
            assert joined.status_code == 201, joined.text
            assert joined.json()["membership"] is None
            admissions.append(joined.json()["admission_proposal_id"])
            token = c.post("/api/tokens", json={"email": email, "password": password}).json()
            invitees.append({"Authorization": f"Bearer {token['token']}"})
        for admission in admissions:
            for voter in voters:
                cast = c.put(
                    f"/api/proposals/{admission}/ballot", json={"choice": "yes"}, headers=voter
                )
                assert cast.status_code == 200, cast.text
            c.post(f"/api/proposals/{admission}/close", headers=coordinator)
        body = {
            "title": "Quorum down to a tenth",
            "kind": "change_rules",
            "payload": {"rules": {"proposal.quorum": 0.1}},
        }
        made = c.post(f"/api/councils/{mill}/proposals", json=body, headers=coordinator).json()
        assert c.post(f"/api/proposals/{made['id']}/open", headers=coordinator).status_code == 200
        for voter in voters:
            cast = c.put(
                f"/api/proposals/{made['id']}/ballot", json={"choice": "yes"}, headers=voter
            )
            assert cast.status_code == 200, cast.text
        for invitee in invitees:
            cast = c.put(
                f"/api/proposals/{made['id']}/ballot", json={"choice": "yes"}, headers=invitee
            )
            assert cast.status_code == 403, cast.text
        c.post(f"/api/proposals/{made['id']}/close", headers=coordinator)
        sessions = c.app.state.sessions  # type: ignore[attr-defined]
        with transaction(sessions) as s:
            proposals.close_due(s, datetime.now(UTC) + timedelta(days=30))
            ours = [made["id"], *admissions]
            outcomes = dict(
                s.execute(select(Proposal.id, Proposal.outcome).where(Proposal.id.in_(ours))).all()
            )
            members = s.scalars(
                select(Membership.person_id).where(
                    Membership.council_id == mill, Membership.left_at.is_(None)
                )
            ).all()
        rules = c.get(f"/api/councils/{mill}/rules", headers=coordinator).json()
        c.app.state.engine.dispose()  # type: ignore[attr-defined]
    assert sorted(members) == sorted(w.members)
    assert outcomes == dict.fromkeys(ours, "rejected"), outcomes
    assert rules.get("proposal.quorum", "0.5") == "0.5"  # unset: the default
