"""Eligibility pages: runs. The review (Temuan, receipts, cases) is in eligibility.case_views,
the rules and their changes in eligibility.rule_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eligibility.services import start_eligibility_run
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
