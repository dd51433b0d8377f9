"""Issue 16, finding 1: an import writes only where its users may, shows nothing of a person
registered outside their scope, and never leaves a family with no head (or two)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from households.imports.services import confirm_import_batch, upload_import_batch
from households.models import Household, ImportBatch, Member
from tests.imports.files import FAMILY_A, KK_A, csv_file, import_file

pytestmark = pytest.mark.django_db

KK_NEW = "3275012508250009"
OUTSIDE_SCOPE_ID = "Sudah terdaftar — hubungi Dinas Sosial."


def _row(kk: str, nik: str, name: str, relationship: str, birth="01-05-2015", sex="L") -> str:
    return f"{kk};{nik};{name};{sex};{birth};{relationship};Gg. Mawar 9;3;12;Margahayu;0;Tidak"


def _head_of_new_family() -> str:
    return _row(KK_NEW, "3275011708850011", "Agus Baru", "Kepala Keluarga", "17-08-1985")


def _person_values(member: Member) -> list[str]:
    """What the registry knows of a person that the file did not say (the birth date is also
    in the NIK the file gives, so the NIK's own check may name it)."""
    household = member.household
    return [
        member.name,
        household.kk_number,
        household.head_name,
        household.kelurahan.name,
    ]


def test_a_nik_registered_outside_scope_is_an_error_row_that_shows_nothing_of_the_person(
    client, operator, household_in_bintara, django_capture_on_commit_callbacks
):
    # given: the Margahayu desk lists a Bintara member, under another name, in a new family
    person = household_in_bintara.members.exclude(relationship="head").get()
    rows = [_head_of_new_family(), _row(KK_NEW, person.nik, "Nama Lain", "Anak")]
    # when: checked, and confirmed with "move members between families"
    batch = import_file(csv_file(rows), operator, django_capture_on_commit_callbacks, commit=False)
    preview = str(batch.preview) + " ".join(batch.issues.values_list("message", flat=True))
    client.force_login(operator)
    page = client.get(batch.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator, confirm_moves=True)
    # then: an error row, in Indonesian, with nothing of the person; the person stays put
    batch.refresh_from_db()
    issue = batch.issues.get(severity="error")
    assert (issue.row_number, issue.code) == (3, "nik_outside_scope")
    assert issue.message == OUTSIDE_SCOPE_ID
    assert (batch.preview["sample"], batch.preview["moves"]) == ([], [])
    for value in _person_values(person):
        assert value not in preview
        assert value not in page
    assert batch.counts["members_moved"] == 0
    person.refresh_from_db()
    assert person.household == household_in_bintara
    assert Household.objects.get(kk_number=KK_NEW).member_count == 1
    assert client.get(f"/api/v1/members/{person.pk}/").status_code == 404


def test_naming_the_head_of_an_outside_family_imports_nothing_of_either_family(
    operator, household_in_bintara, django_capture_on_commit_callbacks
):
    head = household_in_bintara.members.get(relationship="head")
    rows = [
        _row(KK_NEW, head.nik, "Nama Lain", "Kepala Keluarga", "17-08-1985"),
        _row(KK_NEW, "3275015203880012", "Istri Baru", "Istri", "12-03-1988", sex="P"),
    ]
    batch = import_file(csv_file(rows), operator, django_capture_on_commit_callbacks, moves=True)
    codes = dict(batch.issues.values_list("row_number", "code"))
    assert codes == {2: "nik_outside_scope", 3: "head_row_refused"}
    assert not Household.objects.filter(kk_number=KK_NEW).exists()
    household_in_bintara.refresh_from_db()
    assert household_in_bintara.head_name == head.name
    assert household_in_bintara.members.filter(relationship="head").get() == head


def test_an_import_never_takes_the_head_away_from_a_family(
    operator, django_capture_on_commit_callbacks
):
    # given: Budi heads KK A in the desk's own kelurahan
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    budi = Member.objects.get(name="Budi Santoso")
    # when: a file makes him a member of another family, the move confirmed
    rows = [_head_of_new_family(), _row(KK_NEW, budi.nik, budi.name, "Famili Lain", "17-08-1985")]
    batch = import_file(
        csv_file(rows, name="v2.csv"), operator, django_capture_on_commit_callbacks, moves=True
    )
    # then: his row is refused and KK A keeps its head
    assert batch.issues.get(severity="error").code == "nik_head_elsewhere"
    budi.refresh_from_db()
    assert budi.household.kk_number == KK_A
    assert Household.objects.get(kk_number=KK_A).head_name == "Budi Santoso"
    for household in Household.objects.all():
        assert household.members.filter(relationship="head").count() == 1


def test_a_refused_head_row_holds_back_its_whole_family(
    operator, django_capture_on_commit_callbacks
):
    # given: Rizky is a child of KK A; a file makes him head of his own card with a new wife,
    # but the move is not confirmed
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    rows = [
        _row(KK_NEW, "3275010105150003", "Rizky Santoso", "Kepala Keluarga"),
        _row(KK_NEW, "3275015203880012", "Istri Baru", "Istri", "12-03-1988", sex="P"),
    ]
    batch = import_file(csv_file(rows, name="v2.csv"), operator, django_capture_on_commit_callbacks)
    # then: no family without a head is created
    codes = dict(batch.issues.values_list("row_number", "code"))
    assert codes == {2: "nik_in_other_family", 3: "head_row_refused"}
    assert not Household.objects.filter(kk_number=KK_NEW).exists()
    assert not Member.objects.filter(name="Istri Baru").exists()


def test_a_verifier_moves_a_member_across_kelurahan_when_confirmed(
    verifikator, household_in_bintara, margahayu, django_capture_on_commit_callbacks
):
    """A move between kelurahan is a verifier's act: the city-wide scope allows it."""
    person = household_in_bintara.members.exclude(relationship="head").get()
    rows = [_head_of_new_family(), _row(KK_NEW, person.nik, person.name, "Anak")]
    batch = import_file(csv_file(rows), verifikator, django_capture_on_commit_callbacks, moves=True)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.counts["members_moved"] == 1
    person.refresh_from_db()
    assert person.household.kk_number == KK_NEW


# --- finding 4: the data steward prepares and checks; a role that changes households confirms


def test_the_data_steward_checks_an_import_but_cannot_confirm_it(
    client, data_steward, verifikator, margahayu, django_capture_on_commit_callbacks
):
    changed = [line.replace(";0;Ya", ";2;Ya") for line in FAMILY_A]
    batch = import_file(
        csv_file(changed), data_steward, django_capture_on_commit_callbacks, commit=False
    )
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.counts["households_new"] == 1

    client.force_login(data_steward)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert reverse("households:import_confirm", args=[batch.pk]) not in page
    response = client.post(reverse("households:import_confirm", args=[batch.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        confirm_import_batch(batch=batch, by=data_steward)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert not Household.objects.exists()

    # a verifier confirms what the steward prepared
    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=verifikator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.get(kk_number=KK_A).car_count == 2


def test_the_indonesian_message_is_translated(operator):
    from households.imports.plan import _refusal_message

    with translation.override("id"):
        assert _refusal_message("nik_outside_scope", None, KK_NEW) == OUTSIDE_SCOPE_ID


def test_a_facilitator_who_changes_households_but_does_not_import_cannot_confirm(
    client, pendamping, operator, django_capture_on_commit_callbacks
):
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    client.force_login(pendamping)
    response = client.post(reverse("households:import_confirm", args=[batch.pk]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        confirm_import_batch(batch=batch, by=pendamping)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED


def test_the_scope_check_costs_no_query_per_row(
    operator, bintara, django_capture_on_commit_callbacks
):
    """The kelurahan of every named member comes with the members' own query: checking 1 or 4
    people registered outside scope costs the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.imports.services import validate_import_batch
    from tests.households.factories import household_with_members

    outside = household_with_members(bintara, size=5).members.exclude(relationship="head")
    counts = []
    for number, people in enumerate((outside[:1], outside[:4])):
        kk = f"32750125082500{number + 1:02d}"
        rows = [
            _row(
                kk, f"32750117088500{number + 1:02d}", "Agus Baru", "Kepala Keluarga", "17-08-1985"
            )
        ]
        rows += [_row(kk, person.nik, "Nama Lain", "Anak") for person in people]
        with django_capture_on_commit_callbacks(execute=False):
            batch = upload_import_batch(
                uploaded_file=csv_file(rows, name=f"{number}.csv"), by=operator
            )
        with CaptureQueriesContext(connection) as queries:
            validate_import_batch(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.issues.filter(code="nik_outside_scope").count() == len(people)
        counts.append(len(queries))
    assert counts[0] == counts[1]
