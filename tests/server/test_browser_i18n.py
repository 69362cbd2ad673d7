"""The second language in a real browser (Debian's Chromium): a member switches their pages to
Spanish and their time zone to America/Mexico_City on the account page, and every page after
that is in Spanish, with times in that zone. A screenshot of the translated account page is
written only when ``$SOVIETS_SCREENSHOTS_DIR`` names a folder."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.conftest import copy_world
from server.live import CHROMIUM_ARGS, TIMEOUT_MS, chromium_or_skip, live_server
from server.world import PASSWORD, World
from soviets.server import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory) -> Iterator[tuple[str, World]]:  # type: ignore[no-untyped-def]
    """uvicorn on a free loopback port serving a copy of the Valley world."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("browser-i18n"))
    app = create_app(url)
    with live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


def test_member_switches_to_spanish(site) -> None:  # type: ignore[no-untyped-def]
    base, world = site
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        context = chromium.new_context(base_url=base, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto("/signin")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_label("E-mail address").fill(world.email("bob"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Account").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()

        page.get_by_label("Language of the pages").select_option("es")
        page.get_by_label("Time zone").fill("America/Mexico_City")
        page.get_by_role("button", name="Save", exact=True).click()

        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", name="Tu cuenta")).to_be_visible()
        expect(page.get_by_role("status")).to_have_text("Tu idioma y zona horaria están guardados.")
        expect(page.get_by_label("Zona horaria")).to_have_value("America/Mexico_City")
        folder = os.environ.get("SOVIETS_SCREENSHOTS_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / "account-es.png"), full_page=True)

        page.get_by_role("link", name="Mis consejos").click()
        expect(page.get_by_role("heading", name="Mis consejos")).to_be_visible()
        page.goto(f"/councils/{world.ids['riverside']}")
        expect(page.get_by_role("link", name="Bandeja de entrada")).to_be_visible()
        main = page.locator("main").inner_text()
        zones = set(re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d ([A-Z]{3,4})\b", main))
        assert zones and zones <= {"CST", "CDT"}
        if folder:
            page.screenshot(path=str(Path(folder) / "council-es.png"), full_page=True)
        chromium.close()
