"""Demo flags: `make run` evaluates the active rule set once over the demo registry, so the
dashboards' inclusion errors and the flag queue show real findings from the start."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from eligibility.models import Flag, Run
from eligibility.services import active_rule_set, run_eligibility
from households.models import Household

# The demo's run is dated back as if the rules had been run when the year began (issue 18,
# point 10): the backfilled trend of inclusion errors then starts with the year, not today.
# A household registered after that is flagged from its registration.
RUN_DAYS_AGO = 330


def seed_demo_flags() -> Run | None:
    """Run the active set once through the eligibility service; None (nothing done) when there
    is no active set or it already has a complete run, so a second `make run` adds nothing."""
    rule_set = active_rule_set()
    if rule_set is None or rule_set.runs.filter(status=Run.Status.COMPLETE).exists():
        return None
    run = run_eligibility(by=None)
    then = timezone.now() - timedelta(days=RUN_DAYS_AGO)
    Run.objects.filter(pk=run.pk).update(created_at=then, started_at=then, finished_at=then)
    registered = Household.objects.filter(pk=OuterRef("household_id")).values("created_at")
    Flag.objects.filter(run=run).update(created_at=Greatest(Subquery(registered), Value(then)))
    return run
