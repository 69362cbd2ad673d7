"""The commons' forms in a real browser (Debian's Chromium): they fit a phone and work
without JavaScript."""

from __future__ import annotations

import pytest

from server.test_browser import browser, new_page, sign_in, site

pytestmark = pytest.mark.browser
__all__ = ["browser", "site"]  # the fixtures this module uses


def test_commons_forms_fit_a_phone(browser, site) -> None:  # type: ignore[no-untyped-def]
    """At 390 pixels wide the pages with the commons' forms do not scroll sideways."""
    ids = site[1].ids
    for who, paths in (
        ("carol", [f"/councils/{ids['bakery']}/inventory", f"/plans/{ids['plan']}"]),
        (
            "alice",
            [f"/plans?federation={ids['valley']}", f"/councils/{ids['riverside']}/inventory"],
        ),
    ):
        page = new_page(browser, site, width=390, height=844)
        sign_in(page, who)
        for path in paths:
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.context.close()


def test_record_production_without_javascript(browser, site) -> None:  # type: ignore[no-untyped-def]
    ids = site[1].ids
    page = new_page(browser, site, width=390, height=844, js=False)
    sign_in(page, "carol")
    page.goto(f"/councils/{ids['bakery']}/inventory")
    page.get_by_label("Quantity produced").fill("12")
    page.get_by_role("button", name="Record production").click()
    page.wait_for_url("**notice=production-recorded")
    assert "production record" in page.content()
    page.context.close()
