"""One FilterSet for the triage queue page, the API and (later) exports of referrals.

Regions, agencies and categories are chosen by code: codes are stable across databases and
are what an API client or a bookmarked queue URL carries. A referral's kelurahan is the one it
was raised in (origin_kelurahan, the household's at the time): the field the facilitators'
scope uses, and on the referral row, so filtering by region needs no join to the registry."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from households.choices import ReferenceChoiceFilter, fixed_key
from households.models import Agency, Region
from referrals.models import NeedCategory, Priority, Referral, Status, overdue_q


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, method="filter_status"
    )
    category = ReferenceChoiceFilter(
        reference_key=fixed_key("referrals.category"),
        label=_("Need"),
        queryset=NeedCategory.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    agency = ReferenceChoiceFilter(
        reference_key=fixed_key("referrals.agency"),
        label=_("Receiving agency"),
        queryset=Agency.objects.filter(receives_referrals=True),
        to_field_name="code",
        empty_label=_("All"),
    )
    kecamatan = ReferenceChoiceFilter(
        reference_key=fixed_key("referrals.kecamatan"),
        label=_("Kecamatan"),
        queryset=Region.objects.filter(level=Region.Level.KECAMATAN).order_by("name"),
        to_field_name="code",
        empty_label=_("All"),
        field_name="origin_kelurahan__parent",
    )
    kelurahan = ReferenceChoiceFilter(
        reference_key=fixed_key("referrals.kelurahan"),
        label=_("Kelurahan"),
        queryset=Region.objects.filter(level=Region.Level.KELURAHAN).order_by("name"),
        to_field_name="code",
        empty_label=_("All"),
        field_name="origin_kelurahan",
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Priority.choices, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")

    class Meta:
        model = Referral
        fields = ["status", "category", "agency", "kecamatan", "kelurahan", "priority", "overdue"]

    def filter_status(self, queryset: QuerySet[Referral], name: str, value: list[str]):
        # One IN, not django-filter's OR of equalities with DISTINCT: the planner then uses
        # the queue index, and no sort is spent removing duplicates that cannot occur.
        return queryset.filter(status__in=value) if value else queryset

    def filter_overdue(self, queryset: QuerySet[Referral], name: str, value: bool):
        if value:
            return queryset.overdue()
        # The complement of ReferralQuerySet.overdue(), so that true and false split the rows.
        return queryset.exclude(overdue_q())
