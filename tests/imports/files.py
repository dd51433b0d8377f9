"""Ward files for the import tests: two Margahayu families, and the steps a clerk takes.

Shared by the import, eligibility, operations, security and browser tests (a module of
helpers, not a test module: test modules never import each other).
"""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from households.imports.services import confirm_import_batch, upload_import_batch
from households.models import ChangeRecord, Household, ImportBatch, Member

HEADER = "No KK;NIK;Nama Lengkap;JK;Tgl Lahir;Hubungan;Alamat;RT;RW;Kelurahan;Jumlah Mobil;PKH"
KK_A, KK_B = "3275010502100007", "3275011203110008"
MAWAR = "Gg. Mawar 7;3;12;Margahayu;0;Ya"  # address, RT, RW, kelurahan, cars, PKH
MELATI = "Jl. Melati 2;1;5;Margahayu;1;Tidak"
FAMILY_A = [
    f"{KK_A};3275011708850001;Budi Santoso;L;17-08-1985;Kepala Keluarga;{MAWAR}",
    f"{KK_A};3275015203880002;Siti Aminah;P;12/03/1988;Istri;{MAWAR}",
    f"{KK_A};3275010105150003;Rizky Santoso;L;2015-05-01;Anak;{MAWAR}",
]
FAMILY_B = [
    f"{KK_B};3275012006700004;Joko Susilo;L;20 Juni 1970;Kepala Keluarga;{MELATI}",
    f"{KK_B};3275016007720005;Sri Wahyuni;P;20-07-1972;Istri;{MELATI}",
]


def csv_file(lines: list[str], name: str = "rw12.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))


def import_file(upload, by, django_capture_on_commit_callbacks, *, commit=True, moves=False):
    """Upload, let the (eager) check run, and optionally confirm and commit."""
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload_import_batch(uploaded_file=upload, by=by)
    batch.refresh_from_db()
    if commit and batch.status == ImportBatch.Status.VALIDATED:
        with django_capture_on_commit_callbacks(execute=True):
            confirm_import_batch(batch=batch, by=by, confirm_moves=moves)
        batch.refresh_from_db()
    return batch


def xlsx_bytes(lines: list[str]) -> bytes:
    workbook = openpyxl.Workbook()
    for line in [HEADER, *lines]:
        workbook.active.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_XLSX = xlsx_bytes(FAMILY_A)


def registry() -> tuple:
    return (
        Household.objects.count(),
        Member.objects.count(),
        ChangeRecord.objects.count(),
        list(Household.objects.values_list("pk", "version").order_by("pk")),
    )


def upload(content: bytes, name: str, by, django_capture_on_commit_callbacks) -> ImportBatch:
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):
        batch = upload_import_batch(uploaded_file=SimpleUploadedFile(name, content), by=by)
    batch.refresh_from_db()
    return batch


def assert_failed_with_one_message(batch: ImportBatch, name: str, says: str) -> None:
    assert batch.status == ImportBatch.Status.FAILED
    assert says in batch.error_message
    assert name in batch.error_message
    assert not batch.issues.exists()  # the one message, not a row-by-row report
    assert not batch.counts
