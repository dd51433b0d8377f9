"""The national pages: import an extract, the reconciliation queue per kelurahan, a case."""

import datetime
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import AccessRecord
from national.models import Extract, ReconciliationCase
from national.services import import_extract
from tests.households.factories import household_with_members
from tests.national.builders import HEADER, family_rows, write_extract

pytestmark = pytest.mark.django_db

Kind = ReconciliationCase.Kind


@pytest.fixture
def extract(tmp_path, margahayu, bintara, data_steward):
    """A Margahayu family poor and absent from DTSEN, one in Bintara likewise, and a
    Margahayu family in DTSEN at desil 8 though poor."""
    household_with_members(margahayu, welfare_decile=2)
    household_with_members(bintara, welfare_decile=2)
    high = household_with_members(margahayu, welfare_decile=3)
    path = write_extract(tmp_path / "dtsen.csv", family_rows(high, desil=8))
    return import_extract(
        path=path, filename="dtsen.csv", as_of=datetime.date(2026, 9, 30), by=data_steward
    ).extract


def _upload(client, rows, captured, name="dtsen.csv", as_of="2026-09-30"):
    """Upload; the import, queued on commit, runs (eager) after the request."""
    content = "\n".join([HEADER, *rows]).encode()
    with captured(execute=True):
        return client.post(
            reverse("national:extract_list"),
            {"file": SimpleUploadedFile(name, content), "as_of": as_of},
            secure=True,
        )


def test_the_data_steward_imports_an_extract_and_sees_the_queue(
    client, data_steward, household_in_margahayu, django_capture_on_commit_callbacks
):
    client.force_login(data_steward)
    rows = family_rows(household_in_margahayu, desil=9)
    response = _upload(client, rows, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    extract = Extract.objects.get()
    assert (extract.uploaded_by, extract.families) == (data_steward, 1)
    page = client.get(reverse("national:case_queue"), secure=True)
    assert page.status_code == 200
    assert page.context["counts"][Kind.DESIL_MISMATCH] == 1
    assert page.context["extract"] == extract


def test_an_unreadable_upload_is_told_not_a_500(
    client, verifikator, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(verifikator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("national:extract_list"),
            {"file": SimpleUploadedFile("dtsen.csv", b"nothing;at;all\n"), "as_of": "2026-09-30"},
            secure=True,
        )
    extract = Extract.objects.get()
    assert extract.status == Extract.Status.FAILED
    response = client.get(reverse("national:extract_list"), secure=True)
    assert response.status_code == 200
    assert html.escape(extract.error_text).encode() in response.content


def test_a_date_in_the_future_is_a_form_error(
    client, verifikator, reference_data, django_capture_on_commit_callbacks
):
    client.force_login(verifikator)
    response = _upload(client, [], django_capture_on_commit_callbacks, as_of="2999-01-01")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Extract.objects.exists()


def test_a_ward_sees_only_its_own_kelurahans_cases(client, pendamping, extract, margahayu):
    client.force_login(pendamping)
    page = client.get(reverse("national:case_queue"), secure=True)
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert {case.kelurahan for case in rows} == {margahayu}
    assert page.context["counts"][Kind.UNREGISTERED] == 1
    outside = ReconciliationCase.objects.exclude(kelurahan=margahayu).get()
    detail = client.get(reverse("national:case_detail", args=[outside.pk]), secure=True)
    assert detail.status_code == 404
    assert (
        client.post(
            reverse("national:case_close", args=[outside.pk]), {"note": "x"}, secure=True
        ).status_code
        == 404
    )


def test_the_queue_filters_by_kind_and_answers_htmx_with_the_rows(client, verifikator, extract):
    client.force_login(verifikator)
    url = reverse("national:case_queue") + "?kind=desil_mismatch"
    page = client.get(url, secure=True, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert [case.kind for case in page.context["page"].object_list] == [Kind.DESIL_MISMATCH]
    assert b"<h1>" not in page.content  # the partial only


def test_a_city_wide_reader_is_logged_for_the_families_shown(client, data_steward, extract):
    client.force_login(data_steward)
    client.get(reverse("national:case_queue"), secure=True)
    shown = set(AccessRecord.objects.filter(user=data_steward).values_list("household", flat=True))
    expected = set(extract.cases.values_list("household", flat=True))
    assert shown == expected


def test_a_facilitator_closes_a_case_with_a_note(client, pendamping, extract, margahayu):
    client.force_login(pendamping)
    case = extract.cases.get(kind=Kind.UNREGISTERED, kelurahan=margahayu)
    page = client.get(reverse("national:case_detail", args=[case.pk]), secure=True)
    assert page.status_code == 200
    assert html.escape(case.household.head_name).encode() in page.content
    url = reverse("national:case_close", args=[case.pk])
    refused = client.post(url, {"note": ""}, secure=True)
    assert refused.status_code == 302
    assert ReconciliationCase.objects.get(pk=case.pk).status == "open"
    client.post(url, {"note": "Diusulkan ke SIKS-NG"}, secure=True)
    case.refresh_from_db()
    assert (case.status, case.closed_by) == ("closed", pendamping)
    assert case.note == "Diusulkan ke SIKS-NG"


def test_the_planners_and_agency_staff_have_no_queue(client, pimpinan, petugas_dinkes, extract):
    for user in (pimpinan, petugas_dinkes):
        client.force_login(user)
        assert client.get(reverse("national:case_queue"), secure=True).status_code == 403


def test_a_facilitator_cannot_import(client, pendamping, reference_data):
    client.force_login(pendamping)
    assert client.get(reverse("national:extract_list"), secure=True).status_code == 403


def test_the_error_report_lists_the_rows_left_out(
    client, data_steward, household_in_margahayu, django_capture_on_commit_callbacks
):
    client.force_login(data_steward)
    rows = family_rows(household_in_margahayu, desil=2)
    rows.append("3275010101200001;123;Salah;01-01-1990;32.75.01.1002;2;Tidak")
    _upload(client, rows, django_capture_on_commit_callbacks)
    extract = Extract.objects.get()
    assert extract.rejected == 1
    response = client.get(reverse("national:extract_error_report", args=[extract.pk]), secure=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 2  # the header and the one row left out
    assert values[1][0] == len(rows) + 1
    assert "Salah" in values[1]
