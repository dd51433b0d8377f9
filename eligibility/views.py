"""Eligibility pages: runs, rules, simulation. The review (Temuan, receipts, cases) is in
eligibility.case_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eligibility.forms import RuleForm
from eligibility.models import Rule, RuleSet
from eligibility.presenters import condition_in_words
from eligibility.selectors import (
    rule_sets,
    visible_runs,
)
from eligibility.services import (
    activate_rule_set,
    create_draft_rule_set,
    save_rule,
    simulate_rule_set,
    start_eligibility_run,
)
from households.selectors import visible_households
from slrt.dispatch import is_waiting, waiting_message


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


@login_required
@permission_required("eligibility.view_rule", raise_exception=True)
@require_GET
def ruleset_list(request: HttpRequest) -> HttpResponse:
    context = {"rule_sets": rule_sets(), "runs": visible_runs(request.user)[:10]}
    return render(request, "eligibility/ruleset_list.html", context)


@login_required
@permission_required("eligibility.view_rule", raise_exception=True)
@require_GET
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(RuleSet, pk=pk)
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.in_words = condition_in_words(rule.condition)
    return render(
        request, "eligibility/ruleset_detail.html", {"rule_set": rule_set, "rules": rules}
    )


@login_required
@permission_required("eligibility.change_rule", raise_exception=True)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a rule; an active rule's edit becomes the next version in the draft set."""
    rule = get_object_or_404(Rule.objects.select_related("rule_set"), pk=pk)
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in RuleForm.Meta.fields}
        try:
            saved = save_rule(rule=rule, data=data, by=request.user)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Rule saved in draft version %(v)s.") % {"v": saved.rule_set.version}
            )
            return redirect(saved.rule_set)
    return render(request, "eligibility/rule_form.html", {"form": form, "rule": rule})


@login_required
@permission_required("eligibility.add_ruleset", raise_exception=True)
@require_POST
def ruleset_create_draft(request: HttpRequest) -> HttpResponse:
    return redirect(create_draft_rule_set(by=request.user))


@login_required
@permission_required("eligibility.simulate_ruleset", raise_exception=True)
@require_GET
def ruleset_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """Flagged now versus under the draft, per area and program; writes nothing. The
    activation button sits under the comparison, so activating shows it first."""
    draft = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)
    result = simulate_rule_set(draft=draft, households=visible_households(request.user))
    return render(
        request, "eligibility/ruleset_simulate.html", {"rule_set": draft, "result": result}
    )


@login_required
@permission_required("eligibility.activate_ruleset", raise_exception=True)
@require_POST
def ruleset_activate(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(RuleSet, pk=pk)
    try:
        activate_rule_set(rule_set=rule_set, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(rule_set)
    messages.success(request, _("Rule set version %(v)s is active.") % {"v": rule_set.version})
    return redirect("eligibility:ruleset_list")
