"""Cell parsers: the text of one cell -> the model's value, or CellError saying what to fix.

Pure and stateless; households.imports.validation caches results per distinct cell text.
Messages are translated when raised and keep their msgid and parameters (slrt.messages), so
the stored issue can be shown again in its reader's language.
"""

import re
from datetime import date, timedelta

from households.imports import choices
from households.imports.columns import header_key
from slrt.messages import translatable as _

MAX_AGE_YEARS = 120
MAX_COUNT = 99  # cars or motorcycles of one household: more is a typing error
MAX_MONEY = 10**12
MAX_AREA = 1_000_000  # m²
ELECTRICITY_STEPS = (0, 450, 900, 1300, 2200, 3500, 4400, 5500, 7700, 11000)


class CellError(Exception):
    """A cell that cannot be read: a stable code and a translated message with the fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Dates ----------------------------------------------------------------------------------------

_MONTHS = {
    "JANUARI": 1, "JANUARY": 1, "JAN": 1,
    "FEBRUARI": 2, "FEBRUARY": 2, "PEBRUARI": 2, "FEB": 2, "PEB": 2,
    "MARET": 3, "MARCH": 3, "MAR": 3,
    "APRIL": 4, "APR": 4,
    "MEI": 5, "MAY": 5,
    "JUNI": 6, "JUNE": 6, "JUN": 6,
    "JULI": 7, "JULY": 7, "JUL": 7,
    "AGUSTUS": 8, "AUGUST": 8, "AGU": 8, "AGT": 8, "AGS": 8, "AUG": 8, "AGUST": 8,
    "SEPTEMBER": 9, "SEP": 9, "SEPT": 9,
    "OKTOBER": 10, "OCTOBER": 10, "OKT": 10, "OCT": 10,
    "NOVEMBER": 11, "NOPEMBER": 11, "NOV": 11, "NOP": 11,
    "DESEMBER": 12, "DECEMBER": 12, "DES": 12, "DEC": 12,
}  # fmt: skip
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2,4})$")
_WORDS = re.compile(r"^(\d{1,2})[\s\-/.,]*([A-Za-z]+)\.?[\s\-/.,]*(\d{2,4})$")
_SERIAL = re.compile(r"^(\d{1,8})(?:\.0+)?$")
# Excel's day 0 is 1899-12-30 for every serial from 61 on; it counts a 29 February 1900 that
# never was (serial 60), so serials 1-59 sit one day later.
_EXCEL_EPOCH = date(1899, 12, 30)


def _date_error() -> CellError:
    return CellError(
        "date",
        _(
            "This date cannot be read. Write it as day-month-year, for example 17-08-1985 "
            "or 17 Agustus 1985, or format the cell as a date in Excel."
        ),
    )


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(
            "date",
            _("%(text)s is not a real date (day %(day)s, month %(month)s). Check it.")
            % {"text": f"{day:02d}-{month:02d}-{year}", "day": day, "month": month},
        ) from None


def _year(text: str) -> int:
    if len(text) != 4:
        raise CellError(
            "date",
            _(
                "The year has only two digits, so the century is unclear. Write the year "
                "in full, for example 17-08-1985."
            ),
        )
    return int(text)


def parse_date(text: str) -> date:
    """Excel date cells (ISO text from the reader), Excel serials, 17-08-1985, 17/08/1985,
    17.08.1985, 1985-08-17, 17 Agustus 1985, 17 Agt 1985, 17 Aug 1985. Always day first."""
    text = _TIME_SUFFIX.sub("", text.strip())
    if match := _ISO.match(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY.match(text):
        return _make_date(_year(match[3]), int(match[2]), int(match[1]))
    if match := _WORDS.match(text):
        month = _MONTHS.get(match[2].upper())
        if month is None:
            raise _date_error()
        return _make_date(_year(match[3]), month, int(match[1]))
    if match := _SERIAL.match(text):
        digits = match[1]
        if len(digits) == 8:  # 17081985 or 19850817: never both valid (a month is <= 12)
            first, last = int(digits[:4]), int(digits[4:])
            if 1900 <= first <= 2100 and 1 <= int(digits[4:6]) <= 12:
                return _make_date(first, int(digits[4:6]), int(digits[6:]))
            return _make_date(last, int(digits[2:4]), int(digits[:2]))
        if len(digits) == 4 and 1900 <= int(digits) <= 2100:
            raise CellError(
                "date",
                _("Only a year was given. Write the whole date, for example 17-08-%(year)s.")
                % {"year": digits},
            )
        serial = int(digits)
        if serial == 60:
            raise _date_error()  # 29 February 1900, which Excel invents
        if 1 <= serial <= 2958465:
            return _EXCEL_EPOCH + timedelta(days=serial + (1 if serial < 60 else 0))
    raise _date_error()


def check_birth_date(value: date, today: date) -> None:
    if value > today:
        raise CellError(
            "date_range",
            _("The birth date %(date)s is in the future. Check the day, month and year.")
            % {"date": value.strftime("%d-%m-%Y")},
        )
    if today.year - value.year > MAX_AGE_YEARS:
        raise CellError(
            "date_range",
            _(
                "The birth date %(date)s is more than %(years)s years ago. Check the year; "
                "if the cell shows a number, format it as a date."
            )
            % {"date": value.strftime("%d-%m-%Y"), "years": MAX_AGE_YEARS},
        )


# Words and codes ------------------------------------------------------------------------------

_CODE = re.compile(r"^0*(\d+)(?:\.0+)?$")
_YES = frozenset(header_key(w) for w in choices.YES_WORDS) | {"✓", "√"}
_NO = frozenset(header_key(w) for w in choices.NO_WORDS) | {"✗"}


def _code_of(text: str) -> str | None:
    match = _CODE.match(text)
    return (match[1] if match[1] else "0") if match else None


def _format_label(source_format: str) -> str:
    return {
        choices.SLRT: _("the SLRT template"),
        choices.PBDT2015: "PBDT 2015",
        choices.REGSOSEK2022: "Regsosek 2022",
    }.get(source_format, source_format)


def _code_error(text: str, source_format: str, allowed: str, code: str = "choice") -> CellError:
    return CellError(
        code,
        _("Code %(code)s is not used for this column in %(format)s. Write one of: %(allowed)s.")
        % {"code": text, "format": _format_label(source_format), "allowed": allowed},
    )


def parse_choice(field: str, text: str, source_format: str) -> object:
    """A coded column: a word in any format, a number only where the format declares it."""
    text = text.strip()
    codes = choices.FORMAT_CODES.get(source_format, {}).get(field)
    code = _code_of(text)
    allowed = ", ".join(choices.template_words(field))
    issue = "sex" if field == "sex" else "choice"
    if code is not None:
        if codes and code in codes:
            return codes[code]
        raise _code_error(text, source_format, allowed, issue)
    value = choices.word_lookup(field).get(header_key(text))
    if value is None:
        raise CellError(
            issue,
            _("%(value)s is not in the list for this column. Write one of: %(allowed)s.")
            % {"value": text, "allowed": allowed},
        )
    return value


def parse_yes_no(field: str, text: str, source_format: str) -> bool:
    """Ya/Tidak, Ada/Tidak Ada, Y/T, Yes/No, ✓; 1/0 in the template; per-field codes in PBDT."""
    text = text.strip()
    codes = choices.FORMAT_CODES.get(source_format, {}).get(field)
    code = _code_of(text)
    if code is not None:
        if codes:
            if code in codes:
                return bool(codes[code])
            allowed = ", ".join(f"{c} = {_('Yes') if v else _('No')}" for c, v in codes.items())
            raise _code_error(text, source_format, allowed)
        if source_format == choices.SLRT and code in choices.YES_NO_DIGITS:
            return choices.YES_NO_DIGITS[code]
        raise CellError(
            "yes_no",
            _(
                "Code %(code)s is not a yes/no answer in %(format)s for this column. Write "
                "Ya or Tidak."
            )
            % {"code": text, "format": _format_label(source_format)},
        )
    key = header_key(text) or text
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(
        "yes_no", _("%(value)s is not a yes/no answer. Write Ya or Tidak.") % {"value": text}
    )


# Numbers --------------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_DECIMAL_ID = re.compile(r"^(\d{1,3}(?:\.\d{3})*|\d+),(\d{1,2})$")
_DECIMAL_EN = re.compile(r"^(\d{1,3}(?:,\d{3})*|\d+)\.(\d{1,2})$")
_MONEY_NOISE = re.compile(r"(?i)^(?:rp\.?|idr)|[\s]|,-$|\.-$|-$")
_MULTIPLIER = re.compile(r"(?i)^(\d+(?:[.,]\d+)?)\s*(juta|jt|ribu|rb|k)$")
_AREA_UNIT = re.compile(r"(?i)\s*(?:m2|m²|meter persegi|meter|m)$")


def _number(text: str) -> float | None:
    """'1500000', '1.500.000', '1,500,000', '1.500.000,50', '36,5', '36.5' -> a number."""
    if text.isdigit():
        return int(text)
    if _THOUSANDS.match(text):
        return int(text.replace(".", "").replace(",", ""))
    if match := _DECIMAL_ID.match(text):
        return float(match[1].replace(".", "") + "." + match[2])
    if match := _DECIMAL_EN.match(text):
        return float(match[1].replace(",", "") + "." + match[2])
    return None


def _number_error(text: str, example: str) -> CellError:
    return CellError(
        "number",
        _("%(value)s is not a number. Write digits only, for example %(example)s.")
        % {"value": text, "example": example},
    )


def parse_money(text: str) -> int:
    """Rupiah: 'Rp 1.500.000', '1,500,000', '1500000', '1,5 juta', '500 rb'."""
    cleaned = _MONEY_NOISE.sub("", text.strip())
    value: float | None
    if match := _MULTIPLIER.match(cleaned):
        base = float(match[1].replace(",", "."))
        value = base * (1_000_000 if match[2].lower() in ("juta", "jt") else 1000)
    else:
        value = _number(cleaned)
    if value is None or value > MAX_MONEY:
        raise _number_error(text, "1.500.000")
    return int(value + 0.5)


def parse_area(text: str) -> int:
    """Square metres, rounded: '36', '36 m2', '36,5 m²', '1.200'."""
    value = _number(_AREA_UNIT.sub("", text.strip()))
    if value is None or value > MAX_AREA:
        raise _number_error(text, "36")
    return int(value + 0.5)


def parse_count(field: str, text: str, source_format: str) -> int:
    """A count of cars or motorcycles: digits; Ya/Ada (at least one) or Tidak (none); PBDT
    and Regsosek yes/no codes where the format declares them for the column."""
    text = text.strip()
    codes = choices.FORMAT_CODES.get(source_format, {}).get(field)
    code = _code_of(text)
    if codes and code is not None:
        if code in codes:
            return int(codes[code])
        allowed = ", ".join(f"{c} = {_('Yes') if v else _('No')}" for c, v in codes.items())
        raise _code_error(text, source_format, allowed)
    if code is not None:
        if int(code) > MAX_COUNT:
            raise CellError(
                "number",
                _("%(value)s is too many for one household. Check the number.") % {"value": text},
            )
        return int(code)
    key = header_key(text)
    if key in _YES:
        return 1
    if key in _NO:
        return 0
    raise CellError(
        "number",
        _("%(value)s is not a count. Write a whole number such as 0, 1 or 2.") % {"value": text},
    )


def parse_decile(text: str) -> int:
    match = re.match(r"(?i)^(?:desil\s*)?0*(\d{1,2})(?:\.0+)?$", text.strip())
    if not match or not 1 <= int(match[1]) <= 10:
        raise CellError(
            "decile",
            _("Desil must be a whole number from 1 to 10, not %(value)s.") % {"value": text},
        )
    return int(match[1])


def parse_electricity(text: str, source_format: str) -> int | None:
    """Installed power: '900', '900 VA', '1.300', '1300 VA', 'tanpa listrik'/'0' -> 0. A format
    code such as PBDT daya 6 (no own meter) may mean "not given": None."""
    text = text.strip()
    codes = choices.FORMAT_CODES.get(source_format, {}).get("electricity_va")
    code = _code_of(text)
    if codes and code in codes:
        return codes[code]  # type: ignore[return-value]
    if header_key(text) in {"TANPALISTRIK", "TIDAKADA", "BUKANLISTRIK", "TIDAKADALISTRIK"}:
        return 0
    number = _number(re.sub(r"(?i)\s*(?:va|watt|w)$", "", text).replace(" ", ""))
    if number is not None and number == int(number):
        value = int(number)
        if value >= 11000:
            return 11000  # the model's "11.000 VA or more"
        if value in ELECTRICITY_STEPS:
            return value
    allowed = ", ".join(f"{v:,}".replace(",", ".") for v in ELECTRICITY_STEPS[1:])
    raise CellError(
        "choice",
        _("%(value)s is not a PLN power step. Write one of %(allowed)s (VA), or Tanpa Listrik.")
        % {"value": text, "allowed": allowed},
    )


# RT/RW and text -------------------------------------------------------------------------------

_RT_RW = re.compile(r"(?i)^(?:rt|rw|no)?[\s.:]*0*(\d{1,3})$")


def _rt_rw_error(text: str) -> CellError:
    return CellError(
        "rt_rw",
        _("RT/RW %(value)s is not a number from 1 to 999. Write it as, for example, 003.")
        % {"value": text},
    )


def parse_rt_rw(text: str) -> str:
    """'3', '03', '003', 'RT 03', 'RW.005' -> '003'."""
    match = _RT_RW.match(text.strip())
    if not match or int(match[1]) == 0:
        raise _rt_rw_error(text)
    return match[1].zfill(3)


def parse_rt_rw_pair(text: str) -> tuple[str, str]:
    """One 'RT/RW' column: '003/005', '3/5', 'RT 03 RW 05' -> ('003', '005')."""
    numbers = re.findall(r"\d+", text)
    if len(numbers) != 2 or any(len(n.lstrip("0")) > 3 or int(n) == 0 for n in numbers):
        raise CellError(
            "rt_rw",
            _("RT/RW %(value)s should be two numbers such as 003/005.") % {"value": text},
        )
    return numbers[0].lstrip("0").zfill(3), numbers[1].lstrip("0").zfill(3)


def parse_text(text: str, max_length: int | None) -> str:
    value = " ".join(text.split())
    if max_length and len(value) > max_length:
        raise CellError(
            "too_long",
            _("This text has %(count)s characters; at most %(limit)s fit. Shorten it.")
            % {"count": len(value), "limit": max_length},
        )
    return value
