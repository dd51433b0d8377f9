"""Household pages: thin views over selectors, forms and services (STYLE.md section 7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.filters import HouseholdFilter, lazy_filter_fields
from households.forms import (
    EnrolmentForm,
    EnrolmentStatusForm,
    HouseholdForm,
    LocationForm,
    MemberFormSet,
)
from households.hooks import household_sections
from households.kept_counts import KeptCountPaginator
from households.models import Enrolment, Household
from households.nik import MAX_AGE_YEARS, PROVINCE_CODES
from households.presenters import history_rows, list_items_html, list_rows, member_rows
from households.scope import may_write_in, scope_for
from households.selectors import (
    access_household_to_change,
    household_count_key,
    household_with_details,
    kecamatan_names_by_nik_prefix,
    shown_page,
    visible_households,
)
from households.services import (
    change_enrolment_status,
    enrol_in_program,
    record_location,
    register_household,
    update_household,
)
from slrt.http import local_next

PAGE_SIZE = 25
# What households.presenters.list_rows shows of a household, and nothing else: the list read
# every column of the household, its kelurahan and kecamatan (issue 17). Change with it.
LIST_FIELDS = (
    "head_name",
    "kk_number",
    "address",
    "rt",
    "rw",
    "kelurahan__name",
    "member_count",
    "welfare_decile",
    "verification_status",
)


@login_required
@permission_required("households.view_household", raise_exception=True)
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    queryset = visible_households(request.user).select_related("kelurahan").only(*LIST_FIELDS)
    filterset = HouseholdFilter(request.GET, queryset=queryset, request=request)
    count_key = household_count_key(request.user, filterset)
    paginator = KeptCountPaginator(filterset.qs, PAGE_SIZE, count_key=count_key)
    page = shown_page(request.user, paginator.get_page(request.GET.get("page")), via="list")
    rows = list_rows(page)
    template = "households/household_list.html"
    if request.htmx:
        template += "#results"
    context = {
        "filter": filterset,
        "filter_fields": lazy_filter_fields(filterset),
        "page": page,
        "rows": rows,
        "rows_html": list_items_html(rows),
        "may_export": scope_for(request.user).may_export_people,
    }
    return render(request, template, context)


@login_required
@permission_required("households.view_household", raise_exception=True)
@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_with_details(request.user, pk)
    context = {
        "household": household,
        "member_rows": member_rows(household.members_shown),
        "need_to_know": household.need_to_know,
        "history": history_rows(household.change_records.all()),
        # An emergency grant or an agency's referral opens the page to read only (issue 16).
        "can_write": may_write_in(request.user, [household.kelurahan_id]),
        "can_edit": request.user.has_perm("households.change_household")
        and may_write_in(request.user, [household.kelurahan_id]),
        "enrolment_form": EnrolmentForm(household=household),
        "enrolment_statuses": Enrolment.Status.choices,
        "sections": household_sections(),
    }
    return render(request, "households/household_detail.html", context)


@login_required
@permission_required("households.add_household", raise_exception=True)
def household_create(request: HttpRequest) -> HttpResponse:
    form = HouseholdForm(request.POST or None, user=request.user)
    formset = MemberFormSet(request.POST or None, instance=Household(), prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            household = register_household(
                data=form.household_data(), members=formset.member_changes(), by=request.user
            )
        except ValidationError as error:
            _show_service_errors(error, form, formset)
        else:
            messages.success(request, _("Household saved."))
            return redirect(_back_with(request, household) or household)
    context = {"form": form, "formset": formset, "next": local_next(request)}
    return render(request, "households/household_form.html", context | _nik_context())


def _back_with(request: HttpRequest, household: Household) -> str:
    """The page that sent the user here to register a family wants it back (the desk's
    complaint form)."""
    target = local_next(request)
    if not target:
        return ""
    separator = "&" if "?" in target else "?"
    return f"{target}{separator}household={household.pk}"


@login_required
@permission_required("households.change_household", raise_exception=True)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household_to_change(request.user, pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    formset = MemberFormSet(
        request.POST or None,
        instance=household,
        prefix="members",
        queryset=household.members.in_kk_order(),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            household = update_household(
                household=household,
                data=form.household_data(),
                members=formset.member_changes(),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except ValidationError as error:
            _show_service_errors(error, form, formset)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(household)
    context = {"form": form, "formset": formset, "household": household}
    return render(request, "households/household_form.html", context | _nik_context())


def _nik_context() -> dict:
    """What slrt.js needs to read a NIK as it is typed: the rule's data from households.nik
    (one definition) and the kecamatan names."""
    return {
        "nik_rules": {"provinces": sorted(PROVINCE_CODES), "max_age": MAX_AGE_YEARS},
        "nik_regions": kecamatan_names_by_nik_prefix(),
    }


@login_required
@permission_required("households.change_household", raise_exception=True)
@require_POST
def household_location(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household_to_change(request.user, pk)
    form = LocationForm(request.POST)
    if form.is_valid():
        record_location(household=household, by=request.user, **form.cleaned_data)
        messages.success(request, _("Location saved."))
    else:
        messages.error(request, _("The location could not be read. Try again outdoors."))
    return redirect(household)


def _show_service_errors(error: ValidationError, form, formset) -> None:
    """Put a service's errors beside the fields they concern ('member:2:nik' keys)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        if key.startswith("member:"):
            _, position, field = key.split(":")
            member_form = formset.forms[int(position)]
            member_form.add_error(field or None, ValidationError(errors))
        elif key in form.fields:
            form.add_error(key, ValidationError(errors))
        else:
            form.add_error(None, ValidationError(errors))


@login_required
@permission_required("households.add_enrolment", raise_exception=True)
@require_POST
def enrolment_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = access_household_to_change(request.user, pk)
    form = EnrolmentForm(request.POST, household=household)
    if form.is_valid():
        try:
            enrol_in_program(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Enrolment saved."))
    else:
        messages.error(request, _("Choose a program and a start date."))
    return redirect(household)


@login_required
@permission_required("households.change_enrolment", raise_exception=True)
@require_POST
def enrolment_status(request: HttpRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    household = access_household_to_change(request.user, pk)
    enrolment = get_object_or_404(household.enrolments, pk=enrolment_pk)
    form = EnrolmentStatusForm(request.POST)
    if form.is_valid():
        change_enrolment_status(
            enrolment=enrolment, status=form.cleaned_data["status"], by=request.user
        )
        messages.success(request, _("Enrolment updated."))
    else:
        messages.error(request, _("Unknown enrolment status."))
    return redirect(household)
