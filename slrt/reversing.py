"""URLs reversed once per process (issue 17).

Every page reverses the same names: the navigation's dozen links without arguments, and a
list's rows one URL per row that differs only by its number. Django's `reverse` resolves the
name, checks the pattern and quotes the path on every call: ~17 µs each, 40 a household-list
request, 5.4 % of its samples (py-spy, in-process, 300,000 households, 2026-12-06).

What is kept: per process, for each URL name (and argument-less or one-integer form), the
reversed path, split around the number for the latter; keyed also by the script prefix and
the urlconf of the request, so a request served under another prefix or urlconf reverses anew.
The URL patterns are fixed when the process starts: nothing to invalidate (a test that swaps
the urlconf with override_settings changes the key). Templates use `{% load kept_urls %}`,
`{% kept_url 'name' %}` or `{% kept_url 'name' pk %}` (settings.TEMPLATES' "libraries").
"""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_SENTINEL = 918_273_645_546_372_819  # a number no path of ours contains
_kept: dict[tuple, tuple[str, ...]] = {}


def kept_reverse(viewname: str) -> str:
    """reverse(viewname), kept per process."""
    key = (viewname, get_script_prefix(), get_urlconf())
    path = _kept.get(key)
    if path is None:
        path = _kept[key] = (reverse(viewname),)
    return path[0]


def reverse_pk(viewname: str, pk: int) -> str:
    """reverse(viewname, args=[pk]) for a URL with one integer argument, kept per process."""
    if int(pk) < 0:  # not a path of ours: as Django answers it
        return reverse(viewname, args=[pk])
    key = (viewname, get_script_prefix(), get_urlconf(), int)
    parts = _kept.get(key)
    if parts is None:
        parts = tuple(reverse(viewname, args=[_SENTINEL]).split(str(_SENTINEL)))
        if len(parts) != 2:  # the number is not in the path once: nothing to keep
            return reverse(viewname, args=[pk])
        _kept[key] = parts
    return f"{parts[0]}{int(pk)}{parts[1]}"


@register.simple_tag
def kept_url(viewname: str, pk: int | None = None) -> str:
    """{% kept_url 'app:name' %}: {% url 'app:name' %} for a URL without arguments;
    {% kept_url 'app:name' pk %}: {% url 'app:name' pk %} for one with one integer."""
    return kept_reverse(viewname) if pk is None else reverse_pk(viewname, pk)
