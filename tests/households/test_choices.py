"""Reference dropdowns render from each process's copy, and a change to a row shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.models import Program

pytestmark = pytest.mark.django_db


def _list_page(client, user) -> tuple[str, list[str]]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("households:household_list"))
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured]


def _reads(queries: list[str], table: str) -> list[str]:
    return [sql for sql in queries if sql.startswith("SELECT") and f'FROM "{table}"' in sql]


def test_the_filter_dropdowns_are_read_once_per_process(client, verifikator):
    _page, first = _list_page(client, verifikator)
    assert _reads(first, "households_program")
    page, second = _list_page(client, verifikator)
    assert not _reads(second, "households_program")
    assert not _reads(second, "households_region")
    assert "Margahayu" in page  # still listed, from the copy


def test_a_changed_program_shows_on_the_next_page(client, verifikator):
    _list_page(client, verifikator)
    Program.objects.create(code="bansos-kota", name="Bansos Kota Bekasi")
    page, queries = _list_page(client, verifikator)
    assert "Bansos Kota Bekasi" in page
    assert _reads(queries, "households_program")


def test_a_chosen_filter_value_is_still_checked_against_the_users_scope(client, operator, bintara):
    client.force_login(operator)  # Margahayu's desk
    response = client.get(reverse("households:household_list"), {"kelurahan": bintara.pk})
    assert response.status_code == 200
    assert "kelurahan" in response.context["filter"].errors
