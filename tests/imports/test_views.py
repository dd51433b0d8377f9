"""Import pages through the client: upload, preview, confirm, report, template, scope."""

import io

import openpyxl
import pytest
from django.urls import reverse

from households.models import Household, ImportBatch
from tests.imports.files import FAMILY_A, FAMILY_B, csv_file

pytestmark = pytest.mark.django_db


def upload(client, user, lines, django_capture_on_commit_callbacks, **extra):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("households:import_upload"),
            {"file": csv_file(lines), "source_format": "slrt", **extra},
        )
    return response


def test_clerk_uploads_previews_confirms_and_sees_the_summary(
    client, operator, django_capture_on_commit_callbacks
):
    bad = FAMILY_B[1].replace("3275016007720005", "3,27501E+15")
    response = upload(
        client, operator, FAMILY_A + [FAMILY_B[0], bad], django_capture_on_commit_callbacks
    )
    batch = ImportBatch.objects.get()
    assert response.url == batch.get_absolute_url()
    preview = client.get(batch.get_absolute_url())
    page = preview.content.decode()
    assert preview.context["counts"]["rows_error"] == 1
    assert "Pratinjau" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_confirm", args=[batch.pk]))
    summary = client.get(batch.get_absolute_url())
    assert summary.context["batch"].status == ImportBatch.Status.COMMITTED
    assert Household.objects.count() == 2

    report = client.get(reverse("households:import_error_report", args=[batch.pk]))
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-2:] == ("Kesalahan", "Peringatan")
    assert len(rows) == 2  # the header and the one bad row
    assert rows[1][0] == 6
    assert "3,27501E+15" in rows[1]
    assert "Excel" in rows[1][-2]


def test_progress_is_polled_while_the_check_runs(client, operator):
    batch = ImportBatch.objects.create(
        filename="big.xlsx",
        checksum="x",
        uploaded_by=operator,
        status="validating",
        progress_done=250,
        progress_total=1000,
    )
    client.force_login(operator)
    page = client.get(batch.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'value="25"' in page


def test_bad_upload_is_a_form_error(client, operator):
    client.force_login(operator)
    response = client.post(reverse("households:import_upload"), {"source_format": "slrt"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_template_is_a_spreadsheet(client, operator):
    client.force_login(operator)
    response = client.get(reverse("households:import_template"))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames


@pytest.mark.parametrize("persona", ["pendamping", "pimpinan", "perencana", "petugas_dinkes"])
def test_roles_without_import_rights_get_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("households:import_list")).status_code == 403
    assert client.get(reverse("households:import_upload")).status_code == 403


def test_a_batch_of_another_kelurahan_is_404_for_an_operator(
    client, operator, verifikator, bintara, django_capture_on_commit_callbacks
):
    elsewhere = [line.replace("Margahayu", "Bintara") for line in FAMILY_A]
    upload(client, verifikator, elsewhere, django_capture_on_commit_callbacks, kelurahan=bintara.pk)
    batch = ImportBatch.objects.get()
    client.force_login(operator)
    assert client.get(batch.get_absolute_url()).status_code == 404
    assert client.post(reverse("households:import_confirm", args=[batch.pk])).status_code == 404
    assert client.get(reverse("households:import_error_report", args=[batch.pk])).status_code == 404
    assert not client.get(reverse("households:import_list")).context["page"].object_list
    client.force_login(verifikator)
    assert client.get(batch.get_absolute_url()).status_code == 200


def test_the_preview_names_columns_as_the_file_does(
    client, operator, django_capture_on_commit_callbacks
):
    """The clerk reads "Tanggal Lahir", the template's header, not the key "birth_date"."""
    bad_date = FAMILY_A[1].replace("12/03/1988", "31/02/1988")
    upload(client, operator, [FAMILY_A[0], bad_date], django_capture_on_commit_callbacks)
    page = client.get(ImportBatch.objects.get().get_absolute_url()).content.decode()
    assert "<td>Tanggal Lahir</td>" in page
    assert "<td>birth_date</td>" not in page


def test_an_imported_familys_history_names_its_members_and_programs(
    client, operator, django_capture_on_commit_callbacks
):
    upload(client, operator, FAMILY_A, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("households:import_confirm", args=[batch.pk]))
    household = Household.objects.get()
    page = client.get(reverse("households:household_detail", args=[household.pk])).content.decode()
    assert "<td>anggota keluarga</td>" in page
    assert "Budi Santoso, Siti Aminah, Rizky Santoso" in page
    assert "<td>program</td><td>–</td><td>PKH</td>" in page
