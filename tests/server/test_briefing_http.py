"""Briefing over HTTP: the inbox (API and page, with the header's count), the mail choice
form, the Atom feed checked against RFC 4287's required elements, seen counts and the
delegates' votes on the council page."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree as ET

from server.conftest import Served
from server.test_pages import csrf, sign_in

ATOM = "{http://www.w3.org/2005/Atom}"
COUNT = re.compile(r'id="inbox-link">Inbox <span class="count">(\d+)</span>')


def test_inbox_api_page_and_header_count(served: Served) -> None:
    c, w = served.client, served.world
    got = c.get("/api/inbox", headers=served.auth("bob")).json()
    assert {x["proposal_id"] for x in got["waiting"]} == {w.ids["market"], w.ids["park"]}
    unread = [n for n in got["notices"] if n["read_at"] is None]
    assert got["unread"] == len(unread) > 0
    mine = unread[0]["id"]
    # Dave (Hilltop) cannot read or mark Bob's notice, and his inbox has nothing of Riverside.
    assert c.post(f"/api/inbox/{mine}/read", headers=served.auth("dave")).status_code == 404
    daves = c.get("/api/inbox", headers=served.auth("dave")).json()
    assert all(n["council_id"] != w.ids["riverside"] for n in daves["notices"])
    sign_in(served, "bob")
    page = c.get("/inbox")
    assert page.status_code == 200 and "Open a Sunday market" in page.text
    assert int(COUNT.search(page.text).group(1)) == got["unread"] + 2  # type: ignore[union-attr]
    done = c.post("/inbox/read", data={"csrf_token": csrf(page.text)})
    assert done.status_code == 200 and "Every notice is marked read" in done.text
    assert int(COUNT.search(done.text).group(1)) == 2  # type: ignore[union-attr]  # votes left
    assert c.get("/api/inbox", headers=served.auth("bob")).json()["unread"] == 0


def test_mail_choice_form(served: Served) -> None:
    c = served.client
    sign_in(served, "fran")
    page = c.get("/account/briefing")
    assert page.status_code == 200
    saved = c.post("/account/briefing/mail", data={"csrf_token": csrf(page.text), "mode": "digest"})
    assert saved.status_code == 200 and "Your e-mail choice is saved" in saved.text
    assert c.get("/api/members/me/mail", headers=served.auth("fran")).json() == {"mode": "digest"}
    bad = c.post("/account/briefing/mail", data={"csrf_token": csrf(page.text), "mode": "hourly"})
    assert bad.status_code == 422 and "must be one of none, each, digest" in bad.text
    assert "Traceback" not in bad.text
    assert c.get("/api/members/me/mail", headers=served.auth("fran")).json() == {"mode": "digest"}


def _check_atom(text: str) -> list[ET.Element]:
    """The feed's entries, after checking the elements RFC 4287 requires of a feed and of
    each entry (id, title, updated; an author at feed level; an alternate link or content)."""
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "")
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "").tzinfo is not None
        links = [e.get("rel", "alternate") for e in entry.findall(f"{ATOM}link")]
        assert "alternate" in links or entry.find(f"{ATOM}content") is not None
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(ids) == len(set(ids))
    return entries


def test_atom_feed_public_and_private(served: Served) -> None:
    c, w = served.client, served.world
    river = w.ids["riverside"]
    assert c.get(f"/councils/{river}/feed.atom").status_code == 403
    made = c.post(f"/api/councils/{river}/feed-tokens", headers=served.auth("bob"))
    assert made.status_code == 201
    feed = c.get(made.json()["url"])  # signed out: the token is enough
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = _check_atom(feed.text)
    closed = c.get(
        f"/api/councils/{river}/proposals?status=closed", headers=served.auth("bob")
    ).json()
    assert {e.findtext(f"{ATOM}id", "").rsplit("/", 1)[1] for e in entries} == {
        str(p["id"]) for p in closed
    }
    token = made.json()["token"]  # opens no other council's feed
    assert c.get(f"/councils/{w.ids['hilltop']}/feed.atom?token={token}").status_code == 403
    gone = c.delete(f"/api/feed-tokens/{made.json()['id']}", headers=served.auth("bob"))
    assert gone.status_code == 204
    assert c.get(made.json()["url"]).status_code == 403
    public = c.get(f"/councils/{w.ids['commons']}/feed.atom")  # public: no token needed
    assert public.status_code == 200 and _check_atom(public.text) == []


def test_council_page_shows_seen_counts_and_delegate_votes(served: Served) -> None:
    c, w = served.client, served.world
    river, closed = w.ids["riverside"], w.ids["closed"]
    sign_in(served, "bob")
    assert c.get(f"/proposals/{closed}").status_code == 200  # opening a decision: seen
    page = c.get(f"/councils/{river}").text
    assert f'data-proposal="{closed}">seen by 1 of 3 members' in page
    listed = c.get(f"/councils/{river}/decisions").text
    row = rf"#{closed} [^<]*</a>(?:(?!</tr>).)*<td class=\"num\">1 of 3</td>"  # one table row
    assert re.search(row, listed, re.S)
    seen = c.get(f"/api/councils/{river}/seen", headers=served.auth("fran")).json()
    assert {"proposal_id": closed, "seen": 1, "readers": 3} in seen
    assert f"#{w.ids['adopt']} Adopt the plan for 2030</a> (accepted): <strong>yes</strong>" in page
    votes = c.get(
        f"/api/delegates/{w.ids['alice_delegate']}/votes", headers=served.auth("bob")
    ).json()
    assert {v["proposal_id"]: v["ballot"] for v in votes}[w.ids["adopt"]] == "yes"
