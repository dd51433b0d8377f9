"""Demo flags: `make run` evaluates the active rule set once over the demo registry, so the
dashboards' inclusion errors and the flag queue show real findings from the start."""

from eligibility.models import Run
from eligibility.services import active_rule_set, run_eligibility


def seed_demo_flags() -> Run | None:
    """Run the active set once through the eligibility service; None (nothing done) when there
    is no active set or it already has a complete run, so a second `make run` adds nothing."""
    rule_set = active_rule_set()
    if rule_set is None or rule_set.runs.filter(status=Run.Status.COMPLETE).exists():
        return None
    return run_eligibility(by=None)
