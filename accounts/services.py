"""Sign-in plumbing that is not Django's or DRF's own: API tokens and ending a user's sessions."""

import logging
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

log = logging.getLogger("slrt.security")


@dataclass(frozen=True)
class IssuedToken:
    key: str  # shown once, on the page that created it
    replaced: bool  # an older token was revoked by this one


@transaction.atomic
def issue_api_token(*, by: User) -> IssuedToken:
    """Give `by` a new API token, revoking the one they had: the caller shows the key once."""
    replaced, _ = Token.objects.filter(user=by).delete()
    token = Token.objects.create(user=by)
    log.info(
        "API token %s for user %s (id %s)", "regenerated" if replaced else "created", by, by.pk
    )
    return IssuedToken(key=token.key, replaced=bool(replaced))


def revoke_api_token(*, user: User, by: User) -> bool:
    """Delete `user`'s API token (if any); from then on it answers 401. True if one existed."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        log.info("API token of user %s (id %s) revoked by %s", user, user.pk, by)
    return bool(deleted)


def end_user_sessions(*, user: User) -> int:
    """Delete every live session of `user` and their API token; returns the sessions ended.

    Django's database sessions are not indexed by user, so this decodes the live ones: fine for
    the rare deactivation, not for a per-request check (Django already refuses a deactivated
    user's session on its next request; this makes sure nothing is left to revive).
    """
    ended = 0
    pk = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == pk:
            # Through the session engine: the cached copy goes with the row.
            engine = import_module(settings.SESSION_ENGINE)
            engine.SessionStore(session_key=session.session_key).delete()
            ended += 1
    Token.objects.filter(user=user).delete()
    return ended
