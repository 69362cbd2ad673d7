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


def _decided(s: Served, proposer: str, council: int, **body: object) -> dict:  # type: ignore[type-arg]
    """Draft, open, Riverside's three members vote yes, close: the closed proposal."""
    made = s.client.post(f"/api/councils/{council}/proposals", json=body, headers=s.auth(proposer))
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert s.client.post(f"/api/proposals/{pid}/open", headers=s.auth(proposer)).status_code == 200
    for voter in ("fran", "alice", "bob"):
        ballot = s.client.put(
            f"/api/proposals/{pid}/ballot", json={"choice": "yes"}, headers=s.auth(voter)
        )
        assert ballot.status_code == 200, ballot.text
    closed = s.client.post(f"/api/proposals/{pid}/close", headers=s.auth(proposer))
    assert closed.status_code == 200, closed.text
    return closed.json()  # type: ignore[no-any-return]


def test_hiding_by_the_councils_vote_over_the_api_and_page(served_any: Served) -> None:
    s, ids = served_any, served_any.world.ids
    river, comment = ids["riverside"], ids["comment"]
    rules = _decided(
        s, "fran", river, kind="change_rules", title="Hide comments only by our vote",
        payload={"rules": {"discussion.hide": "vote"}},
    )  # fmt: skip
    assert rules["outcome"] == "accepted"
    alone = s.client.post(
        f"/api/comments/{comment}/hide", json={"reason": "off topic"}, headers=s.auth("fran")
    )
    assert alone.status_code == 403 and "vote" in alone.text
    # Carol, of the Bakery, cannot draft Riverside's vote.
    outsider = s.client.post(
        f"/api/councils/{river}/proposals",
        json={
            "kind": "hide_comment",
            "title": "x",
            "payload": {"comment_id": comment, "reason": "x"},
        },
        headers=s.auth("carol"),
    )
    assert outsider.status_code == 403
    vote = _decided(
        s, "alice", river, kind="hide_comment", title=f"Hide comment #{comment}",
        payload={"comment_id": comment, "reason": "advertises a shop"},
    )  # fmt: skip
    assert vote["outcome"] == "accepted"
    threads = s.client.get(f"/api/proposals/{ids['market']}/comments", headers=s.auth("bob"))
    (hidden,) = [c for c in threads.json() if c["id"] == comment]
    assert hidden["body"] is None and hidden["hidden_by"] == "Alice Varga"
    assert hidden["hidden_by_proposal"] == vote["id"]
    assert hidden["hidden_reason"] == "advertises a shop"
    sign_in(s, "bob")
    page = s.client.get(f"/proposals/{ids['market']}")
    assert f'Hidden by the council\'s decision <a href="/proposals/{vote["id"]}">' in page.text
    assert "proposed by Alice Varga" in page.text and "advertises a shop" in page.text
    assert "Good for the farms nearby." not in page.text
