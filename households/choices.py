"""Dropdowns of reference rows (regions, programs) that render without a query (issue 17).

Every list page shows filter dropdowns of kecamatan, kelurahan and programs: three queries a
page, each through a PostgreSQL server-side cursor (Django's ModelChoiceIterator uses
iterator()), measured at 16 % of the list page's database time under load. The rows change a
few times a year, so each process keeps them, keyed by the dropdown's SQL (a user's scope is
in it), and drops its copy when the shared cache's version stamp moves. A save or delete of a
reference model moves the stamp (`watch_reference_model`), so every worker sees the change on
its next request. Choosing a value still reads that row (ModelChoiceField.to_python).

The stamp is read once per request, not once per dropdown (`_stamp_of_this_request`), and a
dropdown's HTML is rendered once per process for each set of rows, name, chosen value and
attributes (`OnceRenderedSelect`): under gunicorn + wrk (bench_load.py, py-spy on a worker,
2026-12-06) the household list spent 12 % of its samples in the three Redis reads of the
stamp and 23 % in rendering its five dropdowns through Django's widget templates.
"""

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from slrt import stamps

VERSION_KEY = stamps.register("households:reference-version")
_rows: dict[str, list[Model]] = {}
_version: str | None = None
# A dropdown's HTML by what it shows (OnceRenderedSelect._key); emptied with _rows, and when
# it holds HTML_KEPT entries (a chosen value is the visitor's text: bounded whatever is sent).
_html: dict[tuple, SafeString] = {}
HTML_KEPT = 2000


def reference_rows(queryset: QuerySet, known_as: tuple | None = None) -> list[Model]:
    """The rows of `queryset`, read once per process and per reference version; `known_as`
    names the rows instead of the queryset's SQL (ReferenceChoiceFilter's reference_key)."""
    key = _reference_key(queryset, known_as)
    if key is None:
        return []
    if key not in _rows:
        _rows[key] = list(queryset)
    return _rows[key]


def _reference_key(queryset: QuerySet, known_as: tuple | None = None) -> str | tuple | None:
    """The queryset's SQL (a user's scope is in it), or the name it is `known_as`, after
    dropping this process's copies if the reference version moved; None for a queryset that
    can select nothing."""
    global _version
    version = _stamp_of_this_request()
    if version != _version:
        _rows.clear()
        _html.clear()
        _version = version
    if known_as is not None:
        return ("known as", *known_as)
    try:
        return str(queryset.query)
    except EmptyResultSet:  # .none(), or filtered by one: no SQL, no rows
        return None


def _stamp_of_this_request() -> str:
    """The shared stamp, read once in a request with the project's other stamps (the first
    dropdown reads it, the others reuse it) and on every call outside one (slrt.stamps)."""
    return stamps.current(VERSION_KEY)


def reference_changed(**kwargs) -> None:
    """Signal receiver: a reference row was saved or deleted, every process reads anew."""
    stamps.move(VERSION_KEY)  # the request that changed it reads the new stamp
    _rows.clear()
    _html.clear()


def watch_reference_model(model: type[Model]) -> None:
    post_save.connect(reference_changed, sender=model, dispatch_uid=f"reference-{model._meta}")
    post_delete.connect(
        reference_changed, sender=model, dispatch_uid=f"reference-del-{model._meta}"
    )


class _ReferenceRows(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in reference_rows(self.queryset, self._known_as()):
            yield self.choice(row)

    def __len__(self) -> int:
        rows = reference_rows(self.queryset, self._known_as())
        return len(rows) + (self.field.empty_label is not None)

    def _known_as(self) -> tuple | None:
        return getattr(self.field, "reference_key", None)

    def shown_key(self) -> tuple | None:
        """What the listed choices depend on: the rows' query, the field's labels."""
        key = _reference_key(self.queryset, self._known_as())
        field = self.field
        labels = (field.empty_label, getattr(field, "null_label", None))
        return None if key is None else (key, type(field), *map(str, labels))


class OnceRenderedSelect(forms.Select):
    """A `<select>` rendered once per process for each choice list, name, chosen value,
    attributes and language, then served from `_html` (the module docstring's figures).
    Choices of reference rows are known by their query and dropped with the process copy of
    the rows when the reference version moves; any other choices by their values and labels."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        key = self._key(name, value, attrs)
        html = _html.get(key) if key is not None else None
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if key is not None:
                if len(_html) >= HTML_KEPT:
                    _html.clear()
                _html[key] = html
        return html

    def _key(self, name, value, attrs) -> tuple | None:
        if isinstance(self.choices, _ReferenceRows):
            choices = self.choices.shown_key()
            if choices is None:
                return None
        else:
            choices = tuple((value, str(label)) for value, label in self.choices)
        shown = tuple(sorted((k, str(v)) for k, v in self.build_attrs(self.attrs, attrs).items()))
        chosen = tuple(self.format_value(value))
        return (type(self), get_language(), choices, name, chosen, shown)


class ReferenceChoiceField(forms.ModelChoiceField):
    """A form dropdown of reference rows, listed from this module's copy."""

    iterator = _ReferenceRows
    widget = OnceRenderedSelect


class _ReferenceFilterRows(django_filters.fields.ModelChoiceIterator, _ReferenceRows):
    pass  # django-filter's null choice around _ReferenceRows


class _ReferenceFilterField(django_filters.fields.ModelChoiceField):
    iterator = _ReferenceFilterRows
    widget = OnceRenderedSelect


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """A django-filter dropdown of reference rows, listed from this module's copy.

    `reference_key(request)`, if given, names the rows the queryset selects for this request
    (a tuple: what the queryset depends on, the user's scope for instance), unique among the
    project's dropdowns. The rows and the HTML are then kept under that name and the
    queryset's SQL is not compiled on every request to serve as the key: 7.5 % of the
    household list's samples (py-spy, in-process, 300,000 households, 2026-12-06) for its
    three dropdowns. The name must change whenever the SQL would: keep the key function
    beside the selector that builds the queryset (households.selectors.region_choices_key).
    Invalidated, as the SQL keys, with the reference version."""

    field_class = _ReferenceFilterField

    def __init__(self, *args, reference_key=None, **kwargs):
        self.reference_key = reference_key
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        if self.reference_key is not None:
            field.reference_key = tuple(self.reference_key(self.get_request()))
        return field


def fixed_key(*name: str):
    """A reference_key for a dropdown whose queryset is the same for everyone."""
    return lambda request: name
