"""Scoped reads of the registry. Pages, API and exports start here, never at .objects."""

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from households.models import ChangeRecord, Enrolment, Household, ImportBatch, Member, Region
from households.scope import scope_for


def _household_condition(user: User, path: str = "") -> Q | None:
    """The rows of a household (reached through `path`) that the user may see; None: none."""
    scope = scope_for(user)
    if not scope.personal_data:  # planners, mayor's office: aggregates only
        return None
    if scope.city_wide:
        return Q()
    if scope.agency_id is not None:
        # Agency staff see a household only through a referral to their agency (issue #5
        # brings referrals); until then, nothing.
        return None
    return Q(**{f"{path}kelurahan_id__in": scope.kelurahan_ids})


def visible_households(user: User) -> QuerySet[Household]:
    condition = _household_condition(user)
    if condition is None:
        return Household.objects.none()
    return Household.objects.filter(condition)


def access_household(user: User, pk: int) -> Household:
    return get_object_or_404(visible_households(user).select_related("kelurahan__parent"), pk=pk)


def household_with_details(user: User, pk: int) -> Household:
    """One household with what its page shows, in a fixed number of queries."""
    queryset = visible_households(user).select_related(
        "kelurahan__parent", "created_by", "updated_by"
    )
    queryset = queryset.prefetch_related(
        Prefetch("members", queryset=Member.objects.order_by("pk")),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related("program", "member"),
        ),
        Prefetch(
            "change_records",
            queryset=ChangeRecord.objects.select_related("actor").order_by("-created_at", "-pk"),
        ),
    )
    return get_object_or_404(queryset, pk=pk)


def visible_members(user: User) -> QuerySet[Member]:
    condition = _household_condition(user, path="household__")
    if condition is None:
        return Member.objects.none()
    return Member.objects.filter(condition)


def access_member(user: User, pk: int) -> Member:
    return get_object_or_404(visible_members(user).select_related("household"), pk=pk)


def kelurahan_choices(user: User) -> QuerySet[Region]:
    """The kelurahan a user may file a household under or filter by."""
    scope = scope_for(user)
    kelurahan = Region.objects.filter(level=Region.Level.KELURAHAN).select_related("parent")
    if scope.city_wide:
        return kelurahan
    if scope.kelurahan_ids:
        return kelurahan.filter(pk__in=scope.kelurahan_ids)
    return kelurahan.none()


def kecamatan_choices(user: User) -> QuerySet[Region]:
    return Region.objects.filter(
        level=Region.Level.KECAMATAN, children__in=kelurahan_choices(user)
    ).distinct()


def visible_import_batches(user: User) -> QuerySet[ImportBatch]:
    """City-wide importers see every batch; a desk operator those of their kelurahan."""
    scope = scope_for(user)
    batches = ImportBatch.objects.select_related("uploaded_by", "kelurahan")
    if not scope.personal_data:
        return batches.none()
    if scope.city_wide:
        return batches
    return batches.filter(Q(kelurahan_id__in=scope.kelurahan_ids) | Q(uploaded_by=user))


def access_import_batch(user: User, pk: int) -> ImportBatch:
    return get_object_or_404(visible_import_batches(user), pk=pk)
