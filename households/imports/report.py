"""The error report: the file's own rows that need fixing, with what to fix beside them."""

from collections import defaultdict

from django.utils.translation import gettext as _

from households.imports.readers import read_sheet
from households.models import ImportBatch
from slrt.exports import write_xlsx
from slrt.messages import render_json


def error_report_xlsx(batch: ImportBatch) -> bytes:
    """Every row with an error or a warning, as it was in the file, plus the row number the
    clerk sees in Excel and a Kesalahan (and Peringatan) column saying what to fix."""
    sheet = read_sheet(batch.file.path, filename=batch.filename)
    errors: dict[int | None, list[str]] = defaultdict(list)
    warnings: dict[int | None, list[str]] = defaultdict(list)
    for row_number, severity, message, source in batch.issues.values_list(
        "row_number", "severity", "message", "message_source"
    ):
        shown = render_json(source, message)  # in the language of whoever downloads it
        (errors if severity == "error" else warnings)[row_number].append(shown)
    headers = [_("Row"), *sheet.headers, _("Errors"), _("Warnings")]
    rows = []
    if errors.get(None) or warnings.get(None):  # about the whole file
        blank = [""] * len(sheet.headers)
        rows.append(["", *blank, "\n".join(errors[None]), "\n".join(warnings[None])])
    for row in sheet.rows:
        if row.number in errors or row.number in warnings:
            cells = list(row.raw) + [""] * (len(sheet.headers) - len(row.raw))
            rows.append(
                [row.number, *cells, "\n".join(errors[row.number]), "\n".join(warnings[row.number])]
            )
    return write_xlsx(headers, rows, sheet_title=_("Errors"))
