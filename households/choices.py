"""Dropdowns of reference rows (regions, programs) that render without a query (issue 17).

Every list page shows filter dropdowns of kecamatan, kelurahan and programs: three queries a
page, each through a PostgreSQL server-side cursor (Django's ModelChoiceIterator uses
iterator()), measured at 16 % of the list page's database time under load. The rows change a
few times a year, so each process keeps them, keyed by the dropdown's SQL (a user's scope is
in it), and drops its copy when the shared cache's version stamp moves. A save or delete of a
reference model moves the stamp (`watch_reference_model`), so every worker sees the change on
its next request. Choosing a value still reads that row (ModelChoiceField.to_python).
"""

import uuid
from contextlib import suppress

import django_filters
from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.forms.models import ModelChoiceIterator

VERSION_KEY = "households:reference-version"
_rows: dict[str, list[Model]] = {}
_version: str | None = None


def reference_rows(queryset: QuerySet) -> list[Model]:
    """The rows of `queryset`, read once per process and per reference version."""
    global _version
    version = _current_version()
    if version != _version:
        _rows.clear()
        _version = version
    try:
        key = str(queryset.query)
    except EmptyResultSet:  # .none(), or filtered by one: no SQL, no rows
        return []
    if key not in _rows:
        _rows[key] = list(queryset)
    return _rows[key]


def _current_version() -> str | None:
    try:
        version = cache.get(VERSION_KEY)
        if version is None:  # a new or emptied cache: start a stamp every process will share
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 (cache down: read the rows, as without this module)
        return uuid.uuid4().hex
    return version


def reference_changed(**kwargs) -> None:
    """Signal receiver: a reference row was saved or deleted, every process reads anew."""
    with suppress(Exception):  # cache down: every process reads the rows on each use anyway
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _rows.clear()


def watch_reference_model(model: type[Model]) -> None:
    post_save.connect(reference_changed, sender=model, dispatch_uid=f"reference-{model._meta}")
    post_delete.connect(
        reference_changed, sender=model, dispatch_uid=f"reference-del-{model._meta}"
    )


class _ReferenceRows(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in reference_rows(self.queryset):
            yield self.choice(row)

    def __len__(self) -> int:
        return len(reference_rows(self.queryset)) + (self.field.empty_label is not None)


class ReferenceChoiceField(forms.ModelChoiceField):
    """A form dropdown of reference rows, listed from this module's copy."""

    iterator = _ReferenceRows


class _ReferenceFilterRows(django_filters.fields.ModelChoiceIterator, _ReferenceRows):
    pass  # django-filter's null choice around _ReferenceRows


class _ReferenceFilterField(django_filters.fields.ModelChoiceField):
    iterator = _ReferenceFilterRows


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """A django-filter dropdown of reference rows, listed from this module's copy."""

    field_class = _ReferenceFilterField
