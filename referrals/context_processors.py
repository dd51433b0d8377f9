from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from referrals.notifications import visible_notifications
from referrals.selectors import queue_counts, waiting_on_origin


def referral_counts(request: HttpRequest) -> dict:
    """The numbers in the navigation: beside "Antrian Rujukan" (new and overdue at the user's
    agency), "Rujukan" (waiting on the user) and the bell (unread notifications). The first
    two are lazy: only the link the user's role shows runs its query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = visible_notifications(user).filter(read_at__isnull=True)
    return {
        "queue_counts": SimpleLazyObject(lambda: queue_counts(user)),
        "waiting_on_me": SimpleLazyObject(lambda: waiting_on_origin(user)),
        "unread_notification_count": unread.count(),  # a number for the plural, one query
    }
