"""Fixtures shared by the referral tests: agency staff and the heads of agencies."""

import pytest

from households.models import Agency
from tests.households.factories import persona


@pytest.fixture
def petugas_disdik(reference_data):
    return persona("petugas_opd", agency_code="disdik", username="wati")


def _head_of(agency_code: str, username: str):
    head = persona("petugas_opd", agency_code=agency_code, username=username)
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
