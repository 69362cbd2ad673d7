"""An assembly in a real browser (Debian's Chromium): the agenda, attendance, a vote taken
in the room, and minutes written, approved by the room and exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from server import live
from server.conftest import copy_world
from server.live import live_server, shot
from server.world import World
from soviets.ledger.db import make_engine, session_factory, transaction
from soviets.ledger.models import Assembly, CouncilRule
from soviets.server import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def meeting(
    world_template, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, World]]:  # type: ignore[no-untyped-def]
    """The Valley world served on 127.0.0.1, its assembly called three days ago and in
    session now, in a council whose rules let assemblies decide."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("assembly"))
    engine = make_engine(url)
    now = datetime.now(UTC)
    with transaction(session_factory(engine)) as s:
        s.execute(
            update(Assembly)
            .where(Assembly.id == world.ids["assembly"])
            .values(created_at=now - timedelta(days=3), starts_at=now - timedelta(minutes=10))
        )
        s.add(CouncilRule(council_id=world.ids["riverside"], key="assembly.decide", value="yes"))
    engine.dispose()
    app = create_app(url)
    with live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


def test_assembly_with_agenda_attendance_and_approved_minutes(meeting) -> None:  # type: ignore[no-untyped-def]
    base, world = meeting
    with live.chromium() as browser:
        page = live.new_page(browser, base)
        live.sign_in(page, "bob")
        page.goto(f"/councils/{world.ids['riverside']}")
        page.get_by_role("link", name="Assemblies").click()
        page.get_by_role("link", name="Autumn assembly").click()
        page.get_by_label("Or another item").fill("Reports of the working groups")
        page.get_by_role("button", name="Add").click()
        expect(
            page.get_by_role("listitem").filter(has_text="Reports of the working")
        ).to_be_visible()

        page.get_by_role("button", name="Mark Bob Lindqvist present").click()
        page.get_by_role("button", name="Mark Alice Varga present").click()
        expect(
            page.get_by_role("heading", name="Attendance (2 of 3 members present)")
        ).to_be_visible()

        page.get_by_label("Hands for yes (people)").fill("2")
        page.get_by_label("Hands for no (people)").fill("0")
        page.get_by_role("button", name="Record the room's vote").click()
        expect(page.get_by_text("The room's vote is recorded")).to_be_visible()
        expect(page.get_by_text("accepted in this assembly")).to_be_visible()

        page.get_by_label("Text").fill("# Autumn assembly\n\nWe bought a second cargo bike.")
        page.get_by_role("button", name="Save the draft").click()
        expect(page.get_by_text("The draft minutes are saved.")).to_be_visible()
        page.get_by_role("button", name="Propose to approve the minutes").click()
        page.get_by_label("Hands for yes (people)").fill("2")
        page.get_by_role("button", name="Record the room's vote").click()
        expect(page.get_by_text("approved by proposal")).to_be_visible()
        expect(page.get_by_role("button", name="Save the draft")).to_have_count(0)
        shot(page, "assembly-minutes-approved", phone=True)

        with page.expect_download() as download:
            page.get_by_role("link", name="Markdown").click()
        saved = download.value.path().read_text(encoding="utf-8")
        assert "We bought a second cargo bike." in saved and "Present (2 members)" in saved

        page.goto(f"/councils/{world.ids['riverside']}/archive")
        page.get_by_label("Search decisions and minutes").fill("cargo bike")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="Approved minutes (1)")).to_be_visible()
        expect(page.get_by_text("in assembly").first).to_be_visible()
        shot(page, "assembly-archive-search", phone=True)
        page.context.close()
