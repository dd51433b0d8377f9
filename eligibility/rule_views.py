"""Rule pages (issue 20): rule sets and their rules in words, rules edited as forms, a draft
with its reason, the simulation that opens with the diff and lists every household that
changes (paged, and as a workbook), the confirmation that restates the diff, discarding a
draft, and the dismiss rate per rule."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eligibility import conditions
from eligibility.exports import simulation_workbook
from eligibility.models import Rule, RuleSet
from eligibility.presenters import condition_in_words, message_in_words, rule_set_changes
from eligibility.rule_forms import (
    ConditionForm,
    ConfirmForm,
    DismissRateFilter,
    DraftReasonForm,
    RuleForm,
    condition_formset,
)
from eligibility.selectors import dismiss_rates, rule_sets, visible_runs
from eligibility.services import (
    RULE_FIELDS,
    activate_rule_set,
    create_draft_rule_set,
    discard_rule_set,
    rule_set_fingerprint,
    save_rule,
    set_rule_set_reason,
)
from eligibility.simulation import changed_households, simulate_rule_set
from households.scope import scope_for
from households.selectors import shown_page, visible_households
from slrt.exports import XLSX_CONTENT_TYPE, as_download, export_filename

CHANGES_PER_PAGE = 50


def _error_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@permission_required("eligibility.view_rule", raise_exception=True)
@require_GET
def ruleset_list(request: HttpRequest) -> HttpResponse:
    draft = RuleSet.objects.filter(status=RuleSet.Status.DRAFT).first()
    context = {
        "rule_sets": rule_sets().select_related("created_by", "activated_by", "discarded_by"),
        "runs": visible_runs(request.user)[:10],
        "draft": draft,
        "reason_form": DraftReasonForm(),
    }
    return render(request, "eligibility/ruleset_list.html", context)


@login_required
@permission_required("eligibility.add_ruleset", raise_exception=True)
@require_POST
def ruleset_create_draft(request: HttpRequest) -> HttpResponse:
    """Open the draft (eligibility.add_ruleset): a new one needs the reason for the change."""
    form = DraftReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        draft = create_draft_rule_set(by=request.user, reason=reason)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("eligibility:ruleset_list")
    return redirect(draft)


def _rules_in_words(rule_set: RuleSet) -> list[Rule]:
    rules = list(rule_set.rules.all())
    for rule in rules:
        rule.in_words = condition_in_words(rule.condition)
        rule.message_words = message_in_words(rule.reader_message)
    return rules


@login_required
@permission_required("eligibility.view_rule", raise_exception=True)
@require_GET
def ruleset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = get_object_or_404(RuleSet, pk=pk)
    changes = rule_set_changes(rule_set) if rule_set.status == RuleSet.Status.DRAFT else []
    rules = _rules_in_words(rule_set)
    for rule in rules:
        rule.changed = any(change.code == rule.code for change in changes)
    context = {
        "rule_set": rule_set,
        "rules": rules,
        "changes": changes,
        "reason_form": DraftReasonForm(initial={"reason": rule_set.reason}),
    }
    return render(request, "eligibility/ruleset_detail.html", context)


@login_required
@permission_required("eligibility.add_ruleset", raise_exception=True)
@require_POST
def ruleset_reason(request: HttpRequest, pk: int) -> HttpResponse:
    """Rewrite a draft's reason for the change (eligibility.add_ruleset)."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    form = DraftReasonForm(request.POST)
    try:
        set_rule_set_reason(
            rule_set=rule_set,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            by=request.user,
        )
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("The reason for the change is saved."))
    return redirect(rule_set)


@login_required
@permission_required("eligibility.add_ruleset", raise_exception=True)
@require_POST
def ruleset_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard a draft (eligibility.add_ruleset), once the person ticked that they mean it."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Tick the box to confirm that the draft is to be discarded."))
        return redirect(rule_set)
    try:
        discard_rule_set(rule_set=rule_set, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect(rule_set)
    messages.success(
        request, _("Draft version %(v)s is discarded. No rule changed.") % {"v": rule_set.version}
    )
    return redirect("eligibility:ruleset_list")


def _condition_forms(rule: Rule, data=None):
    """The rule form, the condition's rows and whether rows can be added, removed and
    regrouped (a flat condition) or only edited (a deeper one keeps its shape)."""
    flat = conditions.is_flat(rule.condition)
    formset_class = condition_formset(editable_shape=flat, extra=1)
    initial = [ConditionForm.initial_of(leaf) for leaf in conditions.leaves(rule.condition)]
    combine = "any" if "any" in rule.condition else "all"
    form = RuleForm(data, instance=rule, initial={"combine": combine})
    formset = formset_class(data, initial=initial, prefix="c")
    return form, formset, flat


def _redrawn(formset):
    """The rows as typed, unbound: a redraw after a change of fact or operator shows the value
    inputs that fit, without the messages of a row not finished yet."""
    rows = []
    for form in formset.forms:
        data = form.data
        row = {name: data.get(form.add_prefix(name)) for name in ConditionForm.REDRAWN}
        row["choices"] = data.getlist(form.add_prefix("choices"))
        if row["field"]:  # an empty extra row: the formset adds a fresh one
            rows.append(row)
    return type(formset)(initial=rows, prefix=formset.prefix)


def _edited_condition(rule: Rule, form: RuleForm, formset, flat: bool) -> dict:
    leaves = formset.leaves()
    if flat:
        if not leaves and not conditions.kept_references(rule.condition):
            raise ValidationError(
                {"condition": _("A rule needs at least one condition.")}, code="no_condition"
            )
        kept = conditions.kept_references(rule.condition)
        return conditions.regroup(form.cleaned_data.get("combine") or "all", leaves, kept)
    return conditions.replace_leaves(rule.condition, leaves)


@login_required
@permission_required("eligibility.change_rule", raise_exception=True)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a rule as a form (eligibility.change_rule); an active rule's edit becomes the next
    version in the draft set, which is opened with the reason given here if there is none."""
    rule = get_object_or_404(Rule.objects.select_related("rule_set"), pk=pk)
    data = request.POST if request.method == "POST" else None
    form, formset, flat = _condition_forms(rule, data)
    open_draft = RuleSet.objects.filter(status=RuleSet.Status.DRAFT).first()
    reason_form = DraftReasonForm(data) if open_draft is None else None
    refresh = request.method == "POST" and "refresh" in request.POST
    if request.method == "POST" and not refresh and form.is_valid() and formset.is_valid():
        reason = ""
        if reason_form is not None and reason_form.is_valid():
            reason = reason_form.cleaned_data["reason"]
        try:
            fields = {f: form.cleaned_data[f] for f in RULE_FIELDS if f != "condition"}
            fields["condition"] = _edited_condition(rule, form, formset, flat)
            saved = save_rule(rule=rule, data=fields, by=request.user, reason=reason)
        except ValidationError as error:
            by_field = (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            )
            for field, errors in by_field.items():
                for message in errors:
                    if field == "reason" and reason_form is not None:
                        reason_form.add_error("reason", message)
                    else:
                        form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Rule saved in draft version %(v)s.") % {"v": saved.rule_set.version}
            )
            return redirect(saved.rule_set)
    if refresh:
        formset = _redrawn(formset)
    context = {
        "form": form,
        "formset": formset,
        "flat": flat,
        "kept": [condition_in_words(c) for c in conditions.kept_references(rule.condition)],
        "reason_form": reason_form,
        "rule": rule,
        "in_words": condition_in_words(rule.condition),
    }
    template = "eligibility/rule_form.html"
    if request.htmx and refresh:
        template += "#condition"
    return render(request, template, context)


def _simulation_scope(request: HttpRequest):
    """The change lists name families: only a reader of personal data, over their households."""
    if not scope_for(request.user).personal_data:
        raise PermissionDenied
    return visible_households(request.user)


@login_required
@permission_required("eligibility.simulate_ruleset", raise_exception=True)
@require_GET
def ruleset_simulate(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft against the active set (eligibility.simulate_ruleset; reads only): the diff
    in words, the totals per kecamatan and program, and every household that changes, paged;
    `?format=xlsx` downloads the full lists."""
    draft = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)
    households = _simulation_scope(request)
    result = simulate_rule_set(draft=draft, households=households)
    changes = rule_set_changes(draft)
    fields = list(dict.fromkeys(f for change in changes for f in change.fields))
    if request.GET.get("format") == "xlsx":
        content = simulation_workbook(
            draft=draft, result=result, changes=changes, fields=fields, by=request.user
        )
        name = export_filename(f"slrt-simulasi-aturan-v{draft.version}", "xlsx")
        return as_download(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), name)
    lists = []
    for key, ids, were_flagged, title in (
        ("gone", result.no_longer_flagged, True, _("No longer flagged")),
        ("new", result.newly_flagged, False, _("Newly flagged")),
    ):
        page = Paginator(ids, CHANGES_PER_PAGE).get_page(request.GET.get(f"{key}_page"))
        page = shown_page(request.user, page, via="simulation", households=lambda pk: (pk,))
        rows = changed_households(
            draft=draft, ids=list(page), were_flagged=were_flagged, fields=fields
        )
        lists.append({"key": key, "title": title, "page": page, "rows": rows})
    context = {
        "rule_set": draft,
        "result": result,
        "changes": changes,
        "fields": fields,
        "lists": lists,
    }
    return render(request, "eligibility/ruleset_simulate.html", context)


@login_required
@permission_required("eligibility.activate_ruleset", raise_exception=True)
@require_GET
def ruleset_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation before activating (eligibility.activate_ruleset): the diff restated,
    the reason and the totals; the form carries the fingerprint of what is shown."""
    draft = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)
    result = simulate_rule_set(draft=draft, households=_simulation_scope(request))
    context = {
        "rule_set": draft,
        "changes": rule_set_changes(draft),
        "result": result,
        "form": ConfirmForm(initial={"seen": rule_set_fingerprint(draft)}),
    }
    return render(request, "eligibility/ruleset_confirm.html", context)


@login_required
@permission_required("eligibility.activate_ruleset", raise_exception=True)
@require_POST
def ruleset_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate a draft (eligibility.activate_ruleset) after its confirmation page."""
    rule_set = get_object_or_404(RuleSet, pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Read the changes and tick the box to activate the draft."))
        return redirect("eligibility:ruleset_confirm", pk=rule_set.pk)
    try:
        activate_rule_set(rule_set=rule_set, by=request.user, seen=form.cleaned_data["seen"])
    except ValidationError as error:
        _error_messages(request, error)
        return redirect(rule_set)
    messages.success(request, _("Rule set version %(v)s is active.") % {"v": rule_set.version})
    return redirect("eligibility:ruleset_list")


@login_required
@permission_required("eligibility.view_reviewdecision", raise_exception=True)
@require_GET
def dismiss_rate(request: HttpRequest) -> HttpResponse:
    """How often each rule's findings were dismissed, and why, over a period: which rule is
    wrong (issue 20). Decisions in the reader's scope; the reasons are the verifiers' words."""
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=90), today
    form = DismissRateFilter(request.GET or None, initial={"date_from": start, "date_to": end})
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["date_from"] or datetime.date(2000, 1, 1)
        end = form.cleaned_data["date_to"] or today
    context = {
        "filter": form,
        "start": start,
        "end": end,
        "rates": dismiss_rates(request.user, start=start, end=end) if not form.errors else [],
    }
    return render(request, "eligibility/dismiss_rate.html", context)
