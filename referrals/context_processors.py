from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from referrals.selectors import queue_counts, waiting_on_origin


def referral_counts(request: HttpRequest) -> dict:
    """The numbers beside "Antrian Rujukan" (new and overdue at the user's agency) and
    "Rujukan" (waiting on the user). Lazy: a page without the navigation runs no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "queue_counts": SimpleLazyObject(lambda: queue_counts(user)),
        "waiting_on_me": SimpleLazyObject(lambda: waiting_on_origin(user)),
    }
