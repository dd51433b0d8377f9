"""NIK and KK number structure (DOMAIN.md section 3). Pure: no ORM, no settings.

A NIK is PPKKCC DDMMYY SSSS: region where first registered, birth date (women: day + 40),
serial. A KK number is the issuing region, the registration date DDMMYY and a family serial.
Hard errors refuse the value; disagreements with the member's record are warnings.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from slrt.messages import as_message

# Current Kemendagri province codes (2025): Sumatra, Java, Bali/Nusa Tenggara,
# Kalimantan, Sulawesi, Maluku, Papua (91-96 after the 2022 splits).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53]
    + [61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96]
)
MAX_AGE_YEARS = 110
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SEPARATORS = re.compile(r"[\s.\-]")


class NikParts(NamedTuple):  # a tuple: an import makes one per row
    region_code: str  # 6 digits: province, kab/kota, kecamatan
    sex: str  # "male" or "female", as Member.Sex values
    birth_date: date
    serial: str


@dataclass(frozen=True)
class Discrepancy:
    code: str
    message: str


def normalise_number(raw: object) -> str:
    """Trim a typed or imported NIK/KK: spaces, dots and dashes between digit groups go."""
    text = "" if raw is None else str(raw).strip()
    if text.isdigit():  # nothing to trim (most cells of a file)
        return text
    if _SCIENTIFIC.match(text):
        return text  # keep it as it is so the validator can say what Excel did
    return _SEPARATORS.sub("", text)


def _check_shape(value: str, label: str) -> None:
    # digits only first: most values are, and then none is in scientific notation
    if not (value.isascii() and value.isdigit()) and _SCIENTIFIC.match(value):
        raise ValidationError(
            _(
                "%(label)s %(value)s was turned into scientific notation by Excel and its "
                "digits are lost. Type it again from the card and format the column as text."
            ),
            code="excel_scientific",
            params={"label": label, "value": value},
        )
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("%(label)s may contain digits only."), code="not_digits", params={"label": label}
        )
    if len(value) != 16:
        raise ValidationError(
            _("%(label)s must be 16 digits (this one has %(count)d)."),
            code="length",
            params={"label": label, "count": len(value)},
        )
    if int(value[:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("%(label)s starts with %(code)s, which is not an Indonesian province code."),
            code="province",
            params={"label": label, "code": value[:2]},
        )
    if value[12:] == "0000":
        raise ValidationError(
            _("%(label)s cannot end in serial number 0000."),
            code="serial_zero",
            params={"label": label},
        )


def _century_date(day: int, month: int, yy: int, today: date) -> date | None:
    """The date with the century that gives an age between 0 and MAX_AGE_YEARS today."""
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today and today.year - candidate.year <= MAX_AGE_YEARS:
            return candidate
    return None


def _valid_day_month(day: int, month: int, yy: int) -> bool:
    """29 February needs a leap year in one of the two possible centuries."""
    for century in (2000, 1900):
        try:
            date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def parse_nik(value: str, today: date) -> NikParts:
    """Split a NIK into its parts, raising ValidationError for every hard error."""
    _check_shape(value, "NIK")
    sex, birth = _nik_birth(value[6:12], today)
    return NikParts(region_code=value[:6], sex=sex, birth_date=birth, serial=value[12:])


class NikReader:
    """parse_nik() for the many NIKs of one file, read on one day: the same verdict (a test
    compares them), with the birth-date digits (7-12) of each well-shaped NIK read once.
    100,000 members hold about 20,000 distinct ones."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._births: dict[str, tuple[str, date]] = {}

    def parse(self, value: str) -> NikParts:
        _check_shape(value, "NIK")
        digits = value[6:12]
        birth = self._births.get(digits)
        if birth is None:
            birth = self._births[digits] = _nik_birth(digits, self.today)
        return NikParts(region_code=value[:6], sex=birth[0], birth_date=birth[1], serial=value[12:])


def _nik_birth(digits: str, today: date) -> tuple[str, date]:
    """Sex and birth date from a NIK's digits 7-12 (DDMMYY, women: day + 40)."""
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sex = "female" if day > 40 else "male"
    real_day = day - 40 if day > 40 else day
    birth = None
    if 1 <= real_day <= 31 and 1 <= month <= 12 and _valid_day_month(real_day, month, yy):
        birth = _century_date(real_day, month, yy, today)
    if birth is None:
        raise ValidationError(
            _(
                "The birth date in this NIK (digits 7-12: %(digits)s) is not a real date. "
                "Check the NIK on the card."
            ),
            code="birth_date",
            params={"digits": digits},
        )
    return sex, birth


def validate_nik(value: str, today: date) -> None:
    parse_nik(value, today)


def parse_kk_registration_date(value: str, today: date | None = None) -> date:
    """Validate a KK number's shape and return its registration date (no +40 for KK). The year
    has two digits: given `today`, a date that would lie in the future is of the 1900s."""
    _check_shape(value, _("KK number"))
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    for century in (2000, 1900):
        try:
            registered = date(century + yy, month, day)
        except ValueError:
            continue
        if today is None or registered <= today or century == 1900:
            return registered
    raise ValidationError(
        _(
            "The registration date in this KK number (digits 7-12: %(digits)s) is not a real "
            "date. Check the number on the family card."
        ),
        code="registration_date",
        params={"digits": value[6:12]},
    )


def validate_kk(value: str) -> None:
    parse_kk_registration_date(value)


_REPEATED = re.compile(r"(\d)\1{7,}")


def looks_like_placeholder(value: str) -> bool:
    """Dummy NIKs seen in DTKS-derived files: a long run of one digit, or serial 9999."""
    return bool(_REPEATED.search(value)) or value.endswith("9999")


def nik_discrepancies(
    *,
    nik: str,
    sex: str | None,
    birth_date: date | None,
    today: date,
    parts: NikParts | None = None,
) -> list[Discrepancy]:
    """What the NIK says that the member's record does not. Warnings, never refusals:
    a corrected birth date legitimately keeps its old NIK. `parts`: the NIK already parsed
    (an import has just done so)."""
    if parts is None:
        try:
            parts = parse_nik(nik, today)
        except ValidationError:
            return []
    found: list[Discrepancy] = []
    if looks_like_placeholder(nik):
        found.append(
            Discrepancy(
                "placeholder",
                as_message(
                    _(
                        "This NIK looks like a stand-in number (repeated digits or serial "
                        "9999). Check it against the KTP or the family card."
                    )
                ),
            )
        )
    if sex and sex != parts.sex:
        found.append(
            Discrepancy(
                "sex_mismatch",
                as_message(
                    _("The NIK says female (birth day + 40) but the record says male.")
                    if parts.sex == "female"
                    else _("The NIK says male but the record says female.")
                ),
            )
        )
    born = parts.birth_date
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        born.day,
        born.month,
        born.year % 100,
    ):
        found.append(
            Discrepancy(
                "birth_date_mismatch",
                as_message(
                    _("The birth date in the NIK (%(nik_date)s) does not match %(record_date)s."),
                    {
                        "nik_date": born.strftime("%d-%m-%Y"),
                        "record_date": birth_date.strftime("%d-%m-%Y"),
                    },
                ),
            )
        )
    return found
