"""Graduation pages (issue 21 part 4): the facilitator's proposal (reached from the household
page), the verifier's queue and decision page. Thin: access → form → service → redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from eligibility.forms import GraduationDecideForm, GraduationProposeForm
from eligibility.graduation import decide_graduation, propose_graduation, readiness
from eligibility.models import Graduation
from eligibility.selectors import access_graduation, graduation_queue, household_graduations
from households.models import Enrolment
from households.selectors import access_household, access_household_to_change, shown_page
from slrt.paging import CappedPaginator

PAGE_SIZE = 25


@login_required
@permission_required("eligibility.propose_graduation", raise_exception=True)
@require_http_methods(["GET", "POST"])
def graduation_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Usulkan graduasi: the criteria against the family now, and the proposal's form."""
    household = access_household_to_change(request.user, pk)
    form = GraduationProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            propose_graduation(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Graduation proposed: a verifier will check it."))
            return redirect(household.get_absolute_url())
    context = {
        "household": household,
        "form": form,
        "ready": readiness(household),
        "graduations": household_graduations(request.user, household),
    }
    return render(request, "eligibility/graduation_propose.html", context)


@login_required
@permission_required("eligibility.view_graduation", raise_exception=True)
@require_GET
def household_graduations_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The household page's graduation card (htmx)."""
    household = access_household(request.user, pk)
    context = {
        "household": household,
        "graduations": household_graduations(request.user, household),
    }
    return render(request, "eligibility/_household_graduations.html", context)


@login_required
@permission_required("eligibility.decide_graduation", raise_exception=True)
@require_GET
def graduation_list(request: HttpRequest) -> HttpResponse:
    """The verifier's queue: proposals awaiting a decision, oldest first."""
    page = CappedPaginator(graduation_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page = shown_page(request.user, page, via="graduations")
    return render(request, "eligibility/graduation_list.html", {"page": page})


def _detail(request: HttpRequest, graduation: Graduation, form: GraduationDecideForm):
    household = graduation.household
    context = {
        "graduation": graduation,
        "household": household,
        "form": form,
        "ready": readiness(household) if graduation.status == Graduation.Status.PROPOSED else None,
        # What a confirmation ends: the family's enrolments not ended yet.
        "enrolments": household.enrolments.exclude(status=Enrolment.Status.ENDED)
        .select_related("program", "member")
        .order_by("pk"),
    }
    return render(request, "eligibility/graduation_detail.html", context)


@login_required
@permission_required("eligibility.view_graduation", raise_exception=True)
@require_GET
def graduation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposal with its evidence, the criteria explained, and the decision's form."""
    graduation = access_graduation(request.user, pk)
    return _detail(request, graduation, GraduationDecideForm())


@login_required
@permission_required("eligibility.decide_graduation", raise_exception=True)
@require_POST
def graduation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    graduation = access_graduation(request.user, pk)
    form = GraduationDecideForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == GraduationDecideForm.CONFIRM
        try:
            decide_graduation(
                graduation=graduation,
                confirm=confirm,
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if confirm:
                messages.success(
                    request,
                    _("Graduation confirmed: the family's aid programs ended (graduasi)."),
                )
            else:
                messages.success(request, _("Graduation rejected."))
            return redirect("eligibility:graduation_list")
    return _detail(request, graduation, form)
