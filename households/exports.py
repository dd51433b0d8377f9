"""The household list, as filtered on its page, exported as households or as their members.

Rows are read in chunks with their kelurahan joined and programs prefetched per chunk, so the
number of queries does not grow with the number of rows. Cells are escaped by slrt.exports.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from households.audit import record_export
from households.models import Enrolment, Household, Member
from households.selectors import visible_members
from slrt.exports import Table

CHUNK_SIZE = 2000
KINDS = ("households", "members")

HOUSEHOLD_FIELDS = [
    "kk_number",
    "head_name",
    "address",
    "rt",
    "rw",
    "kelurahan__name",
    "kelurahan__parent__name",
    "member_count",
    "welfare_decile",
    "verification_status",
    "car_count",
    "motorcycle_count",
    "electricity_va",
    "monthly_income",
    "updated_at",
]

MEMBER_FIELDS = [
    "household__kk_number",
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "relationship",
    "occupation",
    "education",
    "disability",
    "household__kelurahan__name",
    "household__rt",
    "household__rw",
    "household__address",
]


def registry_export(
    *,
    user: User,
    households: QuerySet[Household],
    kind: str,
    file_format: str,
    filters: Mapping[str, str],
) -> Table:
    """The one way out of the registry into a file. `households` is already scoped to `user`
    (visible_households) and filtered like the list page; `kind` is one of KINDS. The export
    is recorded (who, which, the filters, how many) before any row is read."""
    if kind == "households":
        rows, table = households, household_table(households)
    elif kind == "members":
        rows = visible_members(user).filter(household__in=households)
        table = member_table(rows)
    else:
        raise ValueError(f"Unknown export kind {kind!r}")
    record_export(
        by=user,
        export=kind,
        file_format=file_format,
        filters=filters,
        households=households,
        row_count=rows.count(),
    )
    return table


def household_table(households: QuerySet[Household]) -> Table:
    headers = [
        pgettext("export column", "KK number"),
        pgettext("export column", "Head of household"),
        pgettext("export column", "Address"),
        "RT",
        "RW",
        pgettext("export column", "Kelurahan"),
        pgettext("export column", "Kecamatan"),
        pgettext("export column", "Number of members"),
        pgettext("export column", "Decile"),
        pgettext("export column", "Verification status"),
        pgettext("export column", "Cars"),
        pgettext("export column", "Motorcycles"),
        pgettext("export column", "Installed power"),
        pgettext("export column", "Monthly income"),
        pgettext("export column", "Programs"),
        pgettext("export column", "Last changed"),
    ]
    return Table(
        headers=headers,
        rows=_household_rows(households),
        sheet_title=_("Households"),
        filename_stem="slrt-keluarga",
        text_columns=frozenset({0}),
    )


def _household_rows(households: QuerySet[Household]) -> Iterator[list[Any]]:
    active = Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).select_related("program")
    queryset = (
        households.select_related("kelurahan__parent")
        .only(*HOUSEHOLD_FIELDS, "kelurahan", "kelurahan__parent")
        .prefetch_related(Prefetch("enrolments", queryset=active, to_attr="active_enrolments"))
    )
    for household in queryset.iterator(chunk_size=CHUNK_SIZE):
        programs = sorted({_program_in_export(e) for e in household.active_enrolments})
        yield [
            household.kk_number,
            household.head_name,
            household.address,
            household.rt,
            household.rw,
            household.kelurahan.name,
            household.kelurahan.parent.name if household.kelurahan.parent else "",
            household.member_count,
            household.welfare_decile,
            household.get_verification_status_display(),
            household.car_count,
            household.motorcycle_count,
            household.get_electricity_va_display() if household.electricity_va is not None else "",
            household.monthly_income,
            ", ".join(programs),
            household.updated_at,
        ]


def _program_in_export(enrolment: Enrolment) -> str:
    """The program's name, marked when a verifier recommended removal (issue 20): the list
    the program's owner works from says so until they act."""
    if enrolment.removal_recommended_at is None:
        return enrolment.program.name
    return _("%(program)s (removal recommended)") % {"program": enrolment.program.name}


def member_table(members: QuerySet[Member]) -> Table:
    headers = [
        pgettext("export column", "KK number"),
        "NIK",
        pgettext("export column", "Name"),
        pgettext("export column", "Sex"),
        pgettext("export column", "Place of birth"),
        pgettext("export column", "Date of birth"),
        pgettext("export column", "Relationship in the family"),
        pgettext("export column", "Occupation"),
        pgettext("export column", "Education"),
        pgettext("export column", "Disability"),
        pgettext("export column", "Kelurahan"),
        "RT",
        "RW",
        pgettext("export column", "Address"),
    ]
    return Table(
        headers=headers,
        rows=_member_rows(members),
        sheet_title=_("Family members"),
        filename_stem="slrt-anggota",
        text_columns=frozenset({0, 1}),
    )


def _member_rows(members: QuerySet[Member]) -> Iterator[list[Any]]:
    # Labels in the active language, looked up once rather than per row.
    labels = {
        column: {value: str(label) for value, label in choices.choices}
        for column, choices in (
            (3, Member.Sex),
            (6, Member.Relationship),
            (7, Member.Occupation),
            (8, Member.Education),
            (9, Member.Disability),
        )
    }
    rows = members.order_by("household_id", "pk").values_list(*MEMBER_FIELDS)
    for values in rows.iterator(chunk_size=CHUNK_SIZE):
        row = list(values)
        for column, names in labels.items():
            row[column] = names.get(row[column], row[column])
        yield row
