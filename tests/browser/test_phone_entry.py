"""Bu Rina's household form on a 360 x 800 phone (issue 18, points 1, 2, 4 and 5): a NIK fills
the birth date and sex and names its kecamatan, a disagreement shows at once and asks for the
tick on save; the birth date typed as digits gets its dashes; only the wrong field turns red;
the sex readable; a skip link first; the header folded into a keyboard-usable menu.
Screenshots go to /tmp/shots/phone-*.png."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from households.models import Household
from households.nik import MAX_AGE_YEARS, PROVINCE_CODES, parse_nik
from referrals.models import Notification
from referrals.services import raise_referral
from tests.browser.conftest import log_in, shot
from tests.households.factories import household_with_members

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

NEW = "/households/new/"


@pytest.fixture
def phone800(browser):
    """The facilitator's phone of issue 18: 360 x 800."""
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_a_nik_fills_the_row_and_a_disagreement_shows_at_once(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    # when: Nur Aini's NIK is typed (day 52 = 12 + 40: a woman, born 12-03-1988)
    page.locator("#id_members-0-nik").press_sequentially("3275015203880002")
    # then: her birth date and sex are filled, and the NIK's kecamatan is named
    expect(page.locator("#id_members-0-birth_date")).to_have_value("12-03-1988")
    expect(page.locator("#id_members-0-sex")).to_have_value("female")
    hint = page.locator("[data-member-form] .nik-hint").first
    expect(hint).to_contain_text("Kecamatan Bekasi Timur")
    expect(hint).to_contain_text("Perempuan")
    expect(page.locator("[data-nik-check]").first).to_be_hidden()
    shot(page, "phone", "1-nik-filled")
    # when: the sex is set otherwise, and the birth date retyped
    page.select_option("#id_members-0-sex", "male")
    sex_warning = page.locator(".field:has(#id_members-0-sex) .nik-warning")
    expect(sex_warning).to_contain_text("perempuan")
    page.fill("#id_members-0-birth_date", "")
    page.locator("#id_members-0-birth_date").press_sequentially("13031988")
    birth_warning = page.locator(".field:has(#id_members-0-birth_date) .nik-warning")
    expect(birth_warning).to_contain_text("12\u201103\u20111988")  # unbreakable dashes
    expect(page.locator("[data-nik-check]").first).to_be_visible()
    shot(page, "phone", "2-disagreement")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # and put right again: the warnings go
    page.select_option("#id_members-0-sex", "female")
    page.fill("#id_members-0-birth_date", "12-03-1988")
    page.dispatch_event("#id_members-0-birth_date", "input")
    expect(sex_warning).to_have_count(0)
    expect(birth_warning).to_have_count(0)


def test_a_nik_from_another_city_is_named_by_its_code(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.locator("#id_members-0-nik").press_sequentially("3171011708850001")
    expect(page.locator("[data-member-form] .nik-hint").first).to_contain_text("31.71.01")


def test_an_impossible_nik_is_said_while_typing(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.locator("#id_members-0-nik").press_sequentially("3275013213850001")  # month 13
    expect(page.locator("[data-member-form] .nik-hint").first).to_contain_text(
        "NIK ini tidak mungkin benar"
    )
    expect(page.locator("#id_members-0-birth_date")).to_have_value("")


def test_the_birth_date_gets_its_dashes_and_a_number_pad(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    field = page.locator("#id_members-0-birth_date")
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("type") == "text"
    field.press_sequentially("17081985")
    expect(field).to_have_value("17-08-1985")
    field.press("Backspace")
    field.press("Backspace")
    field.press("Backspace")
    field.press("Backspace")
    expect(field).to_have_value("17-08")
    field.press_sequentially("19851")  # a fifth year digit is not taken
    expect(field).to_have_value("17-08-1985")


def test_a_disagreement_is_saved_only_once_ticked(live_server, phone800, pendamping, margahayu):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.fill("#id_kk_number", "3275010502100007")
    page.fill("#id_address", "Gg. Mawar No. 7")
    page.fill("#id_rt", "3")
    page.fill("#id_rw", "12")
    page.locator("#id_members-0-nik").press_sequentially("3275011708850001")
    page.fill("#id_members-0-name", "Ahmad Fauzi")
    page.select_option("#id_members-0-sex", "female")  # a slip: the NIK says male
    page.select_option("#id_members-0-relationship", "head")
    # when: saved without the tick, the form comes back asking
    page.click("button[type=submit].primary")
    check = page.locator("[data-nik-check]").first
    expect(check).to_be_visible()
    # said once, beside the sex field (the server's list repeats it only without the script)
    expect(page.locator(".field:has(#id_members-0-sex) .nik-warning")).to_contain_text("laki-laki")
    expect(check.locator(".warnings")).to_be_hidden()
    expect(check.locator(".warnings")).to_contain_text("laki-laki")
    assert not Household.objects.exists()
    page.locator("[data-nik-check]").first.scroll_into_view_if_needed()
    shot(page, "phone", "3-asks-for-the-tick")
    # when: ticked (the card does say so), it is saved
    page.check("#id_members-0-as_on_card")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".msg-success")
    assert Household.objects.get().members.get().nik_warnings == ["sex_mismatch"]


def test_an_error_marks_only_the_wrong_field(live_server, phone800, pendamping, margahayu):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.fill("#id_kk_number", "3275010502100007")
    page.fill("#id_address", "Gg. Mawar No. 7")
    page.fill("#id_members-0-nik", "32750117088")  # too short
    page.fill("#id_members-0-name", "Ahmad Fauzi")
    page.select_option("#id_members-0-sex", "male")
    page.fill("#id_members-0-birth_date", "17-08-1985")
    page.select_option("#id_members-0-relationship", "head")
    page.click("button[type=submit].primary")
    expect(page.locator(".field.has-error #id_members-0-nik")).to_have_count(1)
    red = _background(page, "#id_members-0-nik")
    assert red != _background(page, "#id_members-0-name")
    assert _background(page, "#id_members-0-name") == "rgb(255, 255, 255)"
    assert _background(page, "#id_members-0-sex") == "rgb(255, 255, 255)"
    page.locator("#id_members-0-nik").scroll_into_view_if_needed()
    shot(page, "phone", "4-one-wrong-field")


def test_the_sex_select_shows_laki_laki_whole(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.select_option("#id_members-0-sex", "male")
    # the label's own width against the room inside the select (padding and arrow excluded)
    room = page.eval_on_selector(
        "#id_members-0-sex",
        """el => {
            const style = getComputedStyle(el);
            const probe = document.createElement("span");
            probe.style.font = style.font;
            probe.style.whiteSpace = "nowrap";
            probe.textContent = el.options[el.selectedIndex].text;
            document.body.appendChild(probe);
            const text = probe.getBoundingClientRect().width;
            probe.remove();
            const inner = el.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight) - 24;  /* the arrow */
            return {text, inner};
        }""",
    )
    assert room["text"] <= room["inner"], room


def test_the_skip_link_is_the_first_tab_stop(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Langsung ke isi"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # the next Tab goes into the page's content, not back through the header
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_the_phone_header_is_a_menu_button_that_works_by_keyboard(
    live_server, phone800, pendamping
):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    menu = page.get_by_role("button", name="Menu")
    logout = page.get_by_role("button", name="Keluar")
    dashboard = page.locator("nav.mainnav a", has_text="Dasbor")
    # folded: only the brand and the button
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(logout).to_be_hidden()
    expect(dashboard).to_be_hidden()
    shot(page, "phone", "5-header")
    # by keyboard: skip link, brand, then the menu button
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    for item in (logout, dashboard):
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 360  # nothing cut off
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "phone", "6-menu-open")
    # the next Tab reaches the first link of the menu
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
    # Escape folds it and gives the focus back to the button
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(logout).to_be_hidden()
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    # and Keluar works from the menu
    menu.click()
    logout.click()
    page.wait_for_url("**/accounts/**")


def test_on_a_laptop_the_menu_stays_open(live_server, browser, pendamping):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    page = context.new_page()
    try:
        log_in(page, live_server.url, pendamping.username, lands_on="/households/")
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    finally:
        context.close()


# --- one rule, two readers: households.nik.parse_nik and slrt.js's parseNik ------------------

TODAY = date(2026, 12, 6)
NIK_CASES = [
    "3275011708850001",  # male, 17-08-1985
    "3275015203880002",  # female, 12-03-1988
    "3275010105150003",  # a child, 2015
    "3275017112260001",  # female, 31-12-2026: after TODAY this century, so 1926
    "3275010612260001",  # born on TODAY
    "3275010712260001",  # the day after TODAY: 1926
    "3275012902000001",  # 29-02-2000, a leap day
    "3275012902010001",  # 29-02-2001 and 1901: no such day
    "3275016902960001",  # female, 29-02-1996
    "3275013213850001",  # month 13
    "3275010000850001",  # day 0
    "3275013208850001",  # day 32
    "3275014008850001",  # day 40: neither a man's nor a woman's
    "3275017208850001",  # day 72
    "3275011708850000",  # serial 0000
    "9975011708850001",  # province 99
    "2075011708850001",  # province 20
    "3175011708850001",  # another province, valid
    "3275 0117 0885 0001",  # typed with spaces
    "3275.0117.0885.0001",  # and dots
    "327501170885000",  # 15 digits
    "32750117088500011",  # 17 digits
    "3275O11708850001",  # a letter O
    "",
    "3275011708160001",  # 17-08-2016
    "3275011708160001 ",
]


def _python_reading(nik: str) -> dict | None:
    from households.nik import normalise_number

    try:
        parts = parse_nik(normalise_number(nik), TODAY)
    except ValidationError:
        return None
    born = parts.birth_date
    return {
        "region": parts.region_code,
        "sex": parts.sex,
        "day": born.day,
        "month": born.month,
        "year": born.year,
        "serial": parts.serial,
    }


def test_the_browser_reads_a_nik_as_the_server_does(live_server, phone800, pendamping):
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    page.goto(f"{live_server.url}{NEW}")
    rules = page.evaluate("JSON.parse(document.getElementById('nik-rules').textContent)")
    # the page's rule data is households.nik's, not a copy
    assert rules == {"provinces": sorted(PROVINCE_CODES), "max_age": MAX_AGE_YEARS}
    readings = page.evaluate(
        """([cases, rules]) => cases.map(nik =>
            window.SLRT.parseNik(nik, rules, new Date(2026, 11, 6)))""",
        [NIK_CASES, rules],
    )
    assert dict(zip(NIK_CASES, readings, strict=True)) == {
        nik: _python_reading(nik) for nik in NIK_CASES
    }


def test_a_disagreement_on_record_is_described_but_not_asked_again(
    live_server, phone800, pendamping, margahayu
):
    # given: a woman whose NIK says male, confirmed as on her card when she was registered
    household = household_with_members(margahayu, size=1)
    member = household.members.get()
    member.sex, member.nik_warnings = "female", ["sex_mismatch"]
    member.save()
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    # when: the household is opened to change its address
    page.goto(f"{live_server.url}/households/{household.pk}/edit/")
    # then: the disagreement is described beside the sex, and no tick is asked for
    expect(page.locator(".field:has(#id_members-0-sex) .nik-warning")).to_be_visible()
    expect(page.locator("[data-nik-check]").first).to_be_hidden()
    page.fill("#id_address", "Gg. Mawar No. 9")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".msg-success")
    household.refresh_from_db()
    assert household.address == "Gg. Mawar No. 9"


def test_the_folded_menu_says_that_something_waits(
    live_server, phone800, pendamping, household_in_margahayu, health
):
    # given: a notification about her referral that she has not read
    referral = raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=pendamping
    )
    Notification.objects.create(
        recipient=pendamping, referral=referral, kind="returned", key="k", message="m"
    )
    page = phone800
    log_in(page, live_server.url, pendamping.username, lands_on="/households/")
    # then: the Menu button carries the count that the folded menu hides
    expect(page.locator("button.menu-toggle .count-badge")).to_have_text("1")
