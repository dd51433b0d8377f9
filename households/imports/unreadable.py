"""Why a file cannot be imported at all: UnreadableFile, with a message that says what to do.

The messages are made when raised, in the uploader's language, and keep their msgid and
parameters (slrt.messages), so the stored failure is shown again in its reader's language.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext_noop

from slrt.messages import translatable

# why -> (code, msgid). Two whys share the code "corrupt": a damaged workbook, an open quote.
_WHY = {
    "wrong_format": (
        "wrong_format",
        gettext_noop(
            "%(name)s is not an .xlsx workbook. Open it in Excel, choose Save As, pick "
            "“Excel Workbook (*.xlsx)” and upload that file."
        ),
    ),
    "too_big": (
        "too_big",
        gettext_noop(
            "%(name)s is %(size)s MB; files up to %(limit)s MB can be imported. Split it "
            "into smaller files (for example one per RW)."
        ),
    ),
    "not_spreadsheet": (
        "not_spreadsheet",
        gettext_noop(
            "%(name)s is not a spreadsheet. Upload the data as an Excel workbook (.xlsx or "
            ".xls), a LibreOffice Calc sheet (.ods) or a CSV file (.csv), for example the import "
            "template."
        ),
    ),
    "empty": (
        "empty",
        gettext_noop("%(name)s is empty. Fill in the template and upload it again."),
    ),
    "corrupt": (
        "corrupt",
        gettext_noop(
            "%(name)s is damaged and cannot be opened. Open it in Excel or LibreOffice, save "
            "it again as .xlsx and upload the new file."
        ),
    ),
    "corrupt_csv": (
        "corrupt",
        gettext_noop(
            '%(name)s cannot be read as CSV: a quote (") is probably opened and never closed, '
            "or a cell is far too long. Open it in Excel, check it and save it again."
        ),
    ),
    "too_many_rows": (
        "too_many_rows",
        gettext_noop(
            "The sheet has more than %(limit)s rows, the most that can be imported at once. "
            "Split the file; if the rows below your data are empty, delete them in Excel and "
            "save again."
        ),
    ),
    "encrypted": (
        "encrypted",
        gettext_noop(
            "%(name)s is protected with a password, so it cannot be read. Open it in Excel, "
            "remove the password (File › Info › Protect Workbook › Encrypt with Password, "
            "clear it), save and upload it again."
        ),
    ),
    "no_header": (
        "no_header",
        gettext_noop(
            "No header row was found in %(name)s. The first %(rows)s rows must include a row "
            "of column names with at least No KK and NIK (and, for example, Nama, Tanggal "
            "Lahir, Hubungan Keluarga). Use the import template, or rename your columns."
        ),
    ),
    "no_rows": ("no_rows", gettext_noop("%(name)s has a header row but no data rows under it.")),
    "sheet_too_large": (
        "sheet_too_large",
        gettext_noop(
            "%(name)s has cells far to the right of or far below the data (the sheet spans "
            "more cells than an import may hold). Copy only the data into a new sheet, or use "
            "the import template, and upload it again."
        ),
    ),
    "line_too_long": (
        "line_too_long",
        gettext_noop(
            "%(name)s has a line longer than %(limit)s KB, far longer than a row of data. Open "
            "it in Excel, check it and save it again."
        ),
    ),
}


class UnreadableFile(Exception):
    """The file cannot be imported at all; `message` says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def unreadable(why: str, **params: object) -> UnreadableFile:
    """The error for `why` (a key of _WHY); `name` is the file's name."""
    code, msgid = _WHY[why]
    return UnreadableFile(code, translatable(msgid) % params)


def too_many_rows(max_rows: int) -> UnreadableFile:
    return unreadable("too_many_rows", limit=f"{max_rows:,}".replace(",", "."))


def megabytes(size: int) -> str:
    value = size / 2**20
    if value >= 10 or value == int(value):
        return str(round(value))
    return number_format(value, decimal_pos=1)  # 1,4 in Indonesian


def upload_checksum(uploaded_file: UploadedFile, *, limit: int, too_big: str) -> str:
    """The SHA-256 of an upload of at most `limit` bytes, read back to its start for storing;
    a larger one is refused with `too_big` (a message taking %(size)s and %(limit)s, in MB).
    The ward files and the DTSEN extracts are received this one way."""
    if uploaded_file.size > limit:
        raise ValidationError(
            too_big,
            code="too_big",
            params={"size": megabytes(uploaded_file.size), "limit": megabytes(limit)},
        )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()
