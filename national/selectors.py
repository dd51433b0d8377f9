"""Scoped reads of the national data (STYLE.md section 4). A case is seen where its
kelurahan is: a ward's facilitator and desk their own, the city-wide roles all; agency staff
and the aggregate-only roles none. Extracts (file, date, counts) are the importers'."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
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


@dataclass
class NationalPeople:
    """What DTSEN says of the people of a case: the family's members as the extract has them
    (name, birth date), and, for a data case, the one person."""

    members: list[ExtractMember]


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


def national_counts(kelurahan_ids) -> dict[int, dict[str, int]]:
    """Per kelurahan, aggregates only (the dashboards' panel, issue 22): families of the latest
    extract at desil 1 to NATIONAL_AID_MAX_DESIL (by the extract's kelurahan), those matched
    to a registry household, and the poor families absent from DTSEN (its open or closed
    "not registered nationally" cases). Two grouped queries."""
    extract = latest_extract()
    counts: dict[int, dict[str, int]] = {
        pk: {"dtsen_desil_1_4": 0, "dtsen_in_registry": 0, "unregistered_poor": 0}
        for pk in kelurahan_ids
    }
    if extract is None:
        return counts
    families = ExtractFamily.objects.filter(
        extract=extract, desil__lte=settings.NATIONAL_AID_MAX_DESIL, kelurahan_id__in=kelurahan_ids
    )
    for row in (
        families.values("kelurahan_id")
        .annotate(n=Count("pk"), matched=Count("pk", filter=Q(household__isnull=False)))
        .order_by()
    ):
        counts[row["kelurahan_id"]]["dtsen_desil_1_4"] = row["n"]
        counts[row["kelurahan_id"]]["dtsen_in_registry"] = row["matched"]
    unregistered = ReconciliationCase.objects.filter(
        extract=extract,
        kind=ReconciliationCase.Kind.UNREGISTERED,
        kelurahan_id__in=kelurahan_ids,
    )
    for row in unregistered.values("kelurahan_id").annotate(n=Count("pk")).order_by():
        counts[row["kelurahan_id"]]["unregistered_poor"] = row["n"]
    return counts
