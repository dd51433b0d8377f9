"""Format of one value, set on model fields (STYLE.md section 3)."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import nik


def validate_nik(value: str) -> None:
    nik.validate_nik(value, timezone.localdate())


def validate_kk_number(value: str) -> None:
    nik.validate_kk(value)


_RT_RW = re.compile(r"^\d{1,3}$")


def validate_rt_rw(value: str) -> None:
    if not _RT_RW.match(value or "") or int(value) == 0:
        raise ValidationError(
            _("RT/RW must be a number from 1 to 999, for example 003."), code="rt_rw"
        )


def normalise_rt_rw(value: str) -> str:
    """'3', '03' and '003' are the same RT: store three digits."""
    text = (value or "").strip()
    return text.zfill(3) if text.isdigit() and len(text) <= 3 else text
