"""A real uvicorn server on 127.0.0.1 in a background thread, and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from server.world import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: object) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def chromium_or_skip() -> Path:
    """Debian's Chromium; skipped when missing, but a failure under CI (``$CI`` set)."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI requires the browser tests to run")
    pytest.skip(reason)


# --- Playwright helpers shared by the browser test modules -------------------------------

SHOTS_ENV = "SOVIETS_SCREENSHOTS_DIR"
"""Screenshots are written only when this names a folder (never into the source tree by
default): ``SOVIETS_SCREENSHOTS_DIR=/tmp/shots pytest -m browser``."""
TIMEOUT_MS = 120_000
"""Generous: the machine running the tests may be busy."""


def screenshots_dir() -> Path | None:
    """The folder screenshots go to, or None when none was asked for."""
    folder = os.environ.get(SHOTS_ENV, "").strip()
    return Path(folder) if folder else None


PHONE = {"width": 390, "height": 844}
"""A phone's viewport in CSS pixels (the width the pages must fit without scrolling sideways)."""
BLOCKING_IMPACTS = ("serious", "critical")
"""axe-core impacts that fail a test; ``minor`` and ``moderate`` ones are only counted."""


def _axe_script() -> str:
    """axe-core's browser script, as shipped by the ``axe-playwright-python`` package."""
    from importlib.resources import files

    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def axe_violations(page, skip: tuple[str, ...] = ()) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core in ``page`` (WCAG 2.x A/AA and best-practice rules, less the rules
    named in ``skip``); its violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_script())
    rules = {rule: {"enabled": False} for rule in skip}
    return list(
        page.evaluate(
            "rules => axe.run(document, {resultTypes: ['violations'], rules})"
            ".then(r => r.violations)",
            rules,
        )
    )


def describe_violations(violations: list[dict]) -> str:
    """One line per violation (impact, rule, help) and one per node (its selector and why)."""
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:8]:
            lines.append(
                f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '')}"
            )
    return "\n".join(lines)


def check_a11y(page, where: str = "", skip: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Fail on any serious or critical axe-core violation on the page shown now (the
    rules in ``skip`` not run)."""
    blocking = [v for v in axe_violations(page, skip) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        size = page.viewport_size or {}
        pytest.fail(
            f"axe-core: {len(blocking)} serious/critical violations on {where or page.url}"
            f" at {size.get('width')} px:\n{describe_violations(blocking)}",
            pytrace=False,
        )


def check_fits(page, where: str = "") -> None:  # type: ignore[no-untyped-def]
    """Fail when the page scrolls sideways (wider than its viewport), naming the widest elements."""
    wide = page.evaluate(
        """() => {
            const limit = window.innerWidth;
            const scroll = document.scrollingElement.scrollWidth;
            if (scroll <= limit) return null;
            const culprits = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit + 1)
                .slice(0, 6)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                    + ' right=' + Math.round(e.getBoundingClientRect().right));
            return {scroll, limit, culprits};
        }"""
    )
    if wide:
        pytest.fail(
            f"{where or page.url} scrolls sideways: {wide['scroll']} px wide in a"
            f" {wide['limit']} px viewport; {', '.join(wide['culprits'])}",
            pytrace=False,
        )


TAP_MIN_PX = 24
"""The least height and width of a control on a phone (WCAG 2.2 target size, level AA)."""


def check_tap_targets(page, where: str = "") -> None:  # type: ignore[no-untyped-def]
    """Fail when a visible button, field, menu or summary is under 24 x 24 CSS pixels."""
    small = page.evaluate(
        """(least) => [...document.querySelectorAll(
                'button, select, textarea, summary, .button, '
                + 'input:not([type=hidden]):not([type=checkbox]):not([type=radio])')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e, e.getBoundingClientRect()])
            .filter(([e, r]) => r.height < least || r.width < least)
            .slice(0, 6)
            .map(([e, r]) => e.tagName.toLowerCase() + ' "' + (e.textContent || e.name || '')
                .trim().slice(0, 30) + '" ' + Math.round(r.width) + 'x' + Math.round(r.height))""",
        TAP_MIN_PX,
    )
    if small:
        pytest.fail(
            f"{where or page.url}: controls under {TAP_MIN_PX} px on a phone: {', '.join(small)}",
            pytrace=False,
        )


def check_page(page, where: str = "", *, phone: bool = True, skip: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """axe-core at the page's width and, with ``phone``, at 390 px: no sideways scroll, no
    control too small to tap, axe-core again (the rules in ``skip`` not run)."""
    check_a11y(page, where, skip)
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        try:
            check_fits(page, where)
            check_tap_targets(page, where)
            check_a11y(page, where, skip)
        finally:
            page.set_viewport_size(size)


def shot(page, name: str, *, phone: bool = False, skip: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Check the page with axe-core, and save a full-page screenshot ``name.png`` when
    screenshots were asked for.

    With ``phone`` the page is also checked at 390 pixels wide (no sideways scroll,
    axe-core again), shot there (``name-phone.png``) and set back to its width.
    """
    check_a11y(page, name, skip)
    folder = screenshots_dir()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        try:
            check_fits(page, name)
            check_tap_targets(page, name)
            check_a11y(page, name, skip)
            if folder is not None:
                page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
        finally:
            page.set_viewport_size(size)


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    executable = chromium_or_skip()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, base: str, *, width: int = 1280, height: int = 900, js: bool = True):  # type: ignore[no-untyped-def]
    """A page in a fresh browser context (its own cookies) on the server at ``base``."""
    context = browser.new_context(
        base_url=base, viewport={"width": width, "height": height}, java_script_enabled=js
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def sign_in(page, who: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as the world's person ``who`` (e-mail ``who@example.org``)."""
    page.goto("/signin")
    page.get_by_label("E-mail address").fill(f"{who}@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/?notice=signed-in")
