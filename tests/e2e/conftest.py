"""End-to-end fixtures: Village served by a real server process, driven in Debian's Chromium,
with axe-core checking every page a test visits against WCAG 2.2 A and AA, and `Checked.reflow`
checking what axe cannot see: that nothing scrolls sideways at 320 CSS pixels wide (1.4.10).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from community.config import ROOT
from tests.conftest import TEST_PASSWORD, require
from tests.live import start_server, stop_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
REFLOW_WIDTH = 320  # WCAG 2.2 1.4.10: content reflows at 320 CSS pixels, without scrolling sideways
# The longest of what people may type, each one word with no place to break (tests/e2e use them):
LONGEST_TITLE = "Thread" + "x" * 144  # thread titles: 150 (community/forums/service.py TITLE_MAX)
LONGEST_USERNAME = "u" * 30  # usernames: 30 (community/auth/forms.py)
LONGEST_BOARD_NAME = "Board" + "y" * 115  # board names: 120 (community/admin/boards.py NAME_MAX)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(_app, database_url, tmp_path_factory):
    """The URL of Village served by a real server process on the test database."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    process, url = start_server(database_url, log_path=log)
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        require("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        require("Playwright", str(error))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        require("axe-core", f"{AXE_JS} not found (run npm ci)")
    return AXE_JS.read_text()


class Checked:
    """A Playwright page that records console errors (a CSP violation shows there) and checks with axe."""

    def __init__(self, page, axe_source: str, base_url: str):
        self.page = page
        self.base_url = base_url
        self._axe = axe_source
        self.console_errors: list[str] = []
        self.checked_urls: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.axe()
        return response

    def axe(self) -> None:
        """Fail on any WCAG 2.2 A or AA violation on the page as it is now."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated through DevTools, so the page's CSP (no inline script) still holds for the page.
            self.page.evaluate(self._axe)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS)
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]
        self.checked_urls.append(self.page.url)
        assert not violations, f"axe found problems on {self.page.url}:\n" + "\n".join(violations)
        self.reflow()

    def reflow(self) -> None:
        """Fail if the page as it is now scrolls sideways at 320 CSS pixels wide (WCAG 1.4.10, which axe
        cannot see); `axe()` calls it, so every page a test checks is checked for both. The window goes
        back to its size afterwards, so the test carries on in the layout it was using."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
        try:
            width, wide = self.page.evaluate(
                """limit => [document.documentElement.scrollWidth,
                    Array.from(document.querySelectorAll('body *'))
                      .filter(el => el.getClientRects().length && (el.getBoundingClientRect().right > limit + 0.5
                                    || (el.clientWidth && el.scrollWidth > el.clientWidth + 1)))
                      .slice(-5)
                      .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`
                                 + ` (${Math.round(el.getBoundingClientRect().right)}px)`)]""",
                REFLOW_WIDTH)
        finally:
            self.page.set_viewport_size(size)
        assert width <= REFLOW_WIDTH, (
            f"{self.page.url} is {width}px wide at {REFLOW_WIDTH}px, so it scrolls sideways (WCAG 1.4.10); "
            f"look at: {wide}")

    def sign_in(self, username: str, password: str = TEST_PASSWORD) -> None:
        self.goto("/login")
        self.page.fill("#login", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("button:has-text('Sign in')")
        assert "/login" not in self.page.url, self.page.content()[:2000]


@pytest.fixture
def new_page(browser, live_server, axe_source):
    """new_page() -> a Checked page in its own browser context (its own cookies)."""
    contexts = []

    def make() -> Checked:
        context = browser.new_context(base_url=live_server)
        contexts.append(context)
        return Checked(context.new_page(), axe_source, live_server)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, app) -> Checked:
    checked = new_page()
    yield checked
    csp = [e for e in checked.console_errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"the browser refused something: {csp}"
