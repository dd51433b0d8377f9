"""Import pages: upload, progress, preview, confirm, summary, error report, template, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.forms import ImportUploadForm
from households.imports.report import error_report_xlsx
from households.imports.services import (
    CONFIRM_PERMISSIONS,
    cancel_import_batch,
    confirm_import_batch,
    upload_import_batch,
)
from households.imports.template import build_template_xlsx
from households.models import ImportBatch
from households.selectors import (
    access_import_batch,
    kelurahan_choices,
    shown_page,
    shown_rows,
    visible_import_batches,
    visible_import_families,
)
from slrt.dispatch import is_waiting, waiting_message
from slrt.exports import XLSX_CONTENT_TYPE, as_download

ISSUES_SHOWN = 200
FAMILIES_SHOWN = 50  # on the batch's page; all of them on import_families


@login_required
@permission_required("households.view_importbatch", raise_exception=True)
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(visible_import_batches(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "households/import_list.html", {"page": page})


@login_required
@permission_required("households.add_importbatch", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = upload_import_batch(
                uploaded_file=form.cleaned_data["file"],
                source_format=form.cleaned_data["source_format"],
                kelurahan=form.cleaned_data["kelurahan"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if is_waiting(batch):
                messages.warning(request, waiting_message())
            return redirect(batch)
    return render(request, "households/import_upload.html", {"form": form})


@login_required
@permission_required("households.view_importbatch", raise_exception=True)
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_import_batch(request.user, pk)
    errors = batch.issues.filter(severity="error")
    warnings = batch.issues.filter(severity="warning")
    families = visible_import_families(request.user, batch)
    context = {
        "batch": batch,
        "families": shown_rows(request.user, families[:FAMILIES_SHOWN], via=f"import {pk}"),
        "family_count": families.count(),
        "errors": errors[:ISSUES_SHOWN],
        "warnings": warnings[:ISSUES_SHOWN],
        "error_count": errors.count(),
        "warning_count": warnings.count(),
        "counts": batch.counts,
        # Confirming writes the registry: a role that may change households (issue 16).
        "can_confirm": request.user.has_perms(CONFIRM_PERMISSIONS),
        "same_file": visible_import_batches(request.user)
        .filter(checksum=batch.checksum, status=ImportBatch.Status.COMMITTED)
        .exclude(pk=batch.pk)
        .first(),
    }
    template = "households/import_detail.html"
    if request.htmx:
        template += "#status"
    return render(request, template, context)


@login_required
@permission_required("households.view_importbatch", raise_exception=True)
@require_GET
def import_families(request: HttpRequest, pk: int) -> HttpResponse:
    """Every family the batch adds or changes, in the user's scope, in file order."""
    batch = access_import_batch(request.user, pk)
    families = visible_import_families(request.user, batch)
    page = Paginator(families, 100).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via=f"import {pk}")
    return render(request, "households/import_families.html", {"batch": batch, "page": page})


@login_required
@permission_required(CONFIRM_PERMISSIONS, raise_exception=True)
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_import_batch(request.user, pk)
    try:
        batch = confirm_import_batch(
            batch=batch, by=request.user, confirm_moves=request.POST.get("confirm_moves") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if is_waiting(batch):
            messages.warning(request, waiting_message())
    return redirect(batch)


@login_required
@permission_required("households.add_importbatch", raise_exception=True)
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_import_batch(request.user, pk)
    try:
        cancel_import_batch(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Import cancelled. Nothing was changed."))
    return redirect(batch)


@login_required
@permission_required("households.view_importbatch", raise_exception=True)
@require_GET
def import_error_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_import_batch(request.user, pk)
    if batch.status == ImportBatch.Status.FAILED or not batch.counts:
        messages.error(request, _("This file has no error report: it could not be read."))
        return redirect(batch)
    return _xlsx_download(error_report_xlsx(batch), f"kesalahan-impor-{batch.pk}.xlsx")


@login_required
@permission_required("households.add_importbatch", raise_exception=True)
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    names = [region.name for region in kelurahan_choices(request.user)]
    return _xlsx_download(build_template_xlsx(names), "templat-impor-slrt.xlsx")


def _xlsx_download(content: bytes, filename: str) -> HttpResponse:
    return as_download(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)
