"""One FilterSet for the triage queue, the referral lists and the API."""

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Agency, Region
from referrals.models import ON_AGENCY_CLOCK, NeedCategory, Priority, Referral, Status

# Agencies serve the whole city, so every kecamatan and kelurahan is a choice; region names
# are public, and the rows filtered are already scoped.
KECAMATAN = Region.objects.filter(level=Region.Level.KECAMATAN).order_by("name")
KELURAHAN = Region.objects.filter(level=Region.Level.KELURAHAN).order_by("name")


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Need"),
        queryset=NeedCategory.objects.all(),
        to_field_name="code",
        empty_label=_("All"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Receiving agency"),
        queryset=Agency.objects.filter(receives_referrals=True),
        to_field_name="code",
        empty_label=_("All"),
    )
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"),
        queryset=KECAMATAN,
        field_name="household__kelurahan__parent",
        empty_label=_("All"),
    )
    kelurahan = django_filters.ModelChoiceFilter(
        label=_("Kelurahan"),
        queryset=KELURAHAN,
        field_name="household__kelurahan",
        empty_label=_("All"),
    )
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=Priority.choices, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Referral
        fields = ["status", "category", "agency", "kecamatan", "kelurahan", "priority", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Referral], name: str, value: bool | None):
        if value is None:
            return queryset
        today = timezone.localdate()
        late = {"status__in": ON_AGENCY_CLOCK, "due_date__lt": today}
        return queryset.filter(**late) if value else queryset.exclude(**late)
