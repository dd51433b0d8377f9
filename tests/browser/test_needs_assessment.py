"""Journey 6, first steps (issue 21): Bu Rina, on a 360 x 800 phone, assesses a family (confirms
two of the registry's suggestions, dismisses one, adds an economic need) and records two PMKS
persons. No page scrolls sideways. Screenshots: /tmp/shots/needs-*.png."""

import datetime

import pytest
from django.utils import timezone

from households.models import Assessment, Household, Member, PmksClassification
from households.services import build_search_text
from tests.browser.conftest import log_in, shot
from tests.households.factories import HouseholdFactory, MemberFactory, persona

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

WIDTH = 360


@pytest.fixture
def phone_800(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1)


@pytest.fixture
def family(margahayu) -> Household:
    """A father without work, a mother, a 12-year-old who left school, an uninsured grandmother."""
    household = HouseholdFactory(kelurahan=margahayu, address="Gg. Mawar No. 7")
    insured = Member.HealthInsurance.PBI_JKN
    people = [
        MemberFactory(
            household=household,
            name="Ahmad Fauzi",
            relationship="head",
            occupation=Member.Occupation.NONE,
            health_insurance=insured,
        ),
        MemberFactory(
            household=household,
            name="Nur Aini",
            sex="female",
            relationship="spouse",
            occupation=Member.Occupation.SELF_EMPLOYED,
            health_insurance=insured,
        ),
        MemberFactory(
            household=household,
            name="Rizky Fauzi",
            birth_date=_born(12),
            schooling=Member.Schooling.LEFT,
            health_insurance=insured,
        ),
        MemberFactory(
            household=household,
            name="Siti Romlah",
            sex="female",
            birth_date=_born(76),
            relationship="parent",
        ),
    ]
    household.head_name, household.member_count = people[0].name, len(people)
    household.search_text = build_search_text(household, people)
    household.save()
    return household


def _fits(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    shot(page, "needs", name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: {width} px wide on a {WIDTH} px phone"


def test_a_facilitator_assesses_a_family_and_records_two_pmks_persons_on_a_phone(
    live_server, phone_800, margahayu, family
):
    persona("pendamping", kelurahan=[margahayu], username="rina")
    page = phone_800
    log_in(page, live_server.url, "rina", lands_on="/households/")
    head, _mother, child, grandmother = family.members.order_by("pk")

    # The household page shows the needs panel, with the way to the assessment.
    page.goto(f"{live_server.url}{family.get_absolute_url()}")
    page.wait_for_selector("#needs a[href$='/assessments/new/']")
    _fits(page, "1-household")
    page.click("#needs a[href$='/assessments/new/']")

    # Three suggestions from the registry, none decided in advance.
    page.wait_for_selector("[data-suggestion]")
    assert page.locator("[data-suggestion]").count() == 3
    assert page.locator("[data-suggestion] input:checked").count() == 0
    _fits(page, "2-assessment-form")
    page.check(f"input[name='s_out_of_school-{child.pk}'][value='severe']")
    page.check(f"input[name='s_unemployed_head-{head.pk}'][value='moderate']")
    page.check(f"input[name='s_uninsured-{grandmother.pk}'][value='dismissed']")
    # What only the conversation tells: the mother sells snacks and needs capital.
    page.select_option("#id_economic-0-kind", "capital")
    page.select_option("#id_economic-0-member", str(_mother.pk))
    page.select_option("#id_economic-0-severity", "moderate")
    page.select_option("#id_economic-0-intervention", "business_capital")
    page.fill("#id_economic-0-amount", "3000000")
    page.fill("#id_economic-0-note", "Jualan gorengan, butuh gerobak")
    _fits(page, "3-assessment-filled")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/households/{family.pk}/assessments/")
    _fits(page, "4-assessments")

    assessment = Assessment.objects.get(household=family)
    present = {(n.kind, n.member_id) for n in assessment.needs.filter(present=True)}
    assert present == {
        ("out_of_school", child.pk),
        ("unemployed_head", head.pk),
        ("capital", _mother.pk),
    }
    dismissed = assessment.needs.get(kind="uninsured")
    assert (dismissed.suggested, dismissed.present) == (True, False)

    # Two PMKS persons: the grandmother, neglected; the father, destitute.
    page.goto(f"{live_server.url}/households/{family.pk}/pmks/")
    options = page.locator("#id_category option").all_inner_texts()
    assert not any("HIV" in option or "trafficking" in option for option in options)
    for person, category in ((grandmother, "Lanjut usia terlantar"), (head, "Fakir miskin")):
        page.select_option("#id_member", str(person.pk))
        page.select_option("#id_category", label=next(o for o in options if category in o))
        page.click("#pmks-form button[type=submit]")
        page.wait_for_selector(".messages")
    _fits(page, "5-pmks")
    recorded = set(PmksClassification.objects.values_list("member_id", "category__code"))
    assert recorded == {(grandmother.pk, "lanjut-usia-terlantar"), (head.pk, "fakir-miskin")}

    # Back on the household page the panel shows both.
    page.goto(f"{live_server.url}{family.get_absolute_url()}")
    page.wait_for_selector("#needs .needs-panel")
    panel = page.inner_text("#needs")
    assert "Lanjut usia terlantar" in panel
    assert "Fakir miskin" in panel
    _fits(page, "6-household-after")
