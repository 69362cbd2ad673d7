"""The chain head published with each decision and on the ledger page, and checked later."""

from __future__ import annotations

from server.conftest import Served
from server.test_api import _problem
from server.test_decisions_api import _decide
from server.test_pages import sign_in


def test_closed_proposal_carries_the_head_that_verify_accepts(served_any: Served) -> None:
    s = served_any
    c, bob = s.client, s.world.people["bob"]
    made = _decide(
        s, "riverside", "alice", ["fran", "alice"], title="Bob coordinates too",
        kind="set_role", payload={"person_id": bob, "role": "coordinator"},
    )  # fmt: skip
    head = made["chain_head"]
    seq, _, digest = head.partition(":")
    assert int(seq) >= 1 and len(digest) == 64
    again = c.get(f"/api/proposals/{made['id']}", headers=s.auth("bob")).json()
    assert again["chain_head"] == head  # the head at the decision, not the current one
    report = c.get("/api/ledger/verify", params={"head": head}, headers=s.auth("erin")).json()
    assert report["ok"], report["problems"]
    assert report["head_seq"] >= int(seq) and report["records"] > 0
    forged = f"{seq}:{'0' * 64}"
    report = c.get("/api/ledger/verify", params={"head": forged}, headers=s.auth("erin")).json()
    assert report["problems"] == [{"seq": int(seq), "kind": "kept-head"}]
    bad = c.get("/api/ledger/verify", params={"head": "nope"}, headers=s.auth("erin"))
    assert "head" in _problem(bad, 422)["detail"]


def test_pages_show_the_head(served: Served) -> None:
    s = served
    made = _decide(
        s, "riverside", "alice", ["fran", "alice"], title="Bob coordinates",
        kind="set_role", payload={"person_id": s.world.people["bob"], "role": "coordinator"},
    )  # fmt: skip
    sign_in(s, "alice")
    page = s.client.get(f"/proposals/{made['id']}")
    assert "Ledger chain head when decided" in page.text and made["chain_head"] in page.text
    ledger = s.client.get(f"/councils/{s.world.ids['riverside']}/inventory")
    assert "Ledger verified:" in ledger.text and "Chain head now:" in ledger.text
