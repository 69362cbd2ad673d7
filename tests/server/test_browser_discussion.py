"""A proposal discussed, amended and voted, in Debian's Chromium against uvicorn.

Riverside discusses proposals for 36 seconds (its rule ``proposal.discussion_hours`` =
0.01, set in this test's copy of the world) and decides amendments first. Bob opens a
proposal, puts forward an amendment on its page, Alice argues against and Fran for,
Bob replies and edits his reply; when the discussion is over the amendment is voted
and accepted, and the amended proposal is voted and accepted. Screenshots only when
``$SOVIETS_SCREENSHOTS_DIR`` names a folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from server import live
from server.conftest import copy_world
from server.live import live_server, shot
from server.world import World
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import CouncilRule
from soviets.ledger.types import as_utc
from soviets.server import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:  # type: ignore[no-untyped-def]
    """The Valley world on uvicorn, Riverside discussing each proposal for 0.01 hours."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("discussion"))
    engine = make_engine(url)
    with transaction(session_factory(engine)) as s:
        s.add(CouncilRule(council_id=world.ids["riverside"], key="proposal.discussion_hours",
                          value="0.01"))  # fmt: skip
    engine.dispose()
    app = create_app(url)
    with live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


def _api(site, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:  # type: ignore[no-untyped-def]
    base, world = site
    response = httpx.request(
        method,
        f"{base}/api{path}",
        json=body,
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
    )
    assert response.status_code < 300, response.text
    return response.json()


def test_discuss_amend_and_vote(site) -> None:  # type: ignore[no-untyped-def]
    world = site[1]
    made = _api(site, "bob", "POST", f"/councils/{world.ids['riverside']}/proposals",
                {"title": "Plant a community orchard",
                 "body": "Plant twenty fruit trees on the old car park."})  # fmt: skip
    pid = made["id"]
    opened = _api(site, "bob", "POST", f"/proposals/{pid}/open")
    assert opened["status"] == "discussion"
    ends = as_utc(datetime.fromisoformat(opened["discussion_ends_at"]))
    with live.chromium() as browser:
        page = live.new_page(browser, site[0])
        live.sign_in(page, "bob")
        page.goto(f"/proposals/{pid}")
        expect(page.get_by_text("In discussion until")).to_be_visible()
        page.get_by_label("Title").fill("Forty trees")
        page.get_by_label("New text (an amendment replaces the whole text)").fill(
            "Plant forty fruit trees on the old car park."
        )
        page.get_by_role("button", name="Put it forward").click()
        expect(page.get_by_text("Your amendment is put forward")).to_be_visible()
        expect(page.get_by_text("Amendment 1: Forty trees")).to_be_visible()

        _api(site, "alice", "POST", f"/proposals/{pid}/comments",
             {"stance": "against", "body": "The car park is needed on market days."})  # fmt: skip
        _api(site, "fran", "POST", f"/proposals/{pid}/comments",
             {"stance": "for", "body": "Fruit for the school kitchen."})  # fmt: skip
        page.reload()
        against = page.locator("#discussion section").filter(has_text="Arguments against (1)")
        expect(against.get_by_text("The car park is needed on market days.")).to_be_visible()
        supporting = page.locator("#discussion section").filter(has_text="Arguments for (1)")
        expect(supporting.get_by_text("Fruit for the school kitchen.")).to_be_visible()
        alice = page.get_by_role("article", name="Against by Alice Varga")
        alice.locator("summary", has_text="Reply").click()
        alice.get_by_label("Your reply is").select_option("question")
        alice.get_by_label("Reply", exact=True).fill("Could market stalls move to the square?")
        alice.get_by_role("button", name="Reply").click()
        expect(page.get_by_text("Your comment is posted.")).to_be_visible()
        mine = page.get_by_role("article", name="Question by Bob Lindqvist")
        mine.locator("summary", has_text="Edit").click()
        mine.get_by_label("Your comment").fill("Could the market move to the square on Sundays?")
        mine.get_by_role("button", name="Save a new version").click()
        mine = page.get_by_role("article", name="Question by Bob Lindqvist")
        expect(mine.get_by_text("edited")).to_be_visible()
        mine.locator("summary", has_text="History (2 versions)").click()
        expect(mine.get_by_text("Could market stalls move to the square?")).to_be_visible()
        shot(page, "20-discussion", phone=True)

        # The discussion ends (0.01 hours); reading the page moves the amendment to its vote.
        # Wait for its end, not reloading the page every second until then.
        page.wait_for_timeout(max(0.0, (ends - datetime.now(UTC)).total_seconds()) * 1_000)
        for _ in range(90):
            page.reload()
            if page.get_by_role("link", name="Its vote").count():
                break
            page.wait_for_timeout(1_000)
        expect(page.get_by_role("link", name="Its vote")).to_be_visible()
        amendment = _api(site, "bob", "GET", f"/proposals/{pid}/amendments")[0]
        for who in ("bob", "alice", "fran"):
            _api(site, who, "PUT", f"/proposals/{amendment['vote_id']}/ballot", {"choice": "yes"})
        assert _api(site, "bob", "POST", f"/proposals/{amendment['vote_id']}/close")[
            "outcome"
        ] == "accepted"  # fmt: skip

        page.goto(f"/proposals/{pid}")
        amended = page.get_by_role("region", name="Text as amended (put to the vote)")
        expect(amended.get_by_text("Plant forty fruit trees on the old car park.")).to_be_visible()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Cast my ballot").click()
        expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
        for who in ("alice", "fran"):
            _api(site, who, "PUT", f"/proposals/{pid}/ballot", {"choice": "yes"})
        page.reload()
        page.get_by_role("button", name="Close voting and count").click()
        expect(page.get_by_role("heading", name="Result")).to_be_visible()
        expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
        badge = page.locator("#amendments li").filter(has_text="Amendment 1: Forty trees")
        expect(badge.get_by_text("accepted", exact=True)).to_be_visible()
        shot(page, "21-amended-and-decided", phone=True)
