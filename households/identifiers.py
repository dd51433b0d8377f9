"""NIK and KK on screen, in the API and in logs (issue 7, privacy by default).

One function, shown_identifier, decides what a user sees of an identifier; the template
filters (households/templatetags/identifiers.py) and the API's IdentifierField
(households/api.py) go through it. Free text (logs, an export's filters) gets the same mask
from slrt/log_filters.py. Which roles see numbers whole is data in
households.roles.FULL_IDENTIFIER_ROLES.
"""

from collections.abc import Iterable

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


# Issue 20: every masked KK read 3275********0001 (the region and a serial that repeats), so the
# rows of a list could not be told apart. A list that names families shows a tail of the KK
# instead: the last digits that tell the families of the list apart, at least six (the year
# of issue and the serial) and never more than ten (the card's date of issue and its serial).
# The first six digits (province, city, kecamatan) are never shown, and a KK holds no birth
# date, so a tail identifies nobody. NIKs get no tail: their middle digits are a birth date.
TAIL_SHORTEST, TAIL_LONGEST = 6, 10


def identifier_tail(value: str | None, digits: int = TAIL_SHORTEST) -> str:
    """3275010101230001 -> …230001: the last `digits` digits (at most TAIL_LONGEST)."""
    if not value:
        return ""
    value = str(value)
    digits = min(digits, TAIL_LONGEST)
    return "…" + value[-digits:] if len(value) > digits else "*" * len(value)


def kk_tails(kk_numbers: Iterable[str]) -> dict[str, str]:
    """Each KK number's tail, as short as tells them all apart (within TAIL_SHORTEST to
    TAIL_LONGEST digits): one length for the whole list, so the tails line up."""
    numbers = list(dict.fromkeys(kk_numbers))
    for digits in range(TAIL_SHORTEST, TAIL_LONGEST + 1):
        if len({number[-digits:] for number in numbers}) == len(numbers):
            break
    return {number: identifier_tail(number, digits) for number in numbers}


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


# A work list that shows one row at a time (the Temuan queue, the cases API) takes a fixed
# tail within the same bounds: the issue month and year and the serial.
KK_TAIL_DIGITS = 8


def kk_tail(value: str | None) -> str:
    """The last KK_TAIL_DIGITS digits of a KK number, for telling families apart in a work
    list (issue 20): the masked form ends in the card's serial, 0001 for most families, so
    every row read 3275********0001. A list at hand whole takes kk_tails instead."""
    return identifier_tail(value, KK_TAIL_DIGITS)
