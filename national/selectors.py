"""Scoped reads of the national data (STYLE.md section 4). A case is seen where its
kelurahan is: a ward's facilitator and desk their own, the city-wide roles all; agency staff
and the aggregate-only roles none. Extracts (file, date, counts) are the importers'."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from households.scope import scope_for
from national.models import Extract, ExtractFamily, ExtractMember, ReconciliationCase
from national.reconcile import latest_extract


def visible_cases(user: User, extract: Extract | None = None) -> QuerySet[ReconciliationCase]:
    """The cases of `extract` (default: the latest complete one) in the user's scope."""
    scope = scope_for(user)
    cases = ReconciliationCase.objects.select_related(
        "kelurahan__parent", "household", "family", "extract"
    )
    extract = extract or latest_extract()
    if extract is None or not scope.personal_data or scope.agency_id is not None:
        return cases.none()
    cases = cases.filter(extract=extract)
    if scope.city_wide:
        return cases
    return cases.filter(kelurahan_id__in=scope.kelurahan_ids)


def access_case(user: User, pk: int) -> ReconciliationCase:
    return get_object_or_404(visible_cases(user), pk=pk)


def case_counts(cases: QuerySet[ReconciliationCase]) -> dict[str, int]:
    """Open cases per kind, every kind present (0 where none)."""
    counts = dict.fromkeys(ReconciliationCase.Kind.values, 0)
    for row in cases.open().values("kind").annotate(n=Count("pk")).order_by():
        counts[row["kind"]] = row["n"]
    return counts


def visible_extracts(user: User) -> QuerySet[Extract]:
    if not user.has_perm("national.view_extract"):
        return Extract.objects.none()
    return Extract.objects.select_related("uploaded_by")


def access_extract(user: User, pk: int) -> Extract:
    return get_object_or_404(visible_extracts(user), pk=pk)


def extract_members(case: ReconciliationCase) -> list[ExtractMember]:
    """The national side of a case: the members of its family, or the one person."""
    if case.family_id is None:
        return []
    members = ExtractMember.objects.filter(
        extract_id=case.extract_id, kk_number=case.family.kk_number
    ).order_by("row_number")
    if case.nik:
        members = members.filter(nik=case.nik)
    return list(members)


NATIONAL_CODES = ("dtsen_desil_1_4", "dtsen_poor_overlap", "unregistered_poor")


def national_counts(kelurahan_ids) -> dict[int, dict[str, int]]:
    """Per kelurahan, aggregates only (the dashboards' panel and indicators, issue 22), from
    the latest extract: its families at desil 1 to NATIONAL_AID_MAX_DESIL (where DTSEN puts
    them), those of them whose registry household is poor by the active rule set (the
    overlap), and the poor households absent from DTSEN (its "not registered nationally"
    cases, open or closed, where the registry puts them). The two differences follow by
    subtraction: desil 1-4 less the overlap, the registry's poor less the overlap. Three
    grouped queries."""
    from eligibility.fields import annotate
    from eligibility.selectors import poor_definition
    from households.models import Household

    extract = latest_extract()
    counts: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(NATIONAL_CODES, 0) for pk in kelurahan_ids
    }
    if extract is None:
        return counts
    families = ExtractFamily.objects.filter(
        extract=extract, desil__lte=settings.NATIONAL_AID_MAX_DESIL, kelurahan_id__in=kelurahan_ids
    )
    for row in families.values("kelurahan_id").annotate(n=Count("pk")).order_by():
        counts[row["kelurahan_id"]]["dtsen_desil_1_4"] = row["n"]
    poor = poor_definition()
    if poor is not None:
        from eligibility.conditions import CODES, fields_used
        from eligibility.fields import TYPES

        fields = [n for n in fields_used(poor.condition) if TYPES[n] != CODES]
        poor_ids = annotate(Household.objects.all(), fields).filter(poor.q).values("pk")
        overlap = families.filter(household_id__in=poor_ids)
        for row in overlap.values("kelurahan_id").annotate(n=Count("pk")).order_by():
            counts[row["kelurahan_id"]]["dtsen_poor_overlap"] = row["n"]
    unregistered = ReconciliationCase.objects.filter(
        extract=extract,
        kind=ReconciliationCase.Kind.UNREGISTERED,
        kelurahan_id__in=kelurahan_ids,
    )
    for row in unregistered.values("kelurahan_id").annotate(n=Count("pk")).order_by():
        counts[row["kelurahan_id"]]["unregistered_poor"] = row["n"]
    return counts
