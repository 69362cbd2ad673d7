"""Accounts in a real browser (Debian's Chromium) against uvicorn and a real SMTP server.

An invitation mailed by a coordinator is followed to the sign-up form, the new
member votes on an open proposal; a forgotten password is reset through the
mailed link; the interactive API docs load from this site under its strict
Content-Security-Policy. Screenshots of the sign-up and invitation pages (desktop
and phone width) are written only when ``$SOVIETS_SCREENSHOTS_DIR`` names a folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from server.conftest import copy_world
from server.live import CHROMIUM_ARGS, TIMEOUT_MS, chromium_or_skip, live_server
from server.smtp import Inbox, link_in, smtp_server
from server.world import PASSWORD, World
from soviets.server import create_app

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1100, "height": 900}


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory) -> Iterator[tuple[str, World, Inbox]]:  # type: ignore[no-untyped-def]
    """uvicorn on a free loopback port serving a copy of the Valley world; mail goes to a live
    SMTP server whose inbox the tests read."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("browser-accounts"))
    with smtp_server() as (inbox, settings):
        app = create_app(url, mail=settings)
        with live_server(app) as base:
            yield base, world, inbox
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium (never a downloaded browser)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _error(message) -> bool:  # type: ignore[no-untyped-def]
    """A console error other than the browser's own request for a favicon (we have none)."""
    return message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")


def page_for(browser, base: str, viewport: dict[str, int] = DESKTOP):  # type: ignore[no-untyped-def]
    """A fresh, signed-out browser tab; console errors (e.g. CSP refusals) are collected."""
    page = browser.new_context(base_url=base, viewport=viewport).new_page()
    page.errors = []
    page.on("console", lambda m: _error(m) and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot, only when ``$SOVIETS_SCREENSHOTS_DIR`` asks for them."""
    folder = os.environ.get("SOVIETS_SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def sign_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/signin")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**notice=signed-in")


def test_invitation_sign_up_and_vote(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, world, inbox = site
    riverside = world.ids["riverside"]
    fran = page_for(browser, base)
    sign_in(fran, world.email("fran"))
    fran.goto(f"/councils/{riverside}")
    fran.get_by_role("link", name="Invite someone").click()
    fran.get_by_label("Their e-mail address").fill("nia@example.org")
    fran.get_by_role("button", name="Make an invitation link").click()
    assert fran.get_by_text("It was sent by e-mail to nia@example.org.").is_visible()
    shown = fran.get_by_label("Invitation link").input_value()
    shoot(fran, "15-invitation-made")
    fran.set_viewport_size(PHONE)
    fran.goto(f"/councils/{riverside}/invitations")
    assert fran.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(fran, "16-invitations-phone")

    link = link_in(inbox.wait_for("nia@example.org"))
    assert link == shown
    nia = page_for(browser, base, PHONE)
    nia.goto(urlsplit(link).path)
    assert nia.get_by_role("heading", name="Join Riverside").is_visible()
    assert nia.get_by_label("E-mail address").input_value() == "nia@example.org"
    assert nia.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(nia, "17-sign-up-phone")
    nia.set_viewport_size(DESKTOP)
    shoot(nia, "18-sign-up")
    nia.get_by_label("Your name").fill("Nia Okoro")
    nia.get_by_label("Password").fill("a long enough secret")
    nia.get_by_role("button", name="Sign up and join").click()
    nia.wait_for_url(f"**/councils/{riverside}?notice=joined")
    assert nia.get_by_text("Welcome: you are now a member of this council.").is_visible()
    assert nia.get_by_text("Sign out (Nia Okoro)").is_visible()

    # Bob puts a question to the council, now with Nia in it; she votes in the browser.
    bob = {"Authorization": f"Bearer {world.tokens['bob']}"}
    made = httpx.post(
        f"{base}/api/councils/{riverside}/proposals",
        json={"kind": "general", "title": "Plant fruit trees along the river"},
        headers=bob,
    ).json()
    assert httpx.post(f"{base}/api/proposals/{made['id']}/open", headers=bob).status_code == 200
    nia.goto(f"/councils/{riverside}")
    nia.get_by_role("link", name="Plant fruit trees along the river").click()
    nia.get_by_label("Yes").check()
    nia.get_by_role("button", name="Cast my ballot").click()
    assert nia.get_by_text("Your ballot is recorded.").is_visible()
    tally = httpx.get(f"{base}/api/proposals/{made['id']}/tally", headers=bob).json()
    assert tally["ballots"] == 1

    # The link worked once: opened again, it says so.
    again = page_for(browser, base)
    again.goto(urlsplit(link).path)
    assert again.get_by_text("this invitation was already used (accepted)").is_visible()
    assert fran.errors == nia.errors == []


def test_forgotten_password_reset_by_mail(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, world, inbox = site
    email = world.email("dave")
    page = page_for(browser, base)
    page.goto("/signin")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Your account's e-mail address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    assert page.get_by_text("If an account has this address").is_visible()

    link = link_in(inbox.wait_for(email))
    page.goto(urlsplit(link).path)
    page.get_by_label("New password").fill("dave's new passphrase")
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/signin?notice=password-reset")
    assert page.get_by_text("Your password is set: sign in with it.").is_visible()
    sign_in(page, email, "dave's new passphrase")
    assert page.get_by_role("heading", name="My councils").is_visible()
    assert page.errors == []


def test_docs_load_under_the_content_security_policy(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, _world, _inbox = site
    page = page_for(browser, base)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/docs")
    page.get_by_role("heading", name="soviets council service").wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_text("POST/api/councils/{council_id}/invitations").first.is_visible()
    assert all(url.startswith(base) for url in requests), requests
    assert page.errors == []
