"""Needs assessment and PMKS pages (issue 21): thin views over households.selectors, the forms
and households.assessments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.assessment_forms import AssessmentForm, EconomicNeedFormSet, PmksEndForm, PmksForm
from households.assessments import (
    classify_person,
    end_pmks_classification,
    record_assessment,
    registry_suggestions,
)
from households.models import Member
from households.scope import may_write_in, scope_for
from households.selectors import (
    access_household,
    access_household_to_change,
    access_pmks_classification_to_change,
    household_assessments,
    household_pmks,
    pmks_categories_for,
)


@login_required
@permission_required("households.view_assessment", raise_exception=True)
@require_GET
def household_needs(request: HttpRequest, pk: int) -> HttpResponse:
    """The household page's panel (loaded by htmx): the latest assessment and the PMKS
    records the user may see."""
    household = access_household(request.user, pk)
    assessments = household_assessments(request.user, household)[:1]
    context = {
        "household": household,
        # Agency staff read the referred person's PMKS, not the family's assessment (issue 16).
        "need_to_know": scope_for(request.user).needs_to_know(household.pk),
        "latest": assessments[0] if assessments else None,
        "pmks": household_pmks(request.user, household),
        "can_write": may_write_in(request.user, [household.kelurahan_id]),
    }
    return render(request, "households/partials/household_needs.html", context)


@login_required
@permission_required("households.view_assessment", raise_exception=True)
@require_GET
def assessment_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of the household's needs assessment, newest first."""
    household = access_household(request.user, pk)
    context = {
        "household": household,
        "assessments": household_assessments(request.user, household),
        "can_write": may_write_in(request.user, [household.kelurahan_id]),
    }
    return render(request, "households/assessment_list.html", context)


@login_required
@permission_required("households.add_assessment", raise_exception=True)
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new assessment (or re-assessment): the registry's suggestions to confirm or dismiss,
    every domain, and the economic needs."""
    household = access_household_to_change(request.user, pk)
    suggestions = registry_suggestions(household)
    data = request.POST if request.method == "POST" else None
    form = AssessmentForm(data, suggestions=suggestions)
    economic = EconomicNeedFormSet(data, household=household, prefix="economic")
    if data is not None and form.is_valid() and economic.is_valid():
        try:
            record_assessment(
                household=household,
                assessed_on=form.cleaned_data["assessed_on"],
                needs=form.need_inputs() + economic.need_inputs(),
                note=form.cleaned_data["note"],
                monthly_income=form.cleaned_data["monthly_income"],
                by=request.user,
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Needs assessment saved."))
            return redirect("households:assessment_list", pk=household.pk)
    context = {"household": household, "form": form, "economic": economic}
    return render(request, "households/assessment_form.html", context)


@login_required
@permission_required("households.add_pmksclassification", raise_exception=True)
def pmks_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a person of the family in a PMKS category; the family's records, to end one."""
    household = access_household_to_change(request.user, pk)
    members = Member.objects.filter(household=household, is_deceased=False).in_kk_order()
    form = PmksForm(
        request.POST or None, members=members, categories=pmks_categories_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            classification = classify_person(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s recorded as %(category)s.")
                % {"name": classification.member.name, "category": classification.category.name},
            )
            return redirect("households:pmks_record", pk=household.pk)
    context = {
        "household": household,
        "form": form,
        "pmks": household_pmks(request.user, household),
    }
    return render(request, "households/pmks_form.html", context)


@login_required
@permission_required("households.change_pmksclassification", raise_exception=True)
@require_POST
def pmks_end(request: HttpRequest, pk: int, classification_pk: int) -> HttpResponse:
    household = access_household_to_change(request.user, pk)
    classification = access_pmks_classification_to_change(
        request.user, household, classification_pk
    )
    form = PmksEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the date from which it no longer applies."))
        return redirect("households:pmks_record", pk=household.pk)
    try:
        end_pmks_classification(
            classification=classification, ended_on=form.cleaned_data["ended_on"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded as no longer applying."))
    return redirect("households:pmks_record", pk=household.pk)


def _show_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
