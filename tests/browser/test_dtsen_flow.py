"""Issue 22: the data steward imports the quarter's DTSEN extract and the reconciliation
queue shows each kind of case; the ward's facilitator, on a phone, sees her kelurahan's
cases and closes one. Screenshots go to /tmp/shots/dtsen-*.png."""

import datetime
import importlib

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from eligibility.models import Rule, RuleSet
from national.models import ReconciliationCase
from tests.browser.conftest import log_in, open_menu, shot
from tests.households.factories import household_with_members, make_kk, make_nik
from tests.national.builders import family_rows, write_extract

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _seed_rules() -> None:
    """A transactional test starts from an emptied database: the seeded rule set (its
    exclusion rules and the "poor" definition) is re-created."""
    if RuleSet.objects.filter(status=RuleSet.Status.ACTIVE).exists():
        return
    rules = importlib.import_module("eligibility.migrations.0002_seed_rules").RULES
    poor = importlib.import_module("eligibility.migrations.0009_seed_poor_definition").DEFINITION
    rule_set = RuleSet.objects.create(version=1, status=RuleSet.Status.ACTIVE)
    Rule.objects.bulk_create(Rule(rule_set=rule_set, **rule) for rule in [*rules, poor])


@pytest.fixture
def extract_file(tmp_path, margahayu):
    """Margahayu: one family of each kind of case, and one that agrees."""
    _seed_rules()
    poor = {"welfare_decile": 2, "monthly_income": 300_000}
    agrees = household_with_members(margahayu, **poor)
    household_with_members(margahayu, **poor)  # not in DTSEN
    high = household_with_members(margahayu, **poor)
    car = household_with_members(margahayu, car_count=1, welfare_decile=9, monthly_income=9**9)
    differs = household_with_members(margahayu, **poor)
    head = differs.members.order_by("pk").first()
    stranger = (
        f"{make_kk()};{make_nik(birth=datetime.date(1979, 4, 5))};Ibu Hanya Dtsen;05-04-1979;"
        f"{margahayu.code};1;Ya"
    )
    rows = [
        *family_rows(agrees, desil=2, pkh=True),
        *family_rows(high, desil=8),
        *family_rows(car, desil=2, pkh=True),
        *family_rows(differs, desil=3, names={head.nik: "Nama Berbeda"}),
        stranger,
    ]
    return write_extract(tmp_path / "dtsen-2026-q3.csv", rows)


def _count(page, kind: str) -> str:
    return page.locator(f".presets a[data-kind='{kind}'] strong").inner_text()


def test_steward_imports_and_the_queue_shows_each_kind(
    live_server, desktop, phone, data_steward, pendamping, extract_file
):
    page = desktop
    log_in(page, live_server.url, data_steward.username)
    page.goto(f"{live_server.url}{reverse('national:extract_list')}")
    expect(page.locator("h1")).to_contain_text("DTSEN")
    shot(page, "dtsen", "1-extracts-1366")
    page.set_input_files("#id_file", extract_file)
    page.fill("#id_as_of", "2026-09-30")
    page.get_by_role("button", name="Impor").click()
    page.wait_for_url(f"{live_server.url}{reverse('national:case_queue')}")
    expect(page.locator(".messages, [role=status], .message").first).to_be_visible()
    shot(page, "dtsen", "2-queue-1366")
    assert _count(page, "unregistered") == "1"
    assert _count(page, "desil_mismatch") == "2"
    assert _count(page, "national_only") == "1"
    assert _count(page, "data_differs") == "1"
    page.locator(".presets a[data-kind='national_only']").click()
    expect(page.locator("#results tbody tr[data-kind='national_only']")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Ibu Hanya Dtsen")

    # A file that only looks like a workbook: the list says why, never an error page.
    broken = extract_file.with_name("rusak.xlsx")
    broken.write_bytes(b"PK\x03\x04 bukan buku kerja")
    page.goto(f"{live_server.url}{reverse('national:extract_list')}")
    page.set_input_files("#id_file", broken)
    page.get_by_role("button", name="Impor").click()
    expect(page.locator("#extracts tr[data-status=failed] .error-box")).to_contain_text("rusak")
    expect(page.locator("#extracts tr[data-status=complete]")).to_have_count(1)
    shot(page, "dtsen", "2b-failed-1366")

    # The facilitator of Margahayu on her phone: the queue from the menu, a case, closed.
    page = phone
    log_in(page, live_server.url, pendamping.username)
    open_menu(page)
    page.locator(f"nav.mainnav a[href='{reverse('national:case_queue')}']").click()
    expect(page.locator("h1")).to_contain_text("DTSEN")
    shot(page, "dtsen", "3-queue-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#results tbody tr[data-kind='unregistered'] a").first.click()
    expect(page.locator("h1")).to_contain_text("Belum terdaftar")
    shot(page, "dtsen", "4-case-360")
    page.fill("#id_note", "Sudah dikunjungi, data dikumpulkan untuk usulan baru")
    page.get_by_role("button", name="Tutup kasus").click()
    page.wait_for_url(f"{live_server.url}{reverse('national:case_queue')}")
    assert _count(page, "unregistered") == "0"
    case = ReconciliationCase.objects.get(kind="unregistered")
    assert (case.status, case.closed_by_id) == ("closed", pendamping.pk)
