"""Lists count at most a cap: exact below it, "more than" beyond it (issue 17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from households.models import Household
from slrt.paging import CappedPaginator
from tests.households.factories import household_with_members

pytestmark = pytest.mark.django_db


def test_the_count_stops_one_row_past_the_cap(margahayu, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        household_with_members(margahayu, size=1)
    paginator = CappedPaginator(Household.objects.order_by("pk"), 2)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.is_capped, paginator.num_pages) == (4, True, 2)
    assert len(captured) == 1
    assert "LIMIT 4" in captured[0]["sql"]
    assert "ORDER BY" not in captured[0]["sql"]  # the order changes no count, only its cost
    exact = CappedPaginator(Household.objects.order_by("pk")[:3], 2)
    assert (exact.count, exact.is_capped) == (3, False)


def test_a_list_past_the_cap_says_more_than_and_pages_without_a_total(
    client, verifikator, margahayu, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "cap", 30)  # two pages of 25 past it
    for _ in range(60):
        household_with_members(margahayu, size=1)
    client.force_login(verifikator)
    with translation.override("id"):
        page = client.get(reverse("households:household_list"), HTTP_ACCEPT_LANGUAGE="id")
    text = page.content.decode()
    assert "lebih dari 30 keluarga" in text
    assert "Halaman 1" in text
    assert "Halaman 1 dari" not in text


def test_a_list_under_the_cap_gives_the_exact_count(client, verifikator, margahayu):
    for _ in range(4):
        household_with_members(margahayu, size=1)
    client.force_login(verifikator)
    page = client.get(reverse("households:household_list"), HTTP_ACCEPT_LANGUAGE="id")
    assert "4 keluarga" in page.content.decode()
