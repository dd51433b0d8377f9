"""One FilterSet for the household list page, the API and exports.

The list page builds its filter form from what a scope sees, once per process (issue 17):
django-filter built the form class and its seven fields on every request (deep copies of the
filters, the dropdowns' querysets for the user's scope), and the page rendered the six fields
of the filter grid through Django's form templates. Under gunicorn + wrk (bench_load.py,
300,000 households, demo-pendamping; py-spy on a worker, 2026-12-06) the form's construction
was 6.8 % of a list request's samples and the grid's fields 0.54 ms of the page's 2.2 ms of
template rendering (in-process timing of each template node). So the form class is kept per
scope (`_form_classes`, under region_choices_key: what the dropdowns' querysets depend on),
and the grid's HTML per scope, language, reference version and submitted values
(`filter_fields_html`): the grid shows nothing else (its errors come from those values and
the reference rows). Each request still binds and validates its own form.
"""

from functools import partial

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from households.choices import (
    VERSION_KEY,
    OnceRenderedSelect,
    ReferenceChoiceFilter,
    fixed_key,
)
from households.models import Enrolment, Household, Program, Region
from households.selectors import kecamatan_choices, kelurahan_choices, region_choices_key
from slrt import stamps

# Both bounded whatever is sent (a grid's key holds the visitor's text): emptied when full.
_form_classes: dict[tuple, type] = {}
_grids: dict[tuple, SafeString] = {}
KEPT = 1000


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

    def get_form_class(self) -> type:
        """The form class of the user's scope, built once per process (module docstring)."""
        key = self.form_key()
        form_class = _form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if len(_form_classes) >= KEPT:
                _form_classes.clear()
            _form_classes[key] = form_class
        return form_class

    def form_key(self) -> tuple:
        """What the form's fields depend on: the dropdowns' querysets and their keys."""
        request = self.request
        return (type(self), *region_choices_key(request.user if request else None))

    def filter_search(self, queryset: QuerySet[Household], name: str, value: str):
        return queryset.search(value)

    def filter_rw(self, queryset: QuerySet[Household], name: str, value: str):
        return queryset.filter(rw=value.zfill(3))

    def filter_program(self, queryset: QuerySet[Household], name: str, value: Program):
        active = Enrolment.objects.filter(
            household=OuterRef("pk"), program=value, status=Enrolment.Status.ACTIVE
        )
        return queryset.filter(Exists(active))


def filter_fields_html(filters: HouseholdFilter) -> SafeString:
    """The list page's filter grid (every field but the search box), rendered once per
    process for each scope, language, reference version and submitted values (the module
    docstring)."""
    form = filters.form
    data = filters.data if filters.is_bound else {}
    given = tuple(
        (name, tuple(data.getlist(name)) if hasattr(data, "getlist") else data[name])
        for name in form.fields
        if name in data
    )
    key = (filters.form_key(), get_language(), stamps.current(VERSION_KEY), given)
    html = _grids.get(key)
    if html is None:
        html = render_to_string("households/_filter_fields.html", {"form": form})
        if len(_grids) >= KEPT:
            _grids.clear()
        _grids[key] = html
    return html


def lazy_filter_fields(filters: HouseholdFilter):
    """For a template: the grid is rendered (or found) only if the page shows it, not for
    htmx's results-only answers."""
    return partial(filter_fields_html, filters)
