"""Journey 2: Pak Dedi, desk operator of kelurahan Margahayu, imports the ward's CSV on a phone.

He opens "Impor", downloads the template, uploads the RW's semicolon CSV (two good families and
one row whose NIK Excel turned into 3,27501E+15), reads the preview, sees the bad row and what
to fix, confirms, reads the summary, downloads the error report to fix the row, and finds an
imported family in the household list. Screenshots of every step go to /tmp/shots/import-*.png.
"""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from households.identifiers import mask_identifier
from households.models import Household, ImportBatch
from tests.browser.conftest import log_in, open_menu, shot
from tests.imports.files import FAMILY_A, FAMILY_B, HEADER, KK_A

# One group: the tests share one Chromium, so xdist (--dist loadgroup) gives them one worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]

# Excel showed the 16-digit NIK in scientific notation and the CSV kept what it showed.
BAD_ROW = FAMILY_B[1].replace("3275016007720005", "3,27501E+15")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads, checks and reports go to a throwaway directory (the live server shares
    the settings: it runs in a thread of this process)."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _workbook(download) -> openpyxl.Workbook:
    """Open a downloaded .xlsx (Playwright stores it under a name without an extension)."""
    return openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def _fits_the_phone(page) -> None:
    """No sideways scrolling of the whole page on a 360 px phone (wide tables scroll inside
    their own .table-wrap)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_operator_imports_a_ward_csv_on_a_phone(live_server, phone, operator, tmp_path):
    page = phone
    log_in(page, live_server.url, operator.username, lands_on="/households/")

    # The import page, from the main menu.
    open_menu(page)
    import_link = page.locator(f"nav.mainnav a[href='{reverse('households:import_list')}']")
    expect(import_link).to_contain_text("Impor")
    import_link.click()
    expect(page.locator("h1")).to_contain_text("Impor")
    shot(page, "import", "1-list")
    _fits_the_phone(page)
    page.get_by_role("link", name="+ Unggah berkas").click()
    page.wait_for_url(f"{live_server.url}{reverse('households:import_upload')}")
    shot(page, "import", "2-upload")
    _fits_the_phone(page)

    # The template is an Excel download.
    with page.expect_download() as template_download:
        page.click(f"a[href='{reverse('households:import_template')}']")
    template = template_download.value
    assert template.suggested_filename.endswith(".xlsx")
    assert _workbook(template).sheetnames

    # The ward's CSV: semicolons, five rows, one with a NIK Excel cut to 3,27501E+15.
    csv_path = tmp_path / "rw12-margahayu.csv"
    rows = [HEADER, *FAMILY_A, FAMILY_B[0], BAD_ROW]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.set_input_files("#id_file", csv_path)
    shot(page, "import", "3-file-chosen")
    page.click("button[type=submit].primary")

    # The check ran after the upload's commit (Celery is eager): the preview is there. Were it
    # still running, the page would poll until it is.
    page.wait_for_url(re.compile(r"/households/imports/\d+/$"))
    batch = ImportBatch.objects.get()
    assert page.url == f"{live_server.url}{batch.get_absolute_url()}"
    status = page.locator("#status")
    expect(status.locator(".status")).to_have_text("Sudah diperiksa: menunggu konfirmasi")
    expect(status.get_by_role("heading", name="Pratinjau")).to_be_visible()
    tiles = status.locator(".tile")
    expect(tiles.nth(0)).to_contain_text("5")  # rows in the file
    expect(tiles.nth(1)).to_contain_text("4")  # rows ready to import
    expect(tiles.nth(2)).to_contain_text("1")  # rows with errors
    expect(tiles.nth(2)).to_have_class(re.compile(r"\bbad\b"))
    error_row = status.locator("table.issues tbody tr")
    expect(error_row).to_have_count(1)
    expect(error_row.locator("td").first).to_have_text("6")  # the header is row 1
    expect(error_row).to_contain_text("NIK")
    expect(error_row).to_contain_text("Excel")
    assert not Household.objects.exists()  # nothing saved before the confirmation
    shot(page, "import", "4-preview")
    _fits_the_phone(page)
    # The counts table fits the card: no sideways scrolling to see "Tidak berubah".
    counts_table = page.locator("table.counts")
    assert counts_table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")

    # Confirm: the valid rows are imported together.
    page.get_by_role("button", name=re.compile(r"^Konfirmasi")).click()
    expect(status.locator(".status")).to_have_text("Sudah diimpor")
    expect(status.get_by_role("heading", name="Ringkasan")).to_be_visible()
    expect(status.locator(".tile").nth(1)).to_contain_text("4")  # rows imported
    # Two new families (not "updated": they did not exist before this import), four members.
    households_row = status.locator("table.counts tbody tr").nth(0).locator("td")
    expect(households_row).to_have_text(["2", "0", "0"])
    members_row = status.locator("table.counts tbody tr").nth(1).locator("td")
    expect(members_row).to_have_text(["4", "0", "0"])
    shot(page, "import", "5-summary")
    _fits_the_phone(page)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED

    # The error report: the clerk's own bad row, with what to fix in a Kesalahan column.
    with page.expect_download() as report_download:
        page.click(f"a[href='{reverse('households:import_error_report', args=[batch.pk])}']")
    report = report_download.value
    assert report.suggested_filename.endswith(".xlsx")
    sheet = _workbook(report).active
    header, *bad_rows = list(sheet.iter_rows(values_only=True))
    assert "Kesalahan" in header
    assert len(bad_rows) == 1
    assert bad_rows[0][0] == 6
    assert "3,27501E+15" in bad_rows[0]
    assert "Excel" in bad_rows[0][header.index("Kesalahan")]

    # The imported family is in the household list.
    page.get_by_role("link", name="Lihat daftar keluarga").click()
    page.wait_for_url(f"{live_server.url}/households/")
    page.fill("#id_q", "Siti Aminah")
    page.press("#id_q", "Enter")
    household = Household.objects.get(kk_number=KK_A)
    found = page.locator(f"#results a[href='{household.get_absolute_url()}']")
    expect(found).to_contain_text("Budi Santoso")  # the head of the family
    expect(found).to_contain_text(mask_identifier(KK_A))  # issue 7: masked in the list
    shot(page, "import", "6-household-list")
    _fits_the_phone(page)


def test_a_file_being_checked_shows_its_progress_and_polls(live_server, phone, operator):
    """A big file takes a while: the clerk sees how far the check is and the page refreshes
    itself every second."""
    batch = ImportBatch.objects.create(
        filename="rw-semua.xlsx",
        checksum="0" * 64,
        uploaded_by=operator,
        kelurahan=operator.profile.kelurahan.get(),
        status="validating",
        progress_done=250,
        progress_total=1000,
    )
    page = phone
    log_in(page, live_server.url, operator.username, lands_on="/households/")
    page.goto(f"{live_server.url}{batch.get_absolute_url()}")
    progress = page.locator("#status progress")
    expect(progress).to_have_attribute("value", "25")
    expect(page.locator("#status")).to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("label[for=progress]")).to_contain_text("250 / 1.000")
    # htmx asks again within a second; the batch is still being checked, so the answer
    # still shows the progress and keeps polling.
    url = f"{live_server.url}{batch.get_absolute_url()}"
    with page.expect_response(
        lambda response: response.url == url and response.request.headers.get("hx-request")
    ) as poll:
        pass
    assert poll.value.ok
    expect(progress).to_have_attribute("value", "25")
    expect(page.locator("#status")).to_have_attribute("hx-trigger", "every 1s")
    shot(page, "import", "7-progress")
    _fits_the_phone(page)
