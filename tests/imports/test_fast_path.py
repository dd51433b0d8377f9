"""The PostgreSQL COPY path and the batched ORM path write the same registry.

The same import (new families, an updated household, a renamed member, a confirmed move
between families, new program enrolments) is applied once with each writer, each time in a
transaction that is then rolled back, and the resulting rows are compared field by field
(ids and timestamps aside). On SQLite only the ORM path exists, so the comparison needs
PostgreSQL; CI runs the suite on both.
"""

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction

from households.imports import services
from households.imports.apply import apply_plan
from households.imports.plan import build_plan
from households.imports.readers import read_sheet
from households.imports.services import region_index, validate_import_batch
from households.imports.validation import validate_rows
from households.imports.writers import CopyWriter, OrmWriter, writer_for_database
from households.models import ChangeRecord, Enrolment, Household, ImportBatch, Member
from households.services import search_text_for
from slrt.db import is_postgresql
from tests.imports.files import FAMILY_A, FAMILY_B, KK_B, MELATI, csv_file, import_file

pytestmark = pytest.mark.django_db

HOUSEHOLD_FIELDS = ("kk_number", "kelurahan_id", "address", "rt", "rw", "car_count", "source",
                    "head_name", "member_count", "search_text", "version")  # fmt: skip
MEMBER_FIELDS = ("nik", "household__kk_number", "name", "sex", "birth_date", "relationship",
                 "nik_warnings")  # fmt: skip


class _Rollback(Exception):
    pass


def registry_after(writer, plan_rows, batch, user) -> dict[str, list]:
    """Apply the plan with `writer`, read the registry back, then undo everything."""
    snapshot: dict[str, list] = {}
    try:
        with transaction.atomic():
            plan = build_plan(plan_rows, allowed_kelurahan_ids=None, confirm_moves=True)
            apply_plan(plan=plan, batch=batch, by=user, writer=writer)
            snapshot["households"] = list(
                Household.objects.order_by("kk_number").values_list(*HOUSEHOLD_FIELDS)
            )
            snapshot["members"] = list(Member.objects.order_by("nik").values_list(*MEMBER_FIELDS))
            snapshot["enrolments"] = list(
                Enrolment.objects.order_by("household__kk_number", "program__code").values_list(
                    "household__kk_number", "program__code", "member__nik", "status", "start_date"
                )
            )
            kk_of = dict(Household.objects.values_list("pk", "kk_number"))
            snapshot["history"] = sorted(
                (
                    (kk, entity, label, action, _ids_as_kk(changes, kk_of))
                    for kk, entity, label, action, changes in ChangeRecord.objects.filter(
                        import_batch=batch
                    ).values_list(
                        "household__kk_number", "entity", "object_label", "action", "changes"
                    )
                ),
                key=repr,
            )
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


@pytest.mark.skipif(not is_postgresql(), reason="the COPY path exists on PostgreSQL only")
def test_copy_and_orm_paths_write_the_same_registry(
    verifikator, margahayu, django_capture_on_commit_callbacks, tmp_path
):
    import_file(csv_file(FAMILY_A), verifikator, django_capture_on_commit_callbacks)
    moved = f"{KK_B};3275010105150003;Rizky Santoso;L;2015-05-01;Cucu;{MELATI}"  # from A
    changed = [
        FAMILY_A[0].replace("Gg. Mawar 7", "Gg. Mawar 7A"),
        FAMILY_A[1].replace("Gg. Mawar 7", "Gg. Mawar 7A").replace("Siti Aminah", "Siti Aminah L"),
        *FAMILY_B,
        moved,
    ]
    header_and_rows = csv_file(changed).read().decode().splitlines()
    rows = _rows(header_and_rows, tmp_path)
    batch = ImportBatch.objects.create(filename="x.csv", checksum="x", uploaded_by=verifikator)

    orm = registry_after(OrmWriter(), rows, batch, verifikator)
    fast = registry_after(CopyWriter(), rows, batch, verifikator)

    assert len(orm["households"]) == 2
    assert len(orm["members"]) == 5
    assert orm["enrolments"]
    assert any(action == "updated" for _, _, _, action, _ in orm["history"])
    assert fast == orm


@pytest.mark.skipif(not is_postgresql(), reason="the COPY path exists on PostgreSQL only")
def test_copy_and_orm_paths_store_the_same_preview(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    bad = FAMILY_B[1].replace("3275016007720005", "3.27501E+15")  # an issue with its message
    renamed = [line.replace("Siti Aminah", "Siti Aminah L") for line in FAMILY_A]
    file = csv_file([*renamed, FAMILY_B[0], bad], name="b.csv")
    batch = import_file(file, operator, django_capture_on_commit_callbacks, commit=False)
    fast = stored_preview(batch)
    # The same check again, its issues and families stored through the ORM this time.
    monkeypatch.setattr(services, "writer_for_database", OrmWriter)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.UPLOADED)
    validate_import_batch(batch_id=batch.pk)

    orm = stored_preview(batch)
    assert orm["families"]
    assert any(issue["message_source"] for issue in orm["issues"])
    assert fast == orm


def stored_preview(batch: ImportBatch) -> dict[str, list[dict]]:
    """The batch's issues and family list as stored, row ids aside."""
    issues = batch.issues.order_by("row_number", "column", "code").values()
    families = batch.families.order_by("first_row").values()
    return {
        "issues": [{k: v for k, v in row.items() if k != "id"} for row in issues],
        "families": [{k: v for k, v in row.items() if k != "id"} for row in families],
    }


def test_the_database_decides_the_writer():
    expected = CopyWriter if is_postgresql() else OrmWriter
    assert isinstance(writer_for_database(), expected)
    assert isinstance(writer_for_database(fast=False), OrmWriter)


def test_a_new_familys_summary_is_written_with_it(operator, django_capture_on_commit_callbacks):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    household = Household.objects.get()
    people = [(m.name, m.nik) for m in household.members.order_by("pk")]
    assert household.search_text == search_text_for(household.kk_number, household.address, people)
    assert (household.head_name, household.member_count) == ("Budi Santoso", 3)


def _rows(lines: list[str], directory: Path):
    path = directory / "file.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sheet = read_sheet(path, filename=path.name, max_bytes=2**20, max_rows=100)
    result = validate_rows(sheet.rows, regions=region_index(), today=date(2026, 11, 28))
    assert not result.error_rows, result.issues
    return result.rows


def _ids_as_kk(changes: dict, kk_of: dict[int, str]) -> dict:
    """A move records household ids, which differ between the two runs: compare KK numbers."""
    if "household" in changes:
        changes = {**changes, "household": [kk_of.get(pk) for pk in changes["household"]]}
    return changes


@pytest.mark.skipif(not is_postgresql(), reason="the COPY path exists on PostgreSQL only")
def test_copy_ids_come_from_the_sequence_whether_or_not_they_are_one_run():
    """Ids are read back as a run's two ends, or one by one when the run is broken (another
    session took ids meanwhile; here the sequence steps by 2 to make the gaps)."""
    from django.db import connection

    unbroken = CopyWriter._new_ids(Household, 5)
    assert unbroken == list(range(unbroken[0], unbroken[0] + 5))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('households_household', 'id')")
        (sequence,) = cursor.fetchone()
        cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 2")
    scattered = CopyWriter._new_ids(Household, 4)
    assert scattered == [scattered[0] + 2 * i for i in range(4)]
    assert scattered[0] > unbroken[-1]


@pytest.mark.parametrize("writer_class", [CopyWriter, OrmWriter])
@pytest.mark.parametrize("given", [1, 3])
def test_rows_from_a_generator_must_number_what_was_announced(writer_class, given, operator):
    """Rows may come from a generator (the COPY consumes them as they are made), with their
    count announced for the ids; a generator yielding fewer or more rows is an error that
    writes nothing, never ids handed to the wrong rows."""
    if writer_class is CopyWriter and not is_postgresql():
        pytest.skip("the COPY path exists on PostgreSQL only")
    batch = ImportBatch.objects.create(uploaded_by=operator, filename="x.csv")
    rows = (
        {"entity": "household", "object_id": n, "object_label": "x", "action": "created",
         "changes": {}, "actor_id": operator.pk, "import_batch_id": batch.pk}
        for n in range(given)
    )  # fmt: skip
    with pytest.raises(ValueError, match="announced"), transaction.atomic():
        writer_class().insert(ChangeRecord, rows, count=2)
    assert not ChangeRecord.objects.filter(import_batch=batch).exists()


@pytest.mark.parametrize("writer_class", [CopyWriter, OrmWriter])
def test_member_values_from_a_generator_are_written_with_their_ids(
    writer_class, operator, margahayu
):
    if writer_class is CopyWriter and not is_postgresql():
        pytest.skip("the COPY path exists on PostgreSQL only")
    household = Household.objects.create(kk_number="3275010101200001", kelurahan=margahayu)
    niks = ["3275014101800001", "3275014101800002"]
    born = date(1980, 1, 1)
    rows = ((nik, f"Warga {nik[-1]}", born, household.pk) for nik in niks)
    columns = ("nik", "name", "birth_date", "household_id")
    ids = writer_class().insert_values(Member, columns, rows, count=2)
    assert dict(Member.objects.filter(pk__in=ids).values_list("pk", "nik")) == dict(
        zip(ids, niks, strict=True)
    )


@pytest.mark.skipif(not is_postgresql(), reason="the COPY path exists on PostgreSQL only")
def test_copy_writes_dates_and_times_as_the_same_days_and_instants(operator, margahayu):
    """The COPY path sends dates and datetimes as ISO text (writers._dumper): a datetime in
    another offset, with or without microseconds, is the same instant read back."""
    from datetime import UTC, datetime, timedelta, timezone

    batch = ImportBatch.objects.create(uploaded_by=operator, filename="x.csv")
    household = Household.objects.create(kk_number="3275010101200001", kelurahan=margahayu)
    jakarta = timezone(timedelta(hours=7))
    moments = [
        datetime(2026, 12, 6, 23, 30, 15, 123456, tzinfo=jakarta),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ]
    rows = [
        {"household_id": household.pk, "entity": "household", "object_id": n,
         "object_label": "x", "action": "created", "changes": {}, "actor_id": operator.pk,
         "import_batch_id": batch.pk, "created_at": m}
        for n, m in enumerate(moments)
    ]  # fmt: skip
    CopyWriter().insert(ChangeRecord, rows, return_ids=False)
    written = ChangeRecord.objects.filter(import_batch=batch).order_by("object_id")
    assert list(written.values_list("created_at", flat=True)) == moments
    born = [date(1945, 8, 17), date(2024, 2, 29)]
    values = [(f"327501410180000{n}", "Warga", b, household.pk) for n, b in enumerate(born, 1)]
    ids = CopyWriter().insert_values(Member, ("nik", "name", "birth_date", "household_id"), values)
    assert [Member.objects.get(pk=pk).birth_date for pk in ids] == born
