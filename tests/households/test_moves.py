"""Moves across kelurahan (issue 16): asked for by the facilitator or the desk of the family's
kelurahan, decided by the Verifikator; no family ever left with zero or two heads."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from households.models import ChangeRecord, Household, Member, MoveRequest
from households.moves import decide_move, request_family_move, request_person_move

pytestmark = pytest.mark.django_db

REASON = "Keluarga pindah ke rumah orang tua di Bintara sejak Oktober."


def _heads(household: Household) -> int:
    return household.members.filter(relationship=Member.Relationship.HEAD).count()


def _someone_in(household: Household) -> Member:
    return household.members.exclude(relationship=Member.Relationship.HEAD).first()


# --- asking ---------------------------------------------------------------------------------


def test_the_desk_asks_to_move_its_family_and_nothing_moves_yet(
    operator, household_in_margahayu, bintara
):
    move = request_family_move(
        household=household_in_margahayu, to_kelurahan=bintara, reason=REASON, by=operator
    )
    assert move.status == MoveRequest.Status.PENDING
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan.code == "32.75.01.1002"


def test_nobody_asks_for_a_family_outside_their_kelurahan(pendamping, household_in_bintara):
    with pytest.raises(Http404):
        request_family_move(
            household=household_in_bintara,
            to_kelurahan=household_in_bintara.kelurahan,
            reason=REASON,
            by=pendamping,
        )
    assert not MoveRequest.objects.exists()


def test_a_move_to_the_same_kelurahan_or_without_reason_is_refused(
    operator, household_in_margahayu, margahayu, bintara
):
    with pytest.raises(ValidationError) as same:
        request_family_move(
            household=household_in_margahayu, to_kelurahan=margahayu, reason=REASON, by=operator
        )
    assert "to_kelurahan" in same.value.message_dict
    with pytest.raises(ValidationError) as short:
        request_family_move(
            household=household_in_margahayu, to_kelurahan=bintara, reason="pindah", by=operator
        )
    assert "reason" in short.value.message_dict


def test_the_same_move_is_asked_once(operator, household_in_margahayu, bintara):
    ask = {
        "household": household_in_margahayu,
        "to_kelurahan": bintara,
        "reason": REASON,
        "by": operator,
    }
    request_family_move(**ask)
    with pytest.raises(ValidationError) as refused_duplicate:
        request_family_move(**ask)
    assert refused_duplicate.value.code == "duplicate"


def test_a_person_request_tells_nothing_of_where_the_nik_is(
    operator, household_in_margahayu, household_in_bintara
):
    """Registered elsewhere, or nowhere: the same answer, a request waiting."""
    elsewhere = _someone_in(household_in_bintara).nik
    nowhere = "3275014101100099"
    for nik in (elsewhere, nowhere):
        move = request_person_move(
            household=household_in_margahayu,
            nik=nik,
            relationship=Member.Relationship.CHILD,
            reason=REASON,
            by=operator,
        )
        assert move.status == MoveRequest.Status.PENDING


@pytest.mark.parametrize(
    ("nik", "relationship", "field"),
    [
        ("1234", Member.Relationship.CHILD, "nik"),
        ("3275014101100099", Member.Relationship.HEAD, "relationship"),
        ("3275014101100099", "cousin", "relationship"),
    ],
)
def test_a_person_request_needs_a_valid_nik_and_not_a_second_head(
    operator, household_in_margahayu, nik, relationship, field
):
    with pytest.raises(ValidationError) as refused:
        request_person_move(
            household=household_in_margahayu,
            nik=nik,
            relationship=relationship,
            reason=REASON,
            by=operator,
        )
    assert field in refused.value.message_dict
    assert not MoveRequest.objects.exists()


# --- deciding -------------------------------------------------------------------------------


def test_an_approved_family_move_moves_it_with_its_history(
    operator, verifikator, household_in_margahayu, bintara
):
    move = request_family_move(
        household=household_in_margahayu, to_kelurahan=bintara, reason=REASON, by=operator
    )
    decide_move(move=move, approve=True, note="", by=verifikator)
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan == bintara
    record = ChangeRecord.objects.get(household=household_in_margahayu, actor=verifikator)
    assert record.changes["kelurahan"][1] == str(bintara)
    move.refresh_from_db()
    assert (move.status, move.decided_by) == (MoveRequest.Status.APPROVED, verifikator)


def test_an_approved_person_move_keeps_one_head_in_each_family(
    operator, verifikator, household_in_margahayu, household_in_bintara
):
    person = _someone_in(household_in_bintara)
    move = request_person_move(
        household=household_in_margahayu,
        nik=person.nik,
        relationship=Member.Relationship.PARENT,
        reason=REASON,
        by=operator,
    )
    decide_move(move=move, approve=True, note="", by=verifikator)
    person.refresh_from_db()
    assert person.household == household_in_margahayu
    assert person.relationship == Member.Relationship.PARENT
    for household in (household_in_margahayu, household_in_bintara):
        household.refresh_from_db()
        assert _heads(household) == 1
        assert household.member_count == household.members.count()
        assert ChangeRecord.objects.filter(household=household, object_id=person.pk).exists()


def test_the_head_of_another_family_is_not_moved(
    operator, verifikator, household_in_margahayu, household_in_bintara
):
    head = household_in_bintara.members.get(relationship=Member.Relationship.HEAD)
    move = request_person_move(
        household=household_in_margahayu,
        nik=head.nik,
        relationship=Member.Relationship.SPOUSE,
        reason=REASON,
        by=operator,
    )
    with pytest.raises(ValidationError) as refused_head_elsewhere:
        decide_move(move=move, approve=True, note="", by=verifikator)
    assert refused_head_elsewhere.value.code == "head_elsewhere"
    head.refresh_from_db()
    move.refresh_from_db()
    assert head.household == household_in_bintara
    assert move.status == MoveRequest.Status.PENDING  # the Verifikator rejects it with a note


def test_an_unregistered_nik_cannot_be_approved(operator, verifikator, household_in_margahayu):
    move = request_person_move(
        household=household_in_margahayu,
        nik="3275014101100099",
        relationship=Member.Relationship.CHILD,
        reason=REASON,
        by=operator,
    )
    with pytest.raises(ValidationError) as refused_nik_not_registered:
        decide_move(move=move, approve=True, note="", by=verifikator)
    assert refused_nik_not_registered.value.code == "nik_not_registered"


def test_only_a_city_wide_writer_decides_and_never_their_own(
    operator, pendamping, data_steward, verifikator, household_in_margahayu, bintara
):
    move = request_family_move(
        household=household_in_margahayu, to_kelurahan=bintara, reason=REASON, by=operator
    )
    for user in (pendamping, operator, data_steward):
        with pytest.raises(Http404):
            decide_move(move=move, approve=True, note="", by=user)
    own = request_person_move(
        household=household_in_margahayu,
        nik="3275014101100099",
        relationship=Member.Relationship.CHILD,
        reason=REASON,
        by=verifikator,
    )
    with pytest.raises(ValidationError) as refused_own_request:
        decide_move(move=own, approve=False, note="x", by=verifikator)
    assert refused_own_request.value.code == "own_request"
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan.code == "32.75.01.1002"


def test_a_rejection_needs_a_note_and_a_request_is_decided_once(
    operator, verifikator, household_in_margahayu, bintara
):
    move = request_family_move(
        household=household_in_margahayu, to_kelurahan=bintara, reason=REASON, by=operator
    )
    with pytest.raises(ValidationError) as no_note:
        decide_move(move=move, approve=False, note=" ", by=verifikator)
    assert "note" in no_note.value.message_dict
    decide_move(move=move, approve=False, note="Alamat baru belum ada di KK", by=verifikator)
    with pytest.raises(ValidationError) as refused_decided:
        decide_move(move=move, approve=True, note="", by=verifikator)
    assert refused_decided.value.code == "decided"
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan.code == "32.75.01.1002"


# --- pages ----------------------------------------------------------------------------------


def test_the_desk_asks_on_the_page_and_sees_the_answer(
    client, operator, verifikator, household_in_margahayu, bintara
):
    client.force_login(operator)
    page = reverse("households:household_detail", args=[household_in_margahayu.pk])
    url = reverse("households:move_request", args=[household_in_margahayu.pk])
    assert url in client.get(page).content.decode()
    response = client.post(
        url,
        {"kind": "family", "family-to_kelurahan": bintara.pk, "family-reason": REASON},
        follow=True,
    )
    assert "dikirim ke Verifikator" in response.content.decode()
    move = MoveRequest.objects.get()

    client.force_login(verifikator)
    review = client.get(reverse("households:move_review_list"))
    assert f'id="move-{move.pk}"' in review.content.decode()
    client.post(
        reverse("households:move_decide", args=[move.pk]),
        {"decision": "reject", "note": "Belum ada surat pindah"},
    )
    client.force_login(operator)
    assert "Belum ada surat pindah" in client.get(url).content.decode()


def test_the_page_shows_errors_beside_the_fields(client, operator, household_in_margahayu):
    client.force_login(operator)
    url = reverse("households:move_request", args=[household_in_margahayu.pk])
    response = client.post(
        url,
        {"kind": "person", "person-nik": "3275", "person-relationship": "", "person-reason": "x"},
    )
    assert response.status_code == 200
    form = response.context["person_form"]
    assert {"nik", "relationship"} <= set(form.errors)
    response = client.post(
        url,
        {
            "kind": "person",
            "person-nik": "3275014101100099",
            "person-relationship": "child",
            "person-reason": "pindah",
        },
    )
    assert "reason" in response.context["person_form"].errors
    response = client.post(url, {"kind": "nonsense"})
    assert response.status_code == 200
    assert not MoveRequest.objects.exists()


def test_the_review_shows_the_verifikator_where_the_nik_is(
    client, operator, verifikator, household_in_margahayu, household_in_bintara
):
    person = _someone_in(household_in_bintara)
    request_person_move(
        household=household_in_margahayu,
        nik=person.nik,
        relationship=Member.Relationship.CHILD,
        reason=REASON,
        by=operator,
    )
    client.force_login(verifikator)
    html = client.get(reverse("households:move_review_list") + "?status=pending").content.decode()
    assert household_in_bintara.kk_number in html
    assert person.name in html


def test_the_household_form_keeps_the_kelurahan_and_points_to_the_request(
    client, operator, household_in_margahayu, bintara
):
    from tests.households.posts import edit_post

    client.force_login(operator)
    url = reverse("households:household_edit", args=[household_in_margahayu.pk])
    assert "Ajukan ke Dinas Sosial" in client.get(url).content.decode()
    client.post(url, edit_post(household_in_margahayu, bintara))
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kelurahan.code == "32.75.01.1002"
