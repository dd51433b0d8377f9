"""Files as ward offices save them (issue 18, point 13): an Excel 97-2003 workbook (.xls) and
a LibreOffice Calc sheet (.ods) are read by the same reader as an .xlsx, checked the same way
and get the same error report. Their hostile forms are in test_hostile_files.py."""

import io

import openpyxl
import pytest
from django.urls import reverse

from households.imports.readers import read_sheet
from households.imports.services import confirm_import_batch
from households.models import Household, ImportBatch
from tests.imports.files import (
    FAMILY_A,
    KK_A,
    XLS_FIXTURE,
    csv_file,
    import_file,
    ods_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

MB = 2**20
XLS = XLS_FIXTURE.read_bytes()


def read(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return read_sheet(path, filename=name, max_bytes=50 * MB, max_rows=1000)


def test_an_xls_is_read_with_its_title_row_date_cells_and_number_cells(tmp_path):
    sheet = read(tmp_path, "rw12.xls", XLS)
    assert (sheet.file_format, sheet.header_row, len(sheet.rows)) == ("xls", 3, 3)
    budi = next(iter(sheet.rows))
    assert budi.number == 4  # as Excel numbers the row
    assert budi.values["nik"] == "3275011708850001"
    assert budi.values["birth_date"] == "1985-08-17"  # a real date cell
    assert budi.values["car_count"] == "0"  # a number cell, not "0.0"


def test_an_xls_saved_under_an_xlsx_name_is_still_read(tmp_path):
    assert read(tmp_path, "rw12.xlsx", XLS).file_format == "xls"


def test_an_ods_is_read_as_libreoffice_saves_it(tmp_path):
    sheet = read(tmp_path, "rw12.ods", ods_bytes(FAMILY_A))
    assert (sheet.file_format, sheet.header_row, len(sheet.rows)) == ("ods", 2, 3)
    assert [row.values["name"] for row in sheet.rows] == [
        "Budi Santoso",
        "Siti Aminah",
        "Rizky Santoso",
    ]


@pytest.mark.parametrize(
    ("name", "content"), [("rw12.xls", XLS), ("rw12.ods", ods_bytes(FAMILY_A))]
)
def test_an_xls_or_ods_imports_like_the_same_csv(
    operator, django_capture_on_commit_callbacks, name, content, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    batch = upload(content, name, operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.VALIDATED, batch.error_message
    same = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    assert batch.counts == same.counts
    assert batch.counts["members_new"] == 3


def test_an_ods_row_with_an_error_is_in_the_error_report(
    client, operator, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bad = [FAMILY_A[0], FAMILY_A[1].replace("3275015203880002", "32750152038800")]
    batch = upload(ods_bytes(bad), "rw12.ods", operator, django_capture_on_commit_callbacks)
    assert batch.counts["rows_error"] == 1
    client.force_login(operator)
    response = client.get(reverse("households:import_error_report", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == 4  # the row number the clerk sees in LibreOffice
    assert "32750152038800" in rows[1]
    assert "16 digit" in rows[1][-2]  # the Errors column, in Indonesian


def test_the_upload_page_says_xls_and_ods_are_accepted(client, operator):
    client.force_login(operator)
    page = client.get(reverse("households:import_upload")).content.decode()
    assert 'accept=".xlsx,.xls,.ods,.csv"' in page
    assert ".xls" in page
    assert ".ods" in page
    assert "LibreOffice" in page


def test_the_import_list_says_xls_and_ods_are_accepted(client, operator):
    client.force_login(operator)
    page = client.get(reverse("households:import_list")).content.decode()
    assert ".ods" in page
    assert ".xls" in page


def test_a_committed_xls_fills_the_registry(
    operator, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    batch = upload(XLS, "rw12.xls", operator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    household = Household.objects.get(kk_number=KK_A)
    assert household.members.get(nik="3275011708850001").birth_date.isoformat() == "1985-08-17"
