"""No NIK or KK in the logs (issue 7): a logging filter that masks every run of 16 digits in
a record's message, its arguments and its traceback, whatever logged it (our code, Django,
a database error quoting the row that failed)."""

import logging
import re

# A NIK or KK is 16 digits; a longer run of digits is not one of them.
SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_sixteen_digits(text: str) -> str:
    """3275010101900001 -> 3275********0001, anywhere in a text."""
    return SIXTEEN_DIGITS.sub(r"\1********\2", str(text))


class MaskIdentifiers(logging.Filter):
    """Configured on every handler in settings.LOGGING; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = mask_sixteen_digits(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_sixteen_digits(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_sixteen_digits(record.stack_info)
        return True
