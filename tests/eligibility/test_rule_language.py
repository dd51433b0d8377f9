"""English complete (issue 18, point 14), for rules: a rule's message (the receipt's reason) has
an English text beside the Indonesian one; each reader gets theirs, and a rule without one
shows its Indonesian message. The seeded rules got their English by a data migration."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from eligibility.models import Flag, Rule
from eligibility.services import run_eligibility, save_rule
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_indonesian():
    """The language middleware leaves the last request's language active in this thread:
    tests that follow expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def car_flag(margahayu):
    household = household_with_members(margahayu, size=2, car_count=2, welfare_decile=7)
    run_eligibility()
    return Flag.objects.get(household=household, rule_code="car_owner")


def receipt(client, user, flag, language: str) -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(reverse("eligibility:flag_detail", args=[flag.pk])).content.decode()


def test_the_seeded_rules_have_their_message_in_english():
    assert Rule.objects.get(code="car_owner", rule_set__status="active").message_en == (
        "Owns {car_count} car(s)"
    )
    assert not Rule.objects.filter(rule_set__status="active", message_en="").exists()


def test_each_reader_gets_the_receipt_in_their_language(client, verifikator, car_flag):
    assert "Owns 2 car(s)" in receipt(client, verifikator, car_flag, "en")
    assert "Memiliki 2 mobil" in receipt(client, verifikator, car_flag, "id")


def test_a_rule_without_english_shows_its_indonesian_message(client, verifikator, car_flag):
    Rule.objects.filter(pk=car_flag.rule_id).update(message_en="")
    assert "Memiliki 2 mobil" in receipt(client, verifikator, car_flag, "en")


def test_an_english_message_naming_an_unknown_field_is_refused(verifikator):
    rule = Rule.objects.get(code="car_owner", rule_set__status="active")
    data = {
        f: getattr(rule, f)
        for f in ("name_id", "name_en", "kind", "condition", "message", "severity")
    }
    with pytest.raises(ValidationError) as excinfo:
        save_rule(
            rule=rule,
            data={**data, "message_en": "Owns {cars} cars"},
            by=verifikator,
            reason="Uji",
        )
    assert "condition" in excinfo.value.message_dict
