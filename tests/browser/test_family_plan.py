"""Journey 6, the plan (issue 21, part 3): Bu Rina, on a 360 x 800 phone, makes a plan with an
assessed family (the family's agreement, a goal), adds three interventions at three agencies
(Dinas Kesehatan, Dinas Pendidikan, Disnaker), each sent as a referral at once; each agency
resolves its referral from its own page and sees only its own step of the plan; Bu Rina's plan
shows all three done. No page scrolls sideways. Screenshots: /tmp/shots/plan-*.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.assessments import record_assessment
from referrals.models import NeedCategory, Plan, PlanIntervention, Progress
from tests.browser.conftest import log_in, shot
from tests.households.factories import household_with_members, persona
from tests.households.needs_inputs import decided_needs, economic
from tests.referrals.plan_data import economic_categories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

WIDTH = 360
STEPS = [  # need category, what is to be done, the agency's officer
    ("kesehatan", "Daftarkan nenek ke JKN PBI", "dinkes"),
    ("pendidikan", "Anak kembali ke sekolah dengan KIP", "disdik"),
    ("pelatihan-kerja", "Pelatihan kerja menjahit untuk ibu", "disnaker"),
]


@pytest.fixture
def phone_800(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def assessed_family(margahayu):
    """A family of four, assessed by Bu Rina (a job-training need for the mother)."""
    economic_categories()  # seeded by a migration that the browser tests' flush removes
    rina = persona("pendamping", kelurahan=[margahayu], username="rina")
    household = household_with_members(margahayu, size=4)
    record_assessment(
        household=household,
        assessed_on=timezone.localdate(),
        needs=decided_needs(household, extra=[economic()]),
        by=rina,
    )
    return household


def _fits(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    shot(page, "plan", name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: {width} px wide on a {WIDTH} px phone"


def test_a_facilitator_builds_a_plan_at_three_agencies_and_it_follows_them(
    live_server, browser, phone_800, assessed_family
):
    page = phone_800
    base = live_server.url
    log_in(page, base, "rina", lands_on="/households/")
    head = assessed_family.members.get(relationship="head")

    # From the household page to a new plan, agreed with the head of the family.
    page.goto(f"{base}{assessed_family.get_absolute_url()}")
    page.wait_for_selector("#family-plan a")
    _fits(page, "1-household")
    page.click("#family-plan a")
    page.wait_for_selector("#id_agreed_by")
    _fits(page, "2-new-plan")
    page.select_option("#id_agreed_by", str(head.pk))
    page.click("form button.primary")
    plan = Plan.objects.get(household=assessed_family)
    page.wait_for_url(f"{base}/referrals/plans/{plan.pk}/")
    expect(page.locator("#agreement")).to_contain_text(head.name)

    # A goal, then three interventions at three agencies.
    page.fill("#goal-form #id_text", "Nenek berobat, anak sekolah, ibu bekerja")
    page.click("#goal-form button")
    expect(page.locator("#goals")).to_contain_text("Nenek berobat")
    target = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    for index, (code, description, _agency) in enumerate(STEPS):
        page.click(f"#interventions a[href='/referrals/plans/{plan.pk}/interventions/']")
        page.wait_for_selector("#id_description")
        page.check("input[name=kind][value=referral]")
        page.fill("#id_description", description)
        page.fill("#id_target_date", target)
        page.select_option("#id_goal", index=1)
        page.select_option("#id_category", str(NeedCategory.objects.get(code=code).pk))
        if index == 0:
            _fits(page, "3-intervention-form")
        page.click("form button.primary")
        page.wait_for_url(f"{base}/referrals/plans/{plan.pk}/")
    expect(page.locator(".plan-step")).to_have_count(3)
    _fits(page, "4-plan-three-agencies")
    steps = list(PlanIntervention.objects.filter(plan=plan).select_related("referral__agency"))
    assert {s.referral.agency.code for s in steps} == {"dinkes", "disdik", "disnaker"}
    assert {s.progress for s in steps} == {Progress.UNDERWAY}

    # Each agency resolves its referral, and sees only its own step of the plan.
    for code, description, agency in STEPS:
        officer_user = persona("petugas_opd", agency_code=agency, username=f"petugas-{agency}")
        step = next(s for s in steps if s.referral.category.code == code)
        context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="id-ID")
        officer = context.new_page()
        officer.set_default_timeout(15_000)
        log_in(officer, base, officer_user.username)
        officer.goto(f"{base}/referrals/{step.referral_id}/")
        officer.click("button:has-text('Terima')")
        expect(officer.locator(".status").first).to_contain_text("Diterima")
        officer.click("summary:has-text('Selesai')")
        officer.select_option("#id_outcome_resolve", "served")
        officer.fill("#id_note_resolve", "Sudah dilayani.")
        officer.click("form button:has-text('Selesai')")
        expect(officer.locator(".status").first).to_contain_text("Selesai")
        officer.goto(f"{base}/referrals/plans/{plan.pk}/")
        expect(officer.locator(".plan-step")).to_have_count(1)
        expect(officer.locator(".plan-step")).to_contain_text(description)
        expect(officer.locator("#goals")).to_have_count(0)  # the family's goals: not theirs
        if agency == "dinkes":
            _fits(officer, "5-agency-sees-its-step")
        context.close()

    # Bu Rina's plan follows the agencies: all three done.
    page.reload()
    expect(page.locator(".plan-step .progress-done")).to_have_count(3)
    _fits(page, "6-plan-done")
    fresh = PlanIntervention.objects.filter(plan=plan).select_related("referral")
    assert {s.progress for s in fresh} == {Progress.DONE}
