"""Importing ward files end to end: upload, check, preview, commit, re-import, scope, atomicity."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from households.imports import apply as apply_module
from households.imports.services import (
    commit_import_batch,
    confirm_import_batch,
    upload_import_batch,
)
from households.models import ChangeRecord, Enrolment, Household, ImportBatch, Member
from tests.imports.files import FAMILY_A, FAMILY_B, KK_A, KK_B, MAWAR, MELATI, csv_file, import_file

pytestmark = pytest.mark.django_db


def test_a_clean_file_is_previewed_then_committed(operator, django_capture_on_commit_callbacks):
    batch = import_file(
        csv_file(FAMILY_A + FAMILY_B), operator, django_capture_on_commit_callbacks, commit=False
    )
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.counts["households_new"] == 2
    assert batch.counts["members_new"] == 5
    assert not Household.objects.exists()  # nothing before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    household = Household.objects.get(kk_number="3275010502100007")
    assert household.source == Household.Source.IMPORT
    assert (household.rt, household.rw, household.member_count) == ("003", "012", 3)
    assert household.head_name == "Budi Santoso"
    assert Enrolment.objects.filter(household=household, program__code="pkh").count() == 1
    assert not Enrolment.objects.filter(household__kk_number="3275011203110008").exists()
    # A new family is one record naming its members and programs, with the batch as source.
    records = ChangeRecord.objects.filter(import_batch=batch)
    assert records.count() == 2
    created = records.get(household=household)
    assert (created.entity, created.action, created.actor) == ("household", "created", operator)
    assert created.changes == {
        "members": ["", "Budi Santoso, Siti Aminah, Rizky Santoso"],
        "programs": ["", "PKH"],
    }


def test_committed_plus_reported_equals_rows_in_the_file(
    operator, django_capture_on_commit_callbacks
):
    bad = FAMILY_B[1].replace("3275016007720005", "3.27501E+15")
    batch = import_file(
        csv_file(FAMILY_A + [FAMILY_B[0], bad]), operator, django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.COMMITTED
    counts = batch.counts
    assert counts["rows_total"] == 5
    assert counts["rows_valid"] + counts["rows_error"] == counts["rows_total"]
    assert counts["rows_error"] == 1
    assert Member.objects.count() == 4
    issue = batch.issues.get(severity="error")
    assert issue.row_number == 6  # the header is row 1
    assert issue.code.startswith("nik")


def test_reimporting_the_same_file_changes_nothing(operator, django_capture_on_commit_callbacks):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    history = ChangeRecord.objects.count()
    household = Household.objects.get()
    again = import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    assert again.status == ImportBatch.Status.COMMITTED
    assert again.counts["households_unchanged"] == 1
    assert again.counts["members_unchanged"] == 3
    assert again.counts["enrolments_new"] == 0
    assert ChangeRecord.objects.count() == history
    assert Household.objects.get().version == household.version


def test_changes_are_applied_with_history_and_the_batch_as_source(
    operator, django_capture_on_commit_callbacks
):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    changed = [line.replace(";0;Ya", ";2;Ya") for line in FAMILY_A]  # the household's car count
    changed[1] = changed[1].replace("Siti Aminah", "Siti Aminah Lubis")
    batch = import_file(
        csv_file(changed, name="v2.csv"), operator, django_capture_on_commit_callbacks, commit=False
    )
    assert batch.counts["households_updated"] == 1
    assert batch.counts["members_updated"] == 1
    assert {row["field"] for row in batch.preview["sample"]} == {"car_count", "name"}
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    household = Household.objects.get()
    assert household.car_count == 2
    assert household.version == 2  # a form opened before the import is now stale
    record = ChangeRecord.objects.get(import_batch=batch, entity="household")
    assert record.changes == {"car_count": [0, 2]}
    assert ChangeRecord.objects.get(import_batch=batch, entity="member").changes == {
        "name": ["Siti Aminah", "Siti Aminah Lubis"]
    }


def test_a_member_missing_from_a_reimported_family_is_reported_not_deleted(
    operator, django_capture_on_commit_callbacks
):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    batch = import_file(
        csv_file(FAMILY_A[:2], name="v2.csv"), operator, django_capture_on_commit_callbacks
    )
    assert Member.objects.count() == 3
    warning = batch.issues.get(code="member_missing")
    assert "Rizky Santoso" in warning.message


def test_a_person_registered_in_another_family_moves_only_when_confirmed(
    operator, django_capture_on_commit_callbacks
):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    # Rizky now heads his own family card (pecah KK).
    own = [
        "3275012508250009;3275010105150003;Rizky Santoso;L;2015-05-01;Kepala Keluarga;"
        "Gg. Mawar 9;3;12;Margahayu;0;Tidak"
    ]
    refused = import_file(
        csv_file(own, name="pecah.csv"), operator, django_capture_on_commit_callbacks
    )
    assert refused.issues.get(severity="error").code == "nik_in_other_family"
    assert refused.counts["rows_error"] == 1
    assert Member.objects.get(nik="3275010105150003").household.kk_number == "3275010502100007"

    moved = import_file(
        csv_file(own, name="pecah2.csv"), operator, django_capture_on_commit_callbacks, moves=True
    )
    assert moved.status == ImportBatch.Status.COMMITTED
    rizky = Member.objects.get(nik="3275010105150003")
    assert rizky.household.kk_number == "3275012508250009"
    assert Household.objects.get(kk_number="3275010502100007").member_count == 2


def test_an_operator_cannot_import_into_another_kelurahan(
    operator, bintara, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as excinfo:
        upload_import_batch(uploaded_file=csv_file(FAMILY_A), by=operator, kelurahan=bintara)
    assert excinfo.value.code == "kelurahan_outside_scope"
    elsewhere = [line.replace("Margahayu", "Bintara") for line in FAMILY_A]
    batch = import_file(csv_file(elsewhere), operator, django_capture_on_commit_callbacks)
    assert batch.counts["rows_error"] == 3
    assert not Household.objects.exists()


def test_an_existing_family_outside_scope_is_not_updated(
    operator, household_in_bintara, django_capture_on_commit_callbacks
):
    head = household_in_bintara.members.get(relationship="head")
    row = (
        f"{household_in_bintara.kk_number};{head.nik};{head.name};L;{head.birth_date:%d-%m-%Y};"
        "Kepala Keluarga;Jl. Baru 1;1;1;Margahayu;0;Tidak"
    )
    batch = import_file(csv_file([row]), operator, django_capture_on_commit_callbacks)
    assert batch.issues.get(severity="error").code == "kk_outside_scope"
    household_in_bintara.refresh_from_db()
    assert household_in_bintara.kelurahan.name == "Bintara"


def test_a_failure_during_commit_leaves_the_registry_as_before(
    operator, monkeypatch, django_capture_on_commit_callbacks
):
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply_module, "refresh_summaries", explode)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    assert not Household.objects.exists()
    assert not Member.objects.exists()
    assert not ChangeRecord.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED  # the user may confirm again


def test_an_unreadable_file_fails_with_a_message_and_writes_nothing(
    operator, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("data.xlsx", b"%PDF-1.7 not a spreadsheet")
    batch = import_file(upload, operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.error_message
    assert not Household.objects.exists()


def test_committing_twice_does_nothing_the_second_time(
    operator, django_capture_on_commit_callbacks
):
    batch = import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    assert commit_import_batch(batch_id=batch.pk) is None
    with pytest.raises(ValidationError) as excinfo:
        confirm_import_batch(batch=batch, by=operator)
    assert excinfo.value.code == "not_validated"
    assert Member.objects.count() == 3


def test_the_check_and_the_commit_pause_the_cycle_collector_and_restore_it(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    """A million rows are a million small objects: full collections would walk them all for
    nothing. The collector is paused while the import works and back on afterwards, also
    when the commit fails."""
    import gc

    from households.imports import services

    seen = []
    real_build_plan = services.build_plan

    def build_plan(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_build_plan(*args, **kwargs)

    monkeypatch.setattr(services, "build_plan", build_plan)
    batch = import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert seen == [False, False]  # the preview's plan and the commit's
    assert gc.isenabled()

    def broken_apply(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "apply_plan", broken_apply)
    batch = import_file(
        csv_file(FAMILY_B), operator, django_capture_on_commit_callbacks, commit=False
    )
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    assert gc.isenabled()


def test_two_families_in_one_house_keep_their_own_household_values(
    operator, django_capture_on_commit_callbacks
):
    """Two KKs at one address, every household cell the same (common in a shared house):
    each family gets its own household, programs included."""
    same_house = [line.replace(MELATI, MAWAR) for line in FAMILY_B]
    batch = import_file(
        csv_file(FAMILY_A + same_house), operator, django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.COMMITTED
    for kk in (KK_A, KK_B):
        household = Household.objects.get(kk_number=kk)
        assert (household.address, household.rt, household.rw) == ("Gg. Mawar 7", "003", "012")
        assert household.enrolments.filter(program__code="pkh").count() == 1
