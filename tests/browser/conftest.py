"""Browser tests drive Debian's Chromium with Playwright (no browser download).

Without /usr/bin/chromium they are skipped with a plain reason, unless SLRT_REQUIRE_BROWSER=1
(set by .ci/run), which turns the skip into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.inflight import wait_until_idle

CHROMIUM = os.environ.get("SLRT_CHROMIUM", "/usr/bin/chromium")
# Flags for a root, offline, headless machine (see the env notes): no sandbox, no
# background connections that the closed network would refuse.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests. Package-scoped: Playwright's sync API keeps an event
    loop running in this thread while it is started, and Django refuses ORM calls under a
    running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set, so both end with this package and the
    rest of the suite runs as production does."""
    if not _chromium_available():
        message = (
            f"Chromium not found at {CHROMIUM}: browser test skipped. "
            "Install it with 'apt-get install chromium' to run it."
        )
        if os.environ.get("SLRT_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (SLRT_REQUIRE_BROWSER=1 makes this a failure)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # The ORM calls in the tests themselves are synchronous, under Playwright's running loop.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _server_idle_before_the_database_is_emptied(request):
    """A test that used the live server ends only once the server has answered its last
    request (an htmx part still loading): requesting transactional_db here makes pytest tear
    this fixture down before it (tests/inflight.py says why)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    assert wait_until_idle(), "the live server is still answering a request"


@pytest.fixture
def phone(browser):
    """A page the size of a facilitator's phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def open_menu(page) -> None:
    """On a phone the navigation and the account links are behind the "Menu" button (issue
    18): open it before clicking one of them. On a wider screen it is already open."""
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


PASSWORD = "test-pass-123"  # UserFactory's
SHOTS = Path("/tmp/shots")


def log_in(page, base_url: str, username: str, *, lands_on: str | None = None) -> None:
    """Sign in through the login form; with `lands_on`, wait for that page to open."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if lands_on is not None:
        page.wait_for_url(f"{base_url}{lands_on}")


def shot(page, prefix: str, name: str) -> None:
    """A full-page screenshot in /tmp/shots, to look at (issue 18: pages as users see them)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{prefix}-{name}.png", full_page=True)
