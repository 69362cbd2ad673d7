"""The demo federation, as ``soviets demo`` builds it, plans its next period by a federated
round in a real browser (Debian's Chromium): a delegate runs the round from the plans page,
two councils accept an agreement, the Lowlands bakery refuses to send bread to the Uplands,
the delegate re-plans, the federation adopts the round, the Uplands hydro plant records its
production and a delivery, and the plan page shows plan against actual.

The demo is built once for the module; the next period, with each region's needs of the
demo's period approved again by the region's vote, is opened through the service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from databases import Databases
from demo_seed import demo_on
from server.live import live_server, shot
from server.test_browser import browser
from soviets.cli.demo import DEMO_PASSWORD
from soviets.governance import ballots, planning_service, proposals, rules
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Council, Delegate, Membership, Need, Period, Person
from soviets.server import auth, create_app

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture this module uses


@dataclass
class Demo:
    """The demo's federation, councils (name -> id), each council's coordinator's e-mail and
    API token, the delegates' tokens and the next period's name."""

    base: str
    federation: int
    period: str
    ids: dict[str, int] = field(default_factory=dict)
    email: dict[str, str] = field(default_factory=dict)
    token: dict[str, str] = field(default_factory=dict)
    delegates: list[str] = field(default_factory=list)


def _decide(s, council: int, kind: str, payload: dict) -> None:  # type: ignore[no-untyped-def]
    """The council's members all vote yes on ``kind``."""
    voters = list(
        s.scalars(
            select(Membership.person_id)
            .where(Membership.council_id == council, Membership.left_at.is_(None))
            .order_by(Membership.id)
        )
    )
    p = proposals.create_proposal(s, voters[0], council, kind=kind, title=kind, payload=payload)
    proposals.open_proposal(s, voters[0], p.id)
    for voter in voters:
        ballots.cast_ballot(s, voter, p.id, "yes")
    assert proposals.close_and_count(s, voters[0], p.id).outcome == "accepted"


def _next_period(url: str, demo_period: str) -> tuple[str, dict[str, int]]:
    """Open the period after the demo's, register each region's needs of the demo's period
    again and approve them by the region's vote; let every council's coordinator consent
    to agreements (its vote). The new period's name and the councils' ids."""
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            ids = dict(s.execute(select(Council.name, Council.id)).all())
            federation = s.scalar(select(Council.id).where(Council.kind == "federation"))
            delegate = s.scalar(select(Delegate.person_id).order_by(Delegate.id).limit(1))
            assert federation is not None and delegate is not None
            found = planning_service.next_period(s)
            assert found is not None
            name, starts_on, ends_on = found
            planning_service.open_period(
                s, delegate, federation, name=name, starts_on=starts_on, ends_on=ends_on
            )
            old = s.scalar(select(Period.id).where(Period.name == demo_period))
            for n in s.scalars(select(Need).where(Need.period_id == old)).all():
                assert n.person_id is not None
                planning_service.register_need(
                    s, n.person_id, n.council_id, period=name, good=n.good.name,
                    quantity=n.quantity, priority=n.priority,
                )  # fmt: skip
            for council in s.scalars(select(Council).where(Council.kind != "federation")).all():
                if council.kind == "territorial":
                    _decide(s, council.id, "approve_needs", {"period": name})
                if rules.get_rule(s, council.id, "agreement.accept") != "coordinator":
                    _decide(s, council.id, "change_rules",
                            {"rules": {"agreement.accept": "coordinator"}})  # fmt: skip
    finally:
        engine.dispose()
    return name, ids


def _people(url: str, demo: Demo) -> None:
    """Each council's coordinator (e-mail, API token) and the delegates' tokens."""
    engine = make_engine(url)
    try:
        with transaction(session_factory(engine)) as s:
            for name, council in demo.ids.items():
                person = s.scalar(
                    select(Person)
                    .join(Membership, Membership.person_id == Person.id)
                    .where(
                        Membership.council_id == council,
                        Membership.role == "coordinator",
                        Membership.left_at.is_(None),
                    )
                    .order_by(Membership.id)
                    .limit(1)
                )
                if person is not None:
                    demo.email[name] = str(person.email)
                    demo.token[name] = auth.issue_token(s, person, "tests").secret
            seated = s.scalars(select(Delegate).where(Delegate.status == "active")).all()
            names = {v: k for k, v in demo.ids.items()}
            demo.delegates = [names[d.council_id] for d in seated]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Demo]:
    """``soviets demo`` (a copy of the session's demo) on its own SQLite file, its next
    period opened, served."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo-round') / 'demo.sqlite'}"
    result = demo_on(url, databases).result
    period, ids = _next_period(url, result.period)
    app = create_app(url)
    with live_server(app) as base:
        made = Demo(base, ids[result.federation], period, ids)
        _people(url, made)
        yield made
    app.state.engine.dispose()


def _api(demo: Demo, who: str, method: str, path: str, **kw: object) -> dict:
    r = httpx.request(
        method,
        f"{demo.base}/api{path}",
        headers={"Authorization": f"Bearer {demo.token[who]}"},
        timeout=120,
        **kw,  # type: ignore[arg-type]
    )
    assert r.status_code < 300, r.text
    return r.json() if r.content else {}


def _agreements(demo: Demo, plan_id: int) -> dict[int, dict]:
    """Every agreement of the plan, read by the coordinators of the councils party to it."""
    return {
        a["id"]: a
        for council in demo.token
        for a in _api(demo, council, "GET", f"/councils/{demo.ids[council]}/agreements")
        if a["plan_id"] == plan_id
    }


def _page(browser, demo: Demo, council: str, *, width: int = 1280):  # type: ignore[no-untyped-def]
    """A fresh page signed in as the coordinator of ``council`` (the demo's password)."""
    context = browser.new_context(base_url=demo.base, viewport={"width": width, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("E-mail address").fill(demo.email[council])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/?notice=signed-in")
    return page


def _plan_id(url: str) -> int:
    return int(url.split("/plans/")[1].split("?")[0].split("#")[0])


def _row(page, supplier: str, receiver: str, good: str):  # type: ignore[no-untyped-def]
    table = page.locator("#agreements + .table-wrap table")
    return (
        table.get_by_role("row").filter(has_text=f"{supplier} → {receiver}").filter(has_text=good)
    )


def test_demo_federation_plans_ratifies_replans_and_carries_out(browser, demo) -> None:  # type: ignore[no-untyped-def]
    # A delegate of the Uplands runs the federated round of the next period.
    rosa = _page(browser, demo, "uplands")
    rosa.goto(f"/plans?federation={demo.federation}")
    form = rosa.locator("form", has=rosa.get_by_label("Regime"))
    form.get_by_label("Period").select_option(demo.period)
    form.get_by_label("Regime").select_option("federated")
    form.get_by_role("button", name="Run the plan").click()
    expect(rosa.get_by_role("heading", name="Messages of the protocol")).to_be_visible()
    first = _plan_id(rosa.url)
    expect(rosa.get_by_text("mode: min-labour")).to_be_visible()  # the form's default mode
    log = rosa.locator("#messages ~ .table-wrap").first.locator("table")
    expect(log.get_by_role("cell", name="summary")).to_be_visible()
    shot(rosa, "demo-round-messages", phone=True)

    # The hydro plant and the Uplands accept their electricity; the Lowlands bakery
    # refuses to bake the Uplands' bread.
    for council in ("up-hydro", "uplands"):
        page = _page(browser, demo, council)
        page.goto(f"/plans/{first}#agreements")
        row = _row(page, "up-hydro", "uplands", "electricity")
        row.get_by_role("button", name=f"Accept for {council}").click()
        expect(page.get_by_text("The agreement is accepted.")).to_be_visible()
        page.context.close()
    bakery = _page(browser, demo, "low-bakery")
    bakery.goto(f"/plans/{first}#agreements")
    row = _row(bakery, "low-bakery", "uplands", "bread")
    row.get_by_label("Reason").fill("our oven is under repair")
    row.get_by_role("button", name="Refuse for low-bakery").click()
    expect(bakery.get_by_text("The refusal is recorded")).to_be_visible()
    bakery.context.close()

    # The delegate re-plans: the Uplands bakery bakes the Uplands' bread.
    rosa.goto(f"/plans/{first}")
    expect(rosa.get_by_text("refused by low-bakery: our oven is under repair")).to_be_visible()
    rosa.get_by_role("button", name="Re-plan without the refused agreements").click()
    expect(rosa.get_by_text("The round is re-planned")).to_be_visible()
    second = _plan_id(rosa.url)
    assert second != first
    names = {v: k for k, v in demo.ids.items()}
    before, by_id = _agreements(demo, first), _agreements(demo, second)

    def bread(rows: dict[int, dict], supplier: str = "", receiver: str = "") -> float:
        return sum(
            a["quantity"]
            for a in rows.values()
            if a["good"] == "bread"
            and names[a["supplier_council_id"]].startswith(supplier)
            and names[a["receiver_council_id"]].startswith(receiver)
        )

    # The refusal caps the Lowlands bakery's bread by what it refused; the Uplands still
    # get all the bread they need.
    refused = bread(before, "low-bakery", "uplands")
    assert refused > 0
    assert bread(by_id, "low-bakery") <= bread(before, "low-bakery") - refused + 1e-6
    met = [
        _api(demo, "uplands", "GET", f"/plans/{p}")["result"]["needs_met"] for p in (first, second)
    ]
    assert met[1]["uplands"]["bread"] == pytest.approx(met[0]["uplands"]["bread"])

    # Every council accepts the re-planned round's agreements; the federation adopts it.
    for a in by_id.values():
        for council in (a["supplier_council_id"], a["receiver_council_id"]):
            if a["status"] == "proposed" and council not in a["accepted_by"]:
                _api(demo, names[council], "POST", f"/agreements/{a['id']}/accept",
                     json={"council_id": council})  # fmt: skip
    proposer = demo.delegates[0]
    made = _api(demo, proposer, "POST", f"/councils/{demo.federation}/proposals",
                json={"kind": "adopt_plan", "title": "Adopt the round",
                      "payload": {"plan_id": second}})  # fmt: skip
    _api(demo, proposer, "POST", f"/proposals/{made['id']}/open")
    for council in demo.delegates:
        _api(demo, council, "PUT", f"/proposals/{made['id']}/ballot", json={"choice": "yes"})
    closed = _api(demo, proposer, "POST", f"/proposals/{made['id']}/close")
    assert closed["outcome"] == "accepted", closed

    # The hydro plant runs and delivers part of the Uplands' electricity.
    hydro = _page(browser, demo, "up-hydro")
    hydro.goto(f"/plans/{second}")
    expect(hydro.get_by_text("adopted", exact=True).first).to_be_visible()
    run = hydro.locator(
        "form", has=hydro.get_by_role("heading", name="Record production: up-hydro")
    )
    run.get_by_role("spinbutton").fill("2000")
    run.get_by_role("button", name="Record").click()
    expect(hydro.get_by_text("The production is recorded in the ledger.")).to_be_visible()
    row = _row(hydro, "up-hydro", "uplands", "electricity")
    row.get_by_role("spinbutton").fill("1000")
    row.get_by_role("button", name="Deliver").click()
    expect(hydro.get_by_text("The delivery is recorded in the ledger.")).to_be_visible()
    actual = hydro.locator("#actual + .table-wrap table")
    delivery = actual.get_by_role("row").filter(has_text="up-hydro -> uplands")
    expect(delivery.filter(has_text="electricity")).to_contain_text("1,000")
    output = actual.get_by_role("row").filter(has_text="output").filter(has_text="up-hydro")
    expect(output.first).to_contain_text("2,000")
    shot(hydro, "demo-round-plan-against-actual", phone=True)
    hydro.context.close()
    rosa.context.close()
