"""NIK and KK on screen, in the API and in logs (issue 7, privacy by default).

One function, shown_identifier, decides what a user sees of an identifier; the template
filters (households/templatetags/identifiers.py) and the API's IdentifierField
(households/api.py) go through it. Free text (logs, an export's filters) gets the same mask
from slrt/log_filters.py. Which roles see numbers whole is data in
households.roles.FULL_IDENTIFIER_ROLES.
"""

from django.contrib.auth.models import AnonymousUser, User

from households.scope import scope_for
from slrt.log_filters import mask_sixteen_digits


def mask_identifier(value: str | None) -> str:
    """3275010101900001 -> 3275********0001: the region and the serial stay readable, the
    birth date and the rest of the number do not. Anything not 16 long is starred whole."""
    if not value:
        return ""
    value = str(value)
    if len(value) != 16:
        return "*" * len(value)
    return f"{value[:4]}{'*' * 8}{value[-4:]}"


def mask_digits(text: str) -> str:
    """Every 16-digit run in a free text (a search typed into a filter) masked: the same
    rule as the log filter's."""
    return mask_sixteen_digits(text)


def shown_identifier(value: str | None, user: User | AnonymousUser, *, whole: bool) -> str:
    """What `user` sees of a NIK or KK. `whole` is where the surface allows it (a household's
    own page, an API detail); lists pass False and show everyone the masked number."""
    if whole and scope_for(user).sees_full_identifiers:
        return value or ""
    return mask_identifier(value)


KK_TAIL_DIGITS = 8


def kk_tail(value: str | None) -> str:
    """The last digits of a KK number, for telling families apart in a work list (issue 20):
    the masked form ends in the card's serial, 0001 for most families, so every row read
    3275********0001. The tail is the issue month and year and the serial, never the birth
    date a NIK carries; with the kelurahan and the name beside it, it tells rows apart."""
    if not value:
        return ""
    return "…" + str(value)[-KK_TAIL_DIGITS:]
