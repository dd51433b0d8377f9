"""Needs-assessment input as a careful assessor gives it (issue 21): every registry suggestion
decided, every domain answered."""

from households.assessments import NeedInput, registry_suggestions
from households.models import Domain, NeedKind


def decided_needs(household, *, confirm: str = "moderate", extra=(), domains=None) -> list:
    """Each current suggestion confirmed with `confirm` (or dismissed with ""), each domain
    answered from `domains` ({domain: severity}, default: no need), then `extra`."""
    domains = domains or {}
    inputs = [
        NeedInput(
            kind=s.kind,
            severity=confirm,
            member_id=s.member.pk if s.member else None,
            suggested=True,
        )
        for s in registry_suggestions(household)
    ]
    inputs += [
        NeedInput(kind=NeedKind.DOMAIN, domain=d, severity=domains.get(d, "")) for d in Domain
    ]
    return inputs + list(extra)


def economic(kind="unemployed", intervention="job_training", **kwargs) -> NeedInput:
    return NeedInput(kind=kind, severity="severe", intervention=intervention, **kwargs)


def code_of(error) -> str:
    """A service error's code, also when it names a field ({"field": [error]})."""
    if hasattr(error, "error_dict"):
        return next(e.code for errors in error.error_dict.values() for e in errors)
    return error.code
