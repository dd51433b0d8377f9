from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key: str):
    """A dictionary entry by a variable key: an area's cell for the column's indicator."""
    return mapping.get(key)
