"""The one check of the database vendor, behind which PostgreSQL fast paths sit."""

from collections.abc import Iterator, Sequence

from django.db import connection
from django.db.models import Count, F, Lookup, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

IN_CHUNK = 5000  # values per IN (...) where one array parameter is not available
ANY_CHUNK = 50_000  # values per array: a million NIKs quoted at once cost ~100 MB client-side


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter (PostgreSQL).

    A long `IN (%s, %s, ...)` costs the client more than the server: every placeholder is
    compiled and bound one by one. One array is one parameter, whatever its length."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if self.lhs.output_field.get_internal_type() in _TEXT_FIELDS and all(
            v.__class__ is str and v and "," not in v for v in values
        ):
            # Text values go as one string, split by the server: psycopg quotes a list's
            # elements one by one in Python, a string in C. 100,000 NIKs (an import's plan
            # looks them up at the check and again at the commit), empty table, quiet
            # machine: 0.07-0.08 s a query as a list, 0.02-0.03 s as one string
            # (2026-12-06; at load ~5, 0.17-0.21 s against 0.11-0.13 s).
            return f"{lhs} = ANY(string_to_array(%s, ','))", [*params, ",".join(values)]
        return f"{lhs} = ANY(%s)", [*params, values]


_TEXT_FIELDS = frozenset({"CharField", "TextField"})


def where_in(queryset: QuerySet, field: str, values: Sequence) -> Iterator[QuerySet]:
    """`queryset` restricted to rows whose `field` is one of `values`: on PostgreSQL one
    query per ANY_CHUNK values (one array parameter each), elsewhere chunks of IN (...)
    (SQLite limits the parameters per query)."""
    if is_postgresql():
        for start in range(0, len(values), ANY_CHUNK):
            yield queryset.filter(AnyOf(F(field), values[start : start + ANY_CHUNK]))
        return
    for start in range(0, len(values), IN_CHUNK):
        yield queryset.filter(**{f"{field}__in": values[start : start + IN_CHUNK]})


def take_turns(key: int) -> None:
    """Inside a transaction: wait until no other transaction holding `key` is open, and hold
    it until this one ends (PostgreSQL advisory lock). For whole-registry jobs that must not
    overlap; SQLite allows one writer at a time anyway."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def count_of(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of `queryset` as a scalar subquery: several counts of different tables come
    back in one query (`.values(a=count_of(...), b=count_of(...))` on a one-row queryset)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one")
    return Coalesce(Subquery(counted.annotate(n=Count("*")).values("n")), 0)
