"""Eligibility pages: the Verifikator's queue (Temuan), receipts, runs. Rules: rule_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eligibility.forms import FlagFilter, ReviewForm
from eligibility.models import Flag
from eligibility.presenters import receipt
from eligibility.selectors import (
    access_flag,
    access_household_findings,
    active_rules_with_decisions,
    visible_flags,
    visible_runs,
)
from eligibility.services import review_flags, start_eligibility_run
from households.selectors import shown_page
from slrt.dispatch import is_waiting, waiting_message
from slrt.http import local_next
from slrt.paging import CappedPaginator

PAGE_SIZE = 25


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def flag_queue(request: HttpRequest) -> HttpResponse:
    rules = active_rules_with_decisions(request.user)
    form = FlagFilter(request.GET or None, rule_choices=[(r.code, r.name) for r in rules])
    flags = visible_flags(request.user).order_by("rule_code", "household_id", "pk")
    flags = form.apply(flags) if form.is_valid() else flags.none()
    if not form.is_bound:
        flags = visible_flags(request.user).filter(status=Flag.Status.OPEN, decision="")
        flags = flags.order_by("rule_code", "household_id", "pk")
    page = CappedPaginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="flags")
    context = {
        "filter": form,
        "page": page,
        "shares": [rule for rule in rules if rule.decided],
        "last_run": visible_runs(request.user).first(),
        "review_form": ReviewForm(),
    }
    template = "eligibility/flag_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flag = access_flag(request.user, pk)
    context = {
        "flag": flag,
        "item": receipt(flag.household, [flag])[0],
        "decisions": flag.decisions.select_related("decided_by"),
        "review_form": ReviewForm(),
    }
    return render(request, "eligibility/flag_detail.html", context)


@login_required
@permission_required("eligibility.review_flag", raise_exception=True)
@require_POST
def flag_review(request: HttpRequest) -> HttpResponse:
    """Confirm or dismiss one or several flags (eligibility.review_flag)."""
    form = ReviewForm(request.POST, flags=visible_flags(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose flags in your area and a decision."))
    else:
        try:
            done = review_flags(
                flags=list(form.cleaned_data["flags"]),
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Decision saved for %(count)s flag(s).") % {"count": len(done)}
            )
    return redirect(local_next(request) or "eligibility:flag_queue")


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def household_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision receipt of one household: printable for the desk."""
    household = access_household_findings(request.user, pk)
    flags = list(
        visible_flags(request.user).filter(household=household).order_by("status", "rule_code")
    )
    context = {"household": household, "items": receipt(household, flags)}
    template = "eligibility/household_receipt.html"
    if request.htmx:
        template += "#receipt"
    return render(request, template, context)


@login_required
@permission_required("eligibility.start_run", raise_exception=True)
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    try:
        run = start_eligibility_run(by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if is_waiting(run):
            messages.warning(request, waiting_message())
        else:
            messages.success(
                request, _("The check has started. Results appear when it is complete.")
            )
    return redirect("eligibility:flag_queue")
