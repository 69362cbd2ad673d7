"""Assemblies through the JSON API (SQLite and PostgreSQL) and the pages; nothing of a
council's assemblies or minutes reaches a member of another council."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from server.conftest import Served
from server.test_api import _problem
from server.test_pages import csrf, sign_in
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Assembly, CouncilRule

SECRET_TEXT = "We met."
"""The draft minutes of Riverside's assembly in the test world."""


def _backdate(url: str, assembly_id: int, council_id: int) -> None:
    """Make the world's assembly one called three days ago and in session now, in a council
    whose rules let assemblies decide (as a change_rules vote would)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(session_factory(engine)) as s:
        s.execute(
            update(Assembly)
            .where(Assembly.id == assembly_id)
            .values(created_at=now - timedelta(days=3), starts_at=now - timedelta(minutes=10))
        )
        s.add(CouncilRule(council_id=council_id, key="assembly.decide", value="yes"))
    engine.dispose()


def test_assembly_decides_in_the_room_and_approves_its_minutes(served_any: Served) -> None:
    s = served_any
    c, ids, people = s.client, s.world.ids, s.world.people
    aid, draft = ids["assembly"], ids["draft"]
    early = c.put(
        f"/api/assemblies/{aid}/attendance/{people['bob']}",
        json={"present": True},
        headers=s.auth("bob"),
    )
    assert "attendance opens an hour before" in _problem(early, 409)["detail"]
    _backdate(s.url, aid, ids["riverside"])
    for person in ("bob", "alice"):
        mark = c.put(
            f"/api/assemblies/{aid}/attendance/{people[person]}",
            json={"present": True},
            headers=s.auth("bob"),
        )
        assert mark.status_code == 200, mark.text
    too_many = c.post(
        f"/api/assemblies/{aid}/decisions",
        json={"proposal_id": draft, "hands": {"yes": 3}},
        headers=s.auth("bob"),
    )
    assert "only 2 members are present" in _problem(too_many, 422)["detail"]
    voted = c.post(
        f"/api/assemblies/{aid}/decisions",
        json={"proposal_id": draft, "hands": {"yes": 2}},
        headers=s.auth("bob"),
    )
    assert voted.status_code == 200, voted.text
    body = voted.json()
    assert (body["status"], body["outcome"]) == ("closed", "accepted")
    assert body["result"]["decided"] == "in assembly" and body["result"]["electorate"] == 2

    written = c.put(
        f"/api/assemblies/{aid}/minutes",
        json={"text": "# Autumn assembly\n\nThe cargo bike is bought."},
        headers=s.auth("bob"),
    )
    assert written.status_code == 200, written.text
    approval = c.post(f"/api/assemblies/{aid}/minutes/approval", headers=s.auth("bob"))
    assert approval.status_code == 201, approval.text
    closed = c.post(
        f"/api/assemblies/{aid}/decisions",
        json={"proposal_id": approval.json()["id"], "roll_call": {str(people["alice"]): "yes"}},
        headers=s.auth("bob"),
    )
    assert closed.status_code == 200 and closed.json()["outcome"] == "accepted", closed.text

    detail = c.get(f"/api/assemblies/{aid}", headers=s.auth("fran")).json()
    assert detail["minutes"]["status"] == "approved"
    assert [i["proposal_id"] for i in detail["agenda"]] == [draft, approval.json()["id"]]
    assert {p["name"] for p in detail["attendance"] if p["present"]} == {
        "Alice Varga",
        "Bob Lindqvist",
    }
    md = c.get(f"/api/assemblies/{aid}/minutes.md", headers=s.auth("fran"))
    assert md.headers["content-type"].startswith("text/markdown")
    assert "The cargo bike is bought." in md.text and "approved by proposal" in md.text
    pdf = c.get(f"/api/assemblies/{aid}/minutes.pdf", headers=s.auth("fran"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    found = c.get(
        f"/api/councils/{ids['riverside']}/archive", params={"q": "cargo"}, headers=s.auth("alice")
    ).json()
    assert found["minutes"]["total"] == 1
    assert {p["id"] for p in found["decisions"]["items"]} == {draft}


def test_assemblies_and_minutes_leak_nothing_to_other_councils(served: Served) -> None:
    """Dave (Hilltop) and Carol (the Bakery, a sibling in the federation) try every read."""
    s = served
    c, ids = s.client, s.world.ids
    aid, river = ids["assembly"], ids["riverside"]
    reads = [
        f"/api/assemblies/{aid}",
        f"/api/assemblies/{aid}/minutes.md",
        f"/api/assemblies/{aid}/minutes.pdf",
        f"/api/councils/{river}/assemblies",
        f"/api/councils/{river}/archive?q=met",
    ]
    for person in ("dave", "carol"):
        for url in reads:
            answer = c.get(url, headers=s.auth(person))
            assert answer.status_code == 403, (person, url, answer.status_code)
            assert SECRET_TEXT not in answer.text and "Autumn assembly" not in answer.text
    assert SECRET_TEXT in c.get(f"/api/assemblies/{aid}", headers=s.auth("alice")).text
    sign_in(s, "dave")
    for url in (
        f"/assemblies/{aid}",
        f"/assemblies/{aid}/minutes.md",
        f"/assemblies/{aid}/minutes.pdf",
        f"/councils/{river}/assemblies",
        f"/councils/{river}/archive?q=met",
    ):
        page = c.get(url)
        assert page.status_code == 403, (url, page.status_code)
        assert SECRET_TEXT not in page.text and "Autumn assembly" not in page.text


def test_pages_schedule_and_check_in(served: Served) -> None:
    s = served
    c, river = s.client, s.world.ids["riverside"]
    sign_in(s, "alice")
    listing = c.get(f"/councils/{river}/assemblies")
    assert listing.status_code == 200 and "Autumn assembly" in listing.text
    bad = c.post(
        f"/councils/{river}/assemblies",
        data={"csrf_token": csrf(listing.text), "title": "Winter", "starts_at": "next week"},
    )
    assert bad.status_code == 422 and "2030-01-31T18:00" in bad.text
    soon = (datetime.now(UTC) + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    made = c.post(
        f"/councils/{river}/assemblies",
        data={
            "csrf_token": csrf(listing.text),
            "title": "Winter assembly",
            "starts_at": soon,
            "place": "the library",
        },
    )
    assert made.status_code == 200 and "The assembly is called." in made.text
    assert "Winter assembly" in made.text and "secretary: Alice Varga" in made.text
    page_url = str(made.url)
    checked = c.post(
        page_url.replace("?notice=assembly-scheduled", "") + "/attendance",
        data={
            "csrf_token": csrf(made.text),
            "person_id": str(s.world.people["alice"]),
            "present": "yes",
        },
    )
    assert checked.status_code == 200 and "1 of 3 members present" in checked.text
