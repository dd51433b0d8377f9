"""Notifications: who hears about which transition, nobody about their own action, e-mail
only after commit and only once, assignment, and the inbox pages."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from households.models import Agency
from referrals.context_processors import referral_counts
from referrals.models import Action, Notification, Referral
from referrals.notifications import mark_referral_notifications_read, send_notification_emails
from referrals.services import assign_referral, raise_referral, transition_referral
from tests.households.factories import persona

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


@pytest.fixture
def operator_with_mail(operator):
    operator.email = "dedi@example.id"
    operator.save(update_fields=["email"])
    return operator


@pytest.fixture
def submitted(household_in_margahayu, health, operator_with_mail):
    return raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator_with_mail
    )


@pytest.fixture
def accepted(submitted, petugas_dinkes):
    return transition_referral(referral=submitted, action=Action.ACCEPT, by=petugas_dinkes)


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_submission_tells_the_agency_head_and_mails_after_commit(
    household_in_margahayu, health, operator, kepala_dinkes, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        referral = raise_referral(
            household=household_in_margahayu, category=health, description="JKN", by=operator
        )
        assert _kinds(kepala_dinkes) == [Kind.SUBMITTED]
        assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert [mail.to for mail in mailoutbox] == [[kepala_dinkes.email]]
    assert f"/referrals/{referral.pk}/" in mailoutbox[0].body
    assert Notification.objects.get(recipient=kepala_dinkes).emailed_at is not None


def test_without_a_head_a_submission_tells_nobody(submitted):
    assert not Notification.objects.exists()


def test_accepting_does_not_tell_the_officer_about_their_own_action(
    accepted, petugas_dinkes, django_capture_on_commit_callbacks, mailoutbox
):
    assert accepted.assignee == petugas_dinkes
    assert _kinds(petugas_dinkes) == []


def test_assignment_tells_the_assignee_by_mail(
    submitted, kepala_dinkes, petugas_dinkes, django_capture_on_commit_callbacks, mailoutbox
):
    petugas_dinkes.email = "sari@example.id"
    petugas_dinkes.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assigned = assign_referral(referral=submitted, assignee=petugas_dinkes, by=kepala_dinkes)
    assert assigned.assignee == petugas_dinkes
    assign_referral(referral=assigned, assignee=petugas_dinkes, by=kepala_dinkes)  # again
    assert _kinds(petugas_dinkes) == [Kind.ASSIGNED]
    assert [mail.to for mail in mailoutbox] == [["sari@example.id"]]


def test_accepting_a_referral_assigned_to_a_colleague_tells_the_colleague(
    submitted, kepala_dinkes, petugas_dinkes
):
    assign_referral(referral=submitted, assignee=kepala_dinkes, by=petugas_dinkes)
    transition_referral(referral=submitted, action=Action.ACCEPT, by=petugas_dinkes)
    assert _kinds(kepala_dinkes).count(Kind.ASSIGNED) == 2  # on assignment, then on accept


def test_assigning_to_oneself_tells_nobody(submitted, petugas_dinkes):
    assign_referral(referral=submitted, assignee=petugas_dinkes, by=petugas_dinkes)
    assert not Notification.objects.exists()


def test_only_the_agency_staff_assign_and_are_assigned(
    submitted, petugas_dinkes, petugas_disdik, operator
):
    with pytest.raises(ValidationError) as refused:
        assign_referral(referral=submitted, assignee=petugas_disdik, by=petugas_dinkes)
    assert refused.value.code == "assignee_not_staff"
    with pytest.raises(ValidationError) as refused:
        assign_referral(referral=submitted, assignee=petugas_dinkes, by=petugas_disdik)
    assert refused.value.code == "not_receiving_agency"
    with pytest.raises(ValidationError) as refused:
        assign_referral(referral=submitted, assignee=operator, by=petugas_dinkes)
    assert refused.value.code == "assignee_not_staff"


def test_a_stale_assignment_is_refused(submitted, petugas_dinkes):
    colleague = persona("petugas_opd", agency_code="dinkes", username="ibu_sari_2")
    seen_before = Referral.objects.get(pk=submitted.pk)
    assign_referral(referral=submitted, assignee=colleague, by=petugas_dinkes)
    with pytest.raises(ValidationError) as refused:
        assign_referral(referral=seen_before, assignee=petugas_dinkes, by=petugas_dinkes)
    assert refused.value.code == "stale"


def test_a_closed_referral_cannot_be_assigned(submitted, petugas_dinkes):
    Referral.objects.filter(pk=submitted.pk).update(status="closed")
    submitted.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        assign_referral(referral=submitted, assignee=petugas_dinkes, by=petugas_dinkes)
    assert refused.value.code == "invalid_assignment"


def test_a_return_tells_the_origin(accepted, petugas_dinkes, operator_with_mail):
    transition_referral(
        referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="Foto KTP kurang jelas"
    )
    assert _kinds(operator_with_mail) == [Kind.RETURNED]
    # The note may hold personal data; it stays in SLRT and out of the message.
    assert "KTP" not in Notification.objects.get().message


def test_a_resubmission_tells_the_officer_who_holds_it_not_the_head(
    accepted, petugas_dinkes, operator_with_mail, kepala_dinkes
):
    transition_referral(
        referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="Foto KTP kurang jelas"
    )
    transition_referral(
        referral=accepted, action=Action.RESUBMIT, by=operator_with_mail, note="Terlampir"
    )
    assert _kinds(petugas_dinkes) == [Kind.RESUBMITTED]
    assert not Notification.objects.filter(recipient=kepala_dinkes, kind=Kind.RESUBMITTED)


def test_a_rejection_tells_the_origin(submitted, petugas_dinkes, operator_with_mail):
    transition_referral(
        referral=submitted, action=Action.REJECT, by=petugas_dinkes, note="Bukan wewenang kami"
    )
    assert _kinds(operator_with_mail) == [Kind.REJECTED]
    assert "wewenang" not in Notification.objects.get(kind=Kind.REJECTED).message


def test_a_resolution_tells_the_origin_by_mail(
    accepted, petugas_dinkes, operator_with_mail, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        transition_referral(
            referral=accepted,
            action=Action.RESOLVE,
            by=petugas_dinkes,
            note="Kartu aktif",
            outcome="served",
        )
    assert _kinds(operator_with_mail) == [Kind.RESOLVED]
    assert [mail.to for mail in mailoutbox] == [[operator_with_mail.email]]


def test_a_transfer_tells_the_new_agency_head(accepted, petugas_dinkes, kepala_dinsos):
    transition_referral(
        referral=accepted,
        action=Action.TRANSFER,
        by=petugas_dinkes,
        note="Bantuan sosial",
        to_agency=Agency.objects.get(code="dinsos"),
    )
    assert _kinds(kepala_dinsos) == [Kind.SUBMITTED]


def test_a_user_without_an_address_gets_no_mail(
    accepted, petugas_dinkes, operator, django_capture_on_commit_callbacks, mailoutbox
):
    User.objects.filter(pk=operator.pk).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        transition_referral(referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="x")
    assert _kinds(operator) == [Kind.RETURNED]
    assert mailoutbox == []


def test_a_notification_is_mailed_at_most_once(submitted, kepala_dinkes, mailoutbox):
    notification = Notification.objects.create(
        recipient=kepala_dinkes, referral=submitted, kind=Kind.OVERDUE, key="x", message="m"
    )
    assert send_notification_emails(notification_ids=[notification.pk]) == 1
    assert send_notification_emails(notification_ids=[notification.pk]) == 0
    assert len(mailoutbox) == 1


# --- inbox pages (the lead includes referrals.notification_urls at notifications/) -------


@pytest.fixture
def inbox(accepted, petugas_dinkes, operator_with_mail):
    transition_referral(referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="x")
    return Notification.objects.get(recipient=operator_with_mail)


def test_the_inbox_lists_only_ones_own_notifications(client, inbox, operator_with_mail, pendamping):
    client.force_login(operator_with_mail)
    response = client.get(reverse("notifications:notification_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [inbox]
    client.force_login(pendamping)
    response = client.get(reverse("notifications:notification_list"))
    assert list(response.context["page"].object_list) == []


def test_opening_a_notification_marks_it_read_and_goes_to_the_referral(
    client, inbox, operator_with_mail
):
    client.force_login(operator_with_mail)
    response = client.get(reverse("notifications:notification_open", args=[inbox.pk]))
    assert response.status_code == 302
    assert response.url == f"/referrals/{inbox.referral_id}/"
    inbox.refresh_from_db()
    assert inbox.read_at is not None


def test_someone_elses_notification_is_not_found(client, inbox, pendamping):
    client.force_login(pendamping)
    response = client.get(reverse("notifications:notification_open", args=[inbox.pk]))
    assert response.status_code == 404
    inbox.refresh_from_db()
    assert inbox.read_at is None


def test_mark_all_read_is_post_only_and_touches_only_ones_own(
    client, inbox, operator_with_mail, pendamping, health
):
    other = Notification.objects.create(
        recipient=pendamping, referral=inbox.referral, kind=Kind.RESOLVED, key="", message="m"
    )
    client.force_login(operator_with_mail)
    url = reverse("notifications:notification_read_all")
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert Notification.objects.get(pk=inbox.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_the_unread_count_costs_anonymous_users_no_query(
    inbox, operator_with_mail, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert referral_counts(request) == {}
    request.user = operator_with_mail
    with django_assert_num_queries(1):
        assert referral_counts(request)["unread_notification_count"] == 1


def test_unread_notifications_stand_out_in_the_inbox_and_on_the_bell(
    client, inbox, operator_with_mail
):
    client.force_login(operator_with_mail)
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert page.count('class="unread"') == 1
    bell = render_to_string("referrals/_notification_bell.html", {"unread_notification_count": 3})
    assert reverse("notifications:notification_list") in bell
    assert '">3</span>' in bell


def test_reading_a_referral_marks_only_the_readers_notices_about_it(
    accepted, petugas_dinkes, operator_with_mail, kepala_dinkes
):
    transition_referral(referral=accepted, action=Action.RETURN, by=petugas_dinkes, note="x")
    Notification.objects.create(
        recipient=kepala_dinkes, referral=accepted, kind=Kind.OVERDUE, key="k", message="m"
    )
    assert mark_referral_notifications_read(referral=accepted, by=operator_with_mail) == 1
    assert mark_referral_notifications_read(referral=accepted, by=operator_with_mail) == 0
    assert Notification.objects.get(recipient=kepala_dinkes).read_at is None
