"""Visits and usulan (issue 22, second half): a case becomes a visit of the kelurahan's
facilitator, its result a proposal in the kelurahan's batch, agreed at the musyawarah with
its minutes, sent in the city's batch as a workbook and answered by the next extract."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from households.models import ExportRecord, Member
from national.models import KelurahanBatch, ReconciliationCase, Usulan, Visit
from national.services import import_extract
from national.usulan import (
    COLUMNS,
    MINUTES_MAX_BYTES,
    agree_kelurahan_batch,
    assemble_usulan_batch,
    decide_usulan,
    mark_from_extract,
    usulan_counts,
    usulan_workbook,
)
from national.visits import complete_visit, schedule_visit, usulan_kind
from tests.households.factories import household_with_members
from tests.national.builders import family_rows, write_extract

pytestmark = pytest.mark.django_db

Kind = ReconciliationCase.Kind
Action = ReconciliationCase.Action
Result = Visit.Result
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
TODAY = timezone.localdate


def _pdf(content: bytes = PDF, name: str = "berita-acara.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(tmp_path, margahayu, bintara, data_steward, pendamping):
    """A Margahayu family poor and absent from DTSEN, one in Bintara likewise, and a
    Margahayu family in DTSEN at desil 2 (the extract of the quarter before today)."""
    poor = household_with_members(margahayu, welfare_decile=2)
    other = household_with_members(bintara, welfare_decile=2)
    listed = household_with_members(margahayu, welfare_decile=3)
    path = write_extract(tmp_path / "q1.csv", family_rows(listed, desil=2))
    extract = import_extract(
        path=path, filename="q1.csv", as_of=TODAY() - datetime.timedelta(days=1), by=data_steward
    ).extract
    cases = ReconciliationCase.objects.filter(extract=extract)
    return {
        "poor": poor,
        "other": other,
        "listed": listed,
        "case": cases.get(household=poor, kind=Kind.UNREGISTERED),
        "other_case": cases.get(household=other, kind=Kind.UNREGISTERED),
    }


def _visited(case, by, result=Result.LAYAK, notes="Rumah semi permanen, penghasilan harian"):
    visit = schedule_visit(case=case, by=by)
    return complete_visit(visit=visit, result=result, visited_on=TODAY(), notes=notes, by=by)


def _agreed(batch, by):
    return agree_kelurahan_batch(
        batch=batch,
        meeting_on=TODAY(),
        attendees="Lurah Margahayu\nKetua RW 05\nTKSK",
        minutes=_pdf(),
        by=by,
    )


@pytest.mark.parametrize(
    ("action", "in_dtsen", "result", "kind"),
    [
        (Action.PROPOSE_NEW, False, Result.LAYAK, Usulan.Kind.BARU),
        (Action.PROPOSE_NEW, False, Result.TIDAK_LAYAK, None),
        (Action.PROPOSE_NEW, False, Result.TIDAK_DITEMUKAN, None),
        (Action.PROPOSE_CORRECTION, True, Result.LAYAK, Usulan.Kind.PERBAIKAN),
        (Action.PROPOSE_CORRECTION, True, Result.TIDAK_LAYAK, None),
        (Action.PROPOSE_EXIT, True, Result.TIDAK_LAYAK, Usulan.Kind.KELUAR),
        (Action.PROPOSE_EXIT, True, Result.LAYAK, None),
        (Action.VISIT, True, Result.MENINGGAL, Usulan.Kind.KELUAR),
        (Action.VISIT, True, Result.PINDAH, Usulan.Kind.KELUAR),
        (Action.VISIT, True, Result.TIDAK_DITEMUKAN, None),
        (Action.VISIT, True, Result.LAYAK, None),
    ],
)
def test_what_a_visit_result_proposes(action, in_dtsen, result, kind):
    case = ReconciliationCase(action=action, family_id=1 if in_dtsen else None)
    assert usulan_kind(case, result) == kind


def test_a_case_becomes_a_visit_of_the_kelurahans_facilitator(world, operator, pendamping):
    visit = schedule_visit(case=world["case"], by=operator)
    assert visit.assigned_to == pendamping
    assert visit.due_on > TODAY()
    world["case"].refresh_from_db()
    assert world["case"].status == ReconciliationCase.Status.CLOSED  # off the queue
    with pytest.raises(ValidationError) as excinfo:
        schedule_visit(case=world["case"], by=operator)
    assert excinfo.value.code == "stale"


def test_a_facilitator_cannot_schedule_or_do_a_visit_outside_their_kelurahan(
    world, pendamping, verifikator
):
    with pytest.raises(Http404):
        schedule_visit(case=world["other_case"], by=pendamping)
    visit = schedule_visit(case=world["other_case"], by=verifikator)
    with pytest.raises(Http404):
        complete_visit(
            visit=visit, result=Result.LAYAK, visited_on=TODAY(), notes="", by=pendamping
        )


def test_agency_staff_cannot_do_visits(world, petugas_dinkes, pendamping):
    visit = schedule_visit(case=world["case"], by=pendamping)
    with pytest.raises((Http404, PermissionDenied)):
        complete_visit(
            visit=visit, result=Result.LAYAK, visited_on=TODAY(), notes="", by=petugas_dinkes
        )


def test_a_layak_visit_proposes_the_family_in_the_kelurahans_draft(world, pendamping):
    visit = _visited(world["case"], pendamping)
    usulan = Usulan.objects.get(visit=visit)
    head = world["poor"].members.get(relationship=Member.Relationship.HEAD)
    assert usulan.kind == Usulan.Kind.BARU
    assert (usulan.nik, usulan.kk_number, usulan.name) == (
        head.nik,
        world["poor"].kk_number,
        head.name,
    )
    assert usulan.kelurahan_batch.status == KelurahanBatch.Status.DRAFT
    assert usulan.visited_on == TODAY()
    with pytest.raises(ValidationError) as excinfo:  # recorded once
        complete_visit(
            visit=visit, result=Result.PINDAH, visited_on=TODAY(), notes="", by=pendamping
        )
    assert excinfo.value.code == "stale"


def test_a_visit_in_the_future_is_refused(world, pendamping):
    visit = schedule_visit(case=world["case"], by=pendamping)
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        complete_visit(
            visit=visit, result=Result.LAYAK, visited_on=tomorrow, notes="", by=pendamping
        )
    assert excinfo.value.code == "future"


def test_the_desk_agrees_the_batch_and_it_is_frozen(world, pendamping, operator):
    visit = _visited(world["case"], pendamping)
    batch = visit.usulan.kelurahan_batch
    _agreed(batch, operator)
    batch.refresh_from_db()
    assert batch.status == KelurahanBatch.Status.AGREED
    assert batch.minutes.read().startswith(b"%PDF-")
    assert visit.usulan.__class__.objects.get(pk=visit.usulan.pk).status == Usulan.Status.AGREED
    with pytest.raises(ValidationError) as excinfo:
        _agreed(batch, operator)
    assert excinfo.value.code == "stale"


def test_the_facilitator_may_not_agree_the_batch(world, pendamping):
    batch = _visited(world["case"], pendamping).usulan.kelurahan_batch
    with pytest.raises(PermissionDenied):
        _agreed(batch, pendamping)


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"MZ\x90\x00 an executable renamed", "berita-acara.pdf", "minutes_not_pdf"),
        (b"<html><script>alert(1)</script>", "berita-acara.pdf", "minutes_not_pdf"),
        (b"PK\x03\x04 a zip", "berita-acara.pdf", "minutes_not_pdf"),
        (b"", "berita-acara.pdf", "minutes_empty"),
        (b"%PDF-" + b"0" * MINUTES_MAX_BYTES, "besar.pdf", "minutes_too_large"),
    ],
)
def test_hostile_minutes_are_refused(world, pendamping, operator, content, name, code):
    batch = _visited(world["case"], pendamping).usulan.kelurahan_batch
    with pytest.raises(ValidationError) as excinfo:
        agree_kelurahan_batch(
            batch=batch, meeting_on=TODAY(), attendees="Lurah", minutes=_pdf(content, name),
            by=operator,
        )  # fmt: skip
    assert excinfo.value.code == code
    batch.refresh_from_db()
    assert batch.status == KelurahanBatch.Status.DRAFT


def test_the_verifier_assembles_and_exports_the_citys_workbook(
    world, pendamping, operator, verifikator
):
    visit = _visited(world["case"], pendamping, notes='=HYPERLINK("http://x")')
    _agreed(visit.usulan.kelurahan_batch, operator)
    batch = assemble_usulan_batch(by=verifikator)
    assert Usulan.objects.get(visit=visit).status == Usulan.Status.SENT
    workbook = load_workbook(io.BytesIO(usulan_workbook(batch=batch, by=verifikator)))
    assert workbook.sheetnames == ["Usulan Baru", "Usulan Perbaikan", "Usulan Keluar"]
    for sheet in workbook:
        assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    rows = list(workbook["Usulan Baru"].iter_rows(min_row=2, values_only=True))
    usulan = visit.usulan
    assert len(rows) == 1
    nik, kk, name, address, code, kelurahan, reason, visited = rows[0]
    assert (nik, kk, name, code) == (
        usulan.nik,
        usulan.kk_number,
        usulan.name,
        world["poor"].kelurahan.code,
    )
    assert reason.startswith("'") or not reason.startswith("=")  # no formula
    assert "=HYPERLINK" in reason
    assert visited.date() == TODAY()
    assert ExportRecord.objects.filter(user=verifikator, export="usulan", row_count=1).exists()
    with pytest.raises(ValidationError) as excinfo:  # nothing left to send
        assemble_usulan_batch(by=verifikator)
    assert excinfo.value.code == "nothing"


def test_only_the_verifier_assembles(world, operator):
    with pytest.raises(PermissionDenied):
        assemble_usulan_batch(by=operator)


def test_the_next_extract_accepts_a_new_family_now_listed(
    tmp_path, world, pendamping, operator, verifikator, data_steward,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    visit = _visited(world["case"], pendamping)
    _agreed(visit.usulan.kelurahan_batch, operator)
    assemble_usulan_batch(by=verifikator)
    rows = family_rows(world["listed"], desil=2) + family_rows(world["poor"], desil=1)
    path = write_extract(tmp_path / "q2.csv", rows)
    with django_capture_on_commit_callbacks(execute=True):
        extract = import_extract(path=path, filename="q2.csv", as_of=TODAY(), by=data_steward)
    usulan = Usulan.objects.get(visit=visit)
    assert usulan.status == Usulan.Status.ACCEPTED
    assert usulan.decided_by_extract == extract.extract
    counts = usulan_counts([world["poor"].kelurahan_id])[world["poor"].kelurahan_id]
    assert counts == {"usulan_sent": 1, "usulan_accepted": 1, "usulan_rejected": 0}


def test_the_next_extract_accepts_an_exit_that_is_gone(
    tmp_path, world, pendamping, operator, verifikator, data_steward
):
    case = ReconciliationCase.objects.create(
        extract=world["case"].extract,
        kind=Kind.NATIONAL_ONLY,
        action=Action.VISIT,
        kelurahan=world["listed"].kelurahan,
        family=world["case"].extract.family_rows.get(),
        desil=2,
    )
    visit = _visited(case, pendamping, result=Result.MENINGGAL, notes="")
    assert visit.usulan.kind == Usulan.Kind.KELUAR
    _agreed(visit.usulan.kelurahan_batch, operator)
    assemble_usulan_batch(by=verifikator)
    unrelated = household_with_members(world["poor"].kelurahan, welfare_decile=5)
    path = write_extract(tmp_path / "q2.csv", family_rows(unrelated, desil=6))
    extract = import_extract(path=path, filename="q2.csv", as_of=TODAY(), by=data_steward)
    mark_from_extract(extract.extract.pk)
    assert Usulan.objects.get(visit=visit).status == Usulan.Status.ACCEPTED


def test_a_sent_proposal_still_absent_stays_sent_and_is_rejected_by_hand(
    tmp_path, world, pendamping, operator, verifikator, data_steward
):
    visit = _visited(world["case"], pendamping)
    _agreed(visit.usulan.kelurahan_batch, operator)
    assemble_usulan_batch(by=verifikator)
    path = write_extract(tmp_path / "q2.csv", family_rows(world["listed"], desil=2))
    extract = import_extract(path=path, filename="q2.csv", as_of=TODAY(), by=data_steward)
    mark_from_extract(extract.extract.pk)
    usulan = Usulan.objects.get(visit=visit)
    assert usulan.status == Usulan.Status.SENT
    with pytest.raises(ValidationError) as excinfo:
        decide_usulan(usulan=usulan, status=Usulan.Status.REJECTED, reason=" ", by=verifikator)
    assert excinfo.value.code == "reason_required"
    decide_usulan(
        usulan=usulan, status=Usulan.Status.REJECTED, reason="NIK tidak padan", by=verifikator
    )
    usulan.refresh_from_db()
    assert (usulan.status, usulan.rejection_reason) == (Usulan.Status.REJECTED, "NIK tidak padan")
    with pytest.raises(ValidationError) as excinfo:
        decide_usulan(usulan=usulan, status=Usulan.Status.ACCEPTED, reason="", by=verifikator)
    assert excinfo.value.code == "stale"


# --- pages ------------------------------------------------------------------------------------


def test_the_facilitator_completes_a_visit_on_its_page(client, world, pendamping):
    client.force_login(pendamping)
    response = client.post(reverse("national:visit_schedule", args=[world["case"].pk]), secure=True)
    visit = Visit.objects.get(case=world["case"])
    assert response.url == reverse("national:visit_detail", args=[visit.pk])
    listed = client.get(reverse("national:visit_list"), secure=True)
    assert world["poor"].head_name in listed.content.decode()
    response = client.post(
        reverse("national:visit_detail", args=[visit.pk]),
        {"result": "layak", "visited_on": TODAY().isoformat(), "notes": "Layak"},
        secure=True,
    )
    assert response.status_code == 302
    assert Usulan.objects.filter(visit=visit, kind=Usulan.Kind.BARU).exists()


def test_the_visit_form_says_what_each_result_proposes(client, world, pendamping):
    visit = schedule_visit(case=world["case"], by=pendamping)  # not registered nationally
    client.force_login(pendamping)
    page = client.get(reverse("national:visit_detail", args=[visit.pk]), secure=True)
    labels = dict(page.context["form"].fields["result"].choices)
    assert str(Usulan.Kind.BARU.label) in labels[Result.LAYAK]
    assert not any(str(kind.label) in labels[Result.TIDAK_LAYAK] for kind in Usulan.Kind)


def test_a_visit_outside_the_kelurahan_is_404(client, world, pendamping, verifikator):
    visit = schedule_visit(case=world["other_case"], by=verifikator)
    client.force_login(pendamping)
    assert (
        client.get(reverse("national:visit_detail", args=[visit.pk]), secure=True).status_code
        == 404
    )
    assert (
        world["other"].head_name
        not in client.get(reverse("national:visit_list"), secure=True).content.decode()
    )


def test_a_future_visit_date_is_a_form_error_not_a_500(client, world, pendamping):
    visit = schedule_visit(case=world["case"], by=pendamping)
    client.force_login(pendamping)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("national:visit_detail", args=[visit.pk]),
        {"result": "layak", "visited_on": tomorrow},
        secure=True,
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_desk_agrees_on_the_page_and_a_text_file_is_refused(
    client, world, pendamping, operator
):
    batch = _visited(world["case"], pendamping).usulan.kelurahan_batch
    client.force_login(operator)
    url = reverse("national:kelurahan_batch_detail", args=[batch.pk])
    body = {"meeting_on": TODAY().isoformat(), "attendees": "Lurah"}
    response = client.post(url, {**body, "minutes": _pdf(b"not a pdf")}, secure=True)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    response = client.post(url, {**body, "minutes": _pdf()}, secure=True)
    assert response.status_code == 302
    minutes = client.get(reverse("national:kelurahan_batch_minutes", args=[batch.pk]), secure=True)
    assert b"".join(minutes.streaming_content).startswith(b"%PDF-")


def test_the_verifier_downloads_the_workbook(client, world, pendamping, operator, verifikator):
    _agreed(_visited(world["case"], pendamping).usulan.kelurahan_batch, operator)
    client.force_login(verifikator)
    response = client.post(reverse("national:usulan_batch_list"), secure=True)
    batch_url = response.url
    assert client.get(batch_url, secure=True).status_code == 200
    batch = Usulan.objects.get().kelurahan_batch.usulan_batch
    response = client.get(reverse("national:usulan_batch_export", args=[batch.pk]), secure=True)
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Usulan Baru"].max_row == 2


def test_the_household_page_shows_its_national_status(client, world, pendamping):
    _visited(world["case"], pendamping)
    client.force_login(pendamping)
    page = client.get(
        reverse("households:household_detail", args=[world["listed"].pk]), secure=True
    )
    assert reverse("national:household_status", args=[world["listed"].pk]) in page.content.decode()
    listed = client.get(
        reverse("national:household_status", args=[world["listed"].pk]), secure=True
    )
    assert "Desil 2" in listed.content.decode() or "desil 2" in listed.content.decode().lower()
    poor = client.get(reverse("national:household_status", args=[world["poor"].pk]), secure=True)
    assert poor.context["status"].usulan[0].kind == Usulan.Kind.BARU
    other = client.get(reverse("national:household_status", args=[world["other"].pk]), secure=True)
    assert other.status_code == 404


def test_the_household_page_shows_a_visit_still_to_do(client, world, pendamping, operator):
    visit = schedule_visit(case=world["case"], by=operator)  # the case leaves the queue
    client.force_login(pendamping)
    url = reverse("national:household_status", args=[world["poor"].pk])
    page = client.get(url, secure=True)
    assert page.context["status"].case is None
    assert page.context["status"].visit == visit
    assert reverse("national:visit_detail", args=[visit.pk]) in page.content.decode()
    complete_visit(visit=visit, result=Result.LAYAK, visited_on=TODAY(), notes="", by=pendamping)
    assert client.get(url, secure=True).context["status"].visit is None


# --- dashboards -------------------------------------------------------------------------------


def test_the_dashboards_count_usulan_per_quarter_and_the_api_serves_them(
    client,
    world,
    pendamping,
    operator,
    verifikator,
    pimpinan,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.DASHBOARD_MIN_CELL = 5
    with django_capture_on_commit_callbacks(execute=True):
        _agreed(_visited(world["case"], pendamping).usulan.kelurahan_batch, operator)
        batch = assemble_usulan_batch(by=verifikator)
    client.force_login(pimpinan)
    page = client.get(reverse("dashboards:usulan"), secure=True)
    quarters = page.context["quarters"]
    assert [q.quarter for q in quarters] == [batch.quarter]
    kecamatan = {area.code: area for area in quarters[0].rows}[world["poor"].kelurahan.parent.code]
    # one proposal: its kelurahan's cell is below the smallest shown to the mayor's office
    # (suppressed); the kecamatan's total is what the page shows
    kelurahan = {area.code: area for area in kecamatan.children}[world["poor"].kelurahan.code]
    assert kelurahan.cells["usulan_sent"].value is None
    assert kecamatan.cells["usulan_sent"].value == 1
    client.force_login(verifikator)
    page = client.get(reverse("dashboards:usulan"), secure=True)
    assert page.context["quarters"][0].rows[-1].cells["usulan_sent"].value == 1
    assert page.context["quarters"][0].rows[-1].cells["usulan_accepted"].value == 0
    response = client.get("/api/v1/indicators/", {"level": "kelurahan"})
    rows = {row["code"]: row for row in response.json()}
    indicators = rows[world["poor"].kelurahan.code]["indicators"]
    assert indicators["usulan_sent"]["value"] == 1
    assert indicators["usulan_accepted"]["value"] == 0
