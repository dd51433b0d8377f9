"""slrt.db.where_in: rows whose field is one of many values, in bounded queries."""

import pytest

from households.models import Region
from slrt import db

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chunk", [2, 1000])
def test_where_in_finds_every_matching_row_whatever_the_chunk(monkeypatch, chunk):
    monkeypatch.setattr(db, "ANY_CHUNK", chunk)
    monkeypatch.setattr(db, "IN_CHUNK", chunk)
    for code in ("32.75.01", "32.75.02", "32.75.03", "32.75.04", "32.75.05"):
        Region.objects.create(code=code, name=f"Kecamatan {code}", level="kecamatan")
    wanted = ["32.75.01", "32.75.03", "32.75.05", "99.99.99"]
    parts = list(db.where_in(Region.objects.all(), "code", wanted))
    assert len(parts) == (2 if chunk == 2 else 1)
    found = sorted(code for part in parts for code in part.values_list("code", flat=True))
    assert found == ["32.75.01", "32.75.03", "32.75.05"]
    assert list(db.where_in(Region.objects.all(), "code", [])) == []
