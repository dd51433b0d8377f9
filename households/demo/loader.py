"""seed_demo_registry: the generator's rows into the database in one transaction, with
PostgreSQL COPY or, on SQLite, bulk_create; and delete_demo_rows for --replace."""

import json
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from households.demo.generator import DemoGenerator
from households.demo.history import add_demo_history
from households.demo.needs import seed_demo_needs
from households.demo.rows import (
    ENROLMENT_COLUMNS,
    HOUSEHOLD_COLUMNS,
    MEMBER_COLUMNS,
    Chunk,
    FirstIds,
    KelurahanRef,
    ProgramIds,
    Row,
)
from households.demo.users import ensure_demo_users
from households.models import (
    AssessedNeed,
    Assessment,
    ChangeRecord,
    Enrolment,
    Household,
    Member,
    PmksClassification,
    Program,
    Region,
)
from households.reference import load_reference_data, load_regions
from slrt import stamps
from slrt.db import is_postgresql

REGISTRY_MODELS = (Household, Member, Enrolment)


@dataclass(frozen=True)
class SeedResult:
    households: int
    members: int
    enrolments: int
    users: int
    seconds: float


def seed_demo_registry(
    *,
    households: int,
    seed: int,
    replace: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Load reference data, `households` synthetic households and the demo users in one
    transaction. The caller decided the registry may receive them (seed_demo's checks);
    with `replace`, earlier demo rows (source "demo") are deleted first."""
    started = time.monotonic()
    with transaction.atomic():
        load_regions()
        load_reference_data()
        _prepare_session()
        if replace:
            progress(f"Deleted {delete_demo_rows()} earlier demo households.")
        now = timezone.now()
        first_ids = FirstIds(_next_id(Household), _next_id(Member), _next_id(Enrolment))
        generator = DemoGenerator(
            seed=seed,
            kelurahan=[
                KelurahanRef(id=pk, code=code)
                for pk, code in Region.objects.filter(level=Region.Level.KELURAHAN).values_list(
                    "pk", "code"
                )
            ],
            programs=_program_ids(),
            now=now,
            first_ids=first_ids,
        )
        loaded_households = loaded_members = loaded_enrolments = 0
        for chunk in _prefetched(generator.chunks(households)):
            _write_chunk(chunk)
            loaded_households += len(chunk.households)
            loaded_members += len(chunk.members)
            loaded_enrolments += len(chunk.enrolments)
            progress(
                f"{loaded_households:,} / {households:,} households, {loaded_members:,} "
                f"members ({time.monotonic() - started:.1f} s)"
            )
        _after_load(loaded_households > 0)
        first = first_ids.household
        add_demo_history(household_ids=range(first, first + loaded_households), now=now)
        users = ensure_demo_users()
        seed_demo_needs()  # assessments and PMKS by the demo facilitator and desk (issue 21)
    return SeedResult(
        households=loaded_households,
        members=loaded_members,
        enrolments=loaded_enrolments,
        users=users,
        seconds=time.monotonic() - started,
    )


def _prefetched(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """Generate the next chunk in a thread while this one is written. COPY waits for the
    server with the GIL released, so Python generation and PostgreSQL ingest overlap. The
    generator never touches the database connection, which stays in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _program_ids() -> ProgramIds:
    ids = dict(
        Program.objects.filter(code__in=["pkh", "bpnt", "pbi-jk", "kip"]).values_list("code", "pk")
    )
    return ProgramIds(pkh=ids["pkh"], bpnt=ids["bpnt"], pbi_jk=ids["pbi-jk"], kip=ids["kip"])


def _prepare_session() -> None:
    """Explicit ids are only safe if nobody inserts meanwhile: block writers, not readers,
    until commit (SQLite serialises writers by itself). A larger GIN pending list lets the
    trigram index absorb the COPY in fewer, bigger merges (measured: 7.0 -> 5.3 s for
    100,000 households)."""
    if not is_postgresql():
        return
    tables = ", ".join(_table(m) for m in REGISTRY_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SET LOCAL gin_pending_list_limit = '64MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _next_id(model: type[models.Model]) -> int:
    """Above every id the table has had, so ids of deleted rows (named in change records)
    are never reused."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_table(model)}")
        highest = cursor.fetchone()[0] or 0
        if is_postgresql():
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id'))", [table]
            )
        else:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return max(highest, (row[0] if row else 0) or 0) + 1


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _write_chunk(chunk: Chunk) -> None:
    if is_postgresql():
        members = [row[:-1] + (json.dumps(row[-1]),) for row in chunk.members]
        _copy(Household, HOUSEHOLD_COLUMNS, chunk.households)
        _copy(Member, MEMBER_COLUMNS, members)
        _copy(Enrolment, ENROLMENT_COLUMNS, chunk.enrolments)
    else:
        _bulk_create(Household, HOUSEHOLD_COLUMNS, chunk.households)
        _bulk_create(Member, MEMBER_COLUMNS, chunk.members)
        _bulk_create(Enrolment, ENROLMENT_COLUMNS, chunk.enrolments)


def _copy(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # The raw psycopg cursor: Django's wrapper has no copy(). wrap_database_errors turns a
    # unique violation into django.db.IntegrityError, as on the bulk_create path.
    sql = f"COPY {_table(model)} ({names}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    stamps.move_for(model)  # the kept copies of these rows (slrt.stamps)


def _bulk_create(model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
    # A plain INSERT rather than bulk_create, which stamps auto_now fields with the load
    # time: the generated registration dates are the demo's history (issue 18, point 10).
    fields = [model._meta.get_field(column) for column in columns]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {_table(model)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(
                sql,
                [
                    [
                        f.get_db_prep_save(value, connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                    for row in rows[start : start + 2000]
                ],
            )
    stamps.move_for(model)  # the kept copies of these rows (slrt.stamps)


def _after_load(loaded: bool) -> None:
    """COPY with explicit ids leaves the sequences behind. Searches would scan whatever is
    left in the GIN pending list until autovacuum merges it, so merge it now; fresh
    statistics let the planner use the new rows at once."""
    if not (loaded and is_postgresql()):
        return
    with connection.cursor() as cursor:
        for model in REGISTRY_MODELS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {_table(model)}",
                [model._meta.db_table],
            )
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
            [[m._meta.db_table for m in REGISTRY_MODELS]],
        )
        cursor.execute(f"ANALYZE {', '.join(_table(m) for m in REGISTRY_MODELS)}")


def delete_demo_rows() -> int:
    """Delete demo households with their members, enrolments, change records, needs
    assessments and PMKS records, in set-wise
    SQL (the ORM collector would load every row). A row elsewhere that still points at them
    (a referral) makes the database refuse, which rolls the whole seed back."""
    demo = f"SELECT id FROM {_table(Household)} WHERE source = %s"
    with connection.cursor() as cursor:
        # Their needs assessments and PMKS records first (issue 21).
        cursor.execute(
            f"DELETE FROM {_table(AssessedNeed)} WHERE assessment_id IN "
            f"(SELECT id FROM {_table(Assessment)} WHERE household_id IN ({demo}))",
            [Household.Source.DEMO],
        )
        cursor.execute(
            f"DELETE FROM {_table(PmksClassification)} WHERE member_id IN "
            f"(SELECT id FROM {_table(Member)} WHERE household_id IN ({demo}))",
            [Household.Source.DEMO],
        )
        cursor.execute(
            f"DELETE FROM {_table(Assessment)} WHERE household_id IN ({demo})",
            [Household.Source.DEMO],
        )
        for model in (ChangeRecord, Enrolment, Member):
            cursor.execute(
                f"DELETE FROM {_table(model)} WHERE household_id IN ({demo})",
                [Household.Source.DEMO],
            )
        cursor.execute(
            f"DELETE FROM {_table(Household)} WHERE source = %s", [Household.Source.DEMO]
        )
        deleted = cursor.rowcount
    for model in (Household, Member, Enrolment):
        stamps.move_for(model)
    return deleted
