"""The household list's count, kept per process between requests (issue 17).

Each page of the household list counted its matches (slrt.paging.CappedPaginator: at most
COUNT_CAP + 1 index entries): one more round trip to PostgreSQL on every page, for a number
that changes only when a household, a member or an enrolment is written. Under gunicorn + wrk
(bench_load.py, 300,000 households, demo-pendamping's Margahayu: 7,698 households; py-spy on
a worker, 2026-12-06) the count was 14.3 % of a list request's samples, the largest single
piece of the page after its rows.

A process keeps each count under what it depends on: the scope and the filter's values (the
view's `count_key`, households.selectors.household_count_key) and two shared stamps, the
household rows' (HOUSEHOLD_ROWS_STAMP: every save, delete and bulk write of a household, a
member or an enrolment, and the COPY writers) and the reference rows' (a kelurahan moved to
another kecamatan changes what the kecamatan filter selects). Both are read with the
request's other stamps (slrt.stamps.current: no extra round trip). When either moves, every
kept count is dropped. A key of None (a scope that changes with other tables or with time:
agency staff, emergency grants) is counted each time, as before.
"""

from django.utils.functional import cached_property

from households.choices import VERSION_KEY as REFERENCE_STAMP
from households.models.registry import HOUSEHOLD_ROWS_STAMP
from slrt import stamps
from slrt.paging import CappedPaginator

_kept: dict[tuple, int] = {}
_kept_under: tuple[str, str] | None = None
# A key holds the visitor's search text: bounded whatever is sent.
KEPT = 2000


class KeptCountPaginator(CappedPaginator):
    """CappedPaginator whose count is kept per process under `count_key` (module docstring);
    `count_key` None counts each time."""

    def __init__(self, object_list, per_page, *, count_key: tuple | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if self.count_key is None:
            return CappedPaginator.count.func(self)
        global _kept_under
        under = (stamps.current(HOUSEHOLD_ROWS_STAMP), stamps.current(REFERENCE_STAMP))
        if under != _kept_under:
            _kept.clear()
            _kept_under = under
        count = _kept.get(self.count_key)
        if count is None:
            count = CappedPaginator.count.func(self)
            if len(_kept) >= KEPT:
                _kept.clear()
            _kept[self.count_key] = count
        return count
