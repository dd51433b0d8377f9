"""Scope per role on pages and API: in scope works, out of scope is 404, aggregate-only roles
see no household, member, NIK or KK anywhere (DESIGN.md, roles and scope)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAL_ROLES_IN_MARGAHAYU = ["pendamping", "operator"]
CITY_WIDE_READERS = ["verifikator", "data_steward", "admin_user"]
AGGREGATE_ONLY = ["perencana", "pimpinan"]


@pytest.fixture
def two_households(household_in_margahayu, household_in_bintara):
    return household_in_margahayu, household_in_bintara


def _get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def _api(client, user, path):
    client.force_login(user)
    return client.get(path)


@pytest.mark.parametrize("persona", PERSONAL_ROLES_IN_MARGAHAYU)
def test_kelurahan_roles_see_their_kelurahan_only(client, request, persona, two_households):
    user = request.getfixturevalue(persona)
    inside, outside = two_households
    listed = _get(client, user, "households:household_list").context["page"].object_list
    assert [h.pk for h in listed] == [inside.pk]
    assert _get(client, user, "households:household_detail", inside.pk).status_code == 200
    assert _get(client, user, "households:household_edit", inside.pk).status_code == 200
    assert _get(client, user, "households:household_detail", outside.pk).status_code == 404
    assert _get(client, user, "households:household_edit", outside.pk).status_code == 404
    client.force_login(user)
    location = reverse("households:household_location", args=[outside.pk])
    assert client.post(location, {"latitude": "-6.2", "longitude": "107"}).status_code == 404


@pytest.mark.parametrize("persona", PERSONAL_ROLES_IN_MARGAHAYU)
def test_kelurahan_roles_api_is_scoped_the_same(client, request, persona, two_households):
    user = request.getfixturevalue(persona)
    inside, outside = two_households
    listed = _api(client, user, "/api/v1/households/").json()["results"]
    assert [row["id"] for row in listed] == [inside.pk]
    assert _api(client, user, f"/api/v1/households/{inside.pk}/").status_code == 200
    assert _api(client, user, f"/api/v1/households/{outside.pk}/").status_code == 404
    outside_member = outside.members.first()
    assert _api(client, user, f"/api/v1/members/{outside_member.pk}/").status_code == 404
    members = _api(client, user, "/api/v1/members/").json()["results"]
    assert {row["household"] for row in members} == {inside.pk}


@pytest.mark.parametrize("persona", CITY_WIDE_READERS)
def test_city_wide_roles_see_every_household(client, request, persona, two_households):
    user = request.getfixturevalue(persona)
    listed = _get(client, user, "households:household_list").context["page"].object_list
    assert {h.pk for h in listed} == {h.pk for h in two_households}
    for household in two_households:
        assert _get(client, user, "households:household_detail", household.pk).status_code == 200
        assert _api(client, user, f"/api/v1/households/{household.pk}/").status_code == 200


def test_data_steward_reads_but_may_not_edit(client, data_steward, household_in_margahayu):
    response = _get(client, data_steward, "households:household_edit", household_in_margahayu.pk)
    assert response.status_code == 403
    assert _get(client, data_steward, "households:household_create").status_code == 403


def test_agency_officer_sees_no_household_without_a_referral(
    client, petugas_dinkes, two_households
):
    assert not _get(client, petugas_dinkes, "households:household_list").context["page"].object_list
    for household in two_households:
        detail = _get(client, petugas_dinkes, "households:household_detail", household.pk)
        assert detail.status_code == 404
        assert (
            _api(client, petugas_dinkes, f"/api/v1/households/{household.pk}/").status_code == 404
        )
    assert _get(client, petugas_dinkes, "households:household_create").status_code == 403


@pytest.mark.parametrize("persona", AGGREGATE_ONLY)
def test_aggregate_only_roles_get_no_personal_data_anywhere(
    client, request, persona, two_households
):
    user = request.getfixturevalue(persona)
    inside, _ = two_households
    member = inside.members.first()
    secrets = [inside.kk_number, member.nik, member.name, inside.address]
    responses = [
        _get(client, user, "households:household_list"),
        _get(client, user, "households:household_detail", inside.pk),
        _get(client, user, "households:household_edit", inside.pk),
        _get(client, user, "households:household_create"),
        _api(client, user, "/api/v1/households/"),
        _api(client, user, f"/api/v1/households/{inside.pk}/"),
        _api(client, user, "/api/v1/members/"),
        _api(client, user, f"/api/v1/members/{member.pk}/"),
    ]
    for response in responses:
        assert response.status_code in (403, 404), response.request["PATH_INFO"]
    dashboard = _get(client, user, "dashboards:overview")
    assert dashboard.status_code == 200
    home = _get(client, user, "home")
    assert home.url == reverse("dashboards:overview")
    for response in [*responses, dashboard]:
        body = response.content.decode()
        assert not any(secret in body for secret in secrets)


def test_dashboard_counts_only_the_users_scope(client, pendamping, verifikator, two_households):
    mine = _get(client, pendamping, "dashboards:overview").context["totals"]
    city = _get(client, verifikator, "dashboards:overview").context["totals"]
    assert (mine["households"], city["households"]) == (1, 2)


def test_anonymous_visitors_are_sent_to_login(client, household_in_margahayu):
    for path in (
        reverse("households:household_list"),
        reverse("households:household_detail", args=[household_in_margahayu.pk]),
        reverse("dashboards:overview"),
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.get("/api/v1/households/").status_code in (401, 403)


def test_user_without_a_role_sees_nothing(client, household_in_margahayu):
    from tests.households.factories import UserFactory

    stranger = UserFactory(username="norole")
    assert _get(client, stranger, "home").status_code == 403
    assert _get(client, stranger, "households:household_list").status_code == 403
    detail = _get(client, stranger, "households:household_detail", household_in_margahayu.pk)
    assert detail.status_code == 403


@pytest.mark.parametrize("persona", ["pendamping", "petugas_dinkes", "verifikator"])
def test_role_scope_and_permissions_cost_one_query_a_request(
    request, persona, household_in_bintara, django_assert_num_queries
):
    """households.scope._read_facts: the groups, the profile and the grants together."""
    from households.break_glass import request_break_glass
    from households.scope import role_of, scope_for

    user = request.getfixturevalue(persona)
    if persona == "pendamping":
        request_break_glass(
            kk_number=household_in_bintara.kk_number,
            reason="Ibu hamil dirujuk darurat malam ini, rujukan resmi belum dikirim.",
            by=user,
        )
    user = type(user).objects.get(pk=user.pk)  # as a new request loads it
    with django_assert_num_queries(1):
        role = role_of(user)
        scope = scope_for(user)
        assert user.has_perm("households.view_household")
    assert scope.role == role == {"petugas_dinkes": "petugas_opd"}.get(persona, persona)
    if persona == "pendamping":
        assert scope.granted_household_ids == {household_in_bintara.pk}
        assert scope.kelurahan_ids
    if persona == "petugas_dinkes":
        assert scope.agency_id is not None
