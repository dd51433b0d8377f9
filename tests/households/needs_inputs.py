"""Needs-assessment input as a careful assessor gives it (issue 21): every registry suggestion
decided, every domain answered."""

from django.utils import timezone

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


def assessment_post(household, *, decide="moderate", economic=None) -> dict:
    """The form as a careful assessor sends it: each suggestion decided, each domain answered."""
    data = {
        "assessed_on": timezone.localdate().isoformat(),
        "note": "",
        "economic-TOTAL_FORMS": "3",
        "economic-INITIAL_FORMS": "0",
        "economic-MIN_NUM_FORMS": "0",
        "economic-MAX_NUM_FORMS": "12",
    }
    for suggestion in registry_suggestions(household):
        if decide:
            data[f"s_{suggestion.key}"] = decide
    for domain in Domain:
        data[f"d_{domain}"] = "none"
    for index, row in enumerate(economic or []):
        data.update({f"economic-{index}-{key}": value for key, value in row.items()})
    return data


def api_assessment_body(household) -> dict:
    needs = [
        {
            "kind": s.kind,
            "severity": "moderate",
            "member": s.member.pk if s.member else None,
            "suggested": True,
        }
        for s in registry_suggestions(household)
    ]
    needs += [{"kind": "domain", "domain": d, "severity": ""} for d in Domain]
    needs.append(
        {"kind": "capital", "severity": "mild", "intervention": "kur", "amount": 5_000_000}
    )
    return {"household": household.pk, "assessed_on": str(timezone.localdate()), "needs": needs}
