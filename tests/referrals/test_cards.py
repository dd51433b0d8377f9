"""The triage queue's cards, built in Python (referrals.presenters.referral_cards, issue 17),
are the HTML of referrals/_referral_card.html character for character, in both languages."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from households.models import Household
from referrals.models import Outcome, Referral, Status
from referrals.presenters import referral_cards
from referrals.services import raise_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(household_in_margahayu, health, operator, petugas_dinkes):
    """Every line of the card shown by one referral or another: urgent, overdue by one day
    and by several, assigned, with an outcome, a head's name that must be escaped, none."""
    Household.objects.filter(pk=household_in_margahayu.pk).update(head_name='Siti & "Ani" <b>')
    raised = [
        raise_referral(
            household=household_in_margahayu,
            category=health,
            description=f"Keperluan {i}",
            by=operator,
            priority="urgent" if i == 0 else "normal",
        )
        for i in range(5)
    ]
    today = timezone.localdate()
    Referral.objects.filter(pk=raised[1].pk).update(
        due_date=today - timedelta(days=1), assignee=petugas_dinkes
    )
    Referral.objects.filter(pk=raised[2].pk).update(due_date=today - timedelta(days=4))
    Referral.objects.filter(pk=raised[3].pk).update(
        status=Status.RESOLVED, outcome=Outcome.choices[0][0]
    )
    return list(
        Referral.objects.filter(pk__in=[r.pk for r in raised])
        .select_related("household__kelurahan__parent", "category", "assignee", "agency")
        .order_by("pk")
    )


def _template_cards(referrals, **context) -> list[str]:
    return [
        render_to_string("referrals/_referral_card.html", {"referral": r, **context})
        for r in referrals
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_cards_are_the_templates_html(referrals, language):
    with translation.override(language):
        assert referral_cards(referrals) == _template_cards(referrals)
        assert referral_cards(referrals, show_agency=True) == _template_cards(
            referrals, show_agency=True
        )


def test_the_cards_say_what_each_referral_needs_said(referrals):
    with translation.override("en"):
        html = "".join(referral_cards(referrals))
    assert html.count('<span class="badge late">urgent</span>') == 1
    assert "1 day overdue" in html
    assert "4 days overdue" in html
    assert "Siti &amp; &quot;Ani&quot; &lt;b&gt;" in html
    assert "<b>" not in html
    assert "Outcome: " in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_queue_page_shows_the_templates_cards(client, referrals, petugas_dinkes, language):
    client.force_login(petugas_dinkes)
    client.cookies["django_language"] = language
    response = client.get(reverse("referrals:queue"))
    shown = list(response.context["page"].object_list)
    assert shown
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        for card in _template_cards(shown):
            assert card in page
