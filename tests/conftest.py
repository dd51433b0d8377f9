"""Personas (one per role of DESIGN.md) and the regions they work in."""

import pytest

from households.models import Agency, Region
from households.reference import load_reference_data, load_regions
from tests.households.factories import UserFactory, UserProfileFactory, household_with_members


@pytest.fixture
def reference_data(db):
    """Kota Bekasi's regions, the agencies, programs and role groups, as `make run` loads them."""
    load_regions()
    load_reference_data()


@pytest.fixture
def margahayu(reference_data) -> Region:
    return Region.objects.get(code="32.75.01.1002")


@pytest.fixture
def bintara(reference_data) -> Region:
    return Region.objects.get(code="32.75.02.1001")


def _persona(role: str, *, kelurahan=(), agency_code: str | None = None, **kwargs):
    user = UserFactory(role=role, **kwargs)
    profile = UserProfileFactory(
        user=user, agency=Agency.objects.get(code=agency_code) if agency_code else None
    )
    profile.kelurahan.set(kelurahan)
    return user


@pytest.fixture
def pendamping(margahayu):
    return _persona("pendamping", kelurahan=[margahayu], username="rina")


@pytest.fixture
def operator(margahayu):
    return _persona("operator_puskesos", kelurahan=[margahayu], username="dedi")


@pytest.fixture
def petugas_dinkes(reference_data):
    return _persona("petugas_opd", agency_code="dinkes", username="sari")


@pytest.fixture
def verifikator(reference_data):
    return _persona("verifikator", agency_code="dinsos", username="hasan")


@pytest.fixture
def data_steward(reference_data):
    return _persona("data_steward", agency_code="diskominfostandi", username="steward")


@pytest.fixture
def perencana(reference_data):
    return _persona("perencana", agency_code="bapelitbangda", username="planner")


@pytest.fixture
def pimpinan(reference_data):
    return _persona("pimpinan", username="walikota")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def household_in_margahayu(margahayu):
    return household_with_members(margahayu, size=3)


@pytest.fixture
def household_in_bintara(bintara):
    return household_with_members(bintara, size=2)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboards keep the city's counts in the cache: each test counts its own data."""
    from django.core.cache import cache

    cache.clear()


def pytest_configure(config):
    """Background tasks run in-process in tests, also when REDIS_URL is set (CI's PostgreSQL
    run): a test then sees what the task did, and nothing is left queued in Redis."""
    from slrt.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
