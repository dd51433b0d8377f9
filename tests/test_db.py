"""slrt.db.where_in: rows whose field is one of many values, in bounded queries."""

import pytest

from households.models import Region
from slrt import db

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chunk", [2, 1000])
def test_where_in_finds_every_matching_row_whatever_the_chunk(monkeypatch, chunk):
    monkeypatch.setattr(db, "ANY_CHUNK", chunk)
    monkeypatch.setattr(db, "IN_CHUNK", chunk)
    # Codes of no real city: the test database holds Kota Bekasi's regions already.
    for code in ("99.75.01", "99.75.02", "99.75.03", "99.75.04", "99.75.05"):
        Region.objects.create(code=code, name=f"Kecamatan {code}", level="kecamatan")
    wanted = ["99.75.01", "99.75.03", "99.75.05", "99.99.99"]
    parts = list(db.where_in(Region.objects.filter(code__startswith="99."), "code", wanted))
    assert len(parts) == (2 if chunk == 2 else 1)
    found = sorted(code for part in parts for code in part.values_list("code", flat=True))
    assert found == ["99.75.01", "99.75.03", "99.75.05"]
    assert list(db.where_in(Region.objects.all(), "code", [])) == []


@pytest.mark.parametrize(
    "wanted",
    [
        ["99.75.01", "99.75.03"],  # text without commas: one string, split by the server
        ["99.75.01", "99.75.03", "", "a,b"],  # a blank value or a comma: one array
    ],
)
def test_where_in_matches_text_values_exactly_either_way(wanted):
    for code in ("99.75.01", "99.75.02", "99.75.03", "a", "b"):
        Region.objects.create(code=code, name=f"Kecamatan {code}", level="kecamatan")
    parts = list(db.where_in(Region.objects.all(), "code", wanted))
    found = sorted(code for part in parts for code in part.values_list("code", flat=True))
    assert found == ["99.75.01", "99.75.03"]
