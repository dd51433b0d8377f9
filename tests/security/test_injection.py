"""Hostile input: markup in every free-text field rendered back, SQL-looking and odd values in
every filter of every list page and API list, formulas in every exported cell, and files that
are not what they claim to be.

The free text is written straight into the rows (as an import, the API or an old database
could leave it), so the pages are tested on what they render, whatever the forms accept.
"""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from eligibility.models import Rule
from households.filters import HouseholdFilter
from households.models import Household, ImportBatch, Member, Region
from referrals.filters import ReferralFilter
from referrals.models import Attachment
from slrt.exports import FORMULA_PREFIXES
from tests.imports.files import (
    FAMILY_A,
    GOOD_XLSX,
    HEADER,
    assert_failed_with_one_message,
    registry,
    upload,
)
from tests.security.world import PDF, build_world, desk_of, security_rule

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
XSS = f"{SCRIPT} {IMG} {JS_URL}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

FORMULAS = ['=HYPERLINK("http://x.invalid","klik")', "+1", "-1+1", "@SUM(A1)", "\tx", "\rx"]
SQLISH = [
    "' OR 1=1 --",
    "1; DROP TABLE households_household",
    "%",
    "_",
    "\\",
    "x" * 5000,
    "Ñoño 𝔘𝔫𝔦 ☃ يونيكود",
    "a\x00b",
    "99999999999999999999",
    "-1e309",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hostile(reference_data, margahayu, bintara):
    """World A with markup in every free-text field; world B outside the users' scope."""
    rule = security_rule()
    Rule.objects.filter(pk=rule.pk).update(name_id=XSS, name_en=XSS, message=XSS)
    a = build_world(margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=rule,
                    text=XSS)  # fmt: skip
    b = build_world(bintara, agency_code="disdik", desk=desk_of(bintara, "desk_b"), rule=rule)
    Household.objects.filter(pk=a.household.pk).update(address=XSS, head_name=XSS)
    Member.objects.filter(household=a.household).update(name=XSS)
    ImportBatch.objects.filter(pk=a.batch.pk).update(filename=f"{SCRIPT}.csv")
    Attachment.objects.filter(pk=a.attachment.pk).update(name=f"{IMG}.pdf")
    a.complaint.complainant_name = XSS
    a.complaint.desk_note = XSS
    a.complaint.save(update_fields=["complainant_name", "desk_note"])
    a.referral.events.update(note=XSS)
    return a, b


def _as(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _assert_escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, f"{where}: <script> rendered raw"
    assert "<img src=x onerror" not in html, f"{where}: <img onerror> rendered raw"
    assert 'href="javascript:' not in html.lower(), f"{where}: a javascript: link"
    assert "onerror=alert(1)>" not in html.replace("&gt;", ""), where


def test_markup_in_free_text_is_escaped_on_every_page(hostile, operator, verifikator, admin_user):
    a, _ = hostile
    pages = {
        operator: [
            reverse("households:household_list"),
            reverse("households:household_detail", args=[a.household.pk]),
            reverse("households:household_edit", args=[a.household.pk]),
            reverse("households:import_list"),
            reverse("households:import_detail", args=[a.batch.pk]),
            reverse("referrals:referral_list"),
            reverse("referrals:referral_detail", args=[a.referral.pk]),
            reverse("referrals:household_referrals", args=[a.household.pk]),
            reverse("referrals:referral_create", args=[a.household.pk]),
            reverse("referrals:complaint_list"),
            reverse("referrals:complaint_detail", args=[a.complaint.pk]),
            reverse("eligibility:flag_queue"),
            reverse("eligibility:household_receipt", args=[a.household.pk]),
            reverse("eligibility:flag_detail", args=[a.flag.pk]),
        ],
        verifikator: [
            reverse("eligibility:ruleset_list"),
            reverse("eligibility:ruleset_detail", args=[a.flag.rule.rule_set_id]),
            reverse("eligibility:rule_edit", args=[a.flag.rule_id]),
            reverse("households:household_list") + "?q=" + SCRIPT,
        ],
        admin_user: [
            reverse("admin:households_household_changelist"),
            reverse("admin:households_household_change", args=[a.household.pk]),
            reverse("admin:referrals_complaint_changelist"),
            reverse("admin:referrals_referral_change", args=[a.referral.pk]),
        ],
    }
    for user, urls in pages.items():
        client = _as(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{url}: {response.status_code}"
            html = response.content.decode()
            _assert_escaped(html, url)
    detail = _as(operator).get(reverse("households:household_detail", args=[a.household.pk]))
    assert ESCAPED_SCRIPT in detail.content.decode()  # shown, escaped, not dropped


def test_markup_in_the_api_is_json_text(hostile, verifikator):
    a, _ = hostile
    client = _as(verifikator)
    response = client.get(f"/api/v1/households/{a.household.pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["address"] == XSS  # data, as entered; the client escapes it


# --- formulas in every exported cell ----------------------------------------------------


def _cells_of(response) -> list[str]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return [
            cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row
        ]
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def _assert_neutralised(cells: list[str], where: str, expect_payload: bool = True) -> None:
    live = [c for c in cells if c.startswith(FORMULA_PREFIXES)]
    assert not live, f"{where}: cells a spreadsheet would run: {live[:5]}"
    if expect_payload:
        quoted = [c for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_PREFIXES)]
        assert quoted, f"{where}: the payload is not in the export at all"


@pytest.fixture
def formulas(reference_data, margahayu):
    """Every free-text column of the registry, and a region name, starting like a formula."""
    world = build_world(
        margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=security_rule()
    )
    for n, payload in enumerate(FORMULAS):
        household = world.household if n == 0 else Household.objects.get(pk=_copy(world, n))
        Household.objects.filter(pk=household.pk).update(address=payload, head_name=payload)
        Member.objects.filter(household=household).update(name=payload)
    Region.objects.filter(pk=margahayu.pk).update(name=FORMULAS[0])
    Region.objects.filter(pk=margahayu.parent_id).update(name=FORMULAS[2])
    return world


def _copy(world, n: int) -> int:
    from tests.households.factories import household_with_members

    return household_with_members(world.kelurahan, size=2).pk


def test_every_registry_export_neutralises_formulas(formulas, verifikator, operator):
    for user in (verifikator, operator):
        client = _as(user)
        for kind in ("households", "members"):
            for file_format in ("xlsx", "csv"):
                url = reverse("households:household_export")
                response = client.get(url, {"kind": kind, "format": file_format})
                assert response.status_code == 200, (kind, file_format, response.status_code)
                _assert_neutralised(_cells_of(response), f"{kind}.{file_format}")


def test_the_dashboard_export_neutralises_formulas(formulas, pimpinan, operator):
    for user in (pimpinan, operator):
        client = _as(user)
        for params in ({}, {"area": formulas.kelurahan.parent.code}):
            response = client.get(reverse("dashboards:export"), params)
            assert response.status_code == 200
            _assert_neutralised(_cells_of(response), f"dashboards export {params}")
        response = client.get(reverse("dashboards:referrals"), {"format": "xlsx"})
        if response.status_code == 200 and "spreadsheet" in response["Content-Type"]:
            _assert_neutralised(_cells_of(response), "referrals dashboard", expect_payload=False)


def test_the_import_error_report_neutralises_formulas_and_the_page_escapes_markup(
    operator, django_capture_on_commit_callbacks
):
    """A ward file whose cells start like formulas or hold markup, with a bad NIK so that
    every row is in the error report: each cell goes back quoted, and escaped on the page."""
    rows = [
        f"3275010502100007;12345;{payload};L;17-08-1985;Kepala Keluarga;{payload};3;12;"
        "Margahayu;0;Ya"
        for payload in [*FORMULAS, XSS]
    ]
    content = ("\n".join([HEADER, *rows]) + "\n").encode()
    batch = upload(content, "rw-formula.csv", operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.VALIDATED, batch.error_message
    response = _as(operator).get(reverse("households:import_error_report", args=[batch.pk]))
    assert response.status_code == 200
    _assert_neutralised(_cells_of(response), "import error report")
    detail = _as(operator).get(reverse("households:import_detail", args=[batch.pk]))
    _assert_escaped(detail.content.decode(), "import detail")  # the cells in the issues


# --- filters: SQL-looking and odd values --------------------------------------------------


def _list_urls() -> dict[str, list[str]]:
    """Every list page and API list with the parameters it reads (its FilterSet's, paging
    and sorting), so a new filter is fuzzed without touching this test."""
    household = [*HouseholdFilter.base_filters, "page", "sort", "kind", "format"]
    referral = [*ReferralFilter.base_filters, "page", "sort", "q"]
    flags = ["rule", "kecamatan", "kelurahan", "program", "status", "page"]
    dashboards = ["area", "indicator", "sort", "format", "page"]
    api = ["page", "page_size", "ordering", "search", "q"]
    return {
        reverse("households:household_list"): household,
        reverse("households:household_export"): household,
        reverse("households:import_list"): ["page", "status"],
        reverse("referrals:referral_list"): referral,
        reverse("referrals:queue"): referral,
        reverse("referrals:metrics"): referral,
        reverse("referrals:complaint_list"): ["page", "q", "status"],
        reverse("referrals:complaint_create"): ["q", "household"],
        reverse("eligibility:flag_queue"): flags,
        reverse("eligibility:ruleset_list"): ["page"],
        reverse("notifications:notification_list"): ["page"],
        reverse("dashboards:overview"): dashboards,
        reverse("dashboards:district_city"): dashboards,
        reverse("dashboards:panel"): dashboards,
        reverse("dashboards:export"): dashboards,
        reverse("dashboards:referrals"): dashboards,
        "/api/v1/households/": [*HouseholdFilter.base_filters, *api],
        "/api/v1/members/": api + ["household"],
        "/api/v1/referrals/": [*ReferralFilter.base_filters, *api],
        "/api/v1/eligibility/flags/": api + ["status", "rule", "household"],
        "/api/v1/eligibility/rules/": api,
        "/api/v1/regions/": api + ["level", "parent"],
    }


@pytest.fixture
def two_worlds(reference_data, margahayu, bintara):
    rule = security_rule()
    a = build_world(margahayu, agency_code="dinkes", desk=desk_of(margahayu, "desk_a"), rule=rule)
    b = build_world(bintara, agency_code="disdik", desk=desk_of(bintara, "desk_b"), rule=rule)
    return a, b


def _client_for(user) -> Client:
    client = _as(user)
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_sql_looking_filters_are_never_a_500_nor_widen_the_scope(
    two_worlds, operator, petugas_dinkes
):
    """Every parameter of every list with one value that is everything at once (quote,
    comment, wildcards, a null byte, non-ASCII), then every odd value in all parameters at
    once: no 500, and for the Margahayu desk and Dinkes no household of Bintara on the page
    (its KK number would show). A bounded budget: about 500 requests."""
    _, b = two_worlds
    failures = []
    everything = "' OR 1=1 -- %_\\\x00 ☃ 𝔘 " + "x" * 300
    for user in (operator, petugas_dinkes):
        client = _client_for(user)
        for url, params in _list_urls().items():
            values = SQLISH if user is operator else SQLISH[:3]
            requests = [dict.fromkeys(params, value) for value in values]
            if user is operator:
                requests += [{param: everything} for param in params]
            for query in requests:
                response = client.get(url, query)
                where = f"{user.username} {url}?{str(query)[:60]}"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code}")
                elif not response.streaming and b.household.kk_number.encode() in response.content:
                    failures.append(f"{where}: a household outside scope")
    assert not failures, "\n".join(failures)


@given(
    params=st.dictionaries(
        st.sampled_from([*HouseholdFilter.base_filters, "page", "page_size"]),
        st.text(max_size=40),
        max_size=4,
    )
)
def test_fuzzed_household_filters_stay_in_scope(params, two_worlds, operator):
    """The list page and the API as the Margahayu desk: whatever the filters, no 500 and only
    Margahayu's households."""
    a, b = two_worlds
    client = _client_for(operator)
    page = client.get(reverse("households:household_list"), params)
    assert page.status_code < 500
    assert b.household.kk_number.encode() not in page.content
    api = client.get("/api/v1/households/", params)
    assert api.status_code in (200, 400, 404)
    if api.status_code == 200:
        ids = {row["id"] for row in api.json()["results"]}
        assert b.household.pk not in ids


# --- files that are not what they claim to be ---------------------------------------------


def _zip_bomb_xlsx() -> bytes:
    """A real workbook whose sheet inflates to ~20 MB of one repeated row: a few hundred KB
    on disk. The reader must refuse or stream it, not fill memory and fail with a 500."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(GOOD_XLSX)) as good,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                filler = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 400_000
                data = head + filler + b"</sheetData>" + tail
            bomb.writestr(item, data)
    return buffer.getvalue()


def test_a_zip_bomb_xlsx_fails_with_one_message_and_nothing_is_written(
    operator, household_in_margahayu, django_capture_on_commit_callbacks, settings
):
    settings.IMPORT_MAX_ROWS = 10_000
    before = registry()
    content = _zip_bomb_xlsx()
    assert len(content) < 2**20
    batch = upload(content, "rw-bom.xlsx", operator, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED
    # one message: refused before it is loaded (issue 16: its grid is larger than an import)
    assert batch.error_message.startswith("rw-bom.xlsx memiliki sel jauh di kanan")
    assert not batch.issues.exists()
    assert registry() == before


def test_a_truncated_xlsx_with_formula_cells_fails_cleanly(
    operator, household_in_margahayu, django_capture_on_commit_callbacks
):
    before = registry()
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(";"))
    workbook.active.append([f"={payload}" for payload in FAMILY_A[0].split(";")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()[:-200]
    batch = upload(content, "rw-potong.xlsx", operator, django_capture_on_commit_callbacks)
    assert_failed_with_one_message(batch, "rw-potong.xlsx", "rusak")
    assert registry() == before


NOT_DOCUMENTS = [
    ("surat.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows .exe renamed .pdf
    ("foto.jpg", b"<html><script>alert(1)</script></html>"),
    ("surat.pdf", b""),
]


def test_an_attachment_that_is_not_a_document_is_refused(two_worlds, operator):
    """An .exe renamed .pdf, HTML as .jpg, an empty file: one message each, nothing kept."""
    a, _ = two_worlds
    before = Attachment.objects.count()
    client = _as(operator)
    for name, content in NOT_DOCUMENTS:
        response = client.post(
            reverse("referrals:attachment_upload", args=[a.referral.pk]),
            {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
            follow=True,
        )
        assert response.status_code == 200
        assert Attachment.objects.count() == before, name
        messages = [str(m) for m in response.context["messages"]]
        assert len(messages) == 1, (name, messages)


def test_a_real_pdf_attachment_is_kept(two_worlds, operator):
    """The control for the refusals above."""
    a, _ = two_worlds
    before = Attachment.objects.count()
    _as(operator).post(
        reverse("referrals:attachment_upload", args=[a.referral.pk]),
        {"file": SimpleUploadedFile("surat.pdf", PDF, content_type="application/pdf")},
    )
    assert Attachment.objects.count() == before + 1
