"""Fixtures shared by the referral tests: the health category, agency staff and heads."""

import pytest

from households.models import Agency
from referrals.models import NeedCategory
from tests.conftest import _persona


@pytest.fixture
def health(reference_data):
    """Seeded by a data migration; a transactional test's flush removes it, so make sure."""
    category, _ = NeedCategory.objects.get_or_create(
        code="kesehatan",
        defaults={
            "name": "Kesehatan / JKN",
            "default_agency": Agency.objects.get(code="dinkes"),
            "deadline_days": 14,
        },
    )
    return category


@pytest.fixture
def petugas_disdik(reference_data):
    return _persona("petugas_opd", agency_code="disdik", username="wati")


def _head_of(agency_code: str, username: str):
    head = _persona("petugas_opd", agency_code=agency_code, username=username)
    head.email = f"{username}@bekasikota.go.id"
    head.save(update_fields=["email"])
    Agency.objects.filter(code=agency_code).update(head=head)
    return head


@pytest.fixture
def kepala_dinkes(reference_data):
    """The head of Dinas Kesehatan, with an e-mail address: escalations go to them."""
    return _head_of("dinkes", "kepala_dinkes")


@pytest.fixture
def kepala_dinsos(reference_data):
    return _head_of("dinsos", "kepala_dinsos")
