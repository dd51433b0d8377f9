"""Files that cannot be imported, end to end: through the upload service (with the eager
background check) and through the upload page. Each gets one clear message in Indonesian,
nothing is written to the registry and no page fails.

How the reader classifies each file is specified in test_readers.py; these tests specify what
the clerk sees and that the registry is untouched.
"""

import random

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from households.imports.services import confirm_import_batch, upload_import_batch
from households.models import ImportBatch
from tests.imports.files import (
    FAMILY_A,
    FAMILY_B,
    GOOD_XLSX,
    HEADER,
    assert_failed_with_one_message,
    registry,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

MB = 2**20
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .xls, or an encrypted .xlsx


def csv_bytes(lines: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def cfb(*stream_names: str) -> bytes:
    """The smallest compound file the reader inspects: the magic, a sector of padding and the
    UTF-16 names of its streams (an encrypted .xlsx has EncryptionInfo, a .xls Workbook)."""
    return CFB_MAGIC + b"\x00" * 504 + b"".join(n.encode("utf-16-le") for n in stream_names)


# name, content, what the Indonesian message says. Every message also names the file.
UNREADABLE = [
    pytest.param(
        "rw12.xlsx",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
        "bukan berkas tabel",
        id="png-renamed-xlsx",
    ),
    pytest.param(
        "rw12.xlsx",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        "bukan berkas tabel",
        id="pdf-renamed-xlsx",
    ),
    pytest.param(
        "rw12.csv",
        random.Random(2024).randbytes(3000),
        "bukan berkas tabel",
        id="random-binary-csv",
    ),
    pytest.param(
        "rw12.xlsx",
        cfb("EncryptionInfo", "EncryptedPackage"),
        "dilindungi kata sandi",
        id="password-protected-xlsx",
    ),
    pytest.param(
        "rw12.xlsx",
        cfb("Workbook", "SummaryInformation"),
        "rusak dan tidak dapat dibuka",
        id="broken-xls-renamed-xlsx",
    ),
    pytest.param(
        "rw12.xlsx",
        GOOD_XLSX[: len(GOOD_XLSX) // 2],
        "rusak dan tidak dapat dibuka",
        id="truncated-xlsx",
    ),
    pytest.param("rw12.csv", b"\r\n\r\n   \r\n;;;\r\n", "kosong", id="blank-lines-csv"),
    pytest.param(
        "rw12.csv",
        b"Nama;Umur;Alamat\nBudi Santoso;40;Gg. Mawar 7\nSiti Aminah;37;Gg. Mawar 7\n",
        "Baris judul kolom tidak ditemukan",
        id="no-header-csv",
    ),
    pytest.param(
        "rw12.csv", csv_bytes([]) + b"\n;;;\n", "tidak ada baris data", id="header-only-csv"
    ),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry_before(household_in_margahayu):
    """A registry that is not empty, so "nothing written" also means "nothing changed"."""
    return registry()


def post(client, user, content: bytes, name: str, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("households:import_upload"),
            {"file": SimpleUploadedFile(name, content), "source_format": "slrt"},
        )


# Through the service --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "says"), UNREADABLE)
def test_the_batch_fails_with_one_message_and_nothing_is_written(
    operator, registry_before, django_capture_on_commit_callbacks, name, content, says
):
    batch = upload(content, name, operator, django_capture_on_commit_callbacks)
    assert_failed_with_one_message(batch, name, says)
    with pytest.raises(ValidationError) as excinfo:  # a failed batch cannot be confirmed
        confirm_import_batch(batch=batch, by=operator)
    assert excinfo.value.code == "not_validated"
    assert registry() == registry_before


def test_an_empty_file_fails_with_one_message(
    operator, registry_before, django_capture_on_commit_callbacks
):
    batch = upload(b"", "rw12.xlsx", operator, django_capture_on_commit_callbacks)
    assert_failed_with_one_message(batch, "rw12.xlsx", "rw12.xlsx kosong.")
    assert registry() == registry_before


@override_settings(IMPORT_MAX_ROWS=5)
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rw12.csv", csv_bytes(FAMILY_A + FAMILY_B + FAMILY_A + FAMILY_B)),
        ("rw12.xlsx", xlsx_bytes(FAMILY_A + FAMILY_B + FAMILY_A + FAMILY_B)),
    ],
    ids=["csv", "xlsx"],
)
def test_a_sheet_with_too_many_rows_fails_with_one_message(
    operator, registry_before, django_capture_on_commit_callbacks, name, content
):
    batch = upload(content, name, operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED
    assert "lebih dari 5 baris" in batch.error_message
    assert not batch.issues.exists()
    assert registry() == registry_before


@override_settings(IMPORT_MAX_ROWS=5)
def test_a_sheet_at_the_row_limit_is_checked(operator, django_capture_on_commit_callbacks):
    batch = upload(
        csv_bytes(FAMILY_A + FAMILY_B), "rw12.csv", operator, django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.counts["rows_total"] == 5


def over_a_megabyte() -> bytes:
    return csv_bytes(FAMILY_A) + b"\n" * (MB // 2) + b"\n" * MB  # 1,5 MB


@override_settings(IMPORT_MAX_BYTES=MB)
def test_a_file_over_the_size_limit_is_refused_at_upload(
    operator, registry_before, django_capture_on_commit_callbacks
):
    with (
        translation.override("id"),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as excinfo,
    ):
        upload_import_batch(
            uploaded_file=SimpleUploadedFile("rw12.csv", over_a_megabyte()), by=operator
        )
    assert excinfo.value.code == "too_big"
    (message,) = excinfo.value.messages
    assert "batasnya 1 MB" in message
    assert "Pecah" in message  # what to do
    assert not ImportBatch.objects.exists()
    assert registry() == registry_before


@override_settings(IMPORT_MAX_BYTES=MB)
def test_the_size_message_says_how_big_the_file_is(operator):
    with translation.override("id"), pytest.raises(ValidationError) as excinfo:
        upload_import_batch(
            uploaded_file=SimpleUploadedFile("rw12.csv", over_a_megabyte()), by=operator
        )
    (message,) = excinfo.value.messages
    assert "1,5 MB" in message


# Through the upload page ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "says"), UNREADABLE)
def test_the_page_shows_one_message_and_nothing_is_written(
    client, operator, registry_before, django_capture_on_commit_callbacks, name, content, says
):
    response = post(client, operator, content, name, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == batch.get_absolute_url()
    assert_failed_with_one_message(batch, name, says)

    page = client.get(batch.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count(escape(batch.error_message)) == 1
    assert html.count('class="error-box"') == 1
    assert reverse("households:import_confirm", args=[batch.pk]) not in html
    assert not page.context["counts"]

    # The confirm and error-report links of a failed batch answer with a message, not a 500.
    confirm = client.post(reverse("households:import_confirm", args=[batch.pk]))
    assert confirm.status_code == 302
    report = client.get(reverse("households:import_error_report", args=[batch.pk]))
    assert report.status_code == 302
    assert registry() == registry_before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


def test_the_page_refuses_an_empty_file_in_the_form(
    client, operator, registry_before, django_capture_on_commit_callbacks
):
    response = post(client, operator, b"", "rw12.xlsx", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert "kosong" in message  # Django's (or DRF's) Indonesian "The submitted file is empty."
    assert not ImportBatch.objects.exists()
    assert registry() == registry_before


@override_settings(IMPORT_MAX_ROWS=5)
def test_the_page_shows_the_row_limit(
    client, operator, registry_before, django_capture_on_commit_callbacks
):
    content = csv_bytes(FAMILY_A + FAMILY_B + FAMILY_A + FAMILY_B)
    response = post(client, operator, content, "rw12.csv", django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    page = client.get(response.url).content.decode()
    assert page.count("lebih dari 5 baris") == 1
    assert registry() == registry_before


@override_settings(IMPORT_MAX_BYTES=MB)
def test_the_page_refuses_a_file_over_the_size_limit_in_the_form(
    client, operator, registry_before, django_capture_on_commit_callbacks
):
    response = post(
        client, operator, over_a_megabyte(), "rw12.csv", django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert "batasnya 1 MB" in message
    assert response.content.decode().count(escape(message)) == 1
    assert not ImportBatch.objects.exists()
    assert registry() == registry_before
