"""Every kind of proposal from the web, in a real browser: proposed, voted and carried out.

One live server and one copy of the Valley world serve the whole module; its
tests run in order and tell one story. Riverside admits Erin, makes Bob a
coordinator, changes its booking rules, approves its needs and an agreement,
lends its cargo bike to the Bakery, abandons the Sunday market vote, elects
Bob to the Valley federation with a mandate and then instructs him; Valley
admits Hilltop and adopts a plan while Bob sees his mandate beside his
ballot; Riverside recalls Bob and leaves the federation. Each proposal is
made with the new-proposal form, voted on by enough members through the
ballot form, closed with the button, and its effect is read on the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server import live
from server.conftest import copy_world
from server.live import live_server, shot
from server.world import World
from soviets.ledger import needs, plans
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Delegate
from soviets.server import create_app
from soviets.server.proposal_forms import forms_for

pytestmark = pytest.mark.browser

Fill = Callable[[Any], None]


class Site:
    """The live server, the world's ids, and one signed-in page per person."""

    def __init__(self, base: str, world: World, url: str, browser: Any) -> None:
        self.base, self.world, self.url, self.browser = base, world, url, browser
        self.ids = dict(world.ids)
        self._pages: dict[str, Any] = {}

    def page(self, who: str) -> Any:
        """The page of ``who``, signed in on first use."""
        if who not in self._pages:
            page = live.new_page(self.browser, self.base)
            live.sign_in(page, who)
            self._pages[who] = page
        return self._pages[who]

    def propose(self, who: str, council: str, kind: str, title: str, fill: Fill | None) -> int:
        """Make a proposal of ``kind`` (its link's name) with the form; its id."""
        page = self.page(who)
        page.goto(f"/councils/{self.ids[council]}/proposals/new")
        kinds = page.get_by_role("navigation", name="Kind of proposal")
        kinds.get_by_role("link", name=kind, exact=True).click()
        expect(page.get_by_role("heading", name=kind, exact=True)).to_be_visible()
        page.get_by_label("Title").fill(title)
        if fill is not None:
            fill(page)
        page.get_by_role("button", name="Make the proposal").click()
        page.wait_for_url("**/proposals/*?notice=proposal-made")
        expect(page.get_by_text("The proposal is made.")).to_be_visible()
        return int(page.url.split("/proposals/")[1].split("?")[0])

    def vote(self, who: str, proposal: int, choice: str = "Yes") -> Any:
        """Cast ``who``'s ballot on the proposal page; the page."""
        page = self.page(who)
        page.goto(f"/proposals/{proposal}")
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast my ballot").click()
        expect(page.get_by_text("Your ballot is recorded.")).to_be_visible()
        return page

    def close(self, who: str, proposal: int, outcome: str = "Accepted") -> Any:
        """Close the vote with the button; checks the outcome shown; the page."""
        page = self.page(who)
        page.goto(f"/proposals/{proposal}")
        page.get_by_role("button", name="Close voting and count").click()
        expect(page.get_by_role("heading", name="Result")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text=outcome)).to_be_visible()
        expect(page.get_by_role("heading", name="What it did if accepted")).to_be_visible()
        return page

    def effect(self, who: str, proposal: int) -> str:
        """The proposal page's words for what it does (did) when accepted."""
        page = self.page(who)
        page.goto(f"/proposals/{proposal}")
        return str(page.locator("ul.effect").inner_text())

    def decide(
        self,
        council: str,
        kind: str,
        title: str,
        fill: Fill | None = None,
        *,
        proposer: str = "fran",
        voters: tuple[str, ...] = ("fran", "alice", "bob"),
        closer: str = "fran",
    ) -> int:
        """Propose, let ``voters`` vote yes, close: the accepted proposal's id."""
        made = self.propose(proposer, council, kind, title, fill)
        for who in voters:
            self.vote(who, made)
        self.close(closer, made)
        return made

    def council_page(self, who: str, council: str) -> Any:
        page = self.page(who)
        page.goto(f"/councils/{self.ids[council]}")
        return page


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    """One server on a copy of the Valley world, plus a proposed plan for 2031 to adopt."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("kinds"))
    engine = make_engine(url)
    with transaction(session_factory(engine)) as s:
        needs.create_period(s, name="2031", starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31))
        plan_2031 = plans.run_plan(s, "2031", world.ids["valley"]).id
    engine.dispose()
    app = create_app(url)
    with live.chromium() as browser, live_server(app) as base:
        found = Site(base, world, url, browser)
        found.ids["plan_2031"] = plan_2031
        yield found
    app.state.engine.dispose()


def _delegate_of(site: Site, person: str) -> int:
    engine = make_engine(site.url)
    try:
        with session_factory(engine)() as s:
            return int(
                s.scalar(
                    select(Delegate.id).where(
                        Delegate.person_id == site.world.people[person],
                        Delegate.status == "active",
                    )
                )
            )
    finally:
        engine.dispose()


def test_each_council_offers_the_kinds_it_can_decide(site: Site) -> None:
    for council, kind in (("riverside", "territorial"), ("bakery", "workplace")):
        who = "fran" if council == "riverside" else "carol"
        page = site.page(who)
        page.goto(f"/councils/{site.ids[council]}/proposals/new")
        links = page.get_by_role("navigation", name="Kind of proposal").get_by_role("link")
        assert links.all_inner_texts() == [f.label for f in forms_for(kind)]
    page = site.page("alice")
    page.goto(f"/councils/{site.ids['valley']}/proposals/new")
    links = page.get_by_role("navigation", name="Kind of proposal").get_by_role("link")
    assert links.all_inner_texts() == [f.label for f in forms_for("federation")]
    assert "Approve our needs" not in links.all_inner_texts()


def test_general_with_quorum_and_deadline(site: Site) -> None:
    closes = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)

    def fill(page: Any) -> None:
        page.get_by_label("Quorum (% of the electorate who must vote)").fill("100")
        page.get_by_label("Voting closes (UTC, optional)").fill(closes.strftime("%Y-%m-%dT%H:%M"))

    made = site.propose("fran", "riverside", "General question", "Plant trees by the river", fill)
    page = site.page("fran")
    expect(page.get_by_text("quorum 100%")).to_be_visible()
    expect(page.get_by_text(f"closes {closes:%Y-%m-%d %H:%M} UTC")).to_be_visible()
    site.vote("alice", made)
    page = site.page("fran")
    page.goto(f"/proposals/{made}")
    expect(page.get_by_text("the quorum needs 3")).to_be_visible()
    # One of three has voted: the result is not settled, the vote runs until its deadline.
    expect(page.get_by_text(f"Voting closes {closes:%Y-%m-%d %H:%M} UTC")).to_be_visible()
    assert page.get_by_role("button", name="Close voting and count").count() == 0

    quick = site.decide(
        "riverside",
        "General question",
        "Hold the assembly on Thursdays",
        lambda p: p.get_by_label("Quorum (% of the electorate who must vote)").fill("100"),
    )
    page = site.page("fran")
    page.goto(f"/proposals/{quick}")
    expect(page.get_by_text("3 of 3 have voted")).to_be_visible()


def test_set_role(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Member", exact=True).select_option(str(site.world.people["bob"]))
        page.get_by_label("New role").select_option("coordinator")

    site.decide("riverside", "Change a member's role", "Bob coordinates too", fill)
    page = site.council_page("fran", "riverside")
    row = page.get_by_role("row").filter(has_text="Bob Lindqvist")
    assert "coordinator" in row.inner_text()


def test_change_rules(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Longest booking of a shared good (hours)").fill("12")
        page.get_by_label("Bookings a member may hold at once (number)").fill("3")

    site.decide("riverside", "Change our rules", "Shorter, more bookings", fill)
    page = site.council_page("fran", "riverside")
    rules = page.locator("#rules + ul").inner_text()
    assert "booking.max_hours = 12" in rules and "booking.max_active = 3" in rules
    expect(page.get_by_text("a booking may last up to 12 hours")).to_be_visible()


def test_approve_needs(site: Site) -> None:
    site.decide(
        "riverside",
        "Approve our needs",
        "Approve the late bread order",
        lambda p: p.get_by_label("Period", exact=True).select_option("2030"),
    )
    page = site.page("bob")
    page.goto(f"/councils/{site.ids['riverside']}/needs?period=2030")
    rows = page.get_by_role("row").filter(has_text="bread").all_inner_texts()
    assert rows and all("approved" in r for r in rows), rows


def test_approve_agreement(site: Site) -> None:
    site.decide(
        "riverside",
        "Approve an agreement",
        "Agree to the bread deliveries",
        lambda p: p.get_by_label("Agreement", exact=True).select_option(str(site.ids["agreement"])),
    )
    page = site.page("bob")
    page.goto(f"/plans/{site.ids['plan']}")
    expect(page.get_by_text("accepted by: Riverside")).to_be_visible()


def test_inventory_transfer(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Resource", exact=True).select_option(str(site.ids["bike"]))
        page.get_by_label("Quantity (in the resource's unit)").fill("1")
        page.get_by_label("To council").select_option(str(site.ids["bakery"]))

    offer = site.decide("riverside", "Transfer from our inventory", "Lend the cargo bike", fill)
    page = site.council_page("carol", "bakery")
    expect(page.get_by_role("row").filter(has_text="Cargo bike")).to_have_count(0)  # offered
    site.decide(
        "bakery",
        "Accept a transfer or custody",
        "Take the cargo bike",
        lambda p: p.get_by_label("Transfer offered to us").select_option(str(offer)),
        proposer="carol",
        voters=("carol",),
        closer="carol",
    )
    page = site.council_page("carol", "bakery")
    row = page.get_by_role("row").filter(has_text="Cargo bike")
    assert "1 bike" in row.inner_text()


def test_abandon_proposal_from_its_page(site: Site) -> None:
    market = site.ids["market"]
    page = site.page("fran")
    page.goto(f"/proposals/{market}")
    page.get_by_role("link", name="Propose that the council abandon this vote").click()
    assert page.get_by_label("Proposal to abandon").input_value() == str(market)
    assert page.get_by_label("Title").input_value().startswith(f"Abandon proposal #{market}")
    page.get_by_role("button", name="Make the proposal").click()
    made = int(page.url.split("/proposals/")[1].split("?")[0])
    for who in ("fran", "alice", "bob"):
        site.vote(who, made)
    site.close("fran", made)
    page.goto(f"/proposals/{market}")
    expect(page.get_by_text("abandoned", exact=True)).to_be_visible()


def test_elect_delegate_with_a_mandate(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Delegate", exact=True).select_option(str(site.world.people["bob"]))
        page.get_by_label("Federation", exact=True).select_option(str(site.ids["valley"]))
        page.get_by_label("Mandate 1: for").select_option("kind:admit_member")
        page.get_by_label("Mandate 1: vote").select_option("yes")
        shot(page, "15-new-proposal-form", phone=True)

    site.decide("riverside", "Elect a delegate", "Send Bob to Valley", fill)
    page = site.council_page("fran", "riverside")
    row = page.get_by_role("row").filter(has_text="Bob Lindqvist").filter(has_text="Valley")
    assert "admit member proposals: yes" in row.inner_text()
    assert page.get_by_role("row").filter(has_text="Alice Varga").filter(has_text="→").count() == 0
    site.ids["bob_delegate"] = _delegate_of(site, "bob")


def test_instruct_delegate(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Delegate", exact=True).select_option(str(site.ids["bob_delegate"]))
        page.get_by_label("Mandate 1: for").select_option("kind:adopt_plan")
        page.get_by_label("Mandate 1: vote").select_option("yes")

    site.decide("riverside", "Instruct a delegate (mandate)", "Bob backs the plan", fill)
    page = site.council_page("fran", "riverside")
    row = page.get_by_role("row").filter(has_text="Bob Lindqvist").filter(has_text="→")
    assert "adopt plan proposals: yes" in row.inner_text()


def test_federation_admits_a_council(site: Site) -> None:
    admitted = site.decide(
        "valley",
        "Admit a member council",
        "Welcome Hilltop",
        lambda p: p.get_by_label("Council to admit").select_option(str(site.ids["hilltop"])),
        proposer="bob",
        voters=("bob", "carol"),
        closer="bob",
    )
    page = site.council_page("carol", "valley")
    assert "Hilltop" not in page.locator("#members + ul").inner_text()  # admitted, not joined
    site.decide(
        "hilltop",
        "Join a federation",
        "Join the valley",
        lambda p: p.get_by_label("Admission voted by the federation").select_option(str(admitted)),
        proposer="dave",
        voters=("dave",),
        closer="dave",
    )
    page = site.council_page("carol", "valley")
    members = page.locator("#members + ul").inner_text()
    assert "Hilltop" in members and "Riverside" in members


def test_adopt_plan_with_the_mandate_beside_the_ballot(site: Site) -> None:
    made = site.propose(
        "carol",
        "valley",
        "Adopt a plan",
        "Adopt the plan for 2031",
        lambda p: p.get_by_label("Plan", exact=True).select_option(str(site.ids["plan_2031"])),
    )
    page = site.page("bob")
    page.goto(f"/proposals/{made}")
    note = page.get_by_role("note")
    assert "Your mandate:" in note.inner_text()
    assert "vote yes on adopt plan proposals" in note.inner_text()
    shot(page, "17-delegate-mandate", phone=True)
    site.vote("bob", made)
    site.vote("carol", made)
    page = site.close("carol", made)
    shot(page, "16-proposal-effect", phone=True)
    page.goto(f"/plans/{site.ids['plan_2031']}")
    assert page.locator("p .badge").first.inner_text() == "adopted"


def test_recall_delegate(site: Site) -> None:
    site.decide(
        "riverside",
        "Recall a delegate",
        "Recall Bob",
        lambda p: p.get_by_label("Delegate", exact=True).select_option(
            str(site.ids["bob_delegate"])
        ),
    )
    page = site.council_page("fran", "riverside")
    expect(page.get_by_text("No active delegates.")).to_be_visible()


def test_leave_federation(site: Site) -> None:
    page = site.council_page("fran", "riverside")
    expect(page.get_by_text("member of Valley Federation")).to_be_visible()
    site.decide(
        "riverside",
        "Leave a federation",
        "Leave Valley",
        lambda p: p.get_by_label("Federation", exact=True).select_option(str(site.ids["valley"])),
    )
    page = site.council_page("fran", "riverside")
    assert page.get_by_text("member of Valley Federation").count() == 0
    shot(page, "19-council-after-votes", phone=True)


BAKERY = {"proposer": "carol", "voters": ("carol",), "closer": "carol"}


def test_register_process(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Name of the process").fill("rolls")
        page.get_by_label("Hours of work per unit of activity").fill("0.3")
        page.get_by_label("Goods made and used per unit of activity").fill(
            "bread = 2\nflour = -0.8"
        )

    made = site.decide("bakery", "Register a process", "Bake rolls too", fill, **BAKERY)
    assert "adds process 'rolls'" in site.effect("carol", made)
    page = site.council_page("carol", "bakery")
    row = page.get_by_role("row").filter(has_text="rolls")
    assert "+2 loaf bread" in row.inner_text() and "0.3" in row.inner_text()


def test_change_process(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Process", exact=True).select_option(str(site.ids["baking"]))
        page.get_by_label("Hours of work per unit of activity").fill("0.2")
        page.get_by_label("Goods made and used per unit of activity").fill(
            "bread = 1\nflour = -0.5"
        )
        page.get_by_label("Capacity (most units of activity per period) (optional)").fill("900")

    site.decide("bakery", "Change a process", "Faster baking", fill, **BAKERY)
    page = site.council_page("carol", "bakery")
    row = page.get_by_role("row").filter(has_text="baking")
    assert "0.2" in row.inner_text()


def test_stock_change(site: Site) -> None:
    def fill(page: Any) -> None:
        page.get_by_label("Stock", exact=True).select_option(str(site.ids["bread_store"]))
        page.get_by_label("What happens to it").select_option("lower")
        page.get_by_label("Quantity (in the stock's unit)").fill("100")
        page.get_by_label("Reason (kept in the ledger)").fill("mould after the flood")

    made = site.decide("bakery", "Change a stock by vote", "Write off mouldy bread", fill, **BAKERY)
    assert "lowers 100 loaf of 'Bread store'" in site.effect("carol", made)
    page = site.council_page("carol", "bakery")
    assert "700 loaf" in page.get_by_role("row").filter(has_text="Bread store").inner_text()


def test_all_decisions_listed(site: Site) -> None:
    page = site.council_page("bob", "riverside")
    page.get_by_role("link", name="decisions").filter(has_text="All").click()
    expect(page.get_by_role("heading", name="Decisions of Riverside")).to_be_visible()
    for title in ("Leave Valley", "Bob coordinates too", "Paint the hall green"):
        expect(page.get_by_role("link", name=title)).to_be_visible()


def test_secret_ballot_receipt_fits_a_phone(site: Site) -> None:
    page = live.new_page(site.browser, site.base, width=390, height=844)
    live.sign_in(page, "dave")
    page.goto(f"/councils/{site.ids['hilltop']}/proposals/new")
    page.get_by_label("Title").fill("Choose the new road surface in secret")
    page.get_by_label("Secret ballot").check()
    page.get_by_role("button", name="Make the proposal").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = page.locator(".notice code")
    assert len(receipt.inner_text().strip()) >= 20
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = receipt.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    shot(page, "20-secret-receipt-phone")
