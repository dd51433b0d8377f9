"""The demo flags `make run` shows: the active rule set run once over the demo registry."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboards.presenters import dashboard_for
from eligibility.graduation import readiness
from eligibility.models import Flag, Graduation, Run
from households.models import Enrolment, Household

pytestmark = pytest.mark.django_db


def test_the_demo_registry_gets_real_flags_once(
    reference_data, settings, pimpinan, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    call_command("seed_demo", households=600, verbosity=0)
    assert dashboard_for(pimpinan).city.cells["inclusion_errors"].value == 0
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the run's hooks: a recount
        call_command("seed_demo_flags", stdout=out)
    assert "findings" in out.getvalue()
    assert Run.objects.filter(status=Run.Status.COMPLETE).count() == 1
    flags = Flag.objects.count()
    assert flags > 0
    assert dashboard_for(pimpinan).city.cells["inclusion_errors"].value > 0
    # Graduations (issue 21 part 4): spread over the months, some waiting, some relapsed,
    # the demo facilitator's ready families meeting the criteria.
    confirmed = Graduation.objects.confirmed()
    months = {timezone.localtime(g.decided_at).strftime("%Y-%m") for g in confirmed}
    assert len(months) >= 2
    assert Graduation.objects.proposed().count() >= 2
    assert set(
        Enrolment.objects.filter(household__graduations__in=confirmed).values_list(
            "status", flat=True
        )
    ) <= {"ended"}
    ready = Household.objects.filter(
        kelurahan__code="32.75.01.1002", assessments__income_per_capita__isnull=False
    ).distinct()
    checks = [readiness(h) for h in ready.exclude(graduations__isnull=False)]
    assert any(r.met for r in checks), [r.criteria for r in checks]
    graduations = Graduation.objects.count()
    call_command("seed_demo_flags", stdout=io.StringIO())  # the second `make run`
    assert Run.objects.count() == 1
    assert Flag.objects.count() == flags
    assert Graduation.objects.count() == graduations


def test_seed_demo_flags_refuses_a_production_registry(reference_data, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_flags")
    assert not Run.objects.exists()
