"""Program enrolment: through services with history, from the household page by the verifier."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.models import ChangeRecord, Enrolment, Program
from households.services import change_enrolment_status, enrol_in_program

pytestmark = pytest.mark.django_db


def test_enrolment_and_its_end_are_recorded_in_history(verifikator, household_in_margahayu):
    pkh = Program.objects.get(code="pkh")
    enrolment = enrol_in_program(
        household=household_in_margahayu, program=pkh, start_date=date(2026, 1, 1), by=verifikator
    )
    change_enrolment_status(
        enrolment=enrolment,
        status=Enrolment.Status.ENDED,
        end_date=date(2026, 6, 30),
        by=verifikator,
    )
    records = ChangeRecord.objects.filter(entity="enrolment").order_by("pk")
    assert [r.action for r in records] == ["created", "updated"]
    assert records[1].changes == {"status": ["active", "ended"], "end_date": [None, "2026-06-30"]}


def test_a_second_active_enrolment_in_the_same_program_is_refused(
    verifikator, household_in_margahayu
):
    pkh = Program.objects.get(code="pkh")
    enrol_in_program(
        household=household_in_margahayu, program=pkh, start_date=date(2026, 1, 1), by=verifikator
    )
    with pytest.raises(ValidationError) as excinfo:
        enrol_in_program(
            household=household_in_margahayu,
            program=pkh,
            start_date=date(2026, 2, 1),
            by=verifikator,
        )
    assert excinfo.value.code == "already_enrolled"


def test_a_person_level_program_needs_a_member(
    verifikator, household_in_margahayu, household_in_bintara
):
    kip = Program.objects.get(code="kip")
    with pytest.raises(ValidationError) as excinfo:
        enrol_in_program(
            household=household_in_margahayu,
            program=kip,
            start_date=date(2026, 1, 1),
            by=verifikator,
        )
    assert excinfo.value.code == "member_required"
    stranger = household_in_bintara.members.first()
    with pytest.raises(ValidationError) as excinfo:
        enrol_in_program(
            household=household_in_margahayu,
            program=kip,
            member=stranger,
            start_date=date(2026, 1, 1),
            by=verifikator,
        )
    assert excinfo.value.code == "foreign_member"


def test_verifier_enrols_from_the_household_page(client, verifikator, household_in_margahayu):
    client.force_login(verifikator)
    url = reverse("households:enrolment_create", args=[household_in_margahayu.pk])
    pkh = Program.objects.get(code="pkh")
    response = client.post(url, {"program": pkh.pk, "start_date": "2026-01-01"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert household_in_margahayu.enrolments.get().program == pkh
    again = client.post(url, {"program": pkh.pk, "start_date": "2026-01-01"}, follow=True)
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_facilitator_may_not_enrol(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    url = reverse("households:enrolment_create", args=[household_in_margahayu.pk])
    pkh = Program.objects.get(code="pkh")
    assert client.post(url, {"program": pkh.pk, "start_date": "2026-01-01"}).status_code == 403


def test_enrolment_outside_scope_is_404(client, verifikator, pendamping, household_in_bintara):
    enrolment = enrol_in_program(
        household=household_in_bintara,
        program=Program.objects.get(code="pkh"),
        start_date=date(2026, 1, 1),
        by=verifikator,
    )
    client.force_login(verifikator)
    other = reverse(
        "households:enrolment_status", args=[household_in_bintara.pk + 999, enrolment.pk]
    )
    assert client.post(other, {"status": "ended"}).status_code == 404
    url = reverse("households:enrolment_status", args=[household_in_bintara.pk, enrolment.pk])
    assert client.post(url, {"status": "bogus"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE
