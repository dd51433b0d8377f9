"""Ward files for the import tests: two Margahayu families, and the steps a clerk takes.

Shared by the import, eligibility, operations, security and browser tests (a module of
helpers, not a test module: test modules never import each other).
"""

import io
import zipfile
from pathlib import Path

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


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'office:version="1.2"'
)


def ods_cell(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<table:table-cell office:value-type="string"><text:p>{escaped}</text:p>'
        "</table:table-cell>"
    )


def ods_bytes(
    lines: list[str], *, header: str = HEADER, after: str = "", tables: str = ""
) -> bytes:
    """A LibreOffice Calc file (.ods) as LibreOffice saves one: a title row, the header and
    the rows as text cells, the rest of the sheet as repeated empty rows and cells. `after`
    is raw XML put after the rows, `tables` more tables after the first."""
    rows = [
        f"<table:table-row>{ods_cell('Data Keluarga RW 12')}"
        '<table:table-cell table:number-columns-repeated="1023"/></table:table-row>'
    ]
    for line in [header, *lines]:
        cells = "".join(ods_cell(cell) for cell in line.split(";"))
        rows.append(
            f'<table:table-row>{cells}<table:table-cell table:number-columns-repeated="1012"/>'
            "</table:table-row>"
        )
    rows.append(
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES}>'
        '<office:body><office:spreadsheet><table:table table:name="RW 12">'
        '<table:table-column table:number-columns-repeated="1024"/>'
        f"{''.join(rows)}{after}</table:table>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


XLS_FIXTURE = Path(__file__).with_name("fixtures") / "rw12.xls"  # family A, made by make_xls.py
