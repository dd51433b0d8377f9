"""Emergency (break-glass) access (issue 7, item 5): an agency officer or a facilitator opens
a household outside their scope by its full KK number and a written reason; it opens at once
for BREAK_GLASS_HOURS, every read is logged with the grant, the Verifikator reviews it."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from households.break_glass import request_break_glass, review_break_glass
from households.models import AccessRecord, BreakGlassGrant
from households.selectors import visible_households

pytestmark = pytest.mark.django_db

REQUEST_URL = reverse("households:break_glass_request")
REVIEW_URL = reverse("households:break_glass_review_list")
REASON = "Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim dari kelurahan."


def _request(client, household, reason=REASON, kk=None):
    return client.post(REQUEST_URL, {"kk_number": kk or household.kk_number, "reason": reason})


def _fresh(user):
    """The same user as a new request would load it (the scope is cached per request)."""
    return type(user).objects.get(pk=user.pk)


# --- who may ask, who may review ---------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "can_request", "can_review"),
    [
        ("petugas_dinkes", True, False),
        ("pendamping", True, False),
        ("operator", False, False),
        ("verifikator", False, True),
        ("data_steward", False, False),
        ("pimpinan", False, False),
        ("perencana", False, False),
    ],
)
def test_who_may_request_and_who_may_review(request, client, persona, can_request, can_review):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(REQUEST_URL).status_code == (200 if can_request else 403)
    assert client.get(REVIEW_URL).status_code == (200 if can_review else 403)
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert (f'href="{REQUEST_URL}"' in page) == can_request
    assert (f'href="{REVIEW_URL}"' in page) == can_review


# --- the grant opens the household, and only for a while ----------------------------------


def test_outside_scope_is_404_without_a_grant(client, petugas_dinkes, household_in_bintara):
    client.force_login(petugas_dinkes)
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/households/{household_in_bintara.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["petugas_dinkes", "pendamping"])
def test_a_grant_opens_the_household_page_and_the_api_and_every_read_is_logged(
    request, client, persona, household_in_bintara
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = _request(client, household_in_bintara)
    assert response.status_code == 302
    assert response.url == household_in_bintara.get_absolute_url()
    grant = BreakGlassGrant.objects.get()
    assert (grant.user, grant.household, grant.reason) == (user, household_in_bintara, REASON)
    assert grant.expires_at - grant.created_at == datetime.timedelta(hours=24)

    assert client.get(household_in_bintara.get_absolute_url()).status_code == 200
    assert client.get(f"/api/v1/households/{household_in_bintara.pk}/").status_code == 200
    reads = AccessRecord.objects.filter(user=user, household=household_in_bintara)
    assert reads.count() == 2
    assert set(reads.values_list("basis", "grant_id")) == {
        (AccessRecord.Basis.BREAK_GLASS, grant.pk)
    }


def test_expiry_closes_the_household_again(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    _request(client, household_in_bintara)
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 200
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.force_login(pendamping)  # the session of 8 hours ended too
        assert client.get(household_in_bintara.get_absolute_url()).status_code == 404
        assert client.get(f"/api/v1/households/{household_in_bintara.pk}/").status_code == 404
        assert not visible_households(_fresh(pendamping)).filter(pk=household_in_bintara.pk)


@pytest.mark.parametrize("hours", [1, 48])
def test_the_grant_lasts_break_glass_hours(settings, pendamping, household_in_bintara, hours):
    settings.BREAK_GLASS_HOURS = hours
    grant = request_break_glass(
        kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping
    )
    assert grant.expires_at - grant.created_at == datetime.timedelta(hours=hours)


def test_a_grant_opens_the_household_to_its_holder_only(
    client, pendamping, petugas_dinkes, household_in_bintara
):
    request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping)
    client.force_login(petugas_dinkes)
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 404


def test_the_grant_adds_one_household_not_a_kelurahan(pendamping, household_in_bintara, bintara):
    from tests.households.factories import household_with_members

    neighbour = household_with_members(bintara, size=1)
    request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping)
    visible = visible_households(_fresh(pendamping))
    assert visible.filter(pk=household_in_bintara.pk).exists()
    assert not visible.filter(pk=neighbour.pk).exists()


# --- bad input: clear messages, never a 500 -----------------------------------------------


@pytest.mark.parametrize(
    ("kk", "reason", "field"),
    [
        (None, "darurat", "__all__"),  # too short a reason
        ("3275", REASON, "kk_number"),  # not 16 digits
        ("", REASON, "kk_number"),
        (None, "", "reason"),
    ],
)
def test_bad_input_is_a_form_error(client, pendamping, household_in_bintara, kk, reason, field):
    client.force_login(pendamping)
    data = {"kk_number": household_in_bintara.kk_number if kk is None else kk, "reason": reason}
    response = client.post(REQUEST_URL, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not BreakGlassGrant.objects.exists()


def test_a_short_reason_is_refused_with_its_code(pendamping, household_in_bintara):
    with pytest.raises(ValidationError) as excinfo:
        request_break_glass(kk_number=household_in_bintara.kk_number, reason="x" * 5, by=pendamping)
    assert excinfo.value.code == "reason_too_short"


def test_the_message_is_in_indonesian(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    response = _request(client, household_in_bintara, reason="darurat")
    assert "Tuliskan alasan" in response.content.decode()


def test_an_unknown_kk_is_recorded_and_opens_nothing(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    unknown = household_in_bintara.kk_number[:-4] + "7531"
    response = _request(client, household_in_bintara, kk=unknown)
    assert response.status_code == 302
    assert response.url == REQUEST_URL
    grant = BreakGlassGrant.objects.get()
    assert grant.household is None
    assert grant.kk_number == unknown
    assert not grant.is_active


def test_a_household_already_in_scope_needs_no_grant(pendamping, household_in_margahayu):
    with pytest.raises(ValidationError) as excinfo:
        request_break_glass(
            kk_number=household_in_margahayu.kk_number, reason=REASON, by=pendamping
        )
    assert excinfo.value.code == "already_visible"
    assert not BreakGlassGrant.objects.exists()


def test_requests_are_capped_per_day(client, settings, pendamping, household_in_bintara):
    settings.BREAK_GLASS_MAX_PER_DAY = 2
    unknown = household_in_bintara.kk_number[:-4] + "7531"
    for _ in range(2):  # probes for numbers count too
        request_break_glass(kk_number=unknown, reason=REASON, by=pendamping)
    with pytest.raises(ValidationError) as excinfo:
        request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping)
    assert excinfo.value.code == "too_many"
    client.force_login(pendamping)
    response = _request(client, household_in_bintara)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    tomorrow = timezone.now() + datetime.timedelta(days=1, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        request_break_glass(kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping)


def test_the_kk_number_never_travels_in_a_url(client, pendamping, household_in_bintara):
    client.force_login(pendamping)
    page = client.get(REQUEST_URL).content.decode()
    assert 'method="post"' in page
    response = _request(client, household_in_bintara)
    assert household_in_bintara.kk_number not in response.url


# --- the Verifikator's review -------------------------------------------------------------


@pytest.fixture
def grant(pendamping, household_in_bintara):
    return request_break_glass(
        kk_number=household_in_bintara.kk_number, reason=REASON, by=pendamping
    )


def test_the_review_list_shows_user_household_reason_times_and_reads(
    client, grant, pendamping, verifikator, household_in_bintara
):
    client.force_login(pendamping)
    client.get(household_in_bintara.get_absolute_url())
    client.force_login(verifikator)
    response = client.get(REVIEW_URL)
    assert response.status_code == 200
    [row] = response.context["page"].object_list
    assert (row.user, row.household, row.read_count) == (pendamping, household_in_bintara, 1)
    html = response.content.decode()
    assert REASON in html
    assert household_in_bintara.kk_number not in html  # masked in the list


def test_justified(client, grant, verifikator):
    client.force_login(verifikator)
    url = reverse("households:break_glass_review", args=[grant.pk])
    assert client.post(url, {"decision": "justified"}).status_code == 302
    grant.refresh_from_db()
    assert (grant.decision, grant.reviewed_by) == ("justified", verifikator)
    assert grant.is_active  # a justified access runs its time


def test_not_justified_needs_a_note_flags_and_closes_the_access(
    client, grant, verifikator, pendamping, household_in_bintara
):
    client.force_login(verifikator)
    url = reverse("households:break_glass_review", args=[grant.pk])
    client.post(url, {"decision": "not_justified", "note": ""})
    grant.refresh_from_db()
    assert not grant.reviewed_at
    client.post(url, {"decision": "not_justified", "note": "Bukan keadaan darurat."})
    grant.refresh_from_db()
    assert grant.decision == BreakGlassGrant.Decision.NOT_JUSTIFIED
    assert not grant.is_active
    html = client.get(REVIEW_URL).content.decode()
    assert "badge late" in html
    client.force_login(pendamping)
    assert client.get(household_in_bintara.get_absolute_url()).status_code == 404


def test_a_grant_is_reviewed_once(grant, verifikator, admin_user):
    review_break_glass(grant=grant, decision="justified", note="", by=verifikator)
    with pytest.raises(ValidationError) as excinfo:
        review_break_glass(grant=grant, decision="not_justified", note="x", by=admin_user)
    assert excinfo.value.code == "already_reviewed"


def test_a_bad_review_decision_is_a_message_not_a_500(client, grant, verifikator):
    client.force_login(verifikator)
    url = reverse("households:break_glass_review", args=[grant.pk])
    response = client.post(url, {"decision": "maybe"}, follow=True)
    assert response.status_code == 200
    grant.refresh_from_db()
    assert not grant.reviewed_at


def test_agency_staff_cannot_review(client, grant, petugas_dinkes):
    client.force_login(petugas_dinkes)
    url = reverse("households:break_glass_review", args=[grant.pk])
    assert client.post(url, {"decision": "justified"}).status_code == 403
