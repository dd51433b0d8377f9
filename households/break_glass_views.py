"""Emergency (break-glass) access pages: the request (Akses darurat) and the Verifikator's
review. The rules are households.break_glass's; the KK number travels in a POST body only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.break_glass import request_break_glass, review_break_glass
from households.forms import BreakGlassForm, BreakGlassReviewForm
from households.selectors import (
    access_break_glass_grant,
    break_glass_grants_for_review,
    own_break_glass_grants,
)

PAGE_SIZE = 25


@login_required
@permission_required("households.request_breakglassgrant", raise_exception=True)
def break_glass_request(request: HttpRequest) -> HttpResponse:
    """Open a household outside one's scope, with a reason (request_breakglassgrant)."""
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = request_break_glass(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if grant.household is None:
                messages.warning(
                    request,
                    _(
                        "Your request was recorded, but no household could be opened with this "
                        "KK number. Check the number on the family card."
                    ),
                )
                return redirect("households:break_glass_request")
            until = formats.date_format(timezone.localtime(grant.expires_at), "DATETIME_FORMAT")
            messages.success(
                request,
                _(
                    "Emergency access is open until %(until)s. Every page you open is recorded "
                    "and the Verifikator will review your reason."
                )
                % {"until": until},
            )
            return redirect(grant.household)
    grants = own_break_glass_grants(request.user)[:20]
    context = {"form": form, "grants": grants, "now": timezone.now()}
    return render(request, "households/break_glass_request.html", context)


@login_required
@permission_required("households.review_breakglassgrant", raise_exception=True)
@require_GET
def break_glass_review_list(request: HttpRequest) -> HttpResponse:
    """Every emergency access, to be reviewed (review_breakglassgrant)."""
    grants = break_glass_grants_for_review(request.user)
    if request.GET.get("status") == "open":
        grants = grants.filter(reviewed_at__isnull=True)
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "review_form": BreakGlassReviewForm(), "now": timezone.now()}
    return render(request, "households/break_glass_review.html", context)


@login_required
@permission_required("households.review_breakglassgrant", raise_exception=True)
@require_POST
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = access_break_glass_grant(request.user, pk)
    form = BreakGlassReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose justified or not justified."))
        return redirect("households:break_glass_review_list")
    try:
        review_break_glass(grant=grant, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Review saved."))
    return redirect("households:break_glass_review_list")
