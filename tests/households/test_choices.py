"""Reference dropdowns render from each process's copy, and a change to a row shows at once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import choices
from households.models import Program
from slrt import stamps

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


def _select(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)


def test_a_kept_dropdown_shows_the_chosen_value_and_the_readers_language(
    client, verifikator, margahayu, bintara
):
    """OnceRenderedSelect: the HTML is kept per chosen value, attributes and language."""
    url = reverse("households:household_list")
    client.force_login(verifikator)
    for kelurahan in (margahayu, bintara, margahayu):
        page = client.get(url, {"kelurahan": kelurahan.pk, "welfare_decile": "3"}).content.decode()
        chosen = re.findall(r'<option value="(\d+)" selected>', _select(page, "kelurahan"))
        assert chosen == [str(kelurahan.pk)]
        assert '<option value="3" selected>3</option>' in _select(page, "welfare_decile")
    assert "Belum diverifikasi" in _select(page, "verification_status")
    wrong = client.get(url, {"welfare_decile": "x"}).content.decode()
    assert 'aria-invalid="true"' in _select(wrong, "welfare_decile")
    assert 'aria-invalid="true"' not in _select(page, "welfare_decile")
    client.cookies["django_language"] = "en"
    page = client.get(url).content.decode()
    assert "Not yet verified" in _select(page, "verification_status")


def test_each_scope_gets_its_own_dropdown(client, verifikator, pendamping, margahayu, bintara):
    url = reverse("households:household_list")
    client.force_login(verifikator)
    assert bintara.name in _select(client.get(url).content.decode(), "kelurahan")
    client.force_login(pendamping)
    mine = _select(client.get(url).content.decode(), "kelurahan")
    assert margahayu.name in mine
    assert bintara.name not in mine


def test_the_reference_stamp_is_read_once_a_request(client, verifikator, monkeypatch):
    """With the navigation's stamp, in one cache round trip (slrt.stamps)."""
    reads = []
    read = stamps._read
    monkeypatch.setattr(
        stamps, "_read", lambda keys, **along: reads.append(keys) or read(keys, **along)
    )
    client.force_login(verifikator)
    client.get(reverse("households:household_list"))  # three dropdowns of reference rows
    assert len(reads) == 1
    assert {choices.VERSION_KEY, "referrals:navigation"} <= reads[0]
    client.get(reverse("households:household_list"))
    assert len(reads) == 2  # the next request reads it again: a change elsewhere shows
    choices.reference_rows(Program.objects.all())  # outside a request: every call
    choices.reference_rows(Program.objects.all())
    assert len(reads) == 4


def test_the_kept_dropdowns_are_bounded(client, verifikator, monkeypatch):
    """A chosen value is the visitor's text: what is kept stays bounded whatever is sent."""
    monkeypatch.setattr(choices, "HTML_KEPT", 4)
    client.force_login(verifikator)
    for value in range(12):
        client.get(reverse("households:household_list"), {"welfare_decile": f"x{value}"})
        assert len(choices._html) <= 4


def test_the_list_dropdowns_are_known_by_name_not_by_compiled_sql(
    client, pendamping, margahayu, bintara, monkeypatch
):
    """ReferenceChoiceFilter's reference_key: no SQL is compiled to find the kept rows, and
    the name follows the scope (a kelurahan added to the facilitator shows at once)."""
    from django.db.models.sql.query import Query

    _list_page(client, pendamping)
    compiled = []
    to_sql = Query.__str__
    monkeypatch.setattr(Query, "__str__", lambda q: compiled.append(q.model) or to_sql(q))
    page, _queries = _list_page(client, pendamping)
    assert not compiled
    assert bintara.name not in _select(page, "kelurahan")
    pendamping.profile.kelurahan.add(bintara)
    page, _queries = _list_page(client, pendamping)
    assert bintara.name in _select(page, "kelurahan")
    assert margahayu.name in _select(page, "kelurahan")


def test_the_filter_form_class_is_built_once_per_scope(client, verifikator, pendamping):
    """households.filters: the form class is kept under the dropdowns' key."""
    from households import filters

    filters._form_classes.clear()
    url = reverse("households:household_list")
    for user in (verifikator, pendamping, verifikator, pendamping):
        client.force_login(user)
        client.get(url)
    assert len(filters._form_classes) == 2
    city, mine = (c.base_fields["kelurahan"].reference_key for c in filters._form_classes.values())
    assert city != mine


def test_the_kept_filter_grid_is_the_forms_own_rendering(client, verifikator, margahayu):
    """The grid comes from filters._grids after the first request: the same HTML as the form
    renders anew, its chosen values and errors, in the reader's language."""
    from django.template.loader import render_to_string

    from households import filters

    filters._grids.clear()
    url = reverse("households:household_list")
    client.force_login(verifikator)
    for query in ({}, {"kelurahan": margahayu.pk, "rw": "5"}, {"rw": "abcd"}, {}):
        for language in ("id", "en"):
            client.cookies["django_language"] = language
            response = client.get(url, query)
            fresh = render_to_string(
                "households/_filter_fields.html", {"form": response.context["filter"].form}
            )
            assert fresh in response.content.decode()
    assert len(filters._grids) == 6  # three sets of values, two languages
    english = client.get(url, {"rw": "abcd"}).content.decode()
    assert "RW is a number, for example 005." in english
    client.cookies["django_language"] = "id"
    indonesian = client.get(url, {"rw": "abcd"}).content.decode()
    assert "RW is a number, for example 005." not in indonesian
    assert 'class="field has-error"' in indonesian


def test_the_kept_filter_grids_are_bounded(client, verifikator, monkeypatch):
    from households import filters

    monkeypatch.setattr(filters, "KEPT", 3)
    client.force_login(verifikator)
    for value in range(8):
        client.get(reverse("households:household_list"), {"rw": f"{value}"})
        assert len(filters._grids) <= 3


def test_the_filter_grid_follows_the_reference_rows(client, verifikator):
    url = reverse("households:household_list")
    client.force_login(verifikator)
    assert "Bansos Kota Bekasi" not in client.get(url).content.decode()
    Program.objects.create(code="bansos-kota", name="Bansos Kota Bekasi")
    assert "Bansos Kota Bekasi" in client.get(url).content.decode()
