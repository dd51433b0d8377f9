"""Issue 20, done when: Pak Hasan, verifikator at Dinas Sosial, at his 1366 px desk, opens
"Pemilik mobil penerima bantuan", reads a receipt that shows the threshold and the source of
the car count, decides the family's case once (car confirmed, PKH recommended for removal,
electricity dismissed as "data lama"), and sees the decision on the household page and the
mark on the enrolment. Screenshots go to /tmp/shots/case-*.png."""

import importlib

import pytest
from playwright.sync_api import expect

from eligibility.models import DismissalReason, Flag
from eligibility.services import run_eligibility
from households.models import Enrolment, Program
from tests.browser.conftest import log_in, shot
from tests.browser.test_verifier_review import _seed_rules
from tests.households.factories import EnrolmentFactory, household_with_members

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def _seed_reasons() -> None:
    """A transactional test starts from an emptied database: the standard reasons again."""
    seeded = importlib.import_module("eligibility.migrations.0012_seed_dismissal_reasons")
    for position, (code, text, text_en) in enumerate(seeded.REASONS, start=1):
        DismissalReason.objects.get_or_create(
            code=code, defaults={"text": text, "text_en": text_en, "position": position}
        )


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def families(margahayu):
    """The family of the journey (a car, 2,200 VA, PKH) and a car owner without aid."""
    _seed_rules()
    _seed_reasons()
    pkh = Program.objects.get(code="pkh")
    family = household_with_members(
        margahayu, size=3, car_count=1, electricity_va=2200, welfare_decile=7
    )
    EnrolmentFactory(household=family, program=pkh)
    no_aid = household_with_members(margahayu, size=2, car_count=2, welfare_decile=8)
    run_eligibility()
    return family, no_aid


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the page is {width} px wide at 1366"


def test_the_verifier_decides_a_car_owners_case_once(desk, live_server, verifikator, families):
    family, no_aid = families
    page = desk
    log_in(page, live_server.url, verifikator.username)
    # 1. One click: car owners who receive aid
    page.goto(f"{live_server.url}/eligibility/")
    page.click("text=Pemilik mobil penerima bantuan")
    results = page.locator("#results")
    expect(results).to_contain_text(family.head_name)
    expect(results).not_to_contain_text(no_aid.head_name)
    expect(results).to_contain_text("…" + family.kk_number[-8:])  # the KK tail
    expect(results).to_contain_text("(≥ 1)")  # the deciding value against the threshold
    expect(results).to_contain_text("PKH")
    _no_overflow(page)
    shot(page, "case", "1-queue")
    # 2. The case: every finding's receipt with thresholds, met criteria and the car's source
    page.click(f"#results a:has-text('{family.head_name}')")
    expect(page.locator("h1")).to_contain_text("Kasus tinjauan")
    car = Flag.objects.get(household=family, rule_code="car_owner")
    receipt = page.locator(f"#finding-{car.pk}")
    expect(receipt.locator("tr.met")).to_contain_text("≥ 1")
    expect(receipt.locator(".receipt-values")).to_contain_text("Input petugas")
    combined = Flag.objects.get(household=family, rule_code="aid_but_excluded")
    met = page.locator(f"#finding-{combined.pk} tr.met")
    expect(met.filter(has_text="≥ 2.200")).to_have_count(1)  # which criterion hit
    _no_overflow(page)
    shot(page, "case", "2-case")
    # 3. Decided once: car confirmed, electricity dismissed as "data lama", PKH out
    flags = {f.rule_code: f for f in Flag.objects.filter(household=family)}
    page.check(f"input[name='f{flags['car_owner'].pk}-decision'][value=confirmed]")
    page.check(f"input[name='f{flags['aid_but_excluded'].pk}-decision'][value=confirmed]")
    page.check(f"input[name='f{flags['electricity_high'].pk}-decision'][value=dismissed]")
    page.select_option(f"select[name='f{flags['electricity_high'].pk}-reason']", "outdated")
    pkh = Enrolment.objects.get(household=family, program__code="pkh")
    page.select_option(f"select[name='e{pkh.pk}']", "remove")
    shot(page, "case", "3-deciding")
    page.click("text=Simpan keputusan")
    expect(page.locator(".messages")).to_contain_text("Kasus keluarga ini sudah diputuskan")
    expect(page.locator(".case-decisions")).to_contain_text("Data lama")
    expect(page.locator(".case-decisions")).to_contain_text("rekomendasi keluar")
    expect(page.locator("form.case-form")).to_have_count(0)  # nothing left to decide
    shot(page, "case", "4-decided")
    # 4. The household page: the decisions (who, when, why) and the mark on PKH
    page.goto(f"{live_server.url}/households/{family.pk}/")
    expect(page.locator("#eligibility .case-decisions")).to_contain_text("Data lama")
    expect(page.locator("#eligibility .case-decisions")).to_contain_text(
        verifikator.get_full_name() or verifikator.username
    )
    expect(page.locator("[data-removal-mark]")).to_contain_text("Diusulkan keluar")
    _no_overflow(page)
    shot(page, "case", "5-household")
    pkh.refresh_from_db()
    assert pkh.removal_recommended_at is not None
    assert pkh.status == Enrolment.Status.ACTIVE  # aid stops only when the owner acts


def test_bulk_review_selects_all_counts_and_asks_first(desk, live_server, verifikator, families):
    family, no_aid = families
    page = desk
    log_in(page, live_server.url, verifikator.username)
    page.goto(f"{live_server.url}/eligibility/?rule=car_owner")
    page.check("#select-all")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.select_option("#id_standard_reason", "car_sold")
    # he changes his mind at the confirmation: nothing is decided
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button[value=dismissed]")
    assert not Flag.objects.exclude(decision="").exists()
    shot(page, "case", "6-bulk")
    # then confirms
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=dismissed]")
    expect(page.locator(".messages")).to_contain_text("2")
    assert Flag.objects.filter(rule_code="car_owner", decision="dismissed").count() == 2
