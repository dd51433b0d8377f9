"""The user's inbox of referral notifications. Each user sees only their own: another
user's notification is 404 (STYLE.md section 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from referrals.notifications import (
    mark_all_notifications_read,
    mark_notification_read,
    referral_path,
    visible_notifications,
)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = visible_notifications(request.user).only(
        "pk", "kind", "message", "created_at", "read_at", "referral_id"
    )
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "referrals/notification_list.html", {"page": page})


# A GET on purpose: the link is also what the e-mail and the bell point at, and marking
# one's own notification read is repeatable and changes no referral.
@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(visible_notifications(request.user), pk=pk)
    mark_notification_read(notification=notification, by=request.user)
    return redirect(referral_path(notification.referral_id))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_all_notifications_read(by=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:notification_list")
