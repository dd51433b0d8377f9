"""Move requests (Pindah antar-kelurahan): asked for on a household's page by those who write
in its kelurahan, decided by the Verifikator. The rules are households.moves's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from households.forms import FamilyMoveForm, MoveDecisionForm, PersonMoveForm
from households.moves import decide_move, request_family_move, request_person_move
from households.selectors import (
    access_household_to_change,
    access_move_request,
    household_move_requests,
    move_requests_for_review,
    moved_households,
    shown_page,
)

PAGE_SIZE = 25


@login_required
@permission_required("households.add_moverequest", raise_exception=True)
def move_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The family moved away, or a person registered elsewhere joined it: ask the Verifikator.
    Two forms on one page; the button pressed (`kind`) says which was sent."""
    household = access_household_to_change(request.user, pk)
    kind = request.POST.get("kind") if request.method == "POST" else None
    family_form = FamilyMoveForm(
        request.POST if kind == "family" else None, household=household, prefix="family"
    )
    person_form = PersonMoveForm(request.POST if kind == "person" else None, prefix="person")
    form = {"family": family_form, "person": person_form}.get(kind)
    if form is not None and form.is_valid():
        ask = request_family_move if kind == "family" else request_person_move
        try:
            ask(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Your request was sent to the Verifikator at Dinas Sosial. Its answer will "
                    "show on this page."
                ),
            )
            return redirect("households:move_request", pk=household.pk)
    elif request.method == "POST" and form is None:
        messages.error(request, _("Choose which move you are asking for."))
    context = {
        "household": household,
        "family_form": family_form,
        "person_form": person_form,
        "requests": household_move_requests(household)[:20],
    }
    return render(request, "households/move_request.html", context)


def _show_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@permission_required("households.decide_moverequest", raise_exception=True)
@require_GET
def move_review_list(request: HttpRequest) -> HttpResponse:
    """Every move request, the waiting ones first (decide_moverequest)."""
    moves = move_requests_for_review(request.user)
    if request.GET.get("status") == "pending":
        moves = moves.filter(decided_at__isnull=True)
    page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
    page = shown_page(request.user, page, via="moves", households=moved_households)
    return render(
        request,
        "households/move_review.html",
        {"page": page, "decision_form": MoveDecisionForm()},
    )


@login_required
@permission_required("households.decide_moverequest", raise_exception=True)
@require_POST
def move_decide(request: HttpRequest, pk: int) -> HttpResponse:
    move = access_move_request(request.user, pk)
    form = MoveDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("households:move_review_list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decide_move(move=move, approve=approve, note=form.cleaned_data["note"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Moved.") if approve else _("Request rejected."))
    return redirect("households:move_review_list")
