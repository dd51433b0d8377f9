"""The Content-Security-Policy in a real browser: pages, htmx swaps, the print button, Swagger UI
and the admin run without a single CSP violation (headless Chromium, tests/browser/conftest.py)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.dashboards.registry import crafted_registry

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def watched(browser):
    """A laptop-sized page that records CSP violations and script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.problems = problems
    yield page
    context.close()


def _log_in(page, base: str, username: str) -> None:
    log_in(page, base, username)
    expect(page.locator(".who")).to_be_visible()


def test_pages_run_under_the_policy_without_violations(watched, live_server, verifikator):
    registry = crafted_registry()
    verifikator.is_staff = True
    verifikator.save()
    page = watched
    _log_in(page, live_server.url, verifikator.username)
    # the household list, searched through htmx
    page.goto(f"{live_server.url}/households/")
    expect(page.locator("h1")).to_be_visible()
    # a household (its findings arrive by htmx), then its printable receipt: print via slrt.js
    household = registry.households[0]
    page.goto(f"{live_server.url}/households/{household.pk}/")
    expect(page.locator("#receipt")).to_be_attached()
    page.goto(f"{live_server.url}/eligibility/households/{household.pk}/")
    print_button = page.locator("[data-print]")
    expect(print_button).to_be_visible()
    page.evaluate("window.print = () => { window.slrtPrinted = true; }")
    print_button.click()
    assert page.evaluate("window.slrtPrinted") is True
    # the dashboards: the SVG map, and an indicator swapped in by htmx
    page.goto(f"{live_server.url}/dashboards/")
    expect(page.locator(".map a.district")).to_have_count(12)
    page.select_option("#id_indicator", "aid_recipients")
    expect(page.locator(".map figcaption strong")).to_have_text("Keluarga penerima manfaat (KPM)")
    # the API token page
    page.goto(f"{live_server.url}/accounts/api-token/")
    page.click("button.primary")
    expect(page.locator(".token-key")).to_be_visible()
    # the admin
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert page.problems == [], "\n".join(page.problems)


def test_swagger_ui_renders_under_the_policy(watched, live_server, verifikator):
    page = watched
    _log_in(page, live_server.url, verifikator.username)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("SLRT API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.problems == [], "\n".join(page.problems)


def test_the_login_page_has_no_violations(watched, live_server):
    page = watched
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    assert page.problems == [], "\n".join(page.problems)
