"""An extract uploaded from the page: stored, imported by a worker (national.uploads), its
status shown on the list; hostile files end failed with a reason, never a 500."""

import datetime
import html
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from national import uploads
from national.models import Extract, ExtractMember, ReconciliationCase
from national.tasks import import_uploaded_extract_task
from national.uploads import import_uploaded_extract, redispatch_stalled_extracts, upload_extract
from tests.households.factories import household_with_members
from tests.national.builders import HEADER, family_rows

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 9, 30)
URL = "national:extract_list"


def _csv(rows: list[str], name: str = "dtsen.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *rows]).encode())


def _post(client, upload: SimpleUploadedFile, **kwargs):
    return client.post(
        reverse(URL), {"file": upload, "as_of": AS_OF.isoformat()}, secure=True, **kwargs
    )


@pytest.fixture
def rows(margahayu):
    return family_rows(household_with_members(margahayu, welfare_decile=3), desil=8)


def test_an_upload_waits_for_a_worker_and_the_list_follows_it(client, data_steward, rows):
    client.force_login(data_steward)
    # given: the upload is stored, its import queued (no worker has taken it yet)
    response = _post(client, _csv(rows))
    extract = Extract.objects.get()
    assert response.status_code == 302
    assert (extract.status, extract.uploaded_by) == (Extract.Status.QUEUED, data_steward)
    assert not ExtractMember.objects.exists()
    listed = client.get(reverse(URL), secure=True, headers={"HX-Request": "true"})
    assert listed.context["working"]
    assert b'hx-trigger="every 2s"' in listed.content
    assert b"<h1>" not in listed.content  # the list only
    # when: the worker runs the task
    import_uploaded_extract_task.delay(extract.pk)
    # then: imported, matched, and the list stops refreshing
    extract.refresh_from_db()
    assert (extract.status, extract.families, extract.members) == ("complete", 1, len(rows))
    assert extract.cases.filter(kind=ReconciliationCase.Kind.DESIL_MISMATCH).count() == 1
    listed = client.get(reverse(URL), secure=True, headers={"HX-Request": "true"})
    assert not listed.context["working"]
    assert b"hx-trigger" not in listed.content


def test_without_a_worker_the_upload_is_imported_after_it_is_stored(
    client, verifikator, rows, django_capture_on_commit_callbacks
):
    # (eager: the task runs as the upload commits; in a test that is after the request)
    client.force_login(verifikator)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _csv(rows))
    assert Extract.objects.get().status == Extract.Status.COMPLETE


def test_the_same_file_twice_changes_nothing(
    client, data_steward, rows, django_capture_on_commit_callbacks
):
    client.force_login(data_steward)
    _post(client, _csv(rows))  # still waiting for its worker
    again = _post(client, _csv(rows, name="again.csv"))
    assert again.status_code == 302
    assert Extract.objects.count() == 1
    import_uploaded_extract_task.delay(Extract.objects.get().pk)
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _csv(rows, name="third.csv"))
    assert Extract.objects.get().status == Extract.Status.COMPLETE
    assert ExtractMember.objects.count() == len(rows)


def test_a_task_delivered_twice_imports_once(data_steward, rows):
    extract = upload_extract(uploaded_file=_csv(rows), as_of=AS_OF, by=data_steward).extract
    assert import_uploaded_extract(extract_id=extract.pk).status == Extract.Status.COMPLETE
    assert import_uploaded_extract(extract_id=extract.pk) is None
    assert ExtractMember.objects.count() == len(rows)
    assert ReconciliationCase.objects.count() == 1


def test_the_work_of_a_worker_that_died_is_taken_over(data_steward, rows):
    # given: a worker claimed the extract and died (its transaction rolled back)
    extract = upload_extract(uploaded_file=_csv(rows), as_of=AS_OF, by=data_steward).extract
    Extract.objects.filter(pk=extract.pk).update(status=Extract.Status.RECONCILING)
    # when: the message comes back (acks_late)
    import_uploaded_extract(extract_id=extract.pk)
    # then
    extract.refresh_from_db()
    assert (extract.status, extract.members) == (Extract.Status.COMPLETE, len(rows))


def test_a_crash_fails_the_extract_with_a_message(data_steward, rows, monkeypatch):
    extract = upload_extract(uploaded_file=_csv(rows), as_of=AS_OF, by=data_steward).extract

    def crash(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(uploads, "import_extract", crash)
    failed = import_uploaded_extract(extract_id=extract.pk)
    assert failed.status == Extract.Status.FAILED
    assert failed.error_source["msgid"].startswith("The import stopped because of an error")
    assert "bug" not in failed.error_text


def test_a_transient_error_gives_the_extract_back_for_the_retry(data_steward, rows, monkeypatch):
    extract = upload_extract(uploaded_file=_csv(rows), as_of=AS_OF, by=data_steward).extract

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(uploads, "import_extract", database_gone)
    with pytest.raises(OperationalError):
        import_uploaded_extract(extract_id=extract.pk)
    assert Extract.objects.get(pk=extract.pk).status == Extract.Status.QUEUED
    monkeypatch.undo()
    assert redispatch_stalled_extracts(datetime.timedelta(0)) == 1
    assert Extract.objects.get(pk=extract.pk).status == Extract.Status.COMPLETE


def test_an_uploader_who_lost_the_right_to_import_gets_a_failed_extract(
    data_steward, rows, verifikator
):
    extract = upload_extract(uploaded_file=_csv(rows), as_of=AS_OF, by=data_steward).extract
    data_steward.groups.clear()
    failed = import_uploaded_extract(extract_id=extract.pk)
    assert failed.status == Extract.Status.FAILED
    assert not ExtractMember.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(client, verifikator, rows, settings):
    settings.DTSEN_MAX_BYTES = 100
    client.force_login(verifikator)
    response = _post(client, _csv(rows))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Extract.objects.exists()


def _xlsx(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _not_a_zip() -> bytes:
    return b"PK\x03\x04 this is no workbook" + b"\x00" * 200


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


HOSTILE = {
    "pdf": ("dtsen.pdf", b"%PDF-1.4\n%%EOF\n"),
    "wrong columns": ("dtsen.csv", b"Nama;Alamat\nBudi;Jl. Melati\n"),
    "header only": ("dtsen.csv", (HEADER + "\n").encode()),
    "binary csv": ("dtsen.csv", bytes(range(256)) * 40),
    "xlsx not a zip": ("dtsen.xlsx", _not_a_zip()),
    "xlsx zip without a workbook": ("dtsen.xlsx", _zip_without_workbook()),
    "huge header": ("dtsen.csv", (HEADER + ";" + "X" * 200_000 + "\n").encode()),
    "many columns": ("dtsen.csv", (HEADER + ";" * 20_000 + "\n1;2;3\n").encode()),
    "oversize cells": (
        "dtsen.csv",
        "\n".join(
            [HEADER, ";".join(["3" * 5000, "1" * 9000, "N" * 20_000, "0" * 3000, "K" * 20_000])]
        ).encode(),
    ),
    "oversize xlsx cells": (
        "dtsen.xlsx",
        _xlsx([HEADER.split(";"), ["9" * 3000, "8" * 3000, "N" * 30_000, "x" * 5000, "y" * 9000]]),
    ),
}


@pytest.mark.parametrize("role", ["verifikator", "data_steward"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_file_fails_with_a_reason_never_a_500(
    client, request, role, hostile, margahayu, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(role))
    name, content = HOSTILE[hostile]
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, SimpleUploadedFile(name, content))
    assert response.status_code == 302
    extract = Extract.objects.get()
    assert not ExtractMember.objects.exists()
    listed = client.get(reverse(URL), secure=True)
    if extract.status == Extract.Status.FAILED:
        assert extract.error_text
        assert html.escape(extract.error_text).encode() in listed.content
    else:  # readable, but every row refused and reported
        assert (extract.status, extract.members, extract.rejected) == ("complete", 0, 1)
        report = client.get(
            reverse("national:extract_error_report", args=[extract.pk]), secure=True
        )
        assert report.status_code == 200


def test_a_long_file_name_is_kept_for_the_list(
    client, data_steward, rows, django_capture_on_commit_callbacks
):
    client.force_login(data_steward)
    name = "ekstrak-dtsen-kota-bekasi-" + "triwulan-empat-" * 15 + ".csv"
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, _csv(rows, name=name))
    extract = Extract.objects.get()
    assert (extract.status, extract.filename) == (Extract.Status.COMPLETE, name)


def test_an_empty_file_is_a_form_error(client, data_steward, margahayu):
    client.force_login(data_steward)
    response = _post(client, SimpleUploadedFile("dtsen.csv", b""))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Extract.objects.exists()


@pytest.mark.parametrize(
    "role", ["pendamping", "operator", "petugas_dinkes", "perencana", "pimpinan"]
)
def test_roles_that_may_not_import_are_refused(client, request, role, rows):
    client.force_login(request.getfixturevalue(role))
    assert _post(client, _csv(rows)).status_code == 403
    assert not Extract.objects.exists()
