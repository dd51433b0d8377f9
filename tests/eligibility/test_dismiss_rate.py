"""The dismiss rate per rule by name, per reason and over a chosen period (issue 20): which rule
is wrong. Before any decision every active rule has its row."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from eligibility.models import Flag, ReviewDecision
from eligibility.selectors import dismiss_rates
from eligibility.services import review_flags, run_eligibility
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def car_flags(margahayu, bintara):
    """Three car owners in Margahayu, one in Bintara."""
    for kelurahan in (margahayu, margahayu, margahayu, bintara):
        household_with_members(kelurahan, size=2, car_count=1, welfare_decile=7)
    run_eligibility()
    return list(Flag.objects.filter(rule_code="car_owner").order_by("household__kelurahan", "pk"))


def test_before_any_decision_every_rule_is_listed_by_name(verifikator, reference_data):
    today = timezone.localdate()
    rates = dismiss_rates(verifikator, start=today, end=today)
    names = {rate.name for rate in rates}
    assert "Pemilik mobil" in names
    assert all(rate.decided == 0 and rate.share is None for rate in rates)


def test_rates_per_rule_and_reason(verifikator, car_flags):
    review_flags(
        flags=car_flags[:2], decision="dismissed", reason="Mobil sudah dijual", by=verifikator
    )
    review_flags(flags=car_flags[2:3], decision="dismissed", reason=" data  lama", by=verifikator)
    review_flags(flags=car_flags[3:], decision="confirmed", reason="", by=verifikator)
    today = timezone.localdate()
    car = next(
        r for r in dismiss_rates(verifikator, start=today, end=today) if r.code == "car_owner"
    )
    assert (car.name, car.decided, car.dismissed, car.share) == ("Pemilik mobil", 4, 3, 75)
    assert [(r.reason, r.count) for r in car.reasons] == [
        ("Mobil sudah dijual", 2),
        ("data lama", 1),
    ]


def test_the_period_counts_only_its_decisions(verifikator, car_flags):
    review_flags(flags=car_flags[:1], decision="dismissed", reason="Data lama", by=verifikator)
    review_flags(flags=car_flags[1:2], decision="dismissed", reason="Salah input", by=verifikator)
    long_ago = timezone.now() - datetime.timedelta(days=200)
    ReviewDecision.objects.filter(flag=car_flags[0]).update(created_at=long_ago)
    today = timezone.localdate()
    recent = dismiss_rates(verifikator, start=today - datetime.timedelta(days=30), end=today)
    car = next(r for r in recent if r.code == "car_owner")
    assert car.decided == 1
    assert [r.reason for r in car.reasons] == ["Salah input"]


def test_decisions_outside_the_readers_scope_are_not_counted(
    verifikator, pendamping, car_flags, bintara
):
    outside = [f for f in car_flags if f.household.kelurahan_id == bintara.pk]
    review_flags(flags=outside, decision="dismissed", reason="Milik kerabat", by=verifikator)
    today = timezone.localdate()
    car = next(
        r for r in dismiss_rates(pendamping, start=today, end=today) if r.code == "car_owner"
    )
    assert car.decided == 0
    assert car.reasons == []


def test_the_page_shows_names_and_reasons(client, verifikator, car_flags):
    review_flags(
        flags=car_flags[:1], decision="dismissed", reason="Mobil sudah dijual", by=verifikator
    )
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:dismiss_rate")).content.decode()
    assert "Pemilik mobil" in html
    assert "car_owner" not in html
    assert "Mobil sudah dijual" in html
    assert "100%" in html


def test_a_backward_period_is_refused_with_a_message(client, verifikator, reference_data):
    client.force_login(verifikator)
    response = client.get(
        reverse("eligibility:dismiss_rate"), {"date_from": "2026-12-01", "date_to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "Tanggal awal jatuh setelah tanggal akhir" in response.content.decode()


def test_the_queue_links_to_the_dismiss_rate(client, verifikator, reference_data):
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:flag_queue")).content.decode()
    assert reverse("eligibility:dismiss_rate") in html


def test_aggregate_only_roles_do_not_read_the_reasons(client, pimpinan):
    client.force_login(pimpinan)
    assert client.get(reverse("eligibility:dismiss_rate")).status_code == 403


def test_the_period_shown_is_the_one_counted(client, verifikator, reference_data):
    client.force_login(verifikator)
    html = client.get(reverse("eligibility:dismiss_rate")).content.decode()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=90)
    assert f'value="{start.isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
