from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accounts.services import issue_api_token, revoke_api_token


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The user's own API token: whether they hold one; POST makes a new one, shown only in this
    response (never stored in the page's history: no-store), revoking the old one."""
    new_key = None
    if request.method == "POST":
        new_key = issue_api_token(by=request.user).key
    token = Token.objects.filter(user=request.user).only("created").first()
    return render(request, "accounts/api_token.html", {"token": token, "new_key": new_key})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if revoke_api_token(user=request.user, by=request.user):
        messages.success(request, _("Your API token was revoked: it no longer works."))
    return redirect("accounts:api_token")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page's look, in the
    user's language, saying how long the lock lasts; 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for lockouts (AXES_CLIENT_IP_CALLABLE). Each of the
    TRUSTED_PROXY_COUNT proxies appends the address it saw to X-Forwarded-For, so the client is
    the entry that many places from the end; anything left of it may be forged by the client."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [ip.strip() for ip in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [ip for ip in forwarded if ip]
    if count and forwarded:
        return forwarded[-min(count, len(forwarded))]
    return request.META.get("REMOTE_ADDR")
