"""English complete (issue 18, point 14), for imports: what the check wrote in Indonesian is
shown in English to whoever reads it in English (the page, the error report, a failed file's
message); rows stored before as plain text are shown as they are. Dates in English read day
first ("6 Dec 2026, 12:07"), and the agreed words are used (family card number, flags)."""

import io
from datetime import datetime

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from households.models import ImportIssue
from tests.imports.files import FAMILY_A, csv_file, import_file, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_indonesian():
    """The language middleware leaves the last request's language active in this thread:
    tests that follow expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_english(client, user, url):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url)


def checked_in_indonesian(operator, django_capture_on_commit_callbacks):
    # Siti's NIK cut to 14 digits (an error); Budi's row says female (a warning).
    rows = [
        FAMILY_A[0].replace(";L;", ";P;"),
        FAMILY_A[1].replace("3275015203880002", "32750152038800"),
        FAMILY_A[2],
    ]
    with translation.override("id"):
        return import_file(
            csv_file(rows), operator, django_capture_on_commit_callbacks, commit=False
        )


def test_issues_written_in_indonesian_are_read_in_english(
    client, operator, django_capture_on_commit_callbacks
):
    batch = checked_in_indonesian(operator, django_capture_on_commit_callbacks)
    stored = set(batch.issues.values_list("message", flat=True))
    assert any("harus 16 digit" in m for m in stored)  # the check ran in Indonesian
    html = in_english(client, operator, batch.get_absolute_url()).content.decode()
    assert "NIK must be 16 digits (this one has 14)." in html
    assert "The NIK says male but the record says female." in html
    assert "harus 16 digit" not in html
    assert "Menurut NIK" not in html


def test_the_error_report_is_in_the_language_of_whoever_downloads_it(
    client, operator, django_capture_on_commit_callbacks
):
    batch = checked_in_indonesian(operator, django_capture_on_commit_callbacks)
    url = reverse("households:import_error_report", args=[batch.pk])
    sheet = openpyxl.load_workbook(io.BytesIO(in_english(client, operator, url).content)).active
    texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Errors" in texts
    assert any(str(t).startswith("NIK must be 16 digits") for t in texts)


def test_a_failed_files_message_is_read_in_english(
    client, operator, django_capture_on_commit_callbacks
):
    batch = upload(b"%PDF-1.7\n%%EOF\n", "rw12.xlsx", operator, django_capture_on_commit_callbacks)
    assert "bukan berkas tabel" in batch.error_message  # written in Indonesian
    html = in_english(client, operator, batch.get_absolute_url()).content.decode()
    assert "rw12.xlsx is not a spreadsheet." in html


def test_an_issue_stored_as_plain_text_before_is_shown_as_it_is(
    client, operator, django_capture_on_commit_callbacks
):
    batch = checked_in_indonesian(operator, django_capture_on_commit_callbacks)
    ImportIssue.objects.filter(batch=batch).update(
        message="Pesan lama dari sebelum pembaruan.", message_source=None
    )
    html = in_english(client, operator, batch.get_absolute_url()).content.decode()
    assert "Pesan lama dari sebelum pembaruan." in html


def test_english_dates_read_day_first_with_a_24_hour_clock():
    moment = datetime(2026, 12, 6, 12, 7)  # noqa: DTZ001 - a format, not a time
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "6 Dec 2026, 12:07"
        assert date_format(moment, "DATETIME_FORMAT") == "6 Dec 2026, 12:07"
        assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "6 Dec 2026"
    with translation.override("id"):  # Indonesian as it was
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "06-12-2026 12.07"


def test_the_import_page_shows_english_dates(client, operator, django_capture_on_commit_callbacks):
    batch = checked_in_indonesian(operator, django_capture_on_commit_callbacks)
    html = in_english(client, operator, batch.get_absolute_url()).content.decode()
    with translation.override("en"):
        expected = date_format(timezone.localtime(batch.created_at), "j M Y, H:i")
    assert expected.split(",")[0] in html
    assert " p.m." not in html
    assert " a.m." not in html


def test_english_uses_the_agreed_words(client, verifikator):
    html = in_english(client, verifikator, reverse("eligibility:flag_queue")).content.decode()
    assert "<h1>Flags</h1>" in html
    assert "Findings" not in html
    with translation.override("en"):
        assert str(translation.gettext("KK number")) == "Family card number"
        assert translation.pgettext("export column", "KK number") == "Family card number"


def test_an_existence_answer_is_read_in_english(
    client, operator, household_in_bintara, django_capture_on_commit_callbacks
):
    # A family card registered in Bintara, outside the operator's Margahayu.
    rows = [line.replace(FAMILY_A[0][:16], household_in_bintara.kk_number) for line in FAMILY_A]
    with translation.override("id"):
        batch = import_file(
            csv_file(rows), operator, django_capture_on_commit_callbacks, commit=False
        )
    assert batch.issues.filter(code="kk_outside_scope").exists()
    html = in_english(client, operator, batch.get_absolute_url()).content.decode()
    assert "Already registered — contact Dinas Sosial." in html
