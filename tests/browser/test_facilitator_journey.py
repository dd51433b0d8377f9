"""Journey 1: Bu Rina, on a phone, registers a family of three and finds it in the list."""

import pytest
from django.conf import settings

from households.models import Household
from tests.browser.conftest import open_menu
from tests.households.factories import UserFactory, UserProfileFactory

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def rina(reference_data, margahayu):
    user = UserFactory(
        username="demo-pendamping",
        first_name="Rina",
        last_name="Wulandari",
        role="pendamping",
        password=settings.DEMO_PASSWORD,
    )
    UserProfileFactory(user=user).kelurahan.set([margahayu])
    return user


def _fill_member(page, index: int, *, nik: str, name: str, sex: str, birth: str, relation: str):
    prefix = f"#id_members-{index}-"
    page.fill(prefix + "nik", nik)
    page.fill(prefix + "name", name)
    page.select_option(prefix + "sex", sex)
    page.fill(prefix + "birth_date", birth)
    page.select_option(prefix + "relationship", relation)


def test_facilitator_enters_a_family_of_three_on_a_phone_and_finds_it(live_server, phone, rina):
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "demo-pendamping")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/")

    page.click("a[href='/households/new/']")
    page.fill("#id_kk_number", "3275 0105 0210 0007")
    page.fill("#id_address", "Gg. Mawar No. 7")
    page.fill("#id_rt", "3")
    page.fill("#id_rw", "12")
    _fill_member(
        page,
        0,
        nik="3275011708850001",
        name="Ahmad Fauzi",
        sex="male",
        birth="17-08-1985",
        relation="head",
    )
    page.click("[data-add-member]")
    _fill_member(
        page,
        1,
        nik="3275015203880002",
        name="Nur Aini",
        sex="female",
        birth="12-03-1988",
        relation="spouse",
    )
    page.click("[data-add-member]")
    _fill_member(
        page,
        2,
        nik="3275010105150003",
        name="Rizky Fauzi",
        sex="male",
        birth="01-05-2015",
        relation="child",
    )
    page.click("button[type=submit].primary")
    page.wait_for_selector(".msg-success")

    household = Household.objects.get(kk_number="3275010502100007")
    assert household.member_count == 3
    assert household.rw == "012"
    assert household.created_by == rina
    # The page is narrower than nothing: no sideways scrolling on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{live_server.url}/households/")
    page.fill("#id_q", "Nur Aini")
    page.press("#id_q", "Enter")
    page.wait_for_selector(f"a[href='/households/{household.pk}/']")
    assert "Ahmad Fauzi" in page.inner_text("#results")


def test_typed_family_survives_a_dropped_signal(live_server, phone, rina):
    """What was typed stays on the phone until the save succeeds, and can be restored."""
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "demo-pendamping")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/")

    page.goto(f"{live_server.url}/households/new/")
    page.fill("#id_kk_number", "3275010502100007")
    page.click("[data-add-member]")
    _fill_member(
        page,
        1,
        nik="3275015203880002",
        name="Nur Aini",
        sex="female",
        birth="12-03-1988",
        relation="spouse",
    )
    # The signal drops: the page is opened again from scratch.
    page.goto(f"{live_server.url}/households/new/")
    assert page.input_value("#id_kk_number") == ""
    page.click("[data-draft-restore]")
    assert page.input_value("#id_kk_number") == "3275010502100007"
    assert page.input_value("#id_members-1-name") == "Nur Aini"


def test_a_draft_belongs_to_its_user_and_is_removed_at_logout(live_server, phone, rina):
    """Issue 16: on a shared ward computer a draft (with NIKs) is never offered to another
    user and does not outlive the session's logout."""
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "demo-pendamping")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/")
    page.goto(f"{live_server.url}/households/new/")
    page.fill("#id_kk_number", "3275010502100007")
    page.fill("#id_members-0-nik", "3275011708850001")
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('slrt-draft:'))"
    assert page.evaluate(drafts) == [f"slrt-draft:u{rina.pk}:household-new"]

    open_menu(page)
    page.click("form[data-clear-drafts] button")
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate(drafts) == []
