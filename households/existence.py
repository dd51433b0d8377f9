"""Answers to "is this KK or NIK registered?" given by writes (issue 16).

A household form or an import that names a KK number or NIK already registered outside the
user's scope is told only that it is registered and to contact Dinas Sosial: never which
family, kelurahan or person. Each such answer is still an answer, so, like emergency access
(households.break_glass), they are counted per user over 24 hours, logged (logger
slrt.security) and capped by EXISTENCE_ANSWERS_MAX_PER_DAY.

Past the cap the user is not told whether a number exists: a write that names any number not
already registered in their own scope is refused with the same message, new number or not.
A write that would go past the cap is refused whole (the numbers it names are not answered)
and uses up the rest of the day's answers, so the refusal itself tells at most one bit once.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import ngettext

from households.models import ExistenceAnswer, Household, Member
from households.scope import write_kelurahan_ids
from slrt.db import where_in
from slrt.messages import translatable as _  # also stored as an import issue

log = logging.getLogger("slrt.security")

CODE = "registered_elsewhere"


def registered_elsewhere_message() -> str:
    """What a write is told about a number registered outside the user's scope: nothing of
    the family, kelurahan or person."""
    return _("Already registered — contact Dinas Sosial.")


def registered_elsewhere_error() -> ValidationError:
    return ValidationError(registered_elsewhere_message(), code=CODE)


def limit_error() -> ValidationError:
    cap = settings.EXISTENCE_ANSWERS_MAX_PER_DAY
    return ValidationError(
        ngettext(
            "You have been told %(cap)d time in the last 24 hours that a KK number or NIK is "
            "already registered elsewhere, the most allowed. New KK numbers and NIKs cannot be "
            "checked until then; contact Dinas Sosial.",
            "You have been told %(cap)d times in the last 24 hours that a KK number or NIK is "
            "already registered elsewhere, the most allowed. New KK numbers and NIKs cannot be "
            "checked until then; contact Dinas Sosial.",
            cap,
        ),
        code="existence_limit",
        params={"cap": cap},
    )


def answers_today(user: User) -> int:
    since = timezone.now() - timedelta(days=1)
    total = ExistenceAnswer.objects.filter(user=user, created_at__gt=since).aggregate(
        n=Sum("count")
    )["n"]
    return total or 0


def exhausted(user: User) -> bool:
    """True when `user` may be told nothing more today. City-wide writers are never told a
    number is registered elsewhere, so they have no cap to reach."""
    if write_kelurahan_ids(user) is None:
        return False
    return answers_today(user) >= settings.EXISTENCE_ANSWERS_MAX_PER_DAY


def names_unknown_numbers(
    user: User,
    *,
    kk_numbers: Iterable[str],
    niks: Iterable[str],
    allowed: frozenset[int] | None | bool = False,
) -> bool:
    """True when some KK or NIK is not registered inside `allowed` (default: the user's write
    scope; None: the whole city), new or registered elsewhere: past the cap the two are not
    told apart."""
    if allowed is False:
        allowed = write_kelurahan_ids(user)
    if allowed is None:
        return False
    kk_numbers, niks = set(filter(None, kk_numbers)), set(filter(None, niks))
    households = Household.objects.filter(kelurahan_id__in=allowed)
    members = Member.objects.filter(household__kelurahan_id__in=allowed)
    known_kk = {
        kk
        for part in where_in(households, "kk_number", list(kk_numbers))
        for kk in part.values_list("kk_number", flat=True)
    }
    known_nik = {
        n
        for part in where_in(members, "nik", list(niks))
        for n in part.values_list("nik", flat=True)
    }
    return bool(kk_numbers - known_kk or niks - known_nik)


def record_answers(user: User, count: int, *, source: str) -> None:
    """Count `count` numbers `user` is about to be told are registered elsewhere; refuse with
    limit_error() instead when that would pass the cap. Runs in its own transaction (the
    write that asked is rolled back, the count is not)."""
    if count <= 0:
        return
    with transaction.atomic():
        # One user's answers one at a time, so two saves at once cannot both pass the cap.
        User.objects.select_for_update().filter(pk=user.pk).first()
        cap = settings.EXISTENCE_ANSWERS_MAX_PER_DAY
        used = answers_today(user)
        refused = used + count > cap
        ExistenceAnswer.objects.create(
            user=user,
            source=source,
            count=max(cap - used, 0) if refused else count,
            refused=refused,
        )
    if refused:
        log.warning(
            "existence answer refused: user %s (id %s) reached %d answers in 24 hours (%s)",
            user.get_username(),
            user.pk,
            cap,
            source,
        )
        raise limit_error()
    log.warning(
        "existence answer: user %s (id %s) told %d number(s) are registered outside their "
        "scope (%s), %d of %d in 24 hours",
        user.get_username(),
        user.pk,
        count,
        source,
        used + count,
        cap,
    )


def refuse_past_limit(user: User, *, source: str) -> None:
    """The refusal of a write that names unknown numbers once the cap is reached: logged."""
    log.warning(
        "existence answer refused: user %s (id %s) is past the daily limit (%s)",
        user.get_username(),
        user.pk,
        source,
    )
    raise limit_error()


def count_in(error: ValidationError) -> int:
    """How many registered-elsewhere answers a ValidationError carries."""
    if hasattr(error, "error_dict"):
        items = [e for group in error.error_dict.values() for e in group]
    else:
        items = error.error_list
    return sum(1 for e in items for inner in e.error_list if inner.code == CODE)
