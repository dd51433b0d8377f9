"""English complete (issue 18, point 14), for notifications: written when something happens,
in the default language, and read later by someone who may have switched to English. The
inbox shows each notification in its reader's language, the deadline's date too; rows stored
before as plain text are shown as they are."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from referrals.models import Notification
from referrals.services import raise_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_indonesian():
    """The language middleware leaves the last request's language active in this thread:
    tests that follow expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def submitted(household_in_margahayu, health, operator, kepala_dinkes):
    with translation.override("id"):
        return raise_referral(
            household=household_in_margahayu, category=health, description="JKN", by=operator
        )


def inbox(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(reverse("notifications:notification_list")).content.decode()


def test_a_notification_written_in_indonesian_is_read_in_english(client, submitted, kepala_dinkes):
    notification = Notification.objects.get(recipient=kepala_dinkes)
    assert notification.message.startswith(f"Rujukan baru #{submitted.pk}")  # as stored
    with translation.override("en"):
        due = date_format(submitted.due_date, "j F Y")
    html = inbox(client, kepala_dinkes, "en")
    assert f"New referral #{submitted.pk}" in html
    assert f"due {due}." in html
    assert "Rujukan baru" not in html


def test_the_same_notification_stays_indonesian_for_an_indonesian_reader(
    client, submitted, kepala_dinkes
):
    with translation.override("id"):
        due = date_format(submitted.due_date, "j F Y")
    html = inbox(client, kepala_dinkes, "id")
    assert f"Rujukan baru #{submitted.pk}" in html
    assert due in html


def test_a_notification_stored_as_plain_text_before_is_shown_as_it_is(
    client, submitted, kepala_dinkes
):
    Notification.objects.filter(recipient=kepala_dinkes).update(
        message="Pesan lama dari sebelum pembaruan.", message_source=None
    )
    assert "Pesan lama dari sebelum pembaruan." in inbox(client, kepala_dinkes, "en")
