"""The review cases' FilterSet (issue 20), for the API: what the city asks, "receives any aid"
or "receives program X", combined with a rule."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from eligibility.models import Flag
from eligibility.selectors import receives_aid_q
from households.choices import ReferenceChoiceFilter, reference_rows
from households.models import Household, Program, Region
from households.selectors import kelurahan_choices


def _kelurahan(request) -> QuerySet[Region]:
    return kelurahan_choices(request.user) if request else Region.objects.none()


def _aid_choices() -> list[tuple[str, str]]:
    programs = reference_rows(Program.objects.order_by("code"))
    return [
        ("any", _("Receives any aid")),
        ("none", _("Receives no aid")),
        *((p.code, p.name) for p in programs),
    ]


class CaseFilter(django_filters.FilterSet):
    rule = django_filters.CharFilter(label=_("Rule"), method="filter_rule", max_length=40)
    receives_aid = django_filters.ChoiceFilter(
        label=_("Receives aid"), choices=_aid_choices, method="filter_receives_aid"
    )
    kelurahan = ReferenceChoiceFilter(label=_("Kelurahan"), queryset=_kelurahan)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("findings to decide")), ("decided", _("decided"))],
        method="filter_status",
    )

    class Meta:
        model = Household
        fields = ["rule", "receives_aid", "kelurahan", "status"]

    def filter_rule(self, queryset: QuerySet[Household], name: str, value: str):
        held = Flag.objects.filter(household_id=OuterRef("pk"), rule_code=value).filter(
            Q(status=Flag.Status.OPEN) | ~Q(decision="")
        )
        return queryset.filter(Exists(held))

    def filter_receives_aid(self, queryset: QuerySet[Household], name: str, value: str):
        return queryset.filter(receives_aid_q(value))

    def filter_status(self, queryset: QuerySet[Household], name: str, value: str):
        if value == "open":
            return queryset.filter(open_count__gt=0)
        return queryset.filter(open_count=0)
