"""Complaints at the desk (issue 18, point 9): need, channel, status and follow-up date; done
when their referrals are; a referral raised from one starts from its words."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from referrals.models import Complaint, Referral
from referrals.services import (
    raise_referral,
    record_complaint,
    schedule_complaint_follow_up,
    transition_referral,
)
from tests.households.factories import persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(operator, margahayu, household_in_margahayu, health):
    return record_complaint(
        kelurahan=margahayu,
        household=household_in_margahayu,
        complainant_name="Ibu Sumarni",
        request="Nenek sakit, kartu JKN belum aktif",
        category=health,
        channel=Complaint.Channel.PHONE,
        by=operator,
    )


@pytest.fixture
def operator_bintara(bintara):
    return persona("operator_puskesos", kelurahan=[bintara], username="yanti")


def _raise(complaint, by, description="JKN nenek"):
    return raise_referral(
        household=complaint.household,
        category=complaint.category,
        description=description,
        by=by,
        complaint=complaint,
    )


def test_a_complaint_keeps_need_channel_and_starts_open(complaint, health):
    assert (complaint.category, complaint.channel, complaint.status) == (
        health,
        "phone",
        Complaint.Status.OPEN,
    )


def test_a_complaint_settled_at_the_desk_is_done(operator, margahayu):
    settled = record_complaint(
        kelurahan=margahayu,
        complainant_name="Pak Ujang",
        request="Jadwal BPNT",
        resolved_at_desk=True,
        desk_note="Dijelaskan jadwalnya",
        by=operator,
    )
    assert settled.status == Complaint.Status.DONE


def test_a_complaint_is_referred_while_a_referral_is_open_and_done_when_all_are(
    complaint, operator, petugas_dinkes, petugas_disdik
):
    health = _raise(complaint, operator)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REFERRED
    school = raise_referral(
        household=complaint.household,
        category=complaint.category,
        agency=petugas_disdik.profile.agency,
        description="Biaya sekolah",
        by=operator,
        complaint=complaint,
    )
    transition_referral(referral=health, action="accept", by=petugas_dinkes)
    transition_referral(
        referral=health, action="resolve", by=petugas_dinkes, outcome="served", note="Aktif"
    )
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REFERRED  # the school referral is still open
    transition_referral(referral=school, action="reject", by=petugas_disdik, note="Bukan kami")
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DONE


def test_a_referral_from_a_complaint_outside_scope_is_not_found(
    complaint, operator_bintara, household_in_bintara, health
):
    with pytest.raises(Http404):
        raise_referral(
            household=household_in_bintara,
            category=health,
            description="x",
            by=operator_bintara,
            complaint=complaint,
        )
    assert not Referral.objects.exists()


def test_a_referral_from_a_complaint_about_another_family_is_refused(
    complaint, operator, margahayu, health
):
    from tests.households.factories import household_with_members

    other = household_with_members(margahayu, size=1)
    with pytest.raises(ValidationError) as refused:
        raise_referral(
            household=other, category=health, description="x", by=operator, complaint=complaint
        )
    assert refused.value.code == "complaint_household"


def test_the_desk_sets_and_clears_a_follow_up_date(complaint, operator):
    day = timezone.localdate() + timedelta(days=7)
    assert schedule_complaint_follow_up(complaint=complaint, follow_up_on=day, by=operator)
    complaint.refresh_from_db()
    assert complaint.follow_up_on == day
    schedule_complaint_follow_up(complaint=complaint, follow_up_on=None, by=operator)
    complaint.refresh_from_db()
    assert complaint.follow_up_on is None


def test_a_follow_up_in_the_past_is_refused(complaint, operator):
    with pytest.raises(ValidationError) as refused:
        schedule_complaint_follow_up(
            complaint=complaint,
            follow_up_on=timezone.localdate() - timedelta(days=1),
            by=operator,
        )
    assert refused.value.code == "follow_up_past"


def test_a_follow_up_outside_scope_is_not_found_and_other_roles_are_refused(
    complaint, operator_bintara, pendamping
):
    day = timezone.localdate() + timedelta(days=3)
    with pytest.raises(Http404):
        schedule_complaint_follow_up(complaint=complaint, follow_up_on=day, by=operator_bintara)
    with pytest.raises(ValidationError) as refused:
        schedule_complaint_follow_up(complaint=complaint, follow_up_on=day, by=pendamping)
    assert refused.value.code == "not_allowed"
    complaint.refresh_from_db()
    assert complaint.follow_up_on is None


def test_due_follow_up_is_derived_from_the_date_and_the_status(complaint):
    complaint.follow_up_on = timezone.localdate()
    assert complaint.follow_up_is_due
    complaint.status = Complaint.Status.DONE
    assert not complaint.follow_up_is_due


# --- pages ---------------------------------------------------------------------------------


def test_the_referral_form_starts_from_the_complaints_words_and_need(
    client, complaint, operator, health
):
    client.force_login(operator)
    url = reverse("referrals:referral_create", args=[complaint.household.pk])
    response = client.get(url, {"complaint": complaint.pk})
    form = response.context["form"]
    assert form["description"].value() == "Nenek sakit, kartu JKN belum aktif"
    assert form["category"].value() == health.pk
    assert "Nenek sakit, kartu JKN belum aktif</textarea>" in response.content.decode()


def test_the_desk_records_need_channel_and_follow_up(client, operator, margahayu, health):
    client.force_login(operator)
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("referrals:complaint_create"),
        {
            "complainant_name": "Ibu Sumarni",
            "kelurahan": margahayu.pk,
            "request": "Biaya berobat",
            "category": health.pk,
            "channel": "whatsapp",
            "follow_up_on": day.isoformat(),
        },
    )
    complaint = Complaint.objects.get()
    assert response.url == reverse("referrals:complaint_detail", args=[complaint.pk])
    assert (complaint.category, complaint.channel, complaint.follow_up_on) == (
        health,
        "whatsapp",
        day,
    )
    page = client.get(response.url).content.decode()
    assert "WhatsApp" in page
    assert "Baru" in page or "Terbuka" in page


def test_a_complaint_follow_up_from_its_page(client, complaint, operator):
    client.force_login(operator)
    url = reverse("referrals:complaint_follow_up", args=[complaint.pk])
    day = timezone.localdate() + timedelta(days=7)
    response = client.post(url, {"follow_up_on": day.isoformat()})
    assert response.url == reverse("referrals:complaint_detail", args=[complaint.pk])
    complaint.refresh_from_db()
    assert complaint.follow_up_on == day
    past = client.post(url, {"follow_up_on": "2020-01-01"})
    assert past.status_code == 302
    complaint.refresh_from_db()
    assert complaint.follow_up_on == day  # refused with a message
    assert client.post(url, {"follow_up_on": "not a date"}).status_code == 302


def test_a_complaint_follow_up_outside_scope_is_404(client, complaint, operator_bintara):
    client.force_login(operator_bintara)
    url = reverse("referrals:complaint_follow_up", args=[complaint.pk])
    assert client.post(url, {"follow_up_on": ""}).status_code == 404


def test_the_complaint_list_filters_by_status(client, complaint, operator, margahayu):
    settled = record_complaint(
        kelurahan=margahayu,
        complainant_name="Pak Ujang",
        request="Jadwal BPNT",
        resolved_at_desk=True,
        desk_note="Dijelaskan",
        by=operator,
    )
    client.force_login(operator)
    url = reverse("referrals:complaint_list")
    done = client.get(url, {"status": "done"}).context["page"].object_list
    assert list(done) == [settled]
    assert list(client.get(url, {"status": "open"}).context["page"].object_list) == [complaint]
    assert client.get(url, {"status": "bogus"}).context["page"].paginator.count == 2
