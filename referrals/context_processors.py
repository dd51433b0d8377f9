from django.http import HttpRequest

from referrals.notifications import visible_notifications


def notification_count(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation (referrals/_notification_bell.html).
    Anonymous users cost no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = visible_notifications(user).filter(read_at__isnull=True)
    return {"unread_notification_count": unread.count()}
