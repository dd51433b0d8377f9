"""Issue 16, finding 6: audit rows outlive what they record; serializers list what they
publish; the review endpoint documents its body."""

from pathlib import Path

import pytest
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from households.api import HouseholdSerializer
from households.models import AccessRecord, ChangeRecord
from households.roles import role_table
from households.selectors import access_household
from households.services import record_location
from referrals.models import ReferralEvent

pytestmark = pytest.mark.django_db


def test_a_household_with_history_or_reads_cannot_be_deleted_with_them(
    pendamping, verifikator, household_in_margahayu
):
    record_location(
        household=household_in_margahayu, latitude=-6.25, longitude=107.0, by=pendamping
    )
    access_household(verifikator, household_in_margahayu.pk)  # a logged city-wide read
    assert ChangeRecord.objects.filter(household=household_in_margahayu).exists()
    assert AccessRecord.objects.filter(household=household_in_margahayu).exists()
    household_in_margahayu.members.all().delete()
    with pytest.raises(ProtectedError):
        household_in_margahayu.delete()
    assert ChangeRecord.objects.filter(household=household_in_margahayu).exists()


def test_a_referral_with_events_cannot_be_deleted_with_them(worlds):  # noqa: F811
    referral = worlds[0].referral
    assert ReferralEvent.objects.filter(referral=referral).exists()
    referral.notifications.all().delete()
    referral.attachments.all().delete()
    with pytest.raises(ProtectedError):
        referral.delete()


def test_the_household_serializer_lists_its_fields():
    """A field added to the model is not published until someone lists it."""
    meta = HouseholdSerializer.Meta
    assert not hasattr(meta, "exclude")
    assert {"search_text", "created_by", "updated_by"}.isdisjoint(meta.fields)


def test_the_readme_role_table_is_the_one_in_the_code():
    """Issue 16: one table of roles -> permissions; the README's is made from it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- role-table:start -->\n", "\n<!-- role-table:end -->"
    documented = readme.split(start, 1)[1].split(end, 1)[0]
    assert documented == role_table(), (
        "README.md's role table is out of date; replace it with households.roles.role_table()"
    )


def test_the_review_endpoint_documents_its_request_body(verifikator):
    client = APIClient()
    client.force_authenticate(verifikator)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/eligibility/flags/review/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][name]["properties"]
    assert set(fields) == {"flags", "decision", "reason"}
