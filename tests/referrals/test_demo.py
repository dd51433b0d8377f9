"""The demo referrals `make run` shows: raised through the services, once."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from referrals.demo import PAST_TEXT
from referrals.models import Notification, Referral, Status

pytestmark = pytest.mark.django_db


def test_demo_referrals_fill_the_dinkes_queue_once(reference_data, settings):
    settings.DEBUG = True
    call_command("seed_demo", households=1500, verbosity=0)
    call_command("seed_demo_referrals", verbosity=0)
    # the stories, and the past year's resolved referrals behind the trend (issue 18)
    past = Referral.objects.filter(description=PAST_TEXT)
    assert past.count() == 36
    assert set(past.values_list("status", flat=True)) <= {Status.RESOLVED, Status.CLOSED}
    referrals = Referral.objects.exclude(description=PAST_TEXT)
    assert referrals.count() == 10
    dinkes = referrals.filter(agency__code="dinkes")
    assert dinkes.filter(status=Status.SUBMITTED).exists()
    assert dinkes.filter(status=Status.RESOLVED, outcome="served").exists()
    assert dinkes.overdue().exists()
    assert all(r.complaint_id for r in referrals)
    head = User.objects.get(username="demo-kadinkes")
    assert head.notifications.filter(kind=Notification.Kind.ESCALATED).exists()
    call_command("seed_demo_referrals", verbosity=0)
    assert Referral.objects.count() == 10 + 36


def test_demo_plans_show_referrals_in_every_state_once(reference_data, settings):
    """Issue 21: `make run` shows family plans whose steps are at every stage."""
    from referrals.models import Plan, PlanIntervention
    from tests.referrals.plan_data import economic_categories

    settings.DEBUG = True
    economic_categories()  # seeded by a migration; a flushed test database may lack them
    call_command("seed_demo", households=1500, verbosity=0)
    call_command("seed_demo_referrals", verbosity=0)
    call_command("seed_demo_plans", verbosity=0)
    assert Plan.objects.count() == 4
    steps = PlanIntervention.objects.select_related("referral")
    statuses = {s.referral.status for s in steps if s.referral_id}
    assert {"submitted", "in_progress", "returned", "rejected", "closed"} <= statuses
    assert {s.progress for s in steps} == {"planned", "underway", "done", "stopped"}
    agencies = {s.referral.agency.code for s in steps if s.referral_id}
    assert {"dinkes", "disdik", "disnaker", "dinsos", "dinkopukm", "bank-kur"} <= agencies
    call_command("seed_demo_plans", verbosity=0)
    assert Plan.objects.count() == 4
