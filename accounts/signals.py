"""Receivers for events that come from Django and django-axes rather than from our services:
a deactivation can happen in the admin, a lockout inside axes' backend."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.services import end_user_sessions
from slrt.middleware import start_session_clock

log = logging.getLogger("slrt.security")


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sessions_of_inactive_user")
def end_sessions_of_inactive_user(sender, instance: User, created: bool, **kwargs) -> None:
    if created or instance.is_active:
        return
    ended = end_user_sessions(user=instance)
    log.warning(
        "User %s (id %s) is inactive: %d session(s) and any API token removed",
        instance.username,
        instance.pk,
        ended,
    )


@receiver(user_locked_out, dispatch_uid="accounts.log_lockout")
def log_lockout(sender, request, username: str | None, ip_address: str | None, **kwargs) -> None:
    log.warning(
        "Login locked after repeated failures: username=%r ip=%s path=%s",
        username,
        ip_address,
        getattr(request, "path", ""),
    )


@receiver(user_logged_in, dispatch_uid="accounts.start_session_clock")
def stamp_login(sender, request, user: User, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)
