from django.http import HttpRequest

from households.scope import scope_for


def navigation(request: HttpRequest) -> dict:
    """What the navigation bar needs: the user's scope (personal data or aggregates only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope": scope_for(user)}
