"""Privacy by default (issue 7, item 4): NIK and KK masked in every list and list endpoint,
whole on a household's own page for the roles that need them; no NIK or KK in a link or a
form's address; none in a log line."""

import io
import logging
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from households.identifiers import mask_digits, mask_identifier, shown_identifier
from households.roles import FULL_IDENTIFIER_ROLES, Role
from slrt.log_filters import MaskIdentifiers

pytestmark = pytest.mark.django_db

LIST = reverse("households:household_list")
# A NIK or KK (16 digits) inside an attribute that makes a URL.
NUMBER_IN_URL = re.compile(r'(?:href|action|hx-get|hx-post|src)="[^"]*(?<!\d)\d{16}(?!\d)')


def _masked(number: str) -> str:
    return f"{number[:4]}********{number[-4:]}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("3275010101900001", "3275********0001"),
        ("", ""),
        (None, ""),
        ("12345", "*****"),  # not an identifier: nothing of it shown
    ],
)
def test_mask_identifier(value, shown):
    assert mask_identifier(value) == shown


def test_mask_digits_masks_every_16_digit_run_and_nothing_else():
    text = "NIK 3275010101900001 and KK 3275011101100011; row 17, 12345678901234567"
    assert mask_digits(text) == (
        "NIK 3275********0001 and KK 3275********0011; row 17, 12345678901234567"
    )


def test_the_roles_that_see_numbers_whole_are_data():
    assert Role.PIMPINAN not in FULL_IDENTIFIER_ROLES
    assert Role.PERENCANA not in FULL_IDENTIFIER_ROLES
    assert shown_identifier("3275010101900001", AnonymousUser(), whole=True) == ("3275********0001")


def test_lists_show_numbers_masked_even_to_roles_that_see_them_whole(operator, verifikator):
    for user in (operator, verifikator):
        assert shown_identifier("3275010101900001", user, whole=False) == "3275********0001"
        assert shown_identifier("3275010101900001", user, whole=True) == "3275010101900001"


@pytest.mark.parametrize("persona", ["operator", "pendamping", "verifikator", "data_steward"])
def test_the_household_list_masks_the_kk(request, client, persona, household_in_margahayu):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(LIST).content.decode()
    kk = household_in_margahayu.kk_number
    assert kk not in html
    assert _masked(kk) in html


def test_search_by_the_full_nik_still_finds_the_family(client, operator, household_in_margahayu):
    nik = household_in_margahayu.members.first().nik
    client.force_login(operator)
    response = client.get(LIST, {"q": nik})
    assert [h.pk for h in response.context["page"]] == [household_in_margahayu.pk]
    assert _masked(household_in_margahayu.kk_number) in response.content.decode()


@pytest.mark.parametrize("persona", ["operator", "verifikator", "petugas_dinkes_referred"])
def test_the_household_page_shows_numbers_whole_to_roles_that_need_them(
    request, client, persona, household_in_margahayu
):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(household_in_margahayu.get_absolute_url()).content.decode()
    assert household_in_margahayu.kk_number in html
    members = household_in_margahayu.members.all()
    if persona == "petugas_dinkes_referred":  # need-to-know (issue 16): the referred family's
        members = members.filter(relationship="head")  # contact, its head
    for member in members:
        assert member.nik in html


@pytest.fixture
def petugas_dinkes_referred(petugas_dinkes, household_in_margahayu, operator):
    from households.models import Agency
    from referrals.models import NeedCategory
    from referrals.services import raise_referral

    category, _ = NeedCategory.objects.get_or_create(
        code="kesehatan",
        defaults={
            "name": "Kesehatan / JKN",
            "default_agency": Agency.objects.get(code="dinkes"),
            "deadline_days": 14,
        },
    )
    raise_referral(
        household=household_in_margahayu, category=category, description="JKN", by=operator
    )
    return petugas_dinkes


def test_the_api_masks_lists_and_shows_the_detail_whole(
    client, verifikator, household_in_margahayu
):
    client.force_login(verifikator)
    kk = household_in_margahayu.kk_number
    niks = sorted(household_in_margahayu.members.values_list("nik", flat=True))
    listed = client.get("/api/v1/households/").json()["results"]
    assert [row["kk_number"] for row in listed] == [_masked(kk)]
    assert sorted(m["nik"] for m in listed[0]["members"]) == sorted(map(_masked, niks))
    members = client.get("/api/v1/members/").json()["results"]
    assert sorted(m["nik"] for m in members) == sorted(map(_masked, niks))
    detail = client.get(f"/api/v1/households/{household_in_margahayu.pk}/").json()
    assert detail["kk_number"] == kk
    assert sorted(m["nik"] for m in detail["members"]) == niks
    member = client.get(f"/api/v1/members/{members[0]['id']}/").json()
    assert member["nik"] in niks


def test_the_complaint_search_masks_the_kk(client, operator, household_in_margahayu):
    client.force_login(operator)
    kk = household_in_margahayu.kk_number
    response = client.get(
        reverse("referrals:complaint_create"), {"q": household_in_margahayu.head_name}
    )
    html = response.content.decode()
    assert _masked(kk) in html
    assert kk not in html


@pytest.mark.parametrize(
    ("persona", "url_names"),
    [
        (
            "operator",
            [
                "households:household_list",
                "referrals:referral_list",
                "referrals:complaint_list",
                "referrals:complaint_create",
                "eligibility:flag_queue",
                "households:import_list",
            ],
        ),
        (
            "verifikator",
            [
                "households:household_list",
                "eligibility:flag_queue",
                "households:break_glass_review_list",
            ],
        ),
        ("pendamping", ["households:household_list", "households:break_glass_request"]),
        ("petugas_dinkes_referred", ["referrals:queue", "households:household_list"]),
    ],
)
def test_no_page_puts_a_nik_or_kk_in_a_link_or_form_address(
    request, client, persona, url_names, household_in_margahayu
):
    client.force_login(request.getfixturevalue(persona))
    pages = [reverse(name) for name in url_names] + [household_in_margahayu.get_absolute_url()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not NUMBER_IN_URL.search(response.content.decode()), url


# --- logs ---------------------------------------------------------------------------------


def test_the_log_filter_masks_message_arguments_and_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentifiers())
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("Key (nik)=(3275010101900001) already exists.")
        except ValueError:
            logger.exception("import row %s: NIK %s refused", 48, "3275010101900002")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "3275010101900001" not in text
    assert "3275010101900002" not in text
    assert "NIK 3275********0002 refused" in text
    assert "Key (nik)=(3275********0001)" in text


def test_every_configured_handler_masks(settings):
    assert "mask_identifiers" in settings.LOGGING["filters"]
    for handler in settings.LOGGING["handlers"].values():
        assert "mask_identifiers" in handler["filters"]
    root_handlers = logging.getLogger().handlers
    assert any(isinstance(f, MaskIdentifiers) for handler in root_handlers for f in handler.filters)


def test_the_web_servers_access_log_leaves_out_query_strings_and_referers():
    """Searches are GET forms: a NIK typed into one is in the query string, which gunicorn's
    access log must not write (gunicorn.conf.py, read by gunicorn from the app directory)."""
    import runpy
    from pathlib import Path

    from django.conf import settings

    config = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    log_format = config["access_log_format"]
    assert "%(U)s" in log_format  # the path only
    for with_query in ("%(r)s", "%(q)s", "%(f)s"):  # request line, query, referer
        assert with_query not in log_format
