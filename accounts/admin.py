"""Admin for sign-in records: django-axes' lockouts and DRF's API tokens, tightened.

A lockout (access attempt) is cleared by deleting it: that is the admin's "unlock". The logs of
logins and failures are evidence, so the admin may read them but neither edit nor delete them.
API token keys are never shown (their owner sees a key once, when it is made); the admin only
sees who holds one and may revoke it (delete).
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LockoutAdmin(ReadOnlyMixin, AccessAttemptAdmin):
    """Deleting a row unlocks that username and address at once."""


class EvidenceLogMixin(ReadOnlyMixin):
    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LoginLogAdmin(EvidenceLogMixin, AccessLogAdmin):
    pass


class LoginFailureLogAdmin(EvidenceLogMixin, AccessFailureLogAdmin):
    pass


class ApiTokenAdmin(ReadOnlyMixin, TokenAdmin):
    list_display = ("user", "created")
    fields = ("user", "created")
    readonly_fields = ("user", "created")


for model, model_admin in [
    (AccessAttempt, LockoutAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureLogAdmin),
    (TokenProxy, ApiTokenAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
