"""The national data pages (issue 22): extracts in (the data steward's and the verifier's
import page), the reconciliation queue (scoped by kelurahan like the flag queue), closing a
case."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from eligibility.selectors import active_rule_choices
from households.selectors import kelurahan_choices, shown_page
from national.forms import CaseFilter, CloseCaseForm, ExtractUploadForm
from national.models import Extract, ReconciliationCase
from national.reconcile import latest_extract
from national.report import extract_error_report_xlsx
from national.selectors import (
    access_case,
    access_extract,
    case_counts,
    extract_members,
    visible_cases,
    visible_extracts,
)
from national.services import close_case
from national.uploads import Uploaded, upload_extract
from slrt.dispatch import is_waiting, waiting_message
from slrt.exports import XLSX_CONTENT_TYPE, as_download
from slrt.paging import CappedPaginator

PAGE_SIZE = 25
FILTER_KEYS = ("kind", "kelurahan", "status")


@login_required
@permission_required("national.view_extract", raise_exception=True)
def extract_list(request: HttpRequest) -> HttpResponse:
    """Every extract received (the city keeps each quarter) and, for the importers, the
    upload form. An upload is imported in the background (national.uploads): the list shows
    its status and, while one is at work, refreshes itself (htmx: the list only)."""
    can_import = request.user.has_perm("national.import_extract")
    form = ExtractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        if form.is_valid():
            try:
                uploaded = upload_extract(
                    uploaded_file=form.cleaned_data["file"],
                    as_of=form.cleaned_data["as_of"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _after_upload(request, uploaded)
    page = Paginator(visible_extracts(request.user), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "form": form if can_import else None,
        "working": any(extract.is_working for extract in page.object_list),
    }
    template = "national/extract_list.html"
    if request.htmx:
        template += "#extracts"
    return render(request, template, context)


def _after_upload(request: HttpRequest, uploaded: Uploaded) -> HttpResponse:
    extract = uploaded.extract
    if not uploaded.created:
        if extract.is_working:
            messages.info(request, _("This file is already being imported; nothing changed."))
        else:
            messages.info(request, _("This file was imported before; nothing changed."))
        return redirect("national:extract_list")
    if is_waiting(extract):
        messages.warning(request, waiting_message())
        return redirect("national:extract_list")
    extract.refresh_from_db()  # without Redis the import has run already (eager)
    if extract.status == Extract.Status.FAILED:
        messages.error(request, extract.error_text)
    elif extract.status == Extract.Status.COMPLETE:
        messages.success(
            request,
            _(
                "Extract %(quarter)s imported: %(families)s families, %(members)s "
                "people, %(rejected)s rows with errors."
            )
            % {
                "quarter": extract.quarter,
                "families": extract.families,
                "members": extract.members,
                "rejected": extract.rejected,
            },
        )
        return redirect("national:case_queue")
    else:
        messages.info(
            request,
            _(
                "The file is saved and is being imported in the background: the list below "
                "shows its status."
            ),
        )
    return redirect("national:extract_list")


@login_required
@permission_required("national.view_extract", raise_exception=True)
@require_GET
def extract_error_report(request: HttpRequest, pk: int) -> HttpResponse:
    extract = access_extract(request.user, pk)
    if extract.status != Extract.Status.COMPLETE or not extract.file:
        messages.error(request, _("This file has no error report: it could not be read."))
        return redirect("national:extract_list")
    content = extract_error_report_xlsx(extract)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    return as_download(response, f"kesalahan-dtsen-{extract.pk}.xlsx")


def _filter_query(params: QueryDict) -> str:
    return urlencode([(k, params[k]) for k in FILTER_KEYS if params.get(k)])


@login_required
@permission_required("national.view_reconciliationcase", raise_exception=True)
@require_GET
def case_queue(request: HttpRequest) -> HttpResponse:
    """Rekonsiliasi: where the registry and DTSEN disagree, counts per kind and a page of
    cases; a ward sees its own kelurahan."""
    extract = latest_extract()
    cases = visible_cases(request.user, extract)
    form = CaseFilter(
        QueryDict(_filter_query(request.GET)) or None, kelurahan=kelurahan_choices(request.user)
    )
    if form.is_bound:
        shown = form.apply(cases) if form.is_valid() else cases.none()
    else:
        shown = cases.filter(status=ReconciliationCase.Status.OPEN)
    page = CappedPaginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="reconciliation")
    _name_rules(page.object_list)
    context = {
        "extract": extract,
        "counts": case_counts(cases),
        "kinds": ReconciliationCase.Kind,
        "filter": form,
        "page": page,
        "query": _filter_query(request.GET),
        "close_form": CloseCaseForm(),
    }
    template = "national/case_queue.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@login_required
@permission_required("national.view_reconciliationcase", raise_exception=True)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    shown_page_rows = shown_page(request.user, _One([case]), via="reconciliation case")
    _name_rules(shown_page_rows.object_list)
    context = {
        "case": shown_page_rows.object_list[0],
        "national": extract_members(case),
        "close_form": CloseCaseForm(),
    }
    return render(request, "national/case_detail.html", context)


def _name_rules(cases) -> None:
    """The exclusion rules behind a case, by their names in the active set (the verifier's
    words, not codes)."""
    names = dict(active_rule_choices())
    for case in cases:
        case.rule_names = [names.get(code, code) for code in case.rule_codes]


class _One:
    """A one-row page, so a case's page logs its read as the queue does."""

    def __init__(self, rows):
        self.object_list = rows


@login_required
@permission_required("national.close_case", raise_exception=True)
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was done or found before closing the case."))
        return redirect("national:case_detail", pk=case.pk)
    try:
        close_case(case=case, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("national:case_detail", pk=case.pk)
    messages.success(request, _("Case closed."))
    return redirect("national:case_queue")
