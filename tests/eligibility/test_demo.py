"""The demo flags `make run` shows: the active rule set run once over the demo registry."""

import io

import pytest
from django.core.management import call_command

from dashboards.presenters import dashboard_for
from eligibility.models import Flag, Run

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
    call_command("seed_demo_flags", stdout=io.StringIO())  # the second `make run`
    assert Run.objects.count() == 1
    assert Flag.objects.count() == flags


def test_seed_demo_flags_refuses_a_production_registry(reference_data, settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_flags")
    assert not Run.objects.exists()
