"""Usulan (issue 22): the kelurahan's batch agreed at its musyawarah (with the minutes as a
PDF), the city's batch assembled from agreed kelurahan batches by the verifier and exported
for the national system, and each proposal's outcome, recorded by hand or read from the next
extract. Also the household page's national status and the dashboards' counts.

The workbook's column layout (docs: README.md, "Usulan workbook"), one sheet per kind,
"Usulan Baru", "Usulan Perbaikan", "Usulan Keluar", each with the header row

    NIK | No KK | Nama | Alamat | Kode Kelurahan | Kelurahan | Alasan | Tanggal Kunjungan

NIK and No KK are text cells (leading zeros kept); Kode Kelurahan is the Kemendagri code
(32.75.01.1001); Tanggal Kunjungan is the visit's date (YYYY-MM-DD); every cell goes out
through slrt.exports.safe_cell (no formula reaches the national system).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from households.audit import record_export
from households.models import Household
from households.scope import guard_write, scope_for
from national.desil import quarter_of
from national.hooks import usulan_changed
from national.models import (
    Extract,
    ExtractFamily,
    ExtractMember,
    KelurahanBatch,
    ReconciliationCase,
    Usulan,
    UsulanBatch,
    Visit,
)
from national.reconcile import latest_extract
from slrt.exports import safe_cell

MINUTES_MAX_BYTES = 10 * 2**20
PDF_MAGIC = b"%PDF-"
SHEETS = (
    (Usulan.Kind.BARU, "Usulan Baru"),
    (Usulan.Kind.PERBAIKAN, "Usulan Perbaikan"),
    (Usulan.Kind.KELUAR, "Usulan Keluar"),
)
COLUMNS = (
    "NIK",
    "No KK",
    "Nama",
    "Alamat",
    "Kode Kelurahan",
    "Kelurahan",
    "Alasan",
    "Tanggal Kunjungan",
)
Status = Usulan.Status


# --- reads ------------------------------------------------------------------------------------


def visible_kelurahan_batches(user: User) -> QuerySet[KelurahanBatch]:
    """A ward's batches to its facilitator and desk; all to the city-wide roles."""
    scope = scope_for(user)
    batches = KelurahanBatch.objects.select_related("kelurahan__parent", "usulan_batch")
    if not scope.personal_data or scope.agency_id is not None:
        return batches.none()
    if scope.city_wide:
        return batches
    return batches.filter(kelurahan_id__in=scope.kelurahan_ids)


def access_kelurahan_batch(user: User, pk: int) -> KelurahanBatch:
    return get_object_or_404(visible_kelurahan_batches(user), pk=pk)


def visible_usulan_batches(user: User) -> QuerySet[UsulanBatch]:
    """The city's batches: the verifier's (national.view_usulanbatch, city-wide)."""
    if not user.has_perm("national.view_usulanbatch") or not scope_for(user).city_wide:
        return UsulanBatch.objects.none()
    return UsulanBatch.objects.select_related("created_by")


def access_usulan_batch(user: User, pk: int) -> UsulanBatch:
    return get_object_or_404(visible_usulan_batches(user), pk=pk)


def visible_usulan(user: User) -> QuerySet[Usulan]:
    """Proposals where their kelurahan is in the user's scope."""
    scope = scope_for(user)
    rows = Usulan.objects.select_related("kelurahan", "kelurahan_batch")
    if not scope.personal_data or scope.agency_id is not None:
        return rows.none()
    if scope.city_wide:
        return rows
    return rows.filter(kelurahan_id__in=scope.kelurahan_ids)


def access_usulan(user: User, pk: int) -> Usulan:
    return get_object_or_404(visible_usulan(user), pk=pk)


def waiting_batches() -> QuerySet[KelurahanBatch]:
    """Agreed kelurahan batches not yet in a city batch."""
    return KelurahanBatch.objects.filter(
        status=KelurahanBatch.Status.AGREED, usulan_batch__isnull=True
    ).select_related("kelurahan__parent")


def with_counts(batches: QuerySet) -> QuerySet:
    """Each batch with its proposals per kind."""
    return batches.annotate(
        **{
            f"n_{kind}": Count("usulan", filter=Q(usulan__kind=kind)) for kind in Usulan.Kind.values
        },
        n_total=Count("usulan"),
    )


# --- the kelurahan's musyawarah -------------------------------------------------------------


def check_minutes(upload: UploadedFile) -> None:
    """The minutes are a PDF by their first bytes (not their name or the browser's word),
    not empty, at most MINUTES_MAX_BYTES."""
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="minutes_empty")
    if upload.size > MINUTES_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; at most %(limit)s MB is accepted."),
            code="minutes_too_large",
            params={"size": f"{upload.size / 2**20:.1f}", "limit": MINUTES_MAX_BYTES // 2**20},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            _("The minutes (berita acara) must be a PDF file."), code="minutes_not_pdf"
        )


@transaction.atomic
def agree_kelurahan_batch(
    *,
    batch: KelurahanBatch,
    meeting_on,
    attendees: str,
    minutes: UploadedFile,
    by: User,
) -> KelurahanBatch:
    """Record the musyawarah that agreed a draft batch: its date, who attended, the minutes
    (a PDF, check_minutes). The batch and its proposals are frozen from then on; later visits
    go to a new draft. Needs national.agree_kelurahanbatch and the batch's kelurahan in `by`'s
    write scope (404 otherwise)."""
    guard_write(by, batch.kelurahan_id)
    if not by.has_perm("national.agree_kelurahanbatch"):
        raise PermissionDenied
    if meeting_on > timezone.localdate():
        raise ValidationError(_("The meeting's date cannot be in the future."), code="future")
    attendees = attendees.strip()
    if not attendees:
        raise ValidationError(_("Name who attended the musyawarah."), code="attendees")
    check_minutes(minutes)
    if not batch.usulan.exists():
        raise ValidationError(_("This batch has no proposals to agree."), code="empty")
    agreed = KelurahanBatch.objects.filter(pk=batch.pk, status=KelurahanBatch.Status.DRAFT).update(
        status=KelurahanBatch.Status.AGREED,
        meeting_on=meeting_on,
        attendees=attendees[:4000],
        agreed_by=by,
        agreed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not agreed:
        raise ValidationError(_("This batch was agreed by someone else."), code="stale")
    batch.refresh_from_db()
    batch.minutes_name = minutes.name[:200]
    batch.minutes.save(f"berita-acara-{batch.pk}.pdf", minutes, save=False)
    batch.save(update_fields=["minutes", "minutes_name", "updated_at"])
    batch.usulan.filter(status=Status.DRAFT).update(status=Status.AGREED)
    return batch


# --- the city's batch -------------------------------------------------------------------------


@transaction.atomic
def assemble_usulan_batch(*, by: User) -> UsulanBatch:
    """The city's batch: every agreed kelurahan batch not yet sent, sent today (its proposals
    become *dikirim*). Needs national.add_usulanbatch and a city-wide write scope."""
    if not by.has_perm("national.add_usulanbatch"):
        raise PermissionDenied
    waiting = list(waiting_batches().select_for_update().values_list("pk", "kelurahan_id"))
    guard_write(by, *(kelurahan for _pk, kelurahan in waiting))
    if not waiting:
        raise ValidationError(
            _("No kelurahan batch has been agreed since the last city batch."), code="nothing"
        )
    today = timezone.localdate()
    batch = UsulanBatch.objects.create(quarter=quarter_of(today), sent_on=today, created_by=by)
    ids = [pk for pk, _kelurahan in waiting]
    KelurahanBatch.objects.filter(pk__in=ids, usulan_batch__isnull=True).update(
        usulan_batch=batch, updated_at=timezone.now()
    )
    Usulan.objects.filter(kelurahan_batch_id__in=ids, status=Status.AGREED).update(
        status=Status.SENT, updated_at=timezone.now()
    )
    usulan_changed(batch.pk)
    return batch


def batch_usulan(batch: UsulanBatch) -> QuerySet[Usulan]:
    return Usulan.objects.filter(kelurahan_batch__usulan_batch=batch).select_related("kelurahan")


def usulan_workbook(*, batch: UsulanBatch, by: User) -> bytes:
    """The city's batch as the national system takes it (the layout in this module's
    docstring), recorded as an export (households.audit.record_export) before it is built."""
    from openpyxl import Workbook

    rows = batch_usulan(batch).order_by("kind", "kelurahan__code", "pk")
    record_export(
        by=by,
        export="usulan",
        file_format="xlsx",
        filters={"batch": str(batch.pk)},
        row_count=rows.count(),
        households=Household.objects.filter(pk__in=rows.values("household_id")),
    )
    workbook = Workbook()
    workbook.remove(workbook.active)
    by_kind: dict[str, list[Usulan]] = {kind: [] for kind, _title in SHEETS}
    for usulan in rows:
        by_kind[usulan.kind].append(usulan)
    for kind, title in SHEETS:
        sheet = workbook.create_sheet(title)
        sheet.append([safe_cell(column) for column in COLUMNS])
        for usulan in by_kind[kind]:
            sheet.append(
                [
                    safe_cell(value)
                    for value in (
                        usulan.nik,
                        usulan.kk_number,
                        usulan.name,
                        usulan.address,
                        usulan.kelurahan.code,
                        usulan.kelurahan.name,
                        usulan.reason,
                        usulan.visited_on,
                    )
                ]
            )
        for row in sheet.iter_rows(min_row=2, max_col=2):
            for cell in row:
                cell.number_format = "@"
        for row in sheet.iter_rows(min_row=2, min_col=8, max_col=8):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def decide_usulan(*, usulan: Usulan, status: str, reason: str, by: User) -> Usulan:
    """The national system's answer to a sent proposal, by hand: *diterima*, or *ditolak*
    with its reason. Needs national.decide_usulan and the proposal's kelurahan in `by`'s
    write scope (404 otherwise)."""
    guard_write(by, usulan.kelurahan_id)
    if not by.has_perm("national.decide_usulan"):
        raise PermissionDenied
    if status not in (Status.ACCEPTED, Status.REJECTED):
        raise ValidationError(_("Choose accepted or rejected."), code="status")
    reason = reason.strip()
    if status == Status.REJECTED and not reason:
        raise ValidationError(_("Say why the proposal was rejected."), code="reason_required")
    decided = Usulan.objects.filter(pk=usulan.pk, status=Status.SENT).update(
        status=status,
        rejection_reason=reason[:255] if status == Status.REJECTED else "",
        decided_by=by,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not decided:
        raise ValidationError(
            _("Only a sent proposal can be accepted or rejected; this one is %(status)s."),
            code="stale",
            params={"status": Usulan.objects.get(pk=usulan.pk).get_status_display()},
        )
    usulan.refresh_from_db()
    usulan_changed(usulan.kelurahan_batch.usulan_batch_id or 0)
    return usulan


@dataclass(frozen=True)
class Marked:
    accepted: int


@transaction.atomic
def mark_from_extract(extract_id: int) -> Marked:
    """Read the outcome of sent proposals from an extract dated on or after their batch was
    sent: a new or corrected family now in DTSEN (one of its NIK or its KK) at an aid desil
    (1 to NATIONAL_AID_MAX_DESIL) was accepted; an exit whose family is gone (neither its NIK
    nor its KK) was accepted. The rest stay *dikirim* for the verifier to record by hand.
    Runs after each extract's reconciliation (national.hooks)."""
    extract = Extract.objects.filter(pk=extract_id, status=Extract.Status.COMPLETE).first()
    if extract is None:
        return Marked(0)
    sent = Usulan.objects.filter(
        status=Status.SENT, kelurahan_batch__usulan_batch__sent_on__lte=extract.as_of
    )
    members = ExtractMember.objects.filter(extract=extract)
    families = ExtractFamily.objects.filter(extract=extract)
    aid = families.filter(desil__lte=settings.NATIONAL_AID_MAX_DESIL)
    listed = Q(nik__in=members.values("nik")) | Q(kk_number__in=families.values("kk_number"))
    in_aid = Q(kk_number__in=aid.values("kk_number")) | Q(
        nik__in=members.filter(kk_number__in=aid.values("kk_number")).values("nik")
    )
    accepted = sent.filter(kind__in=[Usulan.Kind.BARU, Usulan.Kind.PERBAIKAN]).filter(in_aid)
    gone = sent.filter(kind=Usulan.Kind.KELUAR).exclude(listed)
    ids = [*accepted.values_list("pk", flat=True), *gone.values_list("pk", flat=True)]
    count = Usulan.objects.filter(pk__in=ids, status=Status.SENT).update(
        status=Status.ACCEPTED,
        decided_by_extract=extract,
        decided_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return Marked(count)


# --- the household page and the dashboards ----------------------------------------------------


@dataclass(frozen=True)
class NationalStatus:
    family: ExtractFamily | None
    extract: Extract | None
    case: ReconciliationCase | None
    usulan: list[Usulan]
    visit: Visit | None = None  # a verification visit still to do (its case is closed)


def national_status(household_id: int) -> NationalStatus:
    """A family's national status for its page: its desil in the latest extract and that
    extract's quarter, its open case or the visit still to do that took it over, its
    proposals (newest first). Four queries."""
    extract = latest_extract()
    family = case = None
    if extract is not None:
        family = ExtractFamily.objects.filter(extract=extract, household_id=household_id).first()
        case = (
            ReconciliationCase.objects.open()
            .filter(extract=extract, household_id=household_id)
            .first()
        )
    usulan = list(
        Usulan.objects.filter(household_id=household_id)
        .select_related("kelurahan_batch__usulan_batch")
        .order_by("-pk")
    )
    visit = (
        Visit.objects.filter(household_id=household_id, result="")
        .select_related("assigned_to")
        .order_by("due_on", "pk")
        .first()
    )
    return NationalStatus(family, extract, case, usulan, visit)


USULAN_CODES = ("usulan_sent", "usulan_accepted", "usulan_rejected")


def usulan_counts(kelurahan_ids, quarter: str | None = None) -> dict[int, dict[str, int]]:
    """Per kelurahan, aggregates only (the dashboards, issue 22): proposals sent to the
    national system (all that left the city, whatever their answer since), accepted and
    rejected, of the city batches of `quarter` (every quarter when None). One query."""
    counts = {pk: dict.fromkeys(USULAN_CODES, 0) for pk in kelurahan_ids}
    rows = Usulan.objects.filter(
        kelurahan_id__in=list(counts), kelurahan_batch__usulan_batch__isnull=False
    )
    if quarter:
        rows = rows.filter(kelurahan_batch__usulan_batch__quarter=quarter)
    grouped = (
        rows.values("kelurahan_id")
        .annotate(
            sent=Count("pk"),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        )
        .order_by()
    )
    for row in grouped:
        counts[row["kelurahan_id"]] = {
            "usulan_sent": row["sent"],
            "usulan_accepted": row["accepted"],
            "usulan_rejected": row["rejected"],
        }
    return counts


def usulan_quarters() -> list[str]:
    return list(
        UsulanBatch.objects.order_by("-quarter").values_list("quarter", flat=True).distinct()
    )


def usulan_counts_per_quarter(kelurahan_ids) -> dict[str, dict[int, dict[str, int]]]:
    """usulan_counts for every quarter a city batch was sent in, newest first. One query."""
    rows = (
        Usulan.objects.filter(
            kelurahan_id__in=list(kelurahan_ids), kelurahan_batch__usulan_batch__isnull=False
        )
        .values("kelurahan_id", quarter=F("kelurahan_batch__usulan_batch__quarter"))
        .annotate(
            sent=Count("pk"),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        )
        .order_by("-quarter")
    )
    quarters: dict[str, dict[int, dict[str, int]]] = {}
    for row in rows:
        quarters.setdefault(row["quarter"], {})[row["kelurahan_id"]] = {
            "usulan_sent": row["sent"],
            "usulan_accepted": row["accepted"],
            "usulan_rejected": row["rejected"],
        }
    return quarters
