"""The extract's error report: its rows that were left out, as they were in the file, with
the row number the clerk sees and what is wrong (as households.imports.report does for a
ward file, with the same reader and the same export writer)."""

from collections import defaultdict

from django.conf import settings
from django.utils.translation import gettext as _

from households.imports.readers import read_sheet
from national.models import Extract
from slrt.exports import write_xlsx
from slrt.messages import render_json


def extract_error_report_xlsx(extract: Extract) -> bytes:
    sheet = read_sheet(
        extract.file.path,
        filename=extract.filename,
        max_bytes=settings.DTSEN_MAX_BYTES,
        max_rows=settings.DTSEN_MAX_ROWS,
    )
    errors: dict[int | None, list[str]] = defaultdict(list)
    for row_number, message, source in extract.issues.values_list(
        "row_number", "message", "message_source"
    ):
        errors[row_number].append(render_json(source, message))
    headers = [_("Row"), *sheet.headers, _("Errors")]
    rows = []
    for row in sheet.rows:
        if row.number in errors:
            cells = list(row.raw) + [""] * (len(sheet.headers) - len(row.raw))
            rows.append([row.number, *cells, "\n".join(errors[row.number])])
    return write_xlsx(headers, rows, sheet_title=_("Errors"))
