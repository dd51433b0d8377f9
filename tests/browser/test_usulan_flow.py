"""Issue 22, second half, end to end: the facilitator completes a verification visit on her
phone (360 px), the desk agrees the kelurahan's batch with the minutes as a PDF, the verifier
assembles the city's batch and downloads its workbook, and the next extract marks the
proposal accepted. Screenshots go to /tmp/shots/usulan-*.png."""

import datetime
import importlib
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from eligibility.models import Rule, RuleSet
from national.models import ReconciliationCase, Usulan
from national.services import import_extract
from national.usulan import COLUMNS
from tests.browser.conftest import log_in, shot
from tests.households.factories import household_with_members
from tests.national.builders import family_rows, write_extract

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _seed_rules() -> None:
    """A transactional test starts from an emptied database: the seeded set is re-created
    with its definition of "poor" (which makes the unregistered case)."""
    if not RuleSet.objects.exists():
        rules = importlib.import_module("eligibility.migrations.0002_seed_rules").RULES
        rule_set = RuleSet.objects.create(version=1, status=RuleSet.Status.ACTIVE)
        Rule.objects.bulk_create(Rule(rule_set=rule_set, **rule) for rule in rules)
    active = RuleSet.objects.get(status=RuleSet.Status.ACTIVE)
    if not active.rules.filter(code="poor").exists():
        poor = importlib.import_module("eligibility.migrations.0009_seed_poor_definition")
        Rule.objects.create(rule_set=active, **poor.DEFINITION)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desktop(browser):
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="id-ID", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_visit_musyawarah_workbook_and_the_next_extract(
    live_server, phone, desktop, tmp_path, margahayu, pendamping, operator, verifikator,
    data_steward,
):  # fmt: skip
    _seed_rules()
    poor = household_with_members(margahayu, welfare_decile=2, monthly_income=300_000)
    listed = household_with_members(margahayu, welfare_decile=3, monthly_income=300_000)
    today = timezone.localdate()
    first = write_extract(tmp_path / "q1.csv", family_rows(listed, desil=2))
    import_extract(
        path=first, filename="q1.csv", as_of=today - datetime.timedelta(days=1), by=data_steward
    )
    case = ReconciliationCase.objects.get(household=poor, kind="unregistered")

    # The facilitator, on her phone: the case becomes a visit, done at the door.
    page = phone
    log_in(page, live_server.url, pendamping.username)
    page.goto(f"{live_server.url}{reverse('national:case_detail', args=[case.pk])}")
    page.get_by_role("button", name="Jadwalkan kunjungan verifikasi").click()
    expect(page.locator("h1")).to_contain_text("Kunjungan verifikasi")
    page.check("input[name=result][value=layak]")
    page.fill("#id_notes", "Rumah semi permanen, penghasilan harian tidak tetap")
    shot(page, "usulan", "1-visit-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Simpan hasil kunjungan").click()
    expect(page.locator("#visit-result")).to_contain_text("Layak")
    expect(page.locator("#visit-result")).to_contain_text("Usulan baru")
    shot(page, "usulan", "2-visit-done-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    usulan = Usulan.objects.get(household=poor)

    # The desk records the musyawarah kelurahan with its minutes.
    page = desktop
    log_in(page, live_server.url, operator.username)
    page.goto(
        f"{live_server.url}"
        f"{reverse('national:kelurahan_batch_detail', args=[usulan.kelurahan_batch_id])}"
    )
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(PDF)
    page.fill("#id_meeting_on", today.isoformat())
    page.fill("#id_attendees", "Lurah Margahayu\nKetua RW 05\nTKSK")
    page.set_input_files("#id_minutes", minutes)
    shot(page, "usulan", "3-musyawarah-1366")
    page.get_by_role("button", name="Sepakati batch").click()
    expect(page.locator("body")).to_contain_text("Disepakati dalam musyawarah")
    page.context.clear_cookies()

    # The verifier assembles the city's batch and downloads its workbook.
    log_in(page, live_server.url, verifikator.username)
    page.goto(f"{live_server.url}{reverse('national:usulan_batch_list')}")
    page.get_by_role("button", name="Susun batch kota").click()
    expect(page.locator("h1")).to_contain_text("Batch usulan kota")
    shot(page, "usulan", "4-city-batch-1366")
    with page.expect_download() as download:
        page.locator("#export").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert workbook.sheetnames == ["Usulan Baru", "Usulan Perbaikan", "Usulan Keluar"]
    sheet = workbook["Usulan Baru"]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert [cell.value for cell in sheet[2]][:3] == [usulan.nik, usulan.kk_number, usulan.name]

    # The next quarter's extract, uploaded by the data steward, lists the family: the
    # proposal is accepted.
    second = write_extract(
        tmp_path / "q2.csv", family_rows(listed, desil=2) + family_rows(poor, desil=1)
    )
    batch_url = page.url
    page.context.clear_cookies()
    log_in(page, live_server.url, data_steward.username)
    page.goto(f"{live_server.url}{reverse('national:extract_list')}")
    page.set_input_files("#id_file", second)
    page.fill("#id_as_of", today.isoformat())
    page.get_by_role("button", name="Impor").click()
    page.wait_for_url(f"{live_server.url}{reverse('national:case_queue')}")
    page.goto(f"{live_server.url}{reverse('national:extract_list')}")
    expect(page.locator("#extracts tbody tr").first).to_contain_text("Sudah diimpor")
    page.context.clear_cookies()
    log_in(page, live_server.url, verifikator.username)
    page.goto(batch_url)
    expect(page.locator(f"tr[data-usulan='{usulan.pk}'] .status")).to_contain_text("Diterima")
    shot(page, "usulan", "5-accepted-1366")
