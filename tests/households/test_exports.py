"""Exports of the household list (issue #3, item 8): formula-safe cells, NIK and KK kept as
text, the page's scope and filters, bounded queries."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from households.models import Enrolment, Household, Member, Program
from slrt.exports import safe_cell, write_csv, write_xlsx
from tests.households.factories import (
    EnrolmentFactory,
    HouseholdFactory,
    MemberFactory,
    household_with_members,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("households:household_export"), params)


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows())


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# safe_cell -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+62 812", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", HYPERLINK, DDE]
)
def test_text_that_starts_like_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [
        0,
        42,
        -5,
        3.5,
        -0.25,
        Decimal("-1.50"),
        datetime.date(1985, 8, 17),
        datetime.datetime(2026, 1, 31, 14, 5, tzinfo=datetime.UTC),
        True,
        "Budi Santoso",
        "Jl. Melati No. 12 = rumah",
        "3275011708850001",
        "",
    ],
)
def test_numbers_dates_and_ordinary_text_are_untouched(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_none_is_an_empty_cell():
    assert safe_cell(None) == ""


def test_xlsx_writer_stores_formula_text_as_text_and_keeps_numbers_typed():
    rows = [["0012345678901234", HYPERLINK, -5, Decimal("2.5"), datetime.date(2020, 1, 2)]]
    content = write_xlsx(["KK", "Name", "n", "d", "date"], rows, sheet_title="T", text_columns={0})
    cells = list(load_workbook(io.BytesIO(content)).active.iter_rows())[1]
    kk = cells[0]
    assert (kk.value, kk.data_type, kk.number_format) == ("0012345678901234", "s", "@")
    assert cells[1].value == "'" + HYPERLINK
    assert cells[1].data_type == "s"
    assert (cells[2].value, cells[2].data_type) == (-5, "n")
    assert cells[3].value == 2.5
    # openpyxl reads a date cell back as a datetime
    assert cells[4].value.date() == datetime.date(2020, 1, 2)


def test_xlsx_writer_drops_control_characters_without_exposing_a_formula():
    content = write_xlsx(["Name"], [["\x01=1+1"], ["Bu\x0bdi"]], sheet_title="T")
    cells = [row[0] for row in list(load_workbook(io.BytesIO(content)).active.iter_rows())[1:]]
    assert [(c.value, c.data_type) for c in cells] == [("'=1+1", "s"), ("Budi", "s")]


def test_csv_writer_quotes_and_neutralises():
    content = write_csv(["a", "b"], [['Jl. "Mawar", 5', "-1+1"], [None, -1]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["a", "b"], ['Jl. "Mawar", 5', "'-1+1"], ["", "-1"]]
    assert content.startswith(b"\xef\xbb\xbf")


# The export page --------------------------------------------------------------------------


def test_formula_in_a_member_name_is_neutralised_in_xlsx_and_csv(
    client, pendamping, household_in_margahayu
):
    MemberFactory(household=household_in_margahayu, name=HYPERLINK)
    MemberFactory(household=household_in_margahayu, name=DDE)
    cells = xlsx_cells(export(client, pendamping, kind="members", format="xlsx"))
    names = {row[2].value: row[2].data_type for row in cells[1:]}
    assert names["'" + HYPERLINK] == "s"
    assert names["'" + DDE] == "s"
    assert not any(cell.data_type == "f" for row in cells for cell in row)
    rows = csv_rows(export(client, pendamping, kind="members", format="csv"))
    assert {"'" + HYPERLINK, "'" + DDE} <= {row[2] for row in rows[1:]}
    assert not {HYPERLINK, DDE} & {row[2] for row in rows[1:]}


def test_nik_and_kk_stay_sixteen_digit_text_in_xlsx(client, verifikator, margahayu):
    household = household_with_members(margahayu, size=1, kk_number="0075010101250001")
    member = household.members.get()
    cells = xlsx_cells(export(client, verifikator, kind="members", format="xlsx"))
    kk, nik = cells[1][0], cells[1][1]
    assert (kk.value, kk.data_type, kk.number_format) == ("0075010101250001", "s", "@")
    assert (nik.value, nik.data_type, nik.number_format) == (member.nik, "s", "@")
    households = xlsx_cells(export(client, verifikator, kind="households", format="xlsx"))
    assert (households[1][0].value, households[1][0].data_type) == ("0075010101250001", "s")


def test_household_export_has_one_row_per_household_with_labels_and_programs(
    client, verifikator, household_in_margahayu
):
    household = household_in_margahayu
    Household.objects.filter(pk=household.pk).update(
        electricity_va=900, verification_status=Household.VerificationStatus.VERIFIED
    )
    EnrolmentFactory(household=household, program=Program.objects.get(code="pkh"))
    EnrolmentFactory(household=household, program=Program.objects.get(code="bpnt"))
    ended = Program.objects.get(code="kip")
    EnrolmentFactory(household=household, program=ended, status=Enrolment.Status.ENDED)
    header, row = xlsx_rows(export(client, verifikator, kind="households", format="xlsx"))
    assert len(header) == 16
    assert row[:8] == [
        household.kk_number,
        household.head_name,
        household.address,
        "001",
        "002",
        "Margahayu",
        household.kelurahan.parent.name,
        3,
    ]
    assert row[9] == str(Household.VerificationStatus.VERIFIED.label)
    assert row[12] == "900 VA"
    assert row[13] == 2_500_000
    assert row[14] == "BPNT/Sembako, PKH"
    household.refresh_from_db()
    local_time = timezone.make_naive(household.updated_at)  # Asia/Jakarta, as Excel shows it
    assert abs(row[15] - local_time) < datetime.timedelta(seconds=1)


def test_member_export_has_one_row_per_member_with_labels(
    client, pendamping, household_in_margahayu
):
    header, *rows = csv_rows(export(client, pendamping, kind="members", format="csv"))
    members = list(household_in_margahayu.members.order_by("pk"))
    assert len(header) == 14
    assert [row[1] for row in rows] == [m.nik for m in members]
    head = rows[0]
    assert head[0] == household_in_margahayu.kk_number
    assert head[3] == str(Member.Sex.MALE.label)
    assert head[5] == "1985-08-17"
    assert head[6] == str(Member.Relationship.HEAD.label)
    assert head[9] == str(Member.Disability.NONE.label)
    assert head[10:13] == ["Margahayu", "001", "002"]


def test_download_is_named_by_kind_and_time_and_not_cached(client, pendamping, margahayu):
    response = export(client, pendamping, kind="households", format="xlsx")
    disposition = response["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="slrt-keluarga-\d{8}-\d{4}\.xlsx"', disposition)
    assert "no-store" in response["Cache-Control"]
    response = export(client, pendamping, kind="members", format="csv")
    assert re.search(r"slrt-anggota-\d{8}-\d{4}\.csv", response["Content-Disposition"])
    assert response["Content-Type"].startswith("text/csv")


# Scope and permissions ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["pendamping", "operator"])
@pytest.mark.parametrize("kind", ["households", "members"])
def test_kelurahan_roles_export_their_kelurahan_only(
    client, request, persona, kind, household_in_margahayu, household_in_bintara
):
    user = request.getfixturevalue(persona)
    rows = csv_rows(export(client, user, kind=kind, format="csv"))[1:]
    assert {row[0] for row in rows} == {household_in_margahayu.kk_number}
    body = str(rows)
    assert household_in_bintara.kk_number not in body
    assert not any(m.nik in body for m in household_in_bintara.members.all())


def test_filtering_on_a_kelurahan_outside_scope_exports_nothing(
    client, operator, bintara, household_in_margahayu, household_in_bintara
):
    for kind in ("households", "members"):
        response = export(client, operator, kind=kind, format="csv", kelurahan=bintara.pk)
        assert response.status_code == 400
        assert "Content-Disposition" not in response
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert household_in_margahayu.kk_number not in body
        assert household_in_bintara.kk_number not in body


def test_an_invalid_filter_is_refused_not_ignored(client, verifikator, household_in_margahayu):
    response = export(client, verifikator, kind="households", format="xlsx", rw="abc")
    assert response.status_code == 400
    assert household_in_margahayu.kk_number not in response.content.decode()


@pytest.mark.parametrize("persona", ["verifikator", "data_steward", "admin_user"])
def test_city_wide_roles_export_every_household(
    client, request, persona, household_in_margahayu, household_in_bintara
):
    user = request.getfixturevalue(persona)
    rows = xlsx_rows(export(client, user, kind="households", format="xlsx"))[1:]
    assert {row[0] for row in rows} == {
        household_in_margahayu.kk_number,
        household_in_bintara.kk_number,
    }
    members = xlsx_rows(export(client, user, kind="members", format="xlsx"))[1:]
    assert len(members) == 3 + 2


def test_agency_staff_export_no_people(
    client, petugas_dinkes, household_in_margahayu, household_in_bintara
):
    # Issue 16, need-to-know: agency staff serve single referrals; no lists of people leave.
    for kind in ("households", "members"):
        for file_format in ("xlsx", "csv"):
            response = export(client, petugas_dinkes, kind=kind, format=file_format)
            assert response.status_code == 403


@pytest.mark.parametrize("persona", ["perencana", "pimpinan"])
def test_aggregate_only_roles_may_not_export(client, request, persona, household_in_margahayu):
    user = request.getfixturevalue(persona)
    for kind in ("households", "members"):
        response = export(client, user, kind=kind, format="csv")
        assert response.status_code == 403
        assert household_in_margahayu.kk_number not in response.content.decode()


def test_user_without_a_role_may_not_export(client, household_in_margahayu):
    from tests.households.factories import UserFactory

    assert export(client, UserFactory(username="norole")).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, household_in_margahayu):
    response = client.get(reverse("households:household_export"), {"format": "csv"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "params", [{"format": "pdf"}, {"kind": "referrals"}, {"kind": "", "format": "xlsx"}]
)
def test_unknown_kind_or_format_is_refused(client, pendamping, household_in_margahayu, params):
    response = export(client, pendamping, **params)
    assert response.status_code == 400
    assert household_in_margahayu.kk_number not in response.content.decode()


def test_export_is_get_only(client, pendamping):
    client.force_login(pendamping)
    assert client.post(reverse("households:household_export")).status_code == 405


# Filters ------------------------------------------------------------------------------------


def test_search_and_rw_filters_apply_as_on_the_list(client, verifikator, margahayu):
    wanted = household_with_members(margahayu, size=2, rw="005")
    household_with_members(margahayu, size=2, rw="006")
    rows = xlsx_rows(export(client, verifikator, kind="households", format="xlsx", rw="5"))[1:]
    assert [row[0] for row in rows] == [wanted.kk_number]
    members = csv_rows(export(client, verifikator, kind="members", format="csv", rw="5"))[1:]
    assert {row[0] for row in members} == {wanted.kk_number}
    assert len(members) == 2
    head = wanted.members.get(relationship=Member.Relationship.HEAD)
    rows = xlsx_rows(export(client, verifikator, kind="households", format="xlsx", q=head.nik))
    assert [row[0] for row in rows[1:]] == [wanted.kk_number]


def test_export_matches_the_list_page(client, verifikator, margahayu, bintara):
    for kelurahan in (margahayu, margahayu, bintara):
        household_with_members(kelurahan, size=1)
    client.force_login(verifikator)
    params = {"kelurahan": margahayu.pk}
    listed = client.get(reverse("households:household_list"), params).context["page"]
    rows = xlsx_rows(export(client, verifikator, kind="households", format="xlsx", **params))
    assert [row[0] for row in rows[1:]] == [h.kk_number for h in listed.object_list]


def test_list_page_links_to_exports_with_its_filters(client, pendamping, household_in_margahayu):
    client.force_login(pendamping)
    response = client.get(reverse("households:household_list"), {"rw": "2", "page": "1"})
    body = response.content.decode()
    export_url = reverse("households:household_export")
    for kind in ("households", "members"):
        for file_format in ("xlsx", "csv"):
            assert f"{export_url}?rw=2&amp;kind={kind}&amp;format={file_format}" in body
    assert "page=1&amp;kind" not in body


# Queries ------------------------------------------------------------------------------------


def _registry(margahayu, count: int) -> None:
    pkh, bpnt = Program.objects.get(code="pkh"), Program.objects.get(code="bpnt")
    for _ in range(count):
        household = household_with_members(margahayu, size=3)
        EnrolmentFactory(household=household, program=pkh)
        EnrolmentFactory(household=household, program=bpnt)


@pytest.mark.parametrize("kind", ["households", "members"])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_queries_do_not_grow_with_rows(
    client, pendamping, margahayu, django_assert_max_num_queries, kind, file_format
):
    client.force_login(pendamping)
    params = {"kind": kind, "format": file_format, "kelurahan": margahayu.pk}

    def download() -> int:
        response = client.get(reverse("households:household_export"), params)
        if file_format == "xlsx":
            return len(xlsx_rows(response)) - 1
        return len(csv_rows(response)) - 1

    _registry(margahayu, 2)
    HouseholdFactory(kelurahan=margahayu)  # no members, no programs
    with CaptureQueriesContext(connection) as few:
        download()
    _registry(margahayu, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = download()
    assert rows == (33 if kind == "households" else 32 * 3)
