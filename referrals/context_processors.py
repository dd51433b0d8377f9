from django.http import HttpRequest

from referrals.selectors import navigation_counts


def referral_counts(request: HttpRequest) -> dict:
    """The numbers in the navigation: beside "Antrean Rujukan" (new and overdue at the user's
    agency), "Rujukan" (waiting on the user) and the bell (unread notifications), in one query
    (referrals.selectors.navigation_counts)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = navigation_counts(user)
    return {
        "queue_counts": counts,  # .new, .overdue
        "waiting_on_me": counts.waiting,
        "unread_notification_count": counts.unread,
    }
