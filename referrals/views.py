"""Referral pages: the agency's queue (Antrean Rujukan), the referrals a desk or facilitator
raised (the closed loop), one referral with its actions, and the desk's complaints."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.choices import reference_rows
from households.filters import HouseholdFilter
from households.models import Agency
from households.scope import scope_for
from households.selectors import (
    access_household,
    access_household_to_change,
    kelurahan_choices,
    shown_page,
    shown_rows,
    visible_households,
)
from referrals.filters import ReferralFilter
from referrals.forms import (
    AssignForm,
    AttachmentForm,
    ComplaintForm,
    FollowUpForm,
    ReferralForm,
    TransitionForm,
)
from referrals.metrics import deadline_metrics
from referrals.models import (
    ON_AGENCY_CLOCK,
    OPEN,
    Action,
    Attachment,
    Complaint,
    Referral,
    Status,
)
from referrals.notifications import mark_referral_notifications_read
from referrals.presenters import available_actions, open_question, queue_tiles, referral_cards
from referrals.selectors import (
    access_complaint,
    access_referral,
    agency_queue,
    assignable_staff,
    queue_counts,
    raised_referrals,
    visible_complaints,
    visible_referrals,
)
from referrals.services import (
    assign_referrals,
    attach_file,
    raise_referral,
    record_complaint,
    remove_attachment,
    schedule_complaint_follow_up,
    transition_referral,
)
from slrt.http import local_next

PAGE_SIZE = 25


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _fields(filterset: ReferralFilter, *names: str) -> list:
    """The filters folded under "Filter" (on a phone the list comes first)."""
    return [filterset.form[name] for name in names]


def _page(
    request: HttpRequest, queryset, template: str, context: dict, via: str, cards: bool = False
) -> HttpResponse:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context["page"] = shown_page(request.user, page, via=via)
    if cards:  # each referral with its card's HTML (referrals.presenters.referral_cards)
        referrals = list(context["page"].object_list)
        context["rows"] = list(zip(referrals, referral_cards(referrals), strict=True))
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
@permission_required("referrals.act_on_referral", raise_exception=True)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Referrals addressed to the user's agency: by default what is on its clock, the most
    urgent deadline first."""
    referrals = agency_queue(request.user)
    if not request.GET.get("status"):
        referrals = referrals.filter(status__in=ON_AGENCY_CLOCK)
    filterset = ReferralFilter(request.GET, queryset=referrals, request=request)
    ordered = filterset.qs.urgent_first()
    counts = queue_counts(request.user)
    context = {
        "filter": filterset,
        "queue_counts": counts,  # the navigation's too: one query
        "tiles": queue_tiles(request.GET, counts),
        "more_filters": _fields(filterset, "category", "kecamatan", "kelurahan", "priority"),
        "assign_form": AssignForm(referrals=referrals, staff=assignable_staff(request.user)),
        # The heading's agency from the process copy of reference rows (no query).
        "agency": next(
            iter(reference_rows(Agency.objects.filter(pk=scope_for(request.user).agency_id))),
            None,
        ),
    }
    return _page(
        request, ordered, "referrals/referral_queue.html", context, via="queue", cards=True
    )


@login_required
@permission_required("referrals.act_on_referral", raise_exception=True)
@require_POST
def assign(request: HttpRequest) -> HttpResponse:
    form = AssignForm(
        request.POST,
        referrals=agency_queue(request.user),
        staff=assignable_staff(request.user),
    )
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
    else:
        try:
            count = assign_referrals(
                referrals=list(form.cleaned_data["referrals"]),
                assignee=form.cleaned_data["assignee"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("%(count)d referrals assigned.") % {"count": count})
    return redirect(local_next(request) or reverse("referrals:queue"))


@login_required
@permission_required("referrals.add_referral", raise_exception=True)
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """The closed loop: what the desk or the facilitator raised, where it is, how it ended.
    Those waiting on the origin's side (returned, resolved) come first."""
    referrals = raised_referrals(request.user)
    filterset = ReferralFilter(request.GET, queryset=referrals, request=request)
    mine_first = Case(
        When(status__in=[Status.RETURNED, Status.RESOLVED], then=Value(0)),
        When(status__in=OPEN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ordered = filterset.qs.order_by(mine_first, "-updated_at", "-pk")
    context = {
        "filter": filterset,
        "more_filters": _fields(filterset, "category", "agency", "kelurahan"),
    }
    return _page(request, ordered, "referrals/referral_list.html", context, via="referrals")


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Deadline performance, loaded when its panel is opened: the agency's own per need, or
    per agency for what the user's side raised. Numbers only."""
    if request.user.has_perm("referrals.act_on_referral"):
        rows = deadline_metrics(by=("category",), referrals=agency_queue(request.user))
        by_agency = False
    else:
        rows = deadline_metrics(by=("agency",), referrals=raised_referrals(request.user))
        by_agency = True
    context = {"metrics": rows, "by_agency": by_agency}
    return render(request, "referrals/_metrics_rows.html", context)


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    # A GET that writes on purpose, as notification_open: reading one's own notices.
    mark_referral_notifications_read(referral=referral, by=request.user)
    context = {
        "referral": referral,
        "open_question": open_question(referral),
        "actions": available_actions(referral, request.user),
        "transition_form": TransitionForm(),
        "attachment_form": AttachmentForm(),
        "is_agency_side": request.user.has_perm("referrals.act_on_referral"),
    }
    return render(request, "referrals/referral_detail.html", context)


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_POST
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(problems))
        return redirect(referral_url(referral))
    data = form.cleaned_data
    try:
        referral = transition_referral(
            referral=referral,
            action=data["action"],
            by=request.user,
            note=data["note"],
            outcome=data["outcome"],
            to_agency=data["to_agency"],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            _("Referral #%(pk)s is now: %(status)s.")
            % {"pk": referral.pk, "status": referral.get_status_display()},
        )
        if data["action"] == Action.TRANSFER:
            # The referral has left this agency's sight: back to the queue.
            return redirect("referrals:queue")
    return redirect(referral_url(referral))


def referral_url(referral: Referral) -> str:
    return reverse("referrals:referral_detail", args=[referral.pk])


@login_required
@permission_required("referrals.add_referral", raise_exception=True)
def referral_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    """Raise a referral for a household in scope, from its page or from a complaint."""
    household = access_household_to_change(request.user, household_pk)
    complaint = None
    if "complaint" in request.GET:
        raw = request.GET["complaint"]
        if not raw.isdigit():
            raise Http404
        complaint = access_complaint(request.user, int(raw))
    initial = {}
    if complaint is not None:  # what the person asked for, to be edited into the need
        initial = {"description": complaint.request, "category": complaint.category_id}
    form = ReferralForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = raise_referral(
                household=household,
                category=data["category"],
                description=data["description"],
                by=request.user,
                member=data["member"],
                priority=data["priority"],
                agency=data["agency"],
                complaint=complaint,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Referral sent to %(agency)s. Deadline: %(date)s.")
                % {
                    "agency": referral.agency.short_name,
                    "date": date_format(referral.due_date, "j F Y"),
                },
            )
            if complaint is not None:
                return redirect("referrals:complaint_detail", complaint.pk)
            return redirect(referral_url(referral))
    context = {"form": form, "household": household, "complaint": complaint}
    return render(request, "referrals/referral_form.html", context)


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_GET
def household_referrals(request: HttpRequest, household_pk: int) -> HttpResponse:
    """The household page's referral section (loaded by htmx): those this user may see."""
    household = access_household(request.user, household_pk)
    referrals = visible_referrals(request.user).filter(household=household)
    referrals = referrals.select_related("category", "agency", "assignee", "household__kelurahan")
    context = {"household": household, "referrals": referrals.order_by("-created_at", "-pk")}
    return render(request, "referrals/household_referrals.html", context)


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the type of document and a file to attach."))
    else:
        try:
            attach_file(
                referral=referral,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"] or Attachment.Kind.OTHER,
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Document attached."))
    return redirect(referral_url(referral))


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    referral = access_referral(request.user, pk)
    attachment = get_object_or_404(referral.attachments.all(), pk=attachment_pk)
    try:
        remove_attachment(attachment=attachment, by=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("Document removed."))
    return redirect(referral_url(referral))


@login_required
@permission_required("referrals.view_referral", raise_exception=True)
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    referral = access_referral(request.user, pk)
    attachment = get_object_or_404(referral.attachments.all(), pk=attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@login_required
@permission_required("referrals.view_complaint", raise_exception=True)
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    complaints = visible_complaints(request.user).select_related(
        "household", "kelurahan", "category"
    )
    status = request.GET.get("status", "")
    if status in Complaint.Status.values:
        complaints = complaints.filter(status=status)
    context = {"statuses": Complaint.Status.choices, "status": status}
    return _page(request, complaints, "referrals/complaint_list.html", context, via="complaints")


@login_required
@permission_required("referrals.add_complaint", raise_exception=True)
def complaint_create(request: HttpRequest) -> HttpResponse:
    """The desk writes down who came and what they asked, with their family: found by the
    search here, or registered on the spot (the household form comes back with it)."""
    households = visible_households(request.user)
    form = ComplaintForm(
        request.POST or None,
        initial={"household": request.GET.get("household")},
        kelurahan=kelurahan_choices(request.user),
        households=households,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = record_complaint(
                kelurahan=data["kelurahan"],
                household=data["household"],
                complainant_name=data["complainant_name"],
                phone=data["complainant_phone"],
                request=data["request"],
                resolved_at_desk=data["resolved_at_desk"],
                desk_note=data["desk_note"],
                category=data["category"],
                channel=data["channel"] or Complaint.Channel.WALK_IN,
                follow_up_on=data["follow_up_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Complaint recorded."))
            return redirect("referrals:complaint_detail", complaint.pk)
    chosen = _chosen_household(request, form, households)
    search = HouseholdFilter({"q": request.GET.get("q", "")}, queryset=households, request=request)
    found = None
    if request.GET.get("q"):
        found = shown_rows(request.user, search.qs.select_related("kelurahan")[:10], via="search")
    context = {"form": form, "chosen": chosen, "found": found, "q": request.GET.get("q", "")}
    return render(request, "referrals/complaint_form.html", context)


def _chosen_household(request: HttpRequest, form: ComplaintForm, households):
    raw = form.data.get("household") if form.is_bound else request.GET.get("household")
    if not raw or not str(raw).isdigit():
        return None
    chosen = households.select_related("kelurahan").filter(pk=raw)
    return next(iter(shown_rows(request.user, chosen, via="complaint form")), None)


@login_required
@permission_required("referrals.view_complaint", raise_exception=True)
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access_complaint(request.user, pk)
    referrals = complaint.referrals.select_related("category", "agency")
    follow_up_form = FollowUpForm(initial={"follow_up_on": complaint.follow_up_on})
    context = {"complaint": complaint, "referrals": referrals, "follow_up_form": follow_up_form}
    return render(request, "referrals/complaint_detail.html", context)


@login_required
@permission_required("referrals.add_complaint", raise_exception=True)
@require_POST
def complaint_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = access_complaint(request.user, pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the follow-up date as a date."))
    else:
        try:
            schedule_complaint_follow_up(
                complaint=complaint, follow_up_on=form.cleaned_data["follow_up_on"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Follow-up date saved."))
    return redirect("referrals:complaint_detail", complaint.pk)
