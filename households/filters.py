"""One FilterSet for the household list page, the API and (later) exports."""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from households.choices import OnceRenderedSelect, ReferenceChoiceFilter, fixed_key
from households.models import Enrolment, Household, Program, Region
from households.selectors import kecamatan_choices, kelurahan_choices, region_choices_key


def _kelurahan(request) -> QuerySet[Region]:
    return kelurahan_choices(request.user) if request else Region.objects.none()


def _kecamatan(request) -> QuerySet[Region]:
    return kecamatan_choices(request.user) if request else Region.objects.none()


def _kelurahan_key(request) -> tuple:
    return ("households.kelurahan", *region_choices_key(request.user if request else None))


def _kecamatan_key(request) -> tuple:
    return ("households.kecamatan", *region_choices_key(request.user if request else None))


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    kecamatan = ReferenceChoiceFilter(
        label=_("Kecamatan"),
        queryset=_kecamatan,
        reference_key=_kecamatan_key,
        field_name="kelurahan__parent",
    )
    kelurahan = ReferenceChoiceFilter(
        label=_("Kelurahan"), queryset=_kelurahan, reference_key=_kelurahan_key
    )
    rw = django_filters.CharFilter(
        label="RW",
        method="filter_rw",
        validators=[RegexValidator(r"^\d{1,3}$", _("RW is a number, for example 005."))],
    )
    welfare_decile = django_filters.ChoiceFilter(
        label=_("Welfare decile"),
        choices=[(i, str(i)) for i in range(1, 11)],
        widget=OnceRenderedSelect,
    )
    program = ReferenceChoiceFilter(
        label=_("Aid program"),
        queryset=Program.objects.all(),
        reference_key=fixed_key("households.programs"),
        method="filter_program",
    )
    verification_status = django_filters.ChoiceFilter(
        label=_("Verification status"),
        choices=Household.VerificationStatus.choices,
        widget=OnceRenderedSelect,
    )

    class Meta:
        model = Household
        fields = ["q", "kecamatan", "kelurahan", "rw", "welfare_decile", "program"]

    def filter_search(self, queryset: QuerySet[Household], name: str, value: str):
        return queryset.search(value)

    def filter_rw(self, queryset: QuerySet[Household], name: str, value: str):
        return queryset.filter(rw=value.zfill(3))

    def filter_program(self, queryset: QuerySet[Household], name: str, value: Program):
        active = Enrolment.objects.filter(
            household=OuterRef("pk"), program=value, status=Enrolment.Status.ACTIVE
        )
        return queryset.filter(Exists(active))
