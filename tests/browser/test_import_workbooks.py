"""Journey 2 with files as ward offices save them (issue 18, points 13 and 14): Pak Dedi, at
his desktop, uploads the RW's LibreOffice Calc sheet (.ods). The preview lists the families to
be added or changed, shows the warnings open, and its button counts the changes; switched to
English, the same page reads in English with day-first dates. Screenshots go to
/tmp/shots/workbook-*.png."""

import re

import pytest
from playwright.sync_api import expect

from households.models import ImportBatch
from tests.browser.conftest import log_in, shot
from tests.imports.files import FAMILY_A, FAMILY_B, csv_file, import_file, ods_bytes

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


def test_operator_uploads_an_ods_and_reads_the_preview(
    live_server, desktop, operator, tmp_path, django_capture_on_commit_callbacks
):
    # Family A is registered already; the RW's sheet renames Siti, adds family B, and has
    # Budi's sex typed wrong (a warning: imported, to check against the card).
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    rows = [
        FAMILY_A[0].replace(";L;", ";P;"),
        FAMILY_A[1].replace("Siti Aminah", "Siti Aminah Lubis"),
        FAMILY_A[2],
        *FAMILY_B,
    ]
    path = tmp_path / "rw12-margahayu.ods"
    path.write_bytes(ods_bytes(rows))

    page = desktop
    log_in(page, live_server.url, operator.username, lands_on="/households/")
    page.goto(f"{live_server.url}/households/imports/new/")
    expect(page.locator("main")).to_contain_text(".ods")
    page.set_input_files("#id_file", path)
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/households/imports/\d+/$"))

    status = page.locator("#status")
    expect(status.locator(".status")).to_have_text("Sudah diperiksa: menunggu konfirmasi")
    families = status.locator("table.families tbody tr")
    expect(families).to_have_count(2)
    expect(families.nth(0)).to_contain_text("Diperbarui")
    expect(families.nth(1)).to_contain_text("Joko Susilo")
    expect(families.nth(1)).to_contain_text("2 anggota baru")
    expect(status.locator(".import-warnings table.issues")).to_be_visible()  # not folded
    button = page.get_by_role("button", name=re.compile(r"^Konfirmasi"))
    # Budi's sex, Siti's name, B's household and its two members.
    expect(button).to_have_text("Konfirmasi: impor 5 perubahan")
    shot(page, "workbook", "1-preview-id")

    # The same page in English: the check's messages and the dates too.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    expect(status.locator(".import-warnings")).to_contain_text(
        "The NIK says male but the record says female."
    )
    expect(page.get_by_role("button", name=re.compile(r"^Confirm"))).to_have_text(
        "Confirm: import 5 changes"
    )
    meta = page.locator("p.muted").first.inner_text()
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", meta), meta
    shot(page, "workbook", "2-preview-en")

    page.get_by_role("button", name=re.compile(r"^Confirm")).click()
    expect(status.locator(".status")).to_have_text("Imported")
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.COMMITTED
    shot(page, "workbook", "3-summary-en")
