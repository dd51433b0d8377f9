"""The Verifikator's review (issue 20): the findings queue (Temuan), receipts, and one review
case per household, decided once."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from eligibility.forms import CaseForm, FlagFilter, ReviewForm
from eligibility.models import CaseAssignment, Flag
from eligibility.presenters import expanded_conditions, explain, flag_values, receipt
from eligibility.selectors import (
    access_case,
    access_flag,
    access_household_findings,
    active_rule_choices,
    active_rules_with_decisions,
    dismissal_reasons,
    household_decisions,
    programs_of,
    reviewers,
    visible_flags,
    visible_runs,
    with_programs,
)
from eligibility.services import assign_case, decide_case, review_flags
from households.models import Enrolment, Household
from households.selectors import shown_page
from slrt.http import local_next
from slrt.paging import CappedPaginator

PAGE_SIZE = 25
# One click for what the city asks (issue 20): (label, the queue's filter).
PRESETS = [
    (gettext_lazy("Car owners receiving aid"), {"rule": "car_owner", "receives_aid": "any"}),
    (
        gettext_lazy("ASN, TNI or Polri receiving aid"),
        {"rule": "asn_tni_polri", "receives_aid": "any"},
    ),
]
# The filter's parameters carried from the queue to a case and on to the next case.
FILTER_KEYS = ("rule", "kecamatan", "kelurahan", "receives_aid", "status", "sort")


def _filter_query(params: QueryDict) -> str:
    return urlencode([(k, params[k]) for k in FILTER_KEYS if params.get(k)])


def _filtered_flags(
    request: HttpRequest, rule_choices: list[tuple[str, str]]
) -> tuple[FlagFilter, QuerySet[Flag]]:
    """The queue's filter from the request's query string, and the flags it selects."""
    form = FlagFilter(QueryDict(_filter_query(request.GET)) or None, rule_choices=rule_choices)
    if not form.is_bound:
        flags = visible_flags(request.user).filter(status=Flag.Status.OPEN, decision="")
        return form, flags.order_by("rule_code", "household_id", "pk")
    if not form.is_valid():
        return form, visible_flags(request.user).none()
    return form, form.apply(visible_flags(request.user))


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def flag_queue(request: HttpRequest) -> HttpResponse:
    """Temuan: a compact, sortable table of findings; one row opens the family's case."""
    rules = active_rules_with_decisions(request.user)
    form, flags = _filtered_flags(request, [(r.code, r.name) for r in rules])
    flags = with_programs(flags)
    page = CappedPaginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="flags")
    conditions = expanded_conditions(list({flag.rule_id: flag.rule for flag in page}.values()))
    for flag in page:
        criteria = explain(conditions[flag.rule_id], flag_values(flag))
        flag.deciding = [c for c in criteria if c.met and not c.group]
        flag.programs = programs_of(flag)
    query = _filter_query(request.GET)
    context = {
        "filter": form,
        "page": page,
        "query": query,
        "presets": [(label, urlencode(params)) for label, params in PRESETS],
        "shares": [rule for rule in rules if rule.decided],
        "last_run": visible_runs(request.user).first(),
        "reasons": dismissal_reasons(),
        # One rule chosen: its name would repeat on every row.
        "one_rule": form.is_bound and form.is_valid() and bool(form.cleaned_data["rule"]),
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
    conditions = expanded_conditions([flag.rule])
    context = {
        "flag": flag,
        "item": receipt(flag.household, [flag], conditions)[0],
        "decisions": flag.decisions.select_related("decided_by", "standard_reason"),
        "review_form": ReviewForm(),
        "reasons": dismissal_reasons(),
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
                standard_reason=form.cleaned_data["standard_reason"],
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
    """The decision receipt of one household: printable for the desk. On the household page
    (htmx) it also shows the case's decisions: who, when, why (issue 20)."""
    household = access_household_findings(request.user, pk)
    flags = list(
        visible_flags(request.user).filter(household=household).order_by("status", "rule_code")
    )
    conditions = expanded_conditions(list({f.rule_id: f.rule for f in flags}.values()))
    context = {
        "household": household,
        "items": receipt(household, flags, conditions),
        "case_decisions": household_decisions(household),
    }
    template = "eligibility/household_receipt.html"
    if request.htmx:
        template += "#receipt"
    return render(request, template, context)


# --- the review case of one household ----------------------------------------------------------


def _case_flags(user: User, household: Household) -> list[Flag]:
    """The family's findings worth reading in its case: open ones and decided ones."""
    flags = visible_flags(user).filter(household=household)
    return list(flags.filter(Q(status=Flag.Status.OPEN) | ~Q(decision="")).order_by("rule_code"))


def _next_case(request: HttpRequest, after: int) -> int | None:
    """The household after `after` in the queue under the current filter; once that one is
    decided it leaves the default queue, and the first remaining family is next."""
    _form, flags = _filtered_flags(request, active_rule_choices())
    seen: list[int] = []
    for household_id in flags.values_list("household_id", flat=True)[:5000]:
        if household_id not in seen:
            seen.append(household_id)
    if after in seen:
        rest = seen[seen.index(after) + 1 :]
        return rest[0] if rest else None
    return seen[0] if seen else None


def _case_page(request: HttpRequest, household: Household, form: CaseForm | None) -> HttpResponse:
    """8 queries (issue 17): the decisions and the reviewers come with the page's htmx part
    (case_history), the next case on demand (case_next)."""
    flags = _case_flags(request.user, household)
    enrolments = list(
        Enrolment.objects.filter(household=household, status=Enrolment.Status.ACTIVE)
        .select_related("program", "member")
        .order_by("program__name", "member__name")
    )
    open_flags = [f for f in flags if f.status == Flag.Status.OPEN and not f.decision]
    if form is None:
        form = CaseForm(flags=open_flags, enrolments=enrolments, reasons=dismissal_reasons())
    conditions = expanded_conditions(list({f.rule_id: f.rule for f in flags}.values()))
    query = _filter_query(request.GET)
    context = {
        "household": household,
        "items": receipt(household, flags, conditions),
        "form": form,
        "enrolments": enrolments,
        "query": query,
        "next_url": reverse("eligibility:case_next", args=[household.pk]) + f"?{query}",
        "assignment": getattr(household, "case_assignment", None),
    }
    return render(request, "eligibility/case_detail.html", context)


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All the family's findings in one place, each receipt, and the decision form."""
    household = access_case(request.user, pk)
    return _case_page(request, household, None)


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's decisions (who, when, why) and its reviewer form: a part of the case page."""
    household = access_household_findings(request.user, pk)
    context = {
        "household": household,
        "case_decisions": household_decisions(household),
        "assignment": CaseAssignment.objects.filter(household=household).first(),
        "reviewers": reviewers(household)
        if request.user.has_perm("eligibility.review_flag")
        else [],
        "query": _filter_query(request.GET),
    }
    return render(request, "eligibility/case_history.html", context)


@login_required
@permission_required("eligibility.view_flag", raise_exception=True)
@require_GET
def case_next(request: HttpRequest, pk: int) -> HttpResponse:
    """To the family after household `pk` in the queue under the filter in the query string;
    back to the queue when none is left."""
    next_pk = _next_case(request, pk)
    query = _filter_query(request.GET)
    if next_pk is None:
        messages.info(request, _("No case left under this filter."))
        return redirect(reverse("eligibility:flag_queue") + f"?{query}")
    return redirect(reverse("eligibility:case_detail", args=[next_pk]) + f"?{query}")


@login_required
@permission_required("eligibility.review_flag", raise_exception=True)
@require_POST
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide the family's case once (eligibility.review_flag): its findings and the
    consequence for each enrolment."""
    household = access_case(request.user, pk)
    flags = [
        f
        for f in _case_flags(request.user, household)
        if f.status == Flag.Status.OPEN and not f.decision
    ]
    enrolments = Enrolment.objects.filter(household=household, status=Enrolment.Status.ACTIVE)
    form = CaseForm(
        request.POST,
        flags=flags,
        enrolments=enrolments.select_related("program", "member").order_by(
            "program__name", "member__name"
        ),
        reasons=dismissal_reasons(),
    )
    if not form.is_valid():
        messages.error(request, _("Decide every finding; the form shows what is missing."))
        return _case_page(request, household, form)
    try:
        decide_case(
            household=household,
            findings=form.findings(),
            consequences=form.consequences(),
            note=form.cleaned_data["note"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _case_page(request, household, form)
    messages.success(request, _("The family's case is decided."))
    query = _filter_query(request.GET)
    return redirect(reverse("eligibility:case_detail", args=[household.pk]) + f"?{query}")


@login_required
@permission_required("eligibility.review_flag", raise_exception=True)
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the family's case to a reviewer, or to nobody (eligibility.review_flag)."""
    household = access_household_findings(request.user, pk)
    raw = request.POST.get("assignee", "").strip()
    assignee = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if raw and assignee is None:
        messages.error(request, _("Choose a reviewer from the list."))
        return redirect("eligibility:case_detail", household.pk)
    try:
        assign_case(household=household, assignee=assignee, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Assignment saved."))
    query = _filter_query(request.GET)
    return redirect(reverse("eligibility:case_detail", args=[household.pk]) + f"?{query}")
