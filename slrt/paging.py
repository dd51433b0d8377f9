"""A paginator whose count stops at a cap (issue 17).

An unfiltered city-wide list or a broad search counted every match on each page: COUNT(*) over
300,000 households took 27-40 ms, over a "%SITI%" search's 55,829 rows more. Nobody pages
through ten thousand families; they narrow the filter. So the count reads at most COUNT_CAP + 1
rows (`SELECT COUNT(*) FROM (... LIMIT 10001)`): exact below the cap, "more than 10,000"
beyond it, and the pages stop there.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not rows.query.is_sliced:
            # The count does not depend on the order; sorted first, PostgreSQL read and sorted
            # every row of the kelurahan (7,698 in bench_load's Margahayu: 45 ms) instead of
            # counting them from the index (1 ms).
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        """True when there are more rows than `cap`: `count` is then cap + 1, not the total."""
        return self.count > self.cap
