"""Ratification in a real browser (Debian's Chromium): the Valley federation sends a
decision to its member councils, the Bakery adapts it within the federation's bounds (and
is refused outside them), both councils ratify it, and the federation's page shows the
answers and the adaptation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from server.conftest import copy_world
from server.live import live_server, shot
from server.test_browser import api_vote, browser, new_page, sign_in
from server.world import World
from soviets.server import create_app

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture this module uses


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:  # type: ignore[no-untyped-def]
    """A server on its own copy of the Valley world (the votes here change it)."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("ratify-browser"))
    app = create_app(url)
    with live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


def _vote_and_close(page, choice: str = "Yes") -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Cast my ballot").click()
    expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
    page.get_by_role("button", name="Close voting and count").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible()


def _proposal_id(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.url.split("/proposals/")[1].split("?")[0])


def test_federation_decision_ratified_and_adapted(browser, site) -> None:  # type: ignore[no-untyped-def]
    ids = site[1].ids
    valley, bakery, riverside = ids["valley"], ids["bakery"], ids["riverside"]
    alice = new_page(browser, site)
    sign_in(alice, "alice")
    # 1. The federation decides, to be ratified, with bounds for local adaptation.
    alice.goto(f"/councils/{valley}/proposals/new?kind=general")
    alice.get_by_label("Title").fill("Bake with local flour")
    alice.get_by_label("To be ratified").check()
    alice.get_by_label("Bounds for local adaptation").fill(
        "loaves_per_day = 80 to 120 loaves\nflour_type = wholemeal | white"
    )
    alice.get_by_role("button", name="Make the proposal").click()
    decision = _proposal_id(alice)
    expect(alice.get_by_text("only once the member councils ratify it").first).to_be_visible()
    api_vote(site, "carol", decision, "yes")
    alice.reload()
    _vote_and_close(alice)
    alice.goto(f"/councils/{valley}")
    section = alice.get_by_role("region", name="Bake with local flour")
    expect(section.get_by_text("awaiting", exact=True)).to_be_visible()

    # 2. The Bakery adapts it: outside the bounds refused, within them adopted.
    carol = new_page(browser, site)
    sign_in(carol, "carol")
    for value, accepted in (("150", False), ("90", True)):
        carol.goto(f"/councils/{bakery}/proposals/new?kind=adapt_decision")
        carol.get_by_label("Title").fill("Fewer loaves for our small oven")
        carol.get_by_label("Federation decision awaiting ratification").select_option(str(decision))
        carol.get_by_label("Local values").fill(f"loaves_per_day = {value}")
        carol.get_by_role("button", name="Make the proposal").click()
        if not accepted:
            expect(
                carol.get_by_text("150 is outside the federation's bounds for loaves_per_day")
            ).to_be_visible()
    _vote_and_close(carol)
    expect(carol.get_by_text("Accepted").first).to_be_visible()
    link = carol.get_by_role("link", name="The federation's decision")
    assert link.get_attribute("href") == f"/proposals/{decision}"

    # 3. Each member council ratifies by its own vote, from its council page.
    carol.goto(f"/councils/{bakery}")
    carol.get_by_role("region", name="Bake with local flour").get_by_role(
        "link", name="vote open"
    ).click()
    _vote_and_close(carol)
    bob = new_page(browser, site)
    sign_in(bob, "bob")
    bob.goto(f"/councils/{riverside}")
    bob.get_by_role("region", name="Bake with local flour").get_by_role(
        "link", name="vote open"
    ).click()
    ratify = _proposal_id(bob)
    api_vote(site, "fran", ratify, "yes")
    api_vote(site, "alice", ratify, "yes")
    _vote_and_close(bob)

    # 4. The federation's page: ratified, both answers, the Bakery's adaptation.
    alice.goto(f"/councils/{valley}")
    section = alice.get_by_role("region", name="Bake with local flour")
    expect(section.get_by_text("ratified", exact=True).first).to_be_visible()
    answers = section.get_by_role("table").filter(has_text="Answer").inner_text()
    assert "Riverside\t3\tratified" in answers and "Bakery\t1\tratified" in answers
    adapted = section.get_by_role("table").filter(has_text="Local value").inner_text()
    assert "Bakery\tloaves_per_day\t90\tfrom 80 to 120 loaves" in adapted
    shot(alice, "18-ratification", phone=True)
    for page in (alice, bob, carol):
        page.context.close()
