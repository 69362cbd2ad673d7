"""A federated planning round in a real browser (Debian's Chromium): a delegate runs the
round from the plans page, the councils accept their agreements, South Farm refuses one,
the delegate re-plans, the federation adopts, the Bakery records production and a
delivery, and the plan page shows plan against actual."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from server.live import live_server, shot
from server.round_world import NEXT, build_round_world
from server.test_browser import browser, new_page, sign_in
from server.world import World
from soviets.server import create_app

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture this module uses


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """A server on its own SQLite copy of the round world."""
    path = tmp_path_factory.mktemp("round-browser") / "round.sqlite"
    url = f"sqlite:///{path}"
    world = build_round_world(url)
    app = create_app(url)
    with live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


def _api(site: tuple[str, World], who: str, method: str, path: str, **kw: object) -> dict:
    base, world = site
    r = httpx.request(
        method,
        f"{base}/api{path}",
        headers={"Authorization": f"Bearer {world.tokens[who]}"},
        **kw,  # type: ignore[arg-type]
    )
    assert r.status_code < 300, r.text
    return r.json() if r.content else {}


def test_round_refusal_replan_and_plan_against_actual(browser, site) -> None:  # type: ignore[no-untyped-def]
    ids = site[1].ids
    alice = new_page(browser, site)
    sign_in(alice, "alice")
    alice.goto(f"/plans?federation={ids['valley']}")
    form = alice.locator("form", has=alice.get_by_label("Regime"))
    form.get_by_label("Period").select_option(NEXT)
    form.get_by_label("Regime").select_option("federated")
    form.get_by_role("button", name="Run the plan").click()
    expect(alice.get_by_role("heading", name="Messages of the protocol")).to_be_visible()
    first = int(alice.url.split("/plans/")[1].split("?")[0].split("#")[0])
    log = alice.locator("#messages ~ .table-wrap").first.locator("table")
    expect(log.get_by_role("cell", name="South Farm").first).to_be_visible()
    expect(log.get_by_role("cell", name="summary")).to_be_visible()
    expect(log.get_by_role("cell", name="offer", exact=True).first).to_be_visible()  # the log
    shot(alice, "round-messages", phone=True)

    # The councils answer: the Bakery and Riverside accept the soup, South Farm refuses.
    for who, council in (("carol", "Bakery"), ("fran", "Riverside")):
        page = new_page(browser, site)
        sign_in(page, who)
        page.goto(f"/plans/{first}#agreements")
        row = page.get_by_role("row").filter(has_text="soup")
        row.get_by_role("button", name=f"Accept for {council}").click()
        expect(page.get_by_text("The agreement is accepted.")).to_be_visible()
        page.context.close()
    gus = new_page(browser, site)
    sign_in(gus, "gus")
    gus.goto(f"/plans/{first}#agreements")
    row = gus.get_by_role("row").filter(has_text="vegetables")
    row.get_by_label("Reason").fill("our fields lie fallow")
    row.get_by_role("button", name="Refuse for South Farm").click()
    expect(gus.get_by_text("The refusal is recorded")).to_be_visible()
    expect(gus.get_by_text("refused by South Farm: our fields lie fallow")).to_be_visible()

    # The delegate re-plans: the Bakery grows its own vegetables; the soup stays accepted.
    alice.goto(f"/plans/{first}")
    alice.get_by_role("button", name="Re-plan without the refused agreements").click()
    expect(alice.get_by_text("The round is re-planned")).to_be_visible()
    second = int(alice.url.split("/plans/")[1].split("?")[0])
    assert second != first
    expect(alice.get_by_text("refused by South Farm", exact=False).first).to_be_visible()
    gus.goto(f"/plans/{second}#agreements")
    expect(
        gus.get_by_text("None of your councils has an agreement under this plan.")
    ).to_be_visible()
    gus.context.close()

    # The federation adopts the re-planned round by its vote.
    made = _api(
        site,
        "alice",
        "POST",
        f"/councils/{ids['valley']}/proposals",
        json={"kind": "adopt_plan", "title": "Adopt the round", "payload": {"plan_id": second}},
    )
    _api(site, "alice", "POST", f"/proposals/{made['id']}/open")
    for who in ("alice", "carol"):
        _api(site, who, "PUT", f"/proposals/{made['id']}/ballot", json={"choice": "yes"})
    _api(site, "alice", "POST", f"/proposals/{made['id']}/close")

    # The Bakery grows, cooks and delivers part of the soup; plan against actual shows it.
    carol = new_page(browser, site)
    sign_in(carol, "carol")
    carol.goto(f"/plans/{second}")
    expect(carol.get_by_text("adopted", exact=True).first).to_be_visible()
    for process, units in ((ids["garden"], "200"), (ids["cooking"], "100")):
        carol.locator(f"#activity-{process}").fill(units)
        carol.locator("form", has=carol.locator(f"#activity-{process}")).get_by_role(
            "button", name="Record"
        ).click()
        expect(carol.get_by_text("The production is recorded in the ledger.")).to_be_visible()
    agreements = carol.locator("#agreements + .table-wrap table")
    row = agreements.get_by_role("row").filter(has_text="soup")
    row.get_by_role("spinbutton", name="Deliver").fill("60")
    row.get_by_role("button", name="Deliver").click()
    expect(carol.get_by_text("The delivery is recorded in the ledger.")).to_be_visible()
    actual = carol.locator("#actual + .table-wrap table")
    delivery = actual.get_by_role("row").filter(has_text="delivery")
    expect(delivery).to_contain_text("60")
    expect(delivery).to_contain_text("40")
    hours = actual.get_by_role("row").filter(has_text="hours").filter(has_text="Bakery")
    expect(hours).to_contain_text("110")  # 200 x 0.3 h + 100 x 0.5 h
    shot(carol, "round-plan-against-actual")
    # The soup fell short: a delegate re-plans the rest of the period, a revision of the plan.
    alice.goto(f"/plans/{second}")
    alice.get_by_role("button", name="Re-plan the rest of the period").click()
    expect(alice.get_by_text("The rest of the period is re-planned")).to_be_visible()
    expect(alice.get_by_role("link", name=f"plan #{second}").first).to_be_visible()
    carol.context.close()
    alice.context.close()
