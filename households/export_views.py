"""Downloads of the household list as filtered on its page (issue #3, item 8).

Kept apart from households/views.py so the list page and the export stay in step through
one FilterSet and one selector, not through copied code.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from households.exports import KINDS, registry_export
from households.filters import HouseholdFilter
from households.scope import scope_for
from households.selectors import visible_households
from slrt.exports import FORMATS, export_response


@login_required
@permission_required("households.view_household", raise_exception=True)
@require_GET
def household_export(request: HttpRequest) -> HttpResponse:
    """The list page's households (or their members) as .xlsx or .csv, in the user's scope.
    Needs households.view_household; agency staff export no people (issue 16)."""
    if not scope_for(request.user).may_export_people:
        raise PermissionDenied
    kind = request.GET.get("kind", "households")
    file_format = request.GET.get("format", "xlsx")
    if kind not in KINDS or file_format not in FORMATS:
        problem = _("Choose households or members, as Excel or CSV.")
        return _refuse(request, [problem])
    filterset = HouseholdFilter(
        request.GET, queryset=visible_households(request.user), request=request
    )
    # The list page shows an invalid filter as a form error and ignores it; an export must
    # not quietly widen to everything the user may see (a kelurahan outside scope, say).
    if not filterset.is_valid():
        fields = filterset.form.fields
        problems = [
            f"{fields[name].label}: {' '.join(errors)}" if name in fields else " ".join(errors)
            for name, errors in filterset.errors.items()
        ]
        return _refuse(request, problems)
    table = registry_export(
        user=request.user,
        households=filterset.qs,
        kind=kind,
        file_format=file_format,
        filters=request.GET.dict(),
    )
    return export_response(table, file_format=file_format)


def _refuse(request: HttpRequest, problems: list[str]) -> HttpResponse:
    context = {"problems": problems}
    return render(request, "households/household_export_error.html", context, status=400)
