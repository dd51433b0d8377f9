"""Page input only: the planner's unit costs as typed (range checks are the service's)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dashboards import needs


def parse_rupiah(text: str) -> int:
    """ "Rp20.000.000", "20,000,000" and "20000000" → 20000000; whole rupiah only."""
    cleaned = re.sub(r"[\s.,]", "", re.sub(r"^\s*rp\.?", "", text, flags=re.IGNORECASE))
    if not cleaned.isdigit():
        raise ValidationError(
            _("Enter the amount in whole rupiah, digits only (for example 20000000)."),
            code="invalid",
        )
    return int(cleaned)


class UnitCostForm(forms.Form):
    """One field per planning need, named by its code."""

    def __init__(self, *args, costs: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for need in needs.NEEDS:
            self.fields[need.code] = forms.CharField(
                label=need.label,
                initial=costs[need.code],
                max_length=30,
                error_messages={"required": _("Enter a unit cost.")},
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self):
        data = super().clean()
        for code in needs.CODES:
            if code in data:
                try:
                    data[code] = parse_rupiah(data[code])
                except ValidationError as error:
                    self.add_error(code, error)
        return data
