from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """A dictionary entry by a variable key: an area's cell for the column's indicator."""
    return mapping.get(key)


@register.filter
def get_field(form, name: str):
    """A form's bound field by a variable name: the unit cost of the row's need."""
    return form[name]


@register.filter
def rupiah(value: int) -> str:
    """Rp with the locale's grouping: Rp20.000.000 in Indonesian."""
    from django.utils.formats import number_format

    return "Rp" + number_format(value, force_grouping=True)


@register.filter
def rate(cells: dict, code: str) -> str:
    """An area's rate of one indicator as text ("26,1%"), empty when it has none or either
    figure is hidden (dashboards.indicators.rate_of)."""
    from dashboards.indicators import format_rate, rate_of

    value = rate_of(code, cells)
    return "" if value is None else format_rate(code, value)
