"""Personas (one per role of DESIGN.md), the regions they work in, and the suite's budgets."""

import os

import pytest
from hypothesis import HealthCheck, settings

from households.models import Agency, Region
from households.reference import load_reference_data, load_regions
from referrals.models import NeedCategory
from tests.households.factories import UserFactory, household_with_members, persona

# Property-based tests (hypothesis, and schemathesis on top of it) run on one bounded budget:
# the same examples every run (derandomized, no example database), no per-example deadline
# (a database round trip on a loaded 2-core machine varies 10x), and few enough examples that
# the slowest of them stays well under a minute. HYPOTHESIS_PROFILE=thorough explores more.
settings.register_profile(
    "slrt",
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # Health checks judge a strategy's speed and data size: a database test is slow by nature,
    # and schemathesis builds large API inputs. They would fail on load, not on a bug.
    suppress_health_check=list(HealthCheck),
)
settings.register_profile("thorough", settings.get_profile("slrt"), max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "slrt"))


def _load_reference_data() -> None:
    load_regions()
    load_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Kota Bekasi's regions, the agencies, programs and role groups, loaded once per test
    database, as `make run` loads them; each test's transaction rolls back what it changes."""
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.fixture
def reference_data(db):
    """The reference data of django_db_setup. A transactional test's flush empties every
    table, so the tests that run after one load it again."""
    if not Region.objects.exists():
        _load_reference_data()


@pytest.fixture
def margahayu(reference_data) -> Region:
    return Region.objects.get(code="32.75.01.1002")


@pytest.fixture
def bintara(reference_data) -> Region:
    return Region.objects.get(code="32.75.02.1001")


@pytest.fixture
def pendamping(margahayu):
    return persona("pendamping", kelurahan=[margahayu], username="rina")


@pytest.fixture
def operator(margahayu):
    return persona("operator_puskesos", kelurahan=[margahayu], username="dedi")


@pytest.fixture
def petugas_dinkes(reference_data):
    return persona("petugas_opd", agency_code="dinkes", username="sari")


@pytest.fixture
def verifikator(reference_data):
    return persona("verifikator", agency_code="dinsos", username="hasan")


@pytest.fixture
def data_steward(reference_data):
    return persona("data_steward", agency_code="diskominfostandi", username="steward")


@pytest.fixture
def perencana(reference_data):
    return persona("perencana", agency_code="bapelitbangda", username="planner")


@pytest.fixture
def pimpinan(reference_data):
    return persona("pimpinan", username="walikota")


@pytest.fixture
def admin_user(reference_data):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def health(reference_data):
    """The health need category, seeded by a data migration; a transactional test's flush
    removes it, so make sure."""
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Every test starts outside any transaction: one left open by an earlier test (or by a
    thread sharing its connection) would hold back this test's on-commit work and fail it far
    from the cause (tests/settings.py, the SQLite test database)."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block or conn.run_on_commit:
            pytest.fail(
                f"the {conn.alias!r} connection is still inside a transaction an earlier test "
                "or thread left open; this test would not see its on-commit work",
                pytrace=False,
            )
    yield
