"""Two ways to write an import's rows, one result: batched ORM writes, or PostgreSQL COPY.

Rows are plain dicts of field attnames ("household_id", not "household"). Both writers
insert rows and return their new ids in order, and update given fields of rows by id; the
caller (households.imports.apply) decides what to write, in which order, in its transaction.

CopyWriter (PostgreSQL): new rows take their ids from the table's sequence (nextval, so a
form saving meanwhile gets another id) and are COPYed straight into the table; updates are
COPYed into a temporary staging table, then applied in one set-based UPDATE ... FROM.
OrmWriter (SQLite, and the reference the COPY path is tested against): bulk_create and
bulk_update in batches.
"""

import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from slrt.db import is_postgresql

BATCH = 2000  # rows per ORM statement
CHUNK = 50_000  # rows the caller hands over at once, so memory stays flat


class OrmWriter:
    def insert(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
        objects = [model(**row) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return [obj.pk for obj in objects]

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
    def insert(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        ids = self._new_ids(model, len(rows))
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        now = timezone.now()
        defaults = {f.attname: _default(f, now) for f in fields}
        dumps = {f.attname: _dumper(f) for f in fields}
        names = [f.attname for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
        sql = f"COPY {_table(model)} ({columns}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(sql) as copy,
        ):
            for pk, row in zip(ids, rows, strict=True):
                values = [pk]
                for name in names:
                    value = row.get(name, defaults[name])
                    dump = dumps[name]
                    values.append(dump(value) if dump and value is not None else value)
                copy.write_row(values)
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

    @staticmethod
    def _new_ids(model: type[models.Model], count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]


def writer_for_database(*, fast: bool = True) -> OrmWriter | CopyWriter:
    """COPY on PostgreSQL unless `fast` is off (the parity test compares both there)."""
    return CopyWriter() if fast and is_postgresql() else OrmWriter()


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _default(field: models.Field, now) -> Any:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now
    return field.get_default()  # "" for a text field without a default, as Django saves it


def _dumper(field: models.Field):
    """A per-value conversion psycopg cannot do by itself; None when it can."""
    if isinstance(field, models.JSONField):
        return _dump_json
    return None


def _dump_json(value: Any) -> str:
    if not value and isinstance(value, dict | list):  # most history rows and NIK warnings
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, cls=DjangoJSONEncoder)
