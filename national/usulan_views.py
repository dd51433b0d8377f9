"""Pages of visits and usulan (issue 22): the facilitator's visits and the phone form of a
visit's result; the kelurahan's batches and its musyawarah; the verifier's city batches, the
workbook for the national system and each proposal's answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eligibility.selectors import active_rule_choices
from households.selectors import access_household, shown_page, shown_rows
from national.models import Usulan, Visit
from national.selectors import access_case, extract_members
from national.usulan import (
    access_kelurahan_batch,
    access_usulan,
    access_usulan_batch,
    agree_kelurahan_batch,
    assemble_usulan_batch,
    batch_usulan,
    decide_usulan,
    national_status,
    usulan_workbook,
    visible_kelurahan_batches,
    visible_usulan_batches,
    waiting_batches,
    with_counts,
)
from national.usulan_forms import AgreeBatchForm, DecideUsulanForm, VisitResultForm
from national.visits import (
    access_visit,
    complete_visit,
    schedule_visit,
    usulan_kind,
    visible_visits,
)
from slrt.exports import XLSX_CONTENT_TYPE, as_download, export_filename

PAGE_SIZE = 25


def _error(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- visits -----------------------------------------------------------------------------------


@login_required
@permission_required("national.view_visit", raise_exception=True)
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    """Kunjungan verifikasi: the visits to do first (soonest due), then those done."""
    done = request.GET.get("done") == "1"
    visits = visible_visits(request.user).exclude(result="") if done else None
    if visits is None:
        visits = visible_visits(request.user).filter(result="")
    else:
        visits = visits.order_by("-visited_on", "-pk")
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="visits")
    return render(request, "national/visit_list.html", {"page": page, "done": done})


@login_required
@permission_required("national.add_visit", raise_exception=True)
@require_POST
def visit_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    try:
        visit = schedule_visit(case=case, by=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("national:case_detail", pk=case.pk)
    messages.success(request, _("Visit scheduled for the kelurahan's facilitator."))
    return redirect("national:visit_detail", pk=visit.pk)


@login_required
@permission_required("national.view_visit", raise_exception=True)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit on the phone: the case's question, the family on both sides, the result."""
    visit = access_visit(request.user, pk)
    shown_rows(request.user, [visit], via="visit")
    form = VisitResultForm(request.POST or None, outcomes=_outcomes(visit.case))
    if request.method == "POST":
        if not request.user.has_perm("national.change_visit"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                complete_visit(visit=visit, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("national:visit_detail", pk=visit.pk)
    usulan = Usulan.objects.filter(visit=visit).first()
    names = dict(active_rule_choices())
    visit.case.rule_names = [names.get(code, code) for code in visit.case.rule_codes]
    context = {
        "visit": visit,
        "case": visit.case,
        "national": extract_members(visit.case),
        "form": form,
        "usulan": usulan,
    }
    return render(request, "national/visit_detail.html", context)


def _outcomes(case) -> dict[str, str]:
    """Each result's consequence for this case (national.visits.usulan_kind), in words: a
    facilitator answering "does the family match its DTSEN rank?" sees which answer proposes
    what."""
    outcomes = {}
    for result in Visit.Result.values:
        kind = usulan_kind(case, result)
        outcomes[result] = _("no proposal") if kind is None else str(Usulan.Kind(kind).label)
    return outcomes


# --- the kelurahan's batches ----------------------------------------------------------------


@login_required
@permission_required("national.view_kelurahanbatch", raise_exception=True)
@require_GET
def kelurahan_batch_list(request: HttpRequest) -> HttpResponse:
    batches = with_counts(visible_kelurahan_batches(request.user)).order_by(
        "status", "kelurahan__name", "-pk"
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "national/kelurahan_batch_list.html", {"page": page})


@login_required
@permission_required("national.view_kelurahanbatch", raise_exception=True)
def kelurahan_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_kelurahan_batch(request.user, pk)
    form = AgreeBatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not request.user.has_perm("national.agree_kelurahanbatch"):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                agree_kelurahan_batch(batch=batch, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The kelurahan's proposals are agreed."))
                return redirect("national:kelurahan_batch_detail", pk=batch.pk)
    rows = shown_rows(request.user, batch.usulan.order_by("kind", "pk"), via="kelurahan batch")
    context = {"batch": batch, "rows": rows, "form": form}
    return render(request, "national/kelurahan_batch_detail.html", context)


@login_required
@permission_required("national.view_kelurahanbatch", raise_exception=True)
@require_GET
def kelurahan_batch_minutes(request: HttpRequest, pk: int) -> FileResponse:
    batch = access_kelurahan_batch(request.user, pk)
    if not batch.minutes:
        raise Http404
    response = FileResponse(
        batch.minutes.open("rb"),
        as_attachment=True,
        filename=f"berita-acara-{batch.pk}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store, private"
    return response


# --- the city's batches -----------------------------------------------------------------------


@login_required
@permission_required("national.view_usulanbatch", raise_exception=True)
def usulan_batch_list(request: HttpRequest) -> HttpResponse:
    """The verifier's page: kelurahan batches agreed and waiting, the city batches sent."""
    if request.method == "POST":
        try:
            batch = assemble_usulan_batch(by=request.user)
        except ValidationError as error:
            _error(request, error)
            return redirect("national:usulan_batch_list")
        messages.success(request, _("City batch assembled and marked sent."))
        return redirect("national:usulan_batch_detail", pk=batch.pk)
    batches = visible_usulan_batches(request.user)
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "waiting": with_counts(waiting_batches()).order_by("kelurahan__name")}
    return render(request, "national/usulan_batch_list.html", context)


@login_required
@permission_required("national.view_usulanbatch", raise_exception=True)
@require_GET
def usulan_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_usulan_batch(request.user, pk)
    rows = batch_usulan(batch).order_by("kind", "kelurahan__name", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="usulan batch")
    context = {"batch": batch, "page": page, "decide_form": DecideUsulanForm()}
    return render(request, "national/usulan_batch_detail.html", context)


@login_required
@permission_required("national.view_usulanbatch", raise_exception=True)
@require_GET
def usulan_batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_usulan_batch(request.user, pk)
    content = usulan_workbook(batch=batch, by=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    return as_download(response, export_filename(f"usulan-dtsen-{batch.pk}", "xlsx"))


@login_required
@permission_required("national.decide_usulan", raise_exception=True)
@require_POST
def usulan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    usulan = access_usulan(request.user, pk)
    form = DecideUsulanForm(request.POST)
    back = redirect("national:usulan_batch_detail", pk=usulan.kelurahan_batch.usulan_batch_id or 0)
    if usulan.kelurahan_batch.usulan_batch_id is None:
        back = redirect("national:kelurahan_batch_detail", pk=usulan.kelurahan_batch_id)
    if not form.is_valid():
        messages.error(request, _("Choose accepted or rejected."))
        return back
    try:
        decide_usulan(usulan=usulan, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
        return back
    messages.success(request, _("The national system's answer is recorded."))
    return back


@login_required
@permission_required("national.view_reconciliationcase", raise_exception=True)
@require_GET
def household_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The household page's national card (htmx): desil and quarter, open case, usulan."""
    household = access_household(request.user, pk)  # logs the read
    status = national_status(household.pk)
    return render(request, "national/household_status.html", {"status": status})
