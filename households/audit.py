"""The export log (issue 7): every download of registry data, by anyone, is recorded once,
before any row is read. The access log of single reads is households.selectors'."""

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from households.identifiers import mask_digits
from households.models import ExportRecord, Household
from households.scope import scope_for
from households.selectors import log_household_reads

# Page plumbing, not filters.
_MAX_FILTER_LENGTH = 200
_NOT_FILTERS = frozenset({"kind", "format", "page", "csrfmiddlewaretoken"})


@transaction.atomic
def record_export(
    *,
    by: User,
    export: str,
    file_format: str,
    filters: Mapping[str, str],
    row_count: int,
    households: QuerySet[Household] | None = None,
) -> ExportRecord:
    """Record who exported what (which export, its filters with any NIK or KK masked), when,
    and how many records. Outside their own kelurahan (agency staff, emergency access) the
    households exported are also logged one by one, like any other read; the city-wide roles'
    exports are the whole registry and are recorded here once, not row by row. Aggregate
    exports (the dashboards) pass no households."""
    cleaned = {
        _storable(name): _storable(mask_digits(value))
        for name, value in sorted(filters.items())
        if name not in _NOT_FILTERS and value
    }
    record = ExportRecord.objects.create(
        user=by, export=export, file_format=file_format, filters=cleaned, row_count=row_count
    )
    scope = scope_for(by)
    if households is not None and not scope.city_wide:
        log_household_reads(by, households.values_list("pk", flat=True), via="export")
    return record


def _storable(text: str) -> str:
    """What a filter said, as PostgreSQL's JSON can keep it: a NUL byte (which jsonb refuses:
    "unsupported Unicode escape sequence") is dropped, an overlong value cut."""
    return text.replace("\x00", "")[:_MAX_FILTER_LENGTH]
