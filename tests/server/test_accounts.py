"""Accounts over the API and the pages, with mail through a real SMTP server on 127.0.0.1.

Joining only by consent (invitation accepted, or one's own application voted
on), single-use links that expire and can be revoked, password change and
reset by e-mail, signing out everywhere, and the interactive docs at /docs.
The flows run on SQLite and on PostgreSQL (``db_url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from databases import Databases
from server.conftest import Served, client_for, copy_world
from server.live import free_port
from server.smtp import Inbox, link_in, smtp_server
from server.world import PASSWORD, World, build_world
from soviets.governance import accounts, ballots, proposals
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Invitation, PasswordReset
from soviets.server.deps import SESSION_COOKIE
from soviets.server.mail import MailSettings

TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def mailed(db_url: str, databases: Databases) -> Iterator[tuple[Served, Inbox]]:
    """The Valley world on each backend, served by an app that mails through a live server."""
    world = databases.seed(db_url, build_world)
    with smtp_server() as (inbox, settings), client_for(db_url, settings) as client:
        yield Served(db_url, world, client), inbox
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def quick(world_template: tuple[Path, World], tmp_path: Path) -> Iterator[tuple[Served, Inbox]]:
    """The Valley world on a SQLite copy, mailing through a live server."""
    url, world = copy_world(world_template, tmp_path)
    with smtp_server() as (inbox, settings), client_for(url, settings) as client:
        yield Served(url, world, client), inbox
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def _path(link: str) -> str:
    return urlsplit(link).path


def _token(link: str) -> str:
    return _path(link).rsplit("/", 1)[1]


def _sign_in_token(s: Served, email: str, password: str) -> int:
    """The status of an API sign-in (201 when the password is right)."""
    body = {"email": email, "password": password}
    return s.client.post("/api/tokens", json=body).status_code


def _bearer(s: Served, email: str, password: str) -> dict[str, str]:
    made = s.client.post("/api/tokens", json={"email": email, "password": password})
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def _invite(s: Served, who: str = "fran", email: str | None = "nia@example.org") -> dict:  # type: ignore[type-arg]
    body = {"email": email} if email else {}
    made = s.client.post(
        f"/api/councils/{s.world.ids['riverside']}/invitations", json=body, headers=s.auth(who)
    )
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


# --- invitations ---------------------------------------------------------------------------


def test_invitation_mailed_followed_and_used_once(mailed: tuple[Served, Inbox]) -> None:
    s, inbox = mailed
    made = _invite(s)
    assert made["mail_sent"] is True and made["mail_error"] is None
    message = inbox.wait_for("nia@example.org")
    assert message["Subject"] == "Invitation to join Riverside"
    assert message["From"] == "council@example.org"
    link = link_in(message)
    assert link == made["url"] and _path(link).startswith("/invite/")
    # only the digest is stored
    with transaction(session_factory(make_engine(s.url))) as db:
        stored = db.scalar(select(Invitation.token_hash).where(Invitation.id == 2))
    assert stored is not None and _token(link) not in stored and len(stored) == 64

    page = s.client.get(_path(link))
    assert page.status_code == 200
    assert "Fran Okafor invites you" in page.text and 'value="nia@example.org"' in page.text
    signup = {
        "token": _token(link),
        "name": "Nia Okoro",
        "email": "Nia@Example.org",
        "password": NEW_PASSWORD,
    }
    joined = s.client.post("/api/accounts", json=signup)
    assert joined.status_code == 201, joined.text
    assert joined.json()["membership"]["council_id"] == s.world.ids["riverside"]
    assert joined.json()["membership"]["role"] == "member"
    nia = _bearer(s, "nia@example.org", NEW_PASSWORD)
    names = [c["name"] for c in s.client.get("/api/members/me/councils", headers=nia).json()]
    assert names == ["Riverside"]

    again = s.client.post("/api/accounts", json={**signup, "email": "other@example.org"})
    assert again.status_code == 409 and "already used (accepted)" in again.json()["detail"]
    page = s.client.get(_path(link))
    assert page.status_code == 409 and "already used (accepted)" in page.text
    listed = s.client.get(
        f"/api/councils/{s.world.ids['riverside']}/invitations", headers=s.auth("bob")
    ).json()
    assert [i["state"] for i in listed] == ["accepted", "open"]
    assert all("token" not in i for i in listed)


def test_revoked_and_expired_links_say_so(mailed: tuple[Served, Inbox]) -> None:
    s, _inbox = mailed
    made = _invite(s, email=None)
    assert made["mail_sent"] is False
    refused = s.client.delete(f"/api/invitations/{made['invitation']['id']}", headers=s.auth("bob"))
    assert refused.status_code == 403  # neither its maker nor a coordinator
    gone = s.client.delete(f"/api/invitations/{made['invitation']['id']}", headers=s.auth("fran"))
    assert gone.status_code == 204
    use = s.client.post(
        "/api/invitations/accept", json={"token": made["token"]}, headers=s.auth("erin")
    )
    assert use.status_code == 409 and "revoked" in use.json()["detail"]
    assert "revoked by the council" in s.client.get(_path(made["url"])).text

    engine = make_engine(s.url)
    long_ago = datetime.now(UTC) - timedelta(days=15)
    with transaction(session_factory(engine)) as db:
        old = accounts.create_invitation(
            db, s.world.people["fran"], s.world.ids["riverside"], now=long_ago
        )
    engine.dispose()
    use = s.client.post(
        "/api/invitations/accept", json={"token": old.secret}, headers=s.auth("erin")
    )
    assert use.status_code == 409 and "expired on" in use.json()["detail"]
    bogus = s.client.post(
        "/api/invitations/accept", json={"token": "x" * 43}, headers=s.auth("erin")
    )
    assert bogus.status_code == 404 and "not valid" in bogus.json()["detail"]


def test_signed_in_person_accepts_or_declines(mailed: tuple[Served, Inbox]) -> None:
    s, _ = mailed
    first, second = _invite(s, email=None), _invite(s, email=None)
    declined = s.client.post(
        "/api/invitations/decline", json={"token": first["token"]}, headers=s.auth("erin")
    )
    assert declined.status_code == 204
    councils = s.client.get("/api/members/me/councils", headers=s.auth("erin")).json()
    assert councils == []
    accepted = s.client.post(
        "/api/invitations/accept", json={"token": second["token"]}, headers=s.auth("erin")
    )
    assert accepted.status_code == 201
    councils = s.client.get("/api/members/me/councils", headers=s.auth("erin")).json()
    assert [c["name"] for c in councils] == ["Riverside"]
    # a member cannot use an invitation to the council they are in
    third = _invite(s, email=None)
    twice = s.client.post(
        "/api/invitations/accept", json={"token": third["token"]}, headers=s.auth("bob")
    )
    assert twice.status_code == 409 and "already a member" in twice.json()["detail"]


def test_invite_rule_member_and_vote(mailed: tuple[Served, Inbox]) -> None:
    """``membership.invite``: coordinators (Riverside's, set in the world), any member, or
    admission by vote (the default): any member invites, accepting opens an ``admit_member``
    vote, and the invitee joins only when it is accepted; public councils also take
    applications."""
    s, _ = mailed
    w = s.world
    riverside = f"/api/councils/{w.ids['riverside']}"
    assert (
        s.client.post(f"{riverside}/invitations", json={}, headers=s.auth("bob")).status_code == 403
    )
    engine = make_engine(s.url)
    factory = session_factory(engine)
    voters = [w.people[p] for p in ("fran", "alice", "bob")]

    def change(mode: str) -> None:
        with transaction(factory) as db:
            made = proposals.create_proposal(
                db, w.people["fran"], w.ids["riverside"], kind="change_rules",
                title=f"Invitations: {mode}", payload={"rules": {"membership.invite": mode}},
            )  # fmt: skip
            proposals.open_proposal(db, w.people["fran"], made.id)
            for v in voters:
                ballots.cast_ballot(db, v, made.id, "yes")
            assert proposals.close_and_count(db, w.people["fran"], made.id).outcome == "accepted"

    def riverside_of(who: str) -> bool:
        mine = s.client.get("/api/members/me/councils", headers=s.auth(who)).json()
        return "Riverside" in [c["name"] for c in mine]

    change("member")
    assert (
        s.client.post(f"{riverside}/invitations", json={}, headers=s.auth("bob")).status_code == 201
    )
    change("vote")
    first, second = _invite(s, who="bob", email=None), _invite(s, who="alice", email=None)
    accepted = s.client.post(
        "/api/invitations/accept", json={"token": first["token"]}, headers=s.auth("erin")
    )
    assert accepted.status_code == 201, accepted.text
    answer = accepted.json()
    assert answer["membership"] is None and answer["council_id"] == w.ids["riverside"]
    assert not riverside_of("erin")
    proposal = s.client.get(
        f"/api/proposals/{answer['admission_proposal_id']}", headers=s.auth("fran")
    ).json()
    assert proposal["kind"] == "admit_member" and proposal["status"] == "open"
    assert proposal["payload"] == {"person_id": w.people["erin"]}
    assert proposal["created_by"] == w.people["erin"]
    again = s.client.post(
        "/api/invitations/accept", json={"token": second["token"]}, headers=s.auth("erin")
    )
    assert again.status_code == 409 and "already proposal" in again.json()["detail"]
    # Riverside is not public: an outsider cannot see it to apply.
    assert s.client.post(f"{riverside}/applications", headers=s.auth("dave")).status_code == 403
    for who in ("fran", "alice", "bob"):
        voted = s.client.put(
            f"/api/proposals/{proposal['id']}/ballot", json={"choice": "yes"}, headers=s.auth(who)
        )
        assert voted.status_code == 200
    closed = s.client.post(f"/api/proposals/{proposal['id']}/close", headers=s.auth("fran"))
    assert closed.json()["outcome"] == "accepted"
    assert riverside_of("erin")

    with transaction(factory) as db:
        from soviets.ledger.models import Council

        db.get(Council, w.ids["riverside"]).public = True  # type: ignore[union-attr]
    applied = s.client.post(f"{riverside}/applications", headers=s.auth("dave"))
    assert applied.status_code == 201, applied.text
    proposal = applied.json()
    assert proposal["kind"] == "admit_member" and proposal["status"] == "open"
    assert proposal["payload"] == {"person_id": w.people["dave"]}
    twice = s.client.post(f"{riverside}/applications", headers=s.auth("dave"))
    assert twice.status_code == 409 and "already proposal" in twice.json()["detail"]
    for who in ("fran", "alice", "bob", "erin"):
        voted = s.client.put(
            f"/api/proposals/{proposal['id']}/ballot", json={"choice": "no"}, headers=s.auth(who)
        )
        assert voted.status_code == 200
    closed = s.client.post(f"/api/proposals/{proposal['id']}/close", headers=s.auth("fran"))
    assert closed.json()["outcome"] == "rejected"
    assert not riverside_of("dave")
    engine.dispose()


def test_mail_failure_keeps_the_invitation(world_template, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, world = copy_world(world_template, tmp_path)
    nowhere = MailSettings(host="127.0.0.1", port=free_port(), starttls=False)
    with client_for(url, nowhere) as client:
        s = Served(url, world, client)
        made = _invite(s, email="nia@example.org")
        assert made["mail_sent"] is False and "could not be reached" in made["mail_error"]
        joined = client.post(
            "/api/accounts",
            json={"token": made["token"], "name": "Nia", "email": "nia@example.org",
                  "password": NEW_PASSWORD},
        )  # fmt: skip
        assert joined.status_code == 201
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def test_sign_up_refuses_bad_input_without_using_the_link(quick: tuple[Served, Inbox]) -> None:
    s, _ = quick
    made = _invite(s, email=None)
    base = {"token": made["token"], "name": "Nia", "email": "nia@example.org"}
    short = s.client.post("/api/accounts", json={**base, "password": "short"})
    assert short.status_code == 422 and "at least 8 characters" in short.json()["detail"]
    taken = s.client.post(
        "/api/accounts", json={**base, "email": s.world.email("bob"), "password": NEW_PASSWORD}
    )
    assert taken.status_code == 409 and "sign in and accept" in taken.json()["detail"]
    bad = s.client.post(
        "/api/accounts", json={**base, "email": "nia at home", "password": NEW_PASSWORD}
    )
    assert bad.status_code == 422 and bad.json()["detail"].startswith("field 'email'")
    ok = s.client.post("/api/accounts", json={**base, "password": NEW_PASSWORD})
    assert ok.status_code == 201


# --- passwords and sessions ----------------------------------------------------------------


def test_change_password_ends_other_sessions(mailed: tuple[Served, Inbox]) -> None:
    s, _ = mailed
    email = s.world.email("bob")
    other = _bearer(s, email, PASSWORD)
    wrong = s.client.post(
        "/api/members/me/password",
        json={"old_password": "not it", "new_password": NEW_PASSWORD},
        headers=s.auth("bob"),
    )
    assert wrong.status_code == 422 and "current password is wrong" in wrong.json()["detail"]
    changed = s.client.post(
        "/api/members/me/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=s.auth("bob"),
    )
    assert changed.status_code == 204
    assert s.client.get("/api/members/me", headers=s.auth("bob")).status_code == 200  # this one
    assert s.client.get("/api/members/me", headers=other).status_code == 401
    assert _sign_in_token(s, email, PASSWORD) == 401
    assert _sign_in_token(s, email, NEW_PASSWORD) == 201


def test_sign_out_everywhere(mailed: tuple[Served, Inbox]) -> None:
    s, _ = mailed
    form = s.client.get("/signin")
    s.client.post(
        "/signin",
        data={"email": s.world.email("bob"), "password": PASSWORD,
              "csrf_token": TOKEN.search(form.text).group(1)},  # type: ignore[union-attr]
    )  # fmt: skip
    assert s.client.get("/", follow_redirects=False).status_code == 200
    second = _bearer(s, s.world.email("bob"), PASSWORD)
    ended = s.client.post("/api/members/me/sign-out-everywhere", headers=s.auth("bob"))
    assert ended.status_code == 200 and ended.json() == {"sessions": 1, "tokens": 2}
    assert s.client.get("/api/members/me", headers=s.auth("bob")).status_code == 401
    assert s.client.get("/api/members/me", headers=second).status_code == 401
    assert s.client.get("/", follow_redirects=False).status_code == 303  # the browser too


def test_reset_by_mail_never_reveals_an_account(mailed: tuple[Served, Inbox]) -> None:
    s, inbox = mailed
    email = s.world.email("bob")
    token = _bearer(s, email, PASSWORD)
    unknown = s.client.post("/api/password-resets", json={"email": "nobody@example.org"})
    known = s.client.post("/api/password-resets", json={"email": email.upper()})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()
    link = link_in(inbox.wait_for(email))
    assert _path(link).startswith("/reset/")
    assert not [m for m in inbox.messages if m["To"] == "nobody@example.org"]
    page = s.client.get(_path(link))
    assert page.status_code == 200 and "Set a new password" in page.text

    short = s.client.post(
        "/api/password-resets/confirm", json={"token": _token(link), "new_password": "short"}
    )
    assert short.status_code == 422  # and the link still works:
    done = s.client.post(
        "/api/password-resets/confirm", json={"token": _token(link), "new_password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert _sign_in_token(s, email, NEW_PASSWORD) == 201
    assert s.client.get("/api/members/me", headers=token).status_code == 401  # sessions ended
    again = s.client.post(
        "/api/password-resets/confirm", json={"token": _token(link), "new_password": PASSWORD}
    )
    assert again.status_code == 409 and "already used" in again.json()["detail"]
    assert "already used" in s.client.get(_path(link)).text


def test_reset_link_expires(quick: tuple[Served, Inbox]) -> None:
    s, _ = quick
    engine = make_engine(s.url)
    past = datetime.now(UTC) - accounts.RESET_LIFETIME - timedelta(minutes=1)
    with transaction(session_factory(engine)) as db:
        found = accounts.request_password_reset(db, s.world.email("dave"), "192.0.2.9", now=past)
        assert found is not None
        assert db.get(PasswordReset, found[1].id).expires_at == past + accounts.RESET_LIFETIME  # type: ignore[union-attr]
    engine.dispose()
    late = s.client.post(
        "/api/password-resets/confirm",
        json={"token": found[1].secret, "new_password": NEW_PASSWORD},
    )
    assert late.status_code == 409 and "expired" in late.json()["detail"]


def test_reset_requests_are_rate_limited(mailed: tuple[Served, Inbox]) -> None:
    s, inbox = mailed
    email = s.world.email("carol")
    for _ in range(accounts.RESET_ACCOUNT_LIMIT):
        assert s.client.post("/api/password-resets", json={"email": email}).status_code == 202
    limited = s.client.post("/api/password-resets", json={"email": email})
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3600"
    # per client: the test client's address has made 3 requests (+1 in the world's set-up
    # from another address); 7 more different addresses reach the limit of 10
    for n in range(accounts.RESET_CLIENT_LIMIT - accounts.RESET_ACCOUNT_LIMIT):
        assert (
            s.client.post("/api/password-resets", json={"email": f"x{n}@example.org"}).status_code
            == 202
        )
    blocked = s.client.post("/api/password-resets", json={"email": "fresh@example.org"})
    assert blocked.status_code == 429
    assert len([m for m in inbox.messages if m["To"] == email]) == accounts.RESET_ACCOUNT_LIMIT


def test_reset_without_a_mail_server_says_so(served: Served) -> None:
    refused = served.client.post("/api/password-resets", json={"email": "bob@example.org"})
    assert refused.status_code == 503 and "cannot send e-mail" in refused.json()["detail"]


# --- pages ---------------------------------------------------------------------------------


def test_sign_up_page_needs_its_form_token(quick: tuple[Served, Inbox]) -> None:
    s, _ = quick
    link = _invite(s, email=None)["url"]
    page = s.client.get(_path(link))
    values = {"name": "Nia Okoro", "email": "nia@example.org", "password": NEW_PASSWORD}
    forged = s.client.post(_path(link) + "/signup", data={**values, "csrf_token": "forged"})
    assert forged.status_code == 403 and "form expired" in forged.text
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    joined = s.client.post(
        _path(link) + "/signup", data={**values, "csrf_token": token}, follow_redirects=False
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/councils/{s.world.ids['riverside']}?notice=joined"
    assert SESSION_COOKIE in s.client.cookies
    council = s.client.get(joined.headers["location"])
    assert "you are now a member" in council.text and "Nia Okoro" in council.text


def test_sign_up_page_under_the_vote_rule_opens_an_admission(quick: tuple[Served, Inbox]) -> None:
    """Hilltop keeps the default rule ``vote``: the page says a vote follows, signing up opens
    the invitee's admission vote, and (Hilltop being private) the invitee lands on the start
    page, told so, with no council of their own."""
    s, _ = quick
    hilltop = s.world.ids["hilltop"]
    made = s.client.post(
        f"/api/councils/{hilltop}/invitations", json={}, headers=s.auth("dave")
    ).json()
    page = s.client.get(_path(made["url"]))
    assert page.status_code == 200
    assert "a vote on your admission opens" in page.text and "Sign up and ask to join" in page.text
    values = {"name": "Nia Okoro", "email": "nia@example.org", "password": NEW_PASSWORD}
    token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
    joined = s.client.post(
        _path(made["url"]) + "/signup",
        data={**values, "csrf_token": token},
        follow_redirects=False,
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/?notice=admission-open"
    assert "the council now votes on your admission" in s.client.get("/?notice=admission-open").text
    nia = _bearer(s, "nia@example.org", NEW_PASSWORD)
    assert s.client.get("/api/members/me/councils", headers=nia).json() == []
    opened = s.client.get(f"/api/councils/{hilltop}/proposals", headers=s.auth("dave")).json()
    admissions = [p for p in opened if p["kind"] == "admit_member"]
    assert [(p["status"], p["title"]) for p in admissions] == [("open", "Admit Nia Okoro")]


def test_docs_are_served_from_this_site(served: Served) -> None:
    page = served.client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == ["/docs/assets/swagger-ui-bundle.js", "/static/docs.js"]
    assert "<script>" not in page.text  # no inline script
    for asset in [*scripts, "/docs/assets/swagger-ui.css"]:
        assert served.client.get(asset).status_code == 200, asset


def _signed_in_page(s: Served, who: str, path: str) -> str:
    form = s.client.get("/signin")
    s.client.post(
        "/signin",
        data={"email": s.world.email(who), "password": PASSWORD,
              "csrf_token": TOKEN.search(form.text).group(1)},  # type: ignore[union-attr]
    )  # fmt: skip
    return s.client.get(path).text


def test_account_page_changes_the_password(quick: tuple[Served, Inbox]) -> None:
    s, _ = quick
    page = _signed_in_page(s, "bob", "/account")
    csrf = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    wrong = s.client.post(
        "/account/password",
        data={"csrf_token": csrf, "old_password": "nope", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "the current password is wrong" in wrong.text
    forged = s.client.post(
        "/account/password",
        data={"csrf_token": "forged", "old_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert forged.status_code == 403
    done = s.client.post(
        "/account/password",
        data={"csrf_token": csrf, "old_password": PASSWORD, "new_password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account?notice=password-changed"
    assert s.client.get("/account").status_code == 200  # this browser stays signed in
    assert s.client.get("/api/members/me", headers=s.auth("bob")).status_code == 401
    out = s.client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert out.headers["location"] == "/signin?notice=signed-out-everywhere"
    assert s.client.get("/account", follow_redirects=False).status_code == 303


def test_council_page_offers_invitations_or_application(quick: tuple[Served, Inbox]) -> None:
    s, _ = quick
    commons = s.world.ids["commons"]  # public; Dave coordinates it; default rule: vote
    page = _signed_in_page(s, "erin", f"/councils/{commons}")
    assert "Apply to join" in page and "Invite someone" not in page
    applied = s.client.post(
        f"/councils/{commons}/apply",
        data={"csrf_token": TOKEN.search(page).group(1)},  # type: ignore[union-attr]
        follow_redirects=False,
    )
    assert applied.status_code == 303 and applied.headers["location"].endswith("?notice=applied")
    assert "Admit Erin Novak" in s.client.get(applied.headers["location"]).text
    engine = make_engine(s.url)
    with transaction(session_factory(engine)) as db:
        made = proposals.create_proposal(
            db, s.world.people["dave"], commons, kind="change_rules", title="Dave admits",
            payload={"rules": {"membership.invite": "coordinator"}},
        )  # fmt: skip
        proposals.open_proposal(db, s.world.people["dave"], made.id)
        ballots.cast_ballot(db, s.world.people["dave"], made.id, "yes")
        proposals.close_and_count(db, s.world.people["dave"], made.id)
    engine.dispose()
    page = s.client.get(f"/councils/{commons}").text
    assert "Apply to join" not in page and "Invite someone" not in page  # invitations only


def test_revoke_button_only_for_maker_or_coordinator(served: Served) -> None:
    """The invitations page offers Revoke where the service would allow it (Fran, the
    coordinator who made the invitation), not to a plain member (Bob)."""
    from server.test_pages import sign_in

    page = f"/councils/{served.world.ids['riverside']}/invitations"
    sign_in(served, "bob")
    seen_by_bob = served.client.get(page)
    assert seen_by_bob.status_code == 200 and "newcomer@example.org" in seen_by_bob.text
    assert ">Revoke</button>" not in seen_by_bob.text
    served.client.cookies.clear()
    sign_in(served, "fran")
    assert ">Revoke</button>" in served.client.get(page).text
