"""Two ways to write an import's rows, one result: batched ORM writes, or PostgreSQL COPY.

Rows are plain dicts of field attnames ("household_id", not "household"). Both writers
insert rows and return their new ids in order (rows may come from a generator, given their
`count`: the COPY then consumes each row as it is made, so this process builds the next
rows while the server stores the last ones), and update given fields of rows by id; the
caller (households.imports.apply) decides what to write, in which order, in its transaction.

CopyWriter (PostgreSQL): new rows take their ids from the table's sequence (nextval, so a
form saving meanwhile gets another id) and are COPYed straight into the table; updates are
COPYed into a temporary staging table, then applied in one set-based UPDATE ... FROM.
OrmWriter (SQLite, and the reference the COPY path is tested against): bulk_create and
bulk_update in batches.
"""

import json
from collections.abc import Iterable, Sequence
from operator import methodcaller
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from slrt import stamps
from slrt.db import is_postgresql

BATCH = 2000  # rows per ORM statement
CHUNK = 50_000  # rows the caller hands over at once, so memory stays flat


class OrmWriter:
    def prepare(self) -> None:
        pass

    def insert(
        self,
        model: type[models.Model],
        rows: Iterable[dict[str, Any]],
        *,
        count: int | None = None,
        return_ids: bool = True,
    ) -> list[int]:
        objects = [model(**row) for row in rows]
        _check_count(len(objects), count)
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return [obj.pk for obj in objects]

    def insert_values(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        count: int | None = None,
    ) -> list[int]:
        """insert() for rows given as values of `columns` (attnames), in that order."""
        dicts = [dict(zip(columns, row, strict=True)) for row in rows]
        return self.insert(model, dicts, count=count)

    def update(
        self, model: type[models.Model], rows: Sequence[dict[str, Any]], fields: Sequence[str]
    ) -> None:
        objects = []
        for row in rows:
            obj = model(pk=row["id"])
            for name in fields:
                setattr(obj, name, row[name])
            objects.append(obj)
        model._default_manager.bulk_update(objects, list(fields), batch_size=BATCH)


class CopyWriter:
    def prepare(self) -> None:
        """Settings for this transaction only. A larger GIN pending list lets the trigram
        index on search_text absorb the new households in fewer, bigger merges (as seed_demo
        does); more work_mem for the UPDATE ... FROM joins."""
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")

    def insert(
        self,
        model: type[models.Model],
        rows: Iterable[dict[str, Any]],
        *,
        count: int | None = None,
        return_ids: bool = True,
    ) -> list[int]:
        """Without `return_ids` the table's default gives the ids and none is read back.
        `count` (needed when `rows` is a generator) is how many rows it yields."""
        count = len(rows) if count is None else count  # type: ignore[arg-type]
        now = timezone.now()
        fields = [(f.attname, _default(f, now)) for f in _fields(model)]
        values = ([row.get(name, default) for name, default in fields] for row in rows)
        names = [name for name, _default_value in fields]
        return self.insert_values(model, names, values, count=count, return_ids=return_ids)

    def insert_values(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        count: int | None = None,
        return_ids: bool = True,
    ) -> list[int]:
        """insert() for rows given as values of `columns` (attnames), in that order: no dict
        per row and no lookup per field (a million member rows: several seconds less). The
        other fields take their defaults, as in insert()."""
        count = len(rows) if count is None else count  # type: ignore[arg-type]
        if not count:
            _check_count(sum(1 for _ in rows), 0)
            return []
        fields = {f.attname: f for f in _fields(model)}
        given = [fields.pop(name) for name in columns]  # KeyError: not a field of the model
        now = timezone.now()
        tail = [_dump(f, _default(f, now)) for f in fields.values()]
        offset = 1 if return_ids else 0
        dumped = [(i + offset, dump) for i, f in enumerate(given) if (dump := _dumper(f))]
        targets = [model._meta.pk, *given] if return_ids else given
        names = ", ".join(connection.ops.quote_name(f.column) for f in [*targets, *fields.values()])
        ids = self._new_ids(model, count) if return_ids else []
        written = 0
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {_table(model)} ({names}) FROM STDIN",
                # The server's index work overlaps with this process formatting the next rows.
                writer=QueuedLibpqWriter(cursor.cursor),
            ) as copy,
        ):
            write = copy.write_row
            for row in rows:
                if return_ids:
                    values = [ids[written] if written < count else None, *row, *tail]
                else:
                    values = [*row, *tail]
                for position, dump in dumped:
                    if values[position] is not None:
                        values[position] = dump(values[position])
                write(values)
                written += 1
            _check_count(written, count)  # inside the COPY: a wrong count aborts it
        stamps.move_for(model)  # the kept copies of these rows (the ORM's writes move it)
        return ids

    def update(
        self, model: type[models.Model], rows: Sequence[dict[str, Any]], fields: Sequence[str]
    ) -> None:
        if not rows:
            return
        by_name = {f.name: f for f in model._meta.concrete_fields} | {
            f.attname: f for f in model._meta.concrete_fields
        }
        targets = [by_name[name] for name in fields]
        stage = connection.ops.quote_name(f"import_stage_{model._meta.model_name}")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in targets)
        dumps = [_dumper(f) for f in targets]
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                f"SELECT id, {columns} FROM {_table(model)} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {stage} (id, {columns}) FROM STDIN") as copy:
                for row in rows:
                    values = [row["id"]]
                    for field, dump in zip(targets, dumps, strict=True):
                        value = row[field.name] if field.name in row else row[field.attname]
                        values.append(dump(value) if dump and value is not None else value)
                    copy.write_row(values)
            assignments = ", ".join(
                f"{connection.ops.quote_name(f.column)} = s.{connection.ops.quote_name(f.column)}"
                for f in targets
            )
            cursor.execute(
                f"UPDATE {_table(model)} AS t SET {assignments} FROM {stage} AS s WHERE t.id = s.id"
            )
            cursor.execute(f"DROP TABLE {stage}")
        stamps.move_for(model)

    @staticmethod
    def _new_ids(model: type[models.Model], count: int) -> list[int]:
        """`count` ids from the table's sequence. They are almost always one unbroken run
        (nobody else took one meanwhile): then only its ends cross the wire."""
        with connection.cursor() as cursor:
            # The sequence's name is looked up once: pg_get_serial_sequence() called per row
            # read the catalogue for every id (50,000 ids: 340 ms, 40 ms without it).
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            (sequence,) = cursor.fetchone()
            cursor.execute(
                "WITH ids AS (SELECT nextval(%s::regclass) AS id "
                "FROM generate_series(1, %s)) "
                "SELECT max(id) - min(id) + 1 = count(*), min(id), max(id), "
                "CASE WHEN max(id) - min(id) + 1 = count(*) THEN NULL "
                "ELSE array_agg(id ORDER BY id) END FROM ids",
                [sequence, count],
            )
            unbroken, first, last, scattered = cursor.fetchone()
        return list(range(first, last + 1)) if unbroken else scattered


def writer_for_database(*, fast: bool = True) -> OrmWriter | CopyWriter:
    """COPY on PostgreSQL unless `fast` is off (the parity test compares both there)."""
    return CopyWriter() if fast and is_postgresql() else OrmWriter()


def _check_count(written: int, count: int | None) -> None:
    if count is not None and written != count:
        raise ValueError(f"{written} rows given, {count} announced")


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _default(field: models.Field, now) -> Any:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now
    return field.get_default()  # "" for a text field without a default, as Django saves it


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _dump(field: models.Field, value: Any) -> Any:
    dump = _dumper(field)
    return dump(value) if dump and value is not None else value


def _dumper(field: models.Field):
    """A per-value conversion psycopg cannot do by itself, or does slower; None otherwise.

    Dates and times go as their ISO text, which the server reads as psycopg's own text
    would be read (an aware datetime keeps its offset): psycopg's dumper took ~0.7 us a
    value, isoformat() ~0.2 us. 100,000 members carry three (birth date, created, updated):
    ~0.15 s less of the commit's time formatting rows (h17import3, 2026-12-06)."""
    if isinstance(field, models.JSONField):
        return _dump_json
    if isinstance(field, models.DateField):  # DateTimeField too
        return _isoformat
    return None


_isoformat = methodcaller("isoformat")


def _dump_json(value: Any) -> str:
    if not value and isinstance(value, dict | list):  # most NIK warnings
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, cls=DjangoJSONEncoder)
