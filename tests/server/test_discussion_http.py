"""The discussion over HTTP: the API's comments and amendments on both databases, the
proposal page's arguments side by side, and nothing of it for another council's member."""

from __future__ import annotations

from server.conftest import Served
from server.test_pages import csrf, sign_in


def test_comment_reply_edit_hide_over_the_api(served_any: Served) -> None:
    s, market = served_any, served_any.world.ids["market"]
    post = s.client.post(
        f"/api/proposals/{market}/comments",
        json={"stance": "against", "body": "Sundays are for rest."},
        headers=s.auth("alice"),
    )
    assert post.status_code == 201, post.text
    against = post.json()
    reply = s.client.post(
        f"/api/proposals/{market}/comments",
        json={"stance": "question", "body": "Every Sunday?", "parent_id": against["id"]},
        headers=s.auth("fran"),
    ).json()
    edited = s.client.patch(
        f"/api/comments/{against['id']}",
        json={"body": "Sundays are for rest and family."},
        headers=s.auth("alice"),
    ).json()
    assert edited["revision"] == 2 and edited["edited_at"] is not None
    history = s.client.get(f"/api/comments/{against['id']}/history", headers=s.auth("bob"))
    assert [v["body"] for v in history.json()] == [
        "Sundays are for rest.",
        "Sundays are for rest and family.",
    ]
    refused = s.client.post(
        f"/api/comments/{reply['id']}/hide", json={"reason": "no"}, headers=s.auth("bob")
    )
    assert refused.status_code == 403
    hidden = s.client.post(
        f"/api/comments/{against['id']}/hide",
        json={"reason": "repeats comment 1"},
        headers=s.auth("fran"),
    ).json()
    assert hidden["body"] is None and hidden["hidden_by"] == "Fran Okafor"
    threads = s.client.get(f"/api/proposals/{market}/comments", headers=s.auth("bob")).json()
    shown = {c["id"]: c for c in threads}
    assert shown[against["id"]]["hidden_reason"] == "repeats comment 1"
    assert [r["body"] for r in shown[against["id"]]["replies"]] == ["Every Sunday?"]
    bad = s.client.post(
        f"/api/proposals/{market}/comments",
        json={"stance": "maybe", "body": "?"},
        headers=s.auth("bob"),
    )
    assert bad.status_code == 422


def test_amendments_only_during_discussion(served_any: Served) -> None:
    s, ids = served_any, served_any.world.ids
    made = s.client.post(
        f"/api/proposals/{ids['debate']}/amendments",
        json={"kind": "alternative", "title": "Nut trees", "body": "Plant walnuts."},
        headers=s.auth("fran"),
    )
    assert made.status_code == 201 and made.json()["label"] == "Alternative 2"
    late = s.client.post(
        f"/api/proposals/{ids['market']}/amendments",
        json={"kind": "amendment", "title": "Saturdays", "body": "Saturday mornings."},
        headers=s.auth("fran"),
    )
    assert late.status_code == 409 and "discussion phase" in late.json()["detail"]
    listed = s.client.get(f"/api/proposals/{ids['debate']}/amendments", headers=s.auth("bob"))
    assert [a["label"] for a in listed.json()] == ["Amendment 1", "Alternative 2"]


def test_proposal_page_shows_both_sides_and_refuses_outsiders(served: Served) -> None:
    ids = served.world.ids
    sign_in(served, "bob")
    page = served.client.get(f"/proposals/{ids['market']}")
    assert "Arguments for (1)" in page.text and "Arguments against (0)" in page.text
    assert "Good for the farms nearby." in page.text
    posted = served.client.post(
        f"/proposals/{ids['market']}/comments",
        data={"stance": "against", "body": "Too noisy.", "csrf_token": csrf(page.text)},
    )
    assert posted.status_code == 200 and "Arguments against (1)" in posted.text
    served.client.cookies.clear()
    # Dave, of the Hilltop council, reaches none of Riverside's discussion.
    sign_in(served, "dave")
    home = served.client.get("/")
    token = csrf(home.text)
    attempts = [
        ("GET", f"/proposals/{ids['market']}", None),
        ("POST", f"/proposals/{ids['market']}/comments", {"stance": "for", "body": "hi"}),
        ("POST", f"/comments/{ids['comment']}/edit", {"body": "mine"}),
        ("POST", f"/comments/{ids['comment']}/hide", {"reason": "mine"}),
        ("POST", f"/proposals/{ids['debate']}/amendments", {"title": "x", "body": "y"}),
        ("POST", f"/amendments/{ids['amendment']}/withdraw", {}),
    ]
    for method, path, data in attempts:
        form = None if data is None else {**data, "csrf_token": token}
        answer = served.client.request(method, path, data=form)
        assert answer.status_code in (403, 404), (path, answer.status_code)
        assert "Good for the farms nearby." not in answer.text
