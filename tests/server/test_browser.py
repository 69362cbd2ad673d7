"""The pages in a real browser: Debian's Chromium driven by Playwright against uvicorn.

A member signs in, registers a need, votes (a yes/no question and a ranked
choice), sees the live tally and the result, reads the plan and the
inventory, books the shared cargo bike; and the refusals: another council's
page, a double booking; an overnight booking. Screenshots of each page are
written only when ``$SOVIETS_SCREENSHOTS_DIR`` names a folder.

A proposal is discussed, amended and voted: Riverside discusses it for 36 seconds (its
rule ``proposal.discussion_hours`` = 0.01, set only while the proposal opens) and decides
amendments first. In the first test Bob opens it, puts forward an amendment on its page,
Alice argues against and Fran for, Bob replies and edits his reply; in the last, when the
discussion is over (it runs while the tests between them run), the amendment is voted and
accepted, and the amended proposal is voted and accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from databases import Databases
from demo_seed import demo_on
from server import live
from server.conftest import copy_world
from server.live import live_server, shot
from server.world import World
from soviets.cli.demo import DEMO_PASSWORD
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import CouncilRule
from soviets.ledger.types import as_utc
from soviets.server import create_app

pytestmark = pytest.mark.browser


class Site(NamedTuple):
    """The server's base URL, the world's ids and the URL of its database."""

    base: str
    world: World
    url: str


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    """A uvicorn server on 127.0.0.1 (free port) serving a copy of the Valley world."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("browser"))
    app = create_app(url)
    with live_server(app) as base:
        yield Site(base, world, url)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def orchard() -> dict[str, Any]:
    """The discussed proposal of the first test (its id, the end of its discussion), voted
    in the last."""
    return {}


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium (never a downloaded browser)."""
    with live.chromium() as chromium:
        yield chromium


def new_page(browser, site, *, width: int = 1280, height: int = 900, js: bool = True):  # type: ignore[no-untyped-def]
    return live.new_page(browser, site[0], width=width, height=height, js=js)


def sign_in(page, who: str, *, capture: str | None = None) -> None:  # type: ignore[no-untyped-def]
    if capture:
        page.goto("/signin")
        shot(page, capture)
    live.sign_in(page, who)


def api_vote(site, who: str, proposal: int, choice: str) -> None:  # type: ignore[no-untyped-def]
    _api(site, who, "PUT", f"/proposals/{proposal}/ballot", {"choice": choice})


def _api(
    site: Site | tuple[str, World],
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
) -> Any:
    """``who``'s request to the API of the server at ``site[0]``; its JSON (a 2xx answer)."""
    base, world = site[0], site[1]
    response = httpx.request(
        method,
        f"{base}/api{path}",
        json=body,
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
        timeout=120,
    )
    assert response.status_code < 300, response.text
    return response.json()


def _discussion_hours(site: Site, hours: str | None) -> None:
    """Set Riverside's ``proposal.discussion_hours`` in the database (None: remove it)."""
    engine = make_engine(site.url)
    try:
        with transaction(session_factory(engine)) as s:
            riverside = site.world.ids["riverside"]
            if hours is None:
                s.execute(
                    delete(CouncilRule).where(
                        CouncilRule.council_id == riverside,
                        CouncilRule.key == "proposal.discussion_hours",
                    )
                )
            else:
                s.add(CouncilRule(council_id=riverside, key="proposal.discussion_hours",
                                  value=hours))  # fmt: skip
    finally:
        engine.dispose()


def test_discuss_and_amend(browser, site: Site, orchard: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Bob opens a proposal into its discussion and amends it; Alice and Fran argue; Bob
    replies and edits his reply."""
    made = _api(site, "bob", "POST", f"/councils/{site.world.ids['riverside']}/proposals",
                {"title": "Plant a community orchard",
                 "body": "Plant twenty fruit trees on the old car park."})  # fmt: skip
    pid = made["id"]
    _discussion_hours(site, "0.01")
    try:
        opened = _api(site, "bob", "POST", f"/proposals/{pid}/open")
    finally:
        _discussion_hours(site, None)
    assert opened["status"] == "discussion"
    page = new_page(browser, site)
    sign_in(page, "bob")
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
    orchard.update(pid=pid, ends=as_utc(datetime.fromisoformat(opened["discussion_ends_at"])))


def test_sign_in_and_see_my_councils(browser, site) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, site)
    sign_in(page, "bob", capture="01-sign-in")
    expect(page.get_by_role("heading", name="My councils")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside")).to_be_visible()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    shot(page, "02-my-councils")
    page.get_by_role("link", name="Riverside").click()
    expect(page.get_by_role("heading", name="Riverside", exact=True)).to_be_visible()
    for section in ("Open proposals", "Members (3)", "Delegates and their mandates", "Inventory"):
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    expect(page.get_by_text("Alice Varga").first).to_be_visible()
    shot(page, "03-council")


def test_register_a_need(browser, site) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, site)
    sign_in(page, "alice")
    page.goto(f"/councils/{site[1].ids['riverside']}")
    page.get_by_role("link", name="Register needs").click()
    page.get_by_label("Good").select_option("flour")
    page.get_by_label("Quantity for the period").fill("6")
    page.get_by_label("Priority").select_option("normal")
    page.get_by_role("button", name="Register the need").click()
    expect(page.get_by_text("Your need is registered.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="flour")
    assert "6 kg" in row.inner_text() and "proposed" in row.inner_text()
    shot(page, "04-needs")


def test_vote_see_live_tally_and_result(browser, site) -> None:  # type: ignore[no-untyped-def]
    market = site[1].ids["market"]
    page = new_page(browser, site)
    sign_in(page, "bob")
    page.goto(f"/proposals/{market}")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    api_vote(site, "alice", market, "no")
    page.reload()
    expect(page.get_by_role("heading", name="Live tally")).to_be_visible()
    tally = page.get_by_role("table").filter(has_text="Option").inner_text()
    assert "yes\t1" in tally and "no\t1" in tally
    shot(page, "05-proposal-open")
    page.get_by_label("No", exact=True).check()  # change my mind: only the last ballot counts
    page.get_by_role("button", name="Change my ballot").click()
    api_vote(site, "fran", market, "no")
    page.get_by_role("button", name="Close voting and count").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.get_by_text("Rejected")).to_be_visible()
    assert "no\t3" in page.get_by_role("table").filter(has_text="Option").inner_text()
    shot(page, "06-proposal-result")


def test_ranked_choice_by_numbers(browser, site) -> None:  # type: ignore[no-untyped-def]
    park = site[1].ids["park"]
    page = new_page(browser, site)
    sign_in(page, "alice")
    page.goto(f"/proposals/{park}")
    page.get_by_label("River Park").fill("1")
    page.get_by_label("Oak Park").fill("2")
    page.get_by_label("Sun Park").fill("3")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("River Park>Oak Park>Sun Park").first).to_be_visible()
    expect(page.get_by_text("Order by the Schulze method")).to_be_visible()
    shot(page, "07-ranked-choice")


def test_plan_with_charts_and_agreements(browser, site) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, site)
    sign_in(page, "bob")
    page.goto("/plans")
    page.get_by_role("link", name="Plan for 2030").click()
    for figure in ("Total hours of work", "Hours per member per week", "Essential needs met"):
        expect(page.get_by_text(figure)).to_be_visible()
    expect(page.get_by_role("img", name="Hours of work by council")).to_be_visible()
    values = page.get_by_role("img", name="Labour value: hours per unit of each good")
    expect(values).to_be_visible()
    # Riverside's rules ask for a vote on agreements: Bob drafts the proposal.
    page.get_by_role("button", name="Propose that Riverside accepts").click()
    expect(page.get_by_text("The proposal is made.")).to_be_visible()
    page.goto("/plans")
    page.get_by_role("link", name="Plan for 2030").click()
    shot(page, "08-plan")


def test_inventory_with_history_and_verification(browser, site) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, site)
    sign_in(page, "fran")
    page.goto(f"/councils/{site[1].ids['riverside']}/inventory")
    expect(page.get_by_text("Ledger verified:")).to_be_visible()
    expect(page.get_by_role("cell", name="Cargo bike").first).to_be_visible()
    shot(page, "09-inventory")


def test_book_the_bike_and_double_booking_refused(browser, site) -> None:  # type: ignore[no-untyped-def]
    day = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    page = new_page(browser, site)
    sign_in(page, "alice")
    page.goto(f"/resources/{site[1].ids['bike']}/bookings")
    page.get_by_label("Day", exact=True).fill(day)
    page.get_by_label("From (UTC)").fill("14:00")
    page.get_by_label("Until (UTC)").fill("16:00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("The booking is made.")).to_be_visible()
    expect(page.get_by_text("14:00–16:00 you")).to_be_visible()
    shot(page, "10-bookings")

    other = new_page(browser, site)
    sign_in(other, "fran")
    other.goto(f"/resources/{site[1].ids['bike']}/bookings")
    other.get_by_label("Day", exact=True).fill(day)
    other.get_by_label("From (UTC)").fill("15:00")
    other.get_by_label("Until (UTC)").fill("17:00")
    other.get_by_role("button", name="Book").click()
    alert = other.get_by_role("alert")
    assert "already booked" in alert.inner_text()
    expect(other.get_by_role("heading", name="Conflict")).to_be_visible()
    shot(other, "11-refused-double-booking")


def test_overnight_booking(browser, site) -> None:  # type: ignore[no-untyped-def]
    """A booking from 22:00 until 06:00 the next morning, shown on both days."""
    first = (datetime.now(UTC) + timedelta(days=4)).date()
    second = first + timedelta(days=1)
    page = new_page(browser, site)
    sign_in(page, "fran")
    page.goto(f"/resources/{site[1].ids['bike']}/bookings")
    page.get_by_label("Day", exact=True).fill(first.isoformat())
    page.get_by_label("From (UTC)").fill("22:00")
    page.get_by_label("Until day").fill(second.isoformat())
    page.get_by_label("Until (UTC)").fill("06:00")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_text("The booking is made.")).to_be_visible()
    late = page.get_by_role("region", name=first.strftime("%A %d %B"))
    early = page.get_by_role("region", name=second.strftime("%A %d %B"))
    night = f"22:00–{second:%d %b} 06:00 you"
    assert night in late.inner_text()
    assert f"{first:%d %b} 22:00–06:00 you" in early.inner_text()
    shot(page, "18-overnight-booking")


def test_another_councils_page_is_refused(browser, site) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, site)
    sign_in(page, "dave")
    response = page.goto(f"/councils/{site[1].ids['riverside']}")
    assert response is not None and response.status == 403
    assert "not one of its members" in page.get_by_role("alert").inner_text()
    assert page.get_by_role("link", name="Riverside").count() == 0
    shot(page, "12-refused-wrong-council")


def test_fits_a_phone(browser, site) -> None:  # type: ignore[no-untyped-def]
    """At 390 pixels wide no page scrolls sideways (tables scroll inside their own box)."""
    ids = site[1].ids
    page = new_page(browser, site, width=390, height=844)
    sign_in(page, "alice")
    for path in (
        "/",
        f"/councils/{ids['riverside']}",
        f"/proposals/{ids['park']}",
        f"/councils/{ids['riverside']}/needs",
        f"/plans/{ids['plan']}",
        f"/councils/{ids['riverside']}/inventory",
        f"/resources/{ids['bike']}/bookings",
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(f"/proposals/{ids['park']}")
    shot(page, "13-phone-proposal")


def test_works_without_javascript(browser, site) -> None:  # type: ignore[no-untyped-def]
    """With JavaScript switched off a member signs in and votes with plain forms."""
    page = new_page(browser, site, js=False)
    sign_in(page, "dave")
    page.goto(f"/proposals/{site[1].ids['hill_vote']}")
    page.get_by_label("Abstain").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    expect(page.get_by_text("You have voted: abstain")).to_be_visible()


def test_demo_member_signs_in_and_votes(browser, tmp_path: Path, databases: Databases) -> None:  # type: ignore[no-untyped-def]
    """The README's walk-through: after ``soviets demo``, a demo member proposes and votes
    (on a copy of the session's demo, ``demo_seed``; ``tests/ledger/test_demo.py`` runs
    the command itself)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    member = demo_on(url, databases).result.people[0]
    app = create_app(url)
    with live_server(app) as base:
        page = live.new_page(browser, base)
        page.goto("/")
        page.get_by_label("E-mail address").fill(member["email"])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name=member["councils"][0], exact=True).click()
        page.get_by_role("link", name="New proposal").click()
        page.get_by_label("Title").fill("Plant fruit trees along the river")
        page.get_by_role("button", name="Make the proposal").click()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Cast my ballot").click()
        expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
        assert "yes\t1" in page.get_by_role("table").filter(has_text="Option").inner_text()
        shot(page, "14-demo-vote")
        page.context.close()
    app.state.engine.dispose()


def test_the_amendment_then_the_amended_proposal_voted(  # type: ignore[no-untyped-def]
    browser, site: Site, orchard: dict[str, Any]
) -> None:
    """When the discussion of ``test_discuss_and_amend`` is over, reading the page moves the
    amendment to its vote; it is accepted, and the amended proposal is voted and accepted."""
    assert orchard, "test_discuss_and_amend (the first test of this module) did not run"
    pid = orchard["pid"]
    page = new_page(browser, site)
    sign_in(page, "bob")
    # Wait for the discussion's end, if the tests between did not take that long.
    page.wait_for_timeout(max(0.0, (orchard["ends"] - datetime.now(UTC)).total_seconds()) * 1_000)
    for _ in range(90):
        page.goto(f"/proposals/{pid}")
        if page.get_by_role("link", name="Its vote").count():
            break
        page.wait_for_timeout(1_000)
    expect(page.get_by_role("link", name="Its vote")).to_be_visible()
    amendment = _api(site, "bob", "GET", f"/proposals/{pid}/amendments")[0]
    for who in ("bob", "alice", "fran"):
        api_vote(site, who, amendment["vote_id"], "yes")
    closed = _api(site, "bob", "POST", f"/proposals/{amendment['vote_id']}/close")
    assert closed["outcome"] == "accepted"

    page.goto(f"/proposals/{pid}")
    amended = page.get_by_role("region", name="Text as amended (put to the vote)")
    expect(amended.get_by_text("Plant forty fruit trees on the old car park.")).to_be_visible()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    for who in ("alice", "fran"):
        api_vote(site, who, pid, "yes")
    page.reload()
    page.get_by_role("button", name="Close voting and count").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()
    expect(page.get_by_text("Accepted", exact=True)).to_be_visible()
    badge = page.locator("#amendments li").filter(has_text="Amendment 1: Forty trees")
    expect(badge.get_by_text("accepted", exact=True)).to_be_visible()
    shot(page, "21-amended-and-decided", phone=True)
