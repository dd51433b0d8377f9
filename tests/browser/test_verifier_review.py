"""Journey 4: Pak Hasan, verifikator at Dinas Sosial, on a 360 px phone, opens the findings
queue (Temuan), reads a car owner's decision receipt and dismisses the flag with a reason.
Screenshots go to /tmp/shots/verifier-*.png."""

import importlib

import pytest
from playwright.sync_api import expect

from eligibility.models import Flag, ReviewDecision, Rule, RuleSet
from eligibility.services import run_eligibility
from tests.browser.conftest import log_in, open_menu, shot
from tests.households.factories import household_with_members

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


def _seed_rules() -> None:
    """A transactional test starts from an emptied database: the seeded set is re-created."""
    if RuleSet.objects.exists():
        return
    rules = importlib.import_module("eligibility.migrations.0002_seed_rules").RULES
    rule_set = RuleSet.objects.create(version=1, status=RuleSet.Status.ACTIVE)
    Rule.objects.bulk_create(Rule(rule_set=rule_set, **rule) for rule in rules)


def test_verifier_reads_a_car_owner_receipt_and_dismisses_it(
    phone, live_server, verifikator, margahayu
):
    # given: a family with two cars, flagged by the nightly check
    _seed_rules()
    household = household_with_members(margahayu, size=3, car_count=2, welfare_decile=7)
    run_eligibility()
    flag = Flag.objects.get(household=household, rule_code="car_owner")
    page = phone
    log_in(page, live_server.url, verifikator.username)
    # when: he opens Temuan and filters on the car-owner rule
    open_menu(page)
    page.click("text=Temuan")
    expect(page.locator("h1")).to_have_text("Temuan")
    page.select_option("#id_rule", "car_owner")
    # Issue 7: lists never show the KK whole; issue 20: the tail that tells families apart.
    expect(page.locator("#results")).to_contain_text("…" + household.kk_number[-8:])
    expect(page.locator("#results")).not_to_contain_text(household.kk_number)
    shot(page, "verifier", "1-queue")
    page.click(f"a[href='/eligibility/flags/{flag.pk}/']")
    # then: the receipt says which rule, which value and where it came from
    expect(page.locator("h1")).to_have_text("Bukti keputusan")
    expect(page.locator(".receipt-item")).to_contain_text("Memiliki 2 mobil")
    expect(page.locator(".receipt-item")).to_contain_text("aturan versi 1")
    expect(page.locator(".receipt-item")).to_contain_text("mobil: 2.")
    shot(page, "verifier", "2-receipt")
    # when: he dismisses without a reason, then with one
    page.click("button[value=dismissed]")
    expect(page.locator(".messages")).to_contain_text("Isi alasan")
    page.fill("#id_reason", "Mobil sudah dijual tahun lalu; BPKB diperlihatkan di loket")
    page.click("button[value=dismissed]")
    # then
    expect(page.locator(".messages")).to_contain_text("Keputusan disimpan")
    expect(page.locator(".history")).to_contain_text("Mobil sudah dijual")
    shot(page, "verifier", "3-dismissed")
    flag.refresh_from_db()
    assert flag.decision == Flag.Decision.DISMISSED
    assert ReviewDecision.objects.get(flag=flag).decided_by == verifikator
