"""Accessibility of every main page in real Chromium: axe-core (shipped by the
``axe-playwright-python`` package) finds no serious or critical violation at desktop
width and at a phone's 390 px, and no page scrolls sideways on the phone.

The browser tests' ``shot`` runs the same axe-core check at each page they capture
(and the phone checks where they ask for them); this module adds the pages they do
not reach, signed in as the member the page is for and signed out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from server import live
from server.conftest import copy_world
from server.world import World, add_ratification
from soviets.server import create_app

pytestmark = pytest.mark.browser

Path = Callable[[World], str]

PAGES: dict[str, tuple[str | None, Path]] = {
    # name: (who is signed in, None for nobody; the page's path)
    "sign-in": (None, lambda w: "/signin"),
    "sign-in-link": (None, lambda w: "/signin/link"),
    "reset-request": (None, lambda w: "/reset"),
    "reset": (None, lambda w: f"/reset/{w.links['reset']}"),
    "sign-up-invitation": (None, lambda w: f"/invite/{w.links['invitation']}"),
    "home": ("bob", lambda w: "/"),
    "council": ("bob", lambda w: f"/councils/{w.ids['riverside']}"),
    "council-coordinator": ("fran", lambda w: f"/councils/{w.ids['riverside']}"),
    "federation": ("alice", lambda w: f"/councils/{w.ids['valley']}"),
    "decisions": ("bob", lambda w: f"/councils/{w.ids['riverside']}/decisions"),
    "proposal-discussion": ("bob", lambda w: f"/proposals/{w.ids['market']}"),
    "proposal-amendments": ("bob", lambda w: f"/proposals/{w.ids['debate']}"),
    "proposal-federation": ("alice", lambda w: f"/proposals/{w.ids['adopt']}"),
    "proposal-ratification": ("alice", lambda w: f"/proposals/{w.ids['ratified']}"),
    "proposal-closed": ("bob", lambda w: f"/proposals/{w.ids['closed']}"),
    "proposal-new": ("bob", lambda w: f"/councils/{w.ids['riverside']}/proposals/new"),
    "proposal-new-hide": (
        "bob",
        lambda w: f"/councils/{w.ids['riverside']}/proposals/new?kind=hide_comment",
    ),
    "assemblies": ("bob", lambda w: f"/councils/{w.ids['riverside']}/assemblies"),
    "assembly-minutes": ("bob", lambda w: f"/assemblies/{w.ids['assembly']}"),
    "archive": ("bob", lambda w: f"/councils/{w.ids['riverside']}/archive?q=market"),
    "inbox": ("bob", lambda w: "/inbox"),
    "briefing-settings": ("bob", lambda w: "/account/briefing"),
    "account": ("bob", lambda w: "/account"),
    "invitations": ("fran", lambda w: f"/councils/{w.ids['riverside']}/invitations"),
    "plans": ("alice", lambda w: "/plans"),
    "plan": ("alice", lambda w: f"/plans/{w.ids['plan']}"),
    "inventory": ("bob", lambda w: f"/councils/{w.ids['riverside']}/inventory"),
    "needs": ("bob", lambda w: f"/councils/{w.ids['riverside']}/needs"),
    "bookings": ("bob", lambda w: f"/resources/{w.ids['bike']}/bookings"),
    "docs": ("bob", lambda w: "/docs"),
    "not-found": ("bob", lambda w: "/proposals/999999"),
}


SWAGGER_UI_KNOWN = ("nested-interactive",)
"""axe-core rules not run on /docs: Swagger UI (a library) puts buttons inside each
operation's summary button; docs/accessibility.md says so. Its colours are fixed
(static/docs.css) and checked."""


@pytest.fixture(scope="module")
def site(world_template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:  # type: ignore[no-untyped-def]
    """A live server on a copy of the Valley world with a federation decision to ratify."""
    url, world = copy_world(world_template, tmp_path_factory.mktemp("a11y"))
    add_ratification(url, world)
    app = create_app(url)
    with live.live_server(app) as base:
        yield base, world
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def pages(site) -> Iterator[dict[str | None, object]]:  # type: ignore[no-untyped-def]
    """One browser page per person (their own cookies), signed in; ``None``: signed out."""
    base, _ = site
    with live.chromium() as browser:
        made: dict[str | None, object] = {None: live.new_page(browser, base)}
        for who in sorted({who for who, _ in PAGES.values() if who}):
            page = live.new_page(browser, base)
            live.sign_in(page, who)
            made[who] = page
        yield made


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_is_accessible_on_desktop_and_phone(name: str, site, pages) -> None:  # type: ignore[no-untyped-def]
    who, path = PAGES[name]
    page = pages[who]
    page.goto(path(site[1]))  # type: ignore[attr-defined]
    skip: tuple[str, ...] = ()
    if name == "docs":  # Swagger UI draws the operations after fetching /openapi.json
        page.locator(".opblock").first.wait_for()  # type: ignore[attr-defined]
        skip = SWAGGER_UI_KNOWN
    live.check_page(page, f"{name} ({path(site[1])})", skip=skip)
    if live.screenshots_dir() is not None:
        live.shot(page, f"a11y-{name}", phone=True, skip=skip)


SPANISH = ("proposal-federation", "proposal-ratification", "proposal-new", "council", "account")
"""Pages whose Spanish text is the longest: Spanish words must not widen them on a phone."""


def test_spanish_pages_are_accessible_too(site, pages) -> None:  # type: ignore[no-untyped-def]
    """axe-core and the phone checks on the wordiest pages in Spanish (``?lang=es``)."""
    base, world = site
    browser = pages[None].context.browser  # type: ignore[attr-defined]
    own: dict[str, object] = {}
    try:
        for name in SPANISH:
            who, path = PAGES[name]
            assert who is not None
            if who not in own:
                own[who] = live.new_page(browser, base)
                live.sign_in(own[who], who)
                own[who].goto("/?lang=es")  # type: ignore[attr-defined]
            page = own[who]
            page.goto(path(world))  # type: ignore[attr-defined]
            assert page.get_attribute("html", "lang") == "es", name  # type: ignore[attr-defined]
            live.check_page(page, f"{name} in Spanish ({path(world)})")
    finally:
        for page in own.values():
            page.context.close()  # type: ignore[attr-defined]


def test_the_checks_catch_what_they_are_for(pages) -> None:  # type: ignore[no-untyped-def]
    """On a page made bad on purpose each check fails, naming the rule or the element."""
    page = pages[None].context.new_page()  # type: ignore[attr-defined]
    page.set_viewport_size(live.PHONE)
    page.set_content(
        '<!doctype html><html lang="en"><body><main><h1>Bad</h1><img src="x.png">'
        '<div style="width:900px">wide</div>'
        '<button style="font-size:8px;padding:0">x</button></main></body></html>'
    )
    try:
        with pytest.raises(pytest.fail.Exception, match="image-alt"):
            live.check_a11y(page, "bad page")
        with pytest.raises(pytest.fail.Exception, match="scrolls sideways: 9"):
            live.check_fits(page, "bad page")
        with pytest.raises(pytest.fail.Exception, match='button "x"'):
            live.check_tap_targets(page, "bad page")
    finally:
        page.close()
    # The site's own style does not hide a page that is too wide for a phone.
    page = pages[None]
    page.goto("/signin")
    page.set_viewport_size(live.PHONE)
    try:
        live.check_fits(page, "sign-in")
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend',"
            " '<pre>' + 'x'.repeat(300) + '</pre>')"
        )
        with pytest.raises(pytest.fail.Exception, match="scrolls sideways"):
            live.check_fits(page, "sign-in")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
