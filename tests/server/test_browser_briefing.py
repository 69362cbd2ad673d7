"""A member's inbox and daily digest in real Chromium, with mail read back from a real SMTP
server on 127.0.0.1: Bob sees the votes waiting for him and the count in the header,
chooses the daily digest on his briefing settings, a new proposal opens, the clock sends
the digest (as ``soviets tick`` does), and the link in the mail leads back to his inbox,
where he marks a notice read. Screenshots only with ``$SOVIETS_SCREENSHOTS_DIR``."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server.conftest import copy_world
from server.live import chromium, live_server, new_page, shot, sign_in
from server.smtp import link_in, smtp_server
from soviets.server import create_app
from soviets.server.briefing_mail import send_due

pytestmark = pytest.mark.browser


def test_inbox_and_digest_mail(world_template, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    url, world = copy_world(world_template, tmp_path)
    with smtp_server() as (mailbox, settings), chromium() as browser:
        app = create_app(url, mail=settings)
        with live_server(app) as base:
            page = new_page(browser, base)
            sign_in(page, "bob")
            expect(page.locator("#inbox-link .count")).to_be_visible()
            page.locator("#inbox-link").click()
            waiting = page.locator("ul.waiting li")
            expect(waiting).to_have_count(2)
            expect(waiting.first).to_contain_text("Open a Sunday market")
            shot(page, "briefing-inbox", phone=True)

            page.get_by_role("link", name="change").click()
            page.get_by_label("One digest e-mail a day").check()
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status")).to_contain_text("Your e-mail choice is saved")
            expect(page.get_by_label("One digest e-mail a day")).to_be_checked()

            # Fran opens a new proposal through the API: a notice for Bob, after his choice.
            fran = {"Authorization": f"Bearer {world.tokens['fran']}"}
            river = world.ids["riverside"]
            with httpx.Client(base_url=base, headers=fran) as api:
                made = api.post(f"/api/councils/{river}/proposals", json={"title": "Plant a hedge"})
                assert api.post(f"/api/proposals/{made.json()['id']}/open").status_code == 200

            at = datetime.now(UTC) + timedelta(seconds=1)
            report = send_due(
                app.state.sessions, dataclasses.replace(settings, public_url=base), at
            )
            assert report.digests == 1 and report.failed == 0
            mail = mailbox.wait_for(world.email("bob"))
            text = mail.get_body(("plain",)).get_content()
            assert mail["Subject"].startswith("Your daily briefing for ")
            for title in ("Open a Sunday market", "Name the new park", "Plant a hedge"):
                assert title in text
            # the same day, the clock sends Bob nothing more
            assert send_due(app.state.sessions, settings, at + timedelta(hours=1)).digests == 0

            page.goto(link_in(mail))
            expect(page).to_have_title("Your inbox · soviets")
            hedge = page.locator("ul.notices li.unread", has_text="Plant a hedge")
            expect(hedge).to_have_count(1)
            before = int(page.locator("#inbox-link .count").inner_text())
            hedge.get_by_role("button", name="Mark read").click()
            expect(page.locator("ul.notices li.read", has_text="Plant a hedge")).to_have_count(1)
            expect(page.locator("#inbox-link .count")).to_have_text(str(before - 1))
            shot(page, "briefing-inbox-after-digest")
        app.state.engine.dispose()
