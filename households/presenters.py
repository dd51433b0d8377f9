"""Turn stored facts into what a page shows: translated labels, readable values."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from households.identifiers import mask_identifier
from households.models import ChangeRecord, Enrolment, Household, Member
from households.nik import nik_discrepancies

ENTITY_MODELS: dict[str, type[models.Model]] = {
    "household": Household,
    "member": Member,
    "enrolment": Enrolment,
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    record: ChangeRecord
    entity_label: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class MemberRow:
    member: Member
    warnings: list[str]


def member_rows(members: list[Member]) -> list[MemberRow]:
    """Each member with what their NIK says that their record does not."""
    today = timezone.localdate()
    return [
        MemberRow(
            member,
            [
                d.message
                for d in nik_discrepancies(
                    nik=member.nik, sex=member.sex, birth_date=member.birth_date, today=today
                )
            ]
            if member.nik_warnings
            else [],
        )
        for member in members
    ]


@dataclass(frozen=True)
class ListRow:
    """A household as the list page shows it: its link and four lines of text."""

    url: str
    head_name: str
    kk: str  # masked: a list shows no whole KK, whoever reads it (households.identifiers)
    address: str
    meta: str  # members, decile, verification


def list_rows(households: Iterable[Household]) -> list[ListRow]:
    """The list page's rows, each built here in one pass rather than from ~20 template nodes
    (variables with their lookups, filters, a plural block, a translation): the rows were 16 %
    of a list request's samples under gunicorn + wrk (py-spy, bench_load.py, 2026-12-06).
    The verification labels are looked up once a page (get_..._display builds its dict of
    choices on every call: ~50 µs a row on the loaded bench machine)."""
    statuses = {value: str(label) for value, label in Household.VerificationStatus.choices}
    return [
        ListRow(
            url=household.get_absolute_url(),
            head_name=household.head_name or "–",
            kk=mask_identifier(household.kk_number),
            address=(
                f"{household.address}, RT {household.rt}/RW {household.rw}, "
                f"{household.kelurahan.name}"
            ),
            meta=" · ".join(_meta(household, statuses)),
        )
        for household in households
    ]


# One row of the list (households/household_list.html): its HTML built here, not by a template
# loop of 25 rows of five variables (0.47 ms of the page's 2.2 ms of rendering, in-process
# timing of each template node, 300,000 households, 2026-12-06). Pinned to the template's
# former loop by tests/households/test_views.py.
_LIST_ITEM = (
    "<li>\n"
    '      <a href="{}">\n'
    "        <strong>{}</strong>\n"
    '        <span class="kk">KK {}</span>\n'
    '        <span class="addr">{}</span>\n'
    '        <span class="meta">{}</span>\n'
    "      </a>\n"
    "    </li>"
)


def list_items_html(rows: Iterable[ListRow]) -> SafeString:
    """The list's `<li>` items, escaped as the template escaped them."""
    return format_html_join(
        "\n    \n    ", _LIST_ITEM, ((r.url, r.head_name, r.kk, r.address, r.meta) for r in rows)
    )


def _meta(household: Household, statuses: dict[str, str]) -> Iterable[str]:
    count = household.member_count
    yield ngettext("%(counter)s member", "%(counter)s members", count) % {"counter": count}
    if household.welfare_decile:
        # Not inside an f-string: makemessages would not find the msgid there.
        yield "{} {}".format(_("Decile"), household.welfare_decile)
    yield statuses.get(household.verification_status, household.verification_status)


def history_rows(records) -> list[HistoryRow]:
    return [
        HistoryRow(
            record=record,
            entity_label=_entity_label(record.entity),
            changes=[
                FieldChange(_field_label(record.entity, name), *_values(record.entity, name, pair))
                for name, pair in record.changes.items()
            ],
        )
        for record in records
    ]


def _entity_label(entity: str) -> str:
    model = ENTITY_MODELS.get(entity)
    return str(model._meta.verbose_name) if model else entity


def _field(entity: str, name: str) -> models.Field | None:
    model = ENTITY_MODELS.get(entity)
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:  # a field that has since been removed
        return None
    # "members" of a household is also its reverse relation, which has no label or choices.
    return field if getattr(field, "concrete", False) else None


# Names in a record that are not model fields: an imported family's creation names its
# members and programs in one record (households.imports.apply).
_SUMMARY_LABELS = {
    "members": pgettext_lazy("history", "members"),
    "programs": pgettext_lazy("history", "programs"),
}


def _field_label(entity: str, name: str) -> str:
    field = _field(entity, name)
    if field is None and name in _SUMMARY_LABELS:
        return str(_SUMMARY_LABELS[name])
    return str(field.verbose_name) if field else name


def _values(entity: str, name: str, pair: list[Any]) -> tuple[str, str]:
    field = _field(entity, name)
    return _display(field, pair[0]), _display(field, pair[1])


def _display(field: models.Field | None, value: Any) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
