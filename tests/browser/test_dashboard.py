"""Journey 5: the mayor's office (demo-pimpinan) on a laptop opens the Dasbor, sees the map of
the 12 kecamatan, picks an indicator (the map is swapped in place by htmx) and drills into a
kecamatan by clicking it. Never a name. Screenshots go to /tmp/shots/dashboard-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, shot
from tests.dashboards.registry import crafted_registry

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_mayors_office_picks_an_indicator_and_drills_into_a_kecamatan(
    laptop, live_server, pimpinan
):
    registry = crafted_registry()
    page = laptop
    log_in(page, live_server.url, pimpinan.username)
    # the map of the 12 kecamatan, coloured by poor households
    page.click("text=Dasbor")
    expect(page.locator("h1")).to_contain_text("Dasbor")
    expect(page.locator(".map a.district")).to_have_count(12)
    expect(page.locator("#id_indicator")).to_have_value("poor_households")
    shot(page, "dashboard", "1-overview")
    # when: she picks aid recipients, the panel is swapped in place (same page, new map)
    page.select_option("#id_indicator", "aid_recipients")
    expect(page.locator(".map figcaption strong")).to_have_text("Keluarga penerima manfaat (KPM)")
    assert page.url.rstrip("/").endswith("/dashboards")
    # and clicks Bekasi Timur on the map
    page.locator(".map a.district[data-code='32.75.01']").dispatch_event("click")
    expect(page.locator("h1")).to_have_text("Kecamatan Bekasi Timur")
    expect(page.locator(".map a.district")).to_have_count(4)
    expect(page.locator("#id_indicator")).to_have_value("aid_recipients")
    # then: Margahayu's 4 households are a small number, shown as "<5"
    row = page.locator("tr[data-code='32.75.01.1002']")
    expect(row.locator("td").first).to_have_text("<5")
    shot(page, "dashboard", "2-kecamatan")
    body = page.content()
    for household in registry.households:
        assert household.kk_number not in body
        assert household.head_name not in body


def test_planner_sets_a_unit_cost_and_opens_the_programs_page(laptop, live_server, perencana):
    crafted_registry()
    page = laptop
    log_in(page, live_server.url, perencana.username)
    page.goto(f"{live_server.url}/dashboards/")
    page.click("text=Kebutuhan dan anggaran")
    expect(page.locator("h1")).to_contain_text("Kebutuhan dan anggaran")
    # a typing slip gets a message in Indonesian, not an error page
    page.fill("input[name=unfit_house]", "dua puluh juta")
    page.click("text=Simpan biaya satuan")
    expect(page.locator("tr[data-need='unfit_house'] .error")).to_contain_text("rupiah bulat")
    page.fill("input[name=unfit_house]", "Rp25.000.000")
    page.click("text=Simpan biaya satuan")
    expect(page.locator(".messages")).to_contain_text("Biaya satuan tersimpan")
    expect(page.locator("input[name=unfit_house]")).to_have_value("25000000")
    shot(page, "dashboard", "3-planning")
    # the print button works without inline JavaScript (the data-print listener)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1
    page.goto(f"{live_server.url}/dashboards/programs/32.75.01/?program=pkh")
    expect(page.locator("tr[data-code='32.75.01.1002'] td").first).to_have_text("<5")
    shot(page, "dashboard", "4-programs")
