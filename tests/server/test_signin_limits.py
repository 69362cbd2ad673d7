"""Sign-in limits that hold under parallel guessing and cannot lock the owner or others out."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from databases import Databases
from server.conftest import client_for, copy_world
from server.smtp import link_in, smtp_server
from server.test_pages import csrf
from server.world import PASSWORD, World, build_world
from soviets.ledger.db import make_engine, session_factory
from soviets.ledger.models import SignInAttempt
from soviets.server import auth
from soviets.server.deps import SESSION_COOKIE
from soviets.server.problems import Problem


def _attempt(factory, email: str, password: str, client: str) -> int:
    """The status one sign-in gets: 200 when it succeeds, else the problem's."""
    with factory() as db:
        try:
            auth.check_password(db, email, password, client)
        except Problem as exc:
            return exc.status
        return 200


def test_parallel_guesses_get_at_most_the_limit_checked(db_url: str, databases: Databases) -> None:
    """30 wrong passwords at once for one account: at most ACCOUNT_LIMIT are checked,
    on SQLite and on PostgreSQL (advisory locks)."""
    world = databases.seed(db_url, build_world)
    engine = make_engine(db_url, **({} if db_url.startswith("sqlite") else {"pool_size": 30}))
    factory = session_factory(engine)
    email = world.email("bob")
    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            statuses = list(
                pool.map(lambda i: _attempt(factory, email, f"guess {i}", f"10.0.0.{i}"), range(30))
            )
        with factory() as db:
            checked = db.scalar(
                select(func.count(SignInAttempt.id)).where(SignInAttempt.account == email)
            )
    finally:
        engine.dispose()
    assert statuses.count(401) == checked == auth.ACCOUNT_LIMIT
    assert statuses.count(429) == 30 - auth.ACCOUNT_LIMIT


def test_a_client_over_its_limit_does_not_stop_another_clients_user(
    world_template: tuple[Path, World], tmp_path: Path
) -> None:
    url, world = copy_world(world_template, tmp_path)
    factory = session_factory(make_engine(url))
    people = ["alice", "bob", "carol", "dave", "erin"]  # each under the account limit
    for i in range(auth.CLIENT_LIMIT):
        status = _attempt(factory, world.email(people[i % 5]), "guess", "192.0.2.66")
        assert status == 401
    # The guessing address waits, even for a right password ...
    assert _attempt(factory, world.email("fran"), PASSWORD, "192.0.2.66") == 429
    # ... but a user elsewhere signs in, to an account the guesser tried too.
    assert _attempt(factory, world.email("alice"), PASSWORD, "198.51.100.7") == 200


def test_the_wait_doubles_up_to_a_ceiling() -> None:
    waits = [auth.wait_over(n, auth.ACCOUNT_LIMIT) for n in range(auth.ACCOUNT_LIMIT + 8)]
    assert all(w.total_seconds() == 0 for w in waits[: auth.ACCOUNT_LIMIT])
    assert waits[auth.ACCOUNT_LIMIT] == auth.FIRST_WAIT
    assert waits[auth.ACCOUNT_LIMIT + 1] == 2 * auth.FIRST_WAIT
    assert waits[-1] == auth.LONGEST_WAIT == max(waits)


def test_the_owner_gets_in_by_a_link_that_works_once(
    world_template: tuple[Path, World], tmp_path: Path
) -> None:
    url, world = copy_world(world_template, tmp_path)
    email = world.email("bob")
    with smtp_server() as (inbox, settings), client_for(url, settings) as client:
        for _ in range(auth.ACCOUNT_LIMIT):
            assert (
                client.post("/api/tokens", json={"email": email, "password": "x"}).status_code
                == 401
            )
        slowed = client.post("/api/tokens", json={"email": email, "password": PASSWORD})
        assert slowed.status_code == 429 and "sign-in link" in slowed.json()["detail"]

        asked = client.post("/api/sign-in-links", json={"email": email})
        assert asked.status_code == 202
        unknown = client.post("/api/sign-in-links", json={"email": "nobody@example.org"})
        assert unknown.json() == asked.json()
        link = link_in(inbox.wait_for(email))
        secret = link.rsplit("/", 1)[1]

        used = client.post("/api/sign-in-links/confirm", json={"token": secret})
        assert used.status_code == 201
        bearer = {"Authorization": f"Bearer {used.json()['token']}"}
        me = client.get("/api/members/me", headers=bearer)
        assert me.status_code == 200 and me.json()["id"] == world.people["bob"]
        again = client.post("/api/sign-in-links/confirm", json={"token": secret})
        assert again.status_code == 409 and "already used" in again.json()["detail"]
        # Signing in by the link ended the slow-down: the password works again at once.
        back = client.post("/api/tokens", json={"email": email, "password": PASSWORD})
        assert back.status_code == 201
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_the_link_signs_a_browser_in_once(
    world_template: tuple[Path, World], tmp_path: Path
) -> None:
    url, world = copy_world(world_template, tmp_path)
    email = world.email("carol")
    with smtp_server() as (inbox, settings), client_for(url, settings) as client:
        form = client.get("/signin/link")
        sent = client.post("/signin/link", data={"email": email, "csrf_token": csrf(form.text)})
        assert sent.status_code == 200 and "sign-in link is on its way" in sent.text
        path = urlsplit(link_in(inbox.wait_for(email))).path
        page = client.get(path)
        assert page.status_code == 200
        used = client.post(path, data={"csrf_token": csrf(page.text)}, follow_redirects=False)
        assert used.status_code == 303 and SESSION_COOKIE in used.cookies
        page = client.get(path)
        again = client.post(path, data={"csrf_token": csrf(page.text)})
        assert again.status_code == 409 and "already used" in again.text
        client.app.state.engine.dispose()  # type: ignore[attr-defined]
