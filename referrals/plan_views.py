"""The family's plan pages (issue 21): thin views over referrals.selectors, referrals.plan_forms
and referrals.plans. One page shows the whole plan across agencies to the facilitator and the
desk; agency staff see on it only the interventions referred to their agency."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.models import AssessedNeed, Member
from households.scope import may_write_in, scope_for
from households.selectors import access_household, access_household_to_change, visible_assessments
from referrals.models import Plan, PlanGoal, PlanIntervention, Progress
from referrals.plan_forms import (
    AgreementForm,
    GoalForm,
    InterventionForm,
    PlanForm,
    ProgressForm,
    VisitForm,
)
from referrals.plans import (
    add_goal,
    add_intervention,
    create_plan,
    record_agreement,
    record_follow_up_visit,
    set_intervention_progress,
)
from referrals.selectors import access_plan, active_plan_of, plan_interventions


def _members(plan_or_household) -> object:
    household_id = getattr(plan_or_household, "household_id", None) or plan_or_household.pk
    return Member.objects.filter(household_id=household_id, is_deceased=False).in_kk_order()


def _writable(request: HttpRequest, plan: Plan) -> Plan:
    """The plan, for a change: 404 outside the write scope, as a read (the service checks
    again)."""
    if not may_write_in(request.user, [plan.household.kelurahan_id]):
        raise Http404
    return plan


def _latest_needs(user, plan: Plan):
    """The present needs of the family's latest assessment: what a goal may answer."""
    latest = visible_assessments(user).filter(household_id=plan.household_id).order_by("-version")
    latest = latest.first()
    if latest is None:
        return AssessedNeed.objects.none()
    return AssessedNeed.objects.filter(assessment=latest, present=True).select_related("member")


def _show_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@permission_required("referrals.view_plan", raise_exception=True)
@require_GET
def household_plan(request: HttpRequest, household_pk: int) -> HttpResponse:
    """The household page's way in: its active plan, or (for those who make plans) a new one."""
    household = access_household(request.user, household_pk)
    plan = active_plan_of(request.user, household)
    if plan is not None:
        return redirect("referrals:plan_detail", plan.pk)
    if request.user.has_perm("referrals.add_plan") and may_write_in(
        request.user, [household.kelurahan_id]
    ):
        return redirect("referrals:plan_create", household.pk)
    raise Http404


@login_required
@permission_required("referrals.add_plan", raise_exception=True)
def plan_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    """Start the family's plan, with the family: who agreed to it."""
    household = access_household_to_change(request.user, household_pk)
    existing = active_plan_of(request.user, household)
    if existing is not None:
        return redirect("referrals:plan_detail", existing.pk)
    form = PlanForm(request.POST or None, members=_members(household))
    if request.method == "POST" and form.is_valid():
        try:
            plan = create_plan(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Plan started: add its goals and interventions."))
            return redirect("referrals:plan_detail", plan.pk)
    assessed = visible_assessments(request.user).filter(household=household).exists()
    context = {"household": household, "form": form, "assessed": assessed}
    return render(request, "referrals/plan_form.html", context)


@login_required
@permission_required("referrals.view_plan", raise_exception=True)
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The family's whole plan: goals, interventions across agencies with where each stands,
    follow-up visits. Agency staff: only their agency's interventions (need-to-know)."""
    plan = access_plan(request.user, pk)
    need_to_know = scope_for(request.user).needs_to_know(plan.household_id)
    can_write = (
        request.user.has_perm("referrals.change_plan")
        and may_write_in(request.user, [plan.household.kelurahan_id])
        and plan.closed_on is None
    )
    context = {
        "plan": plan,
        "household": plan.household,
        "need_to_know": need_to_know,
        "interventions": plan_interventions(request.user, plan),
        "can_write": can_write,
        "progress_choices": Progress.choices,
    }
    if not need_to_know:
        goals = plan.goals.select_related("need__member")
        context["goals"] = goals
        context["visits"] = plan.visits.select_related("visited_by", "assessment")
        if can_write:
            context["goal_form"] = GoalForm(needs=_latest_needs(request.user, plan))
            if not plan.is_agreed:
                context["agreement_form"] = AgreementForm(members=_members(plan))
    return render(request, "referrals/plan_detail.html", context)


@login_required
@permission_required("referrals.change_plan", raise_exception=True)
@require_POST
def plan_agree(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable(request, access_plan(request.user, pk))
    form = AgreementForm(request.POST, members=_members(plan))
    if not form.is_valid():
        messages.error(request, _("Choose who in the family agreed, and when."))
        return redirect("referrals:plan_detail", plan.pk)
    try:
        record_agreement(plan=plan, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The family's agreement is recorded."))
    return redirect("referrals:plan_detail", plan.pk)


@login_required
@permission_required("referrals.change_plan", raise_exception=True)
@require_POST
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable(request, access_plan(request.user, pk))
    form = GoalForm(request.POST, needs=_latest_needs(request.user, plan))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("referrals:plan_detail", plan.pk)
    try:
        add_goal(plan=plan, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Goal added."))
    return redirect("referrals:plan_detail", plan.pk)


@login_required
@permission_required("referrals.change_plan", raise_exception=True)
def intervention_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A step of the plan: a referral (sent to the agency now), a proposed program enrolment
    or the facilitator's own action, with its target date."""
    plan = _writable(request, access_plan(request.user, pk))
    goals = PlanGoal.objects.filter(plan=plan)
    initial = {}
    if request.GET.get("goal", "").isdigit():
        initial["goal"] = int(request.GET["goal"])
    form = InterventionForm(
        request.POST or None, goals=goals, members=_members(plan), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            intervention = add_intervention(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            if intervention.referral_id is not None:
                messages.success(
                    request,
                    _("Referral sent to %(agency)s; the plan follows its answer.")
                    % {"agency": intervention.referral.agency.short_name},
                )
            else:
                messages.success(request, _("Intervention added."))
            return redirect("referrals:plan_detail", plan.pk)
    context = {"plan": plan, "household": plan.household, "form": form}
    return render(request, "referrals/plan_intervention_form.html", context)


@login_required
@permission_required("referrals.change_plan", raise_exception=True)
@require_POST
def intervention_progress(request: HttpRequest, pk: int, intervention_pk: int) -> HttpResponse:
    plan = _writable(request, access_plan(request.user, pk))
    intervention = get_object_or_404(PlanIntervention, plan=plan, pk=intervention_pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the progress."))
        return redirect("referrals:plan_detail", plan.pk)
    try:
        set_intervention_progress(
            intervention=intervention, progress=form.cleaned_data["progress"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Progress saved."))
    return redirect("referrals:plan_detail", plan.pk)


@login_required
@permission_required("referrals.change_plan", raise_exception=True)
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A follow-up visit: date, optional location, what was found, the updated assessment."""
    plan = _writable(request, access_plan(request.user, pk))
    assessments = visible_assessments(request.user).filter(household_id=plan.household_id)
    form = VisitForm(request.POST or None, assessments=assessments.order_by("-version"))
    if request.method == "POST" and form.is_valid():
        try:
            record_follow_up_visit(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Follow-up visit recorded."))
            return redirect("referrals:plan_detail", plan.pk)
    context = {"plan": plan, "household": plan.household, "form": form}
    return render(request, "referrals/plan_visit_form.html", context)
