"""The back office opens for the admin, and registry rows there are read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_list_and_change_page_opens(
    client, admin_user, pendamping, household_in_margahayu
):
    client.force_login(admin_user)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        first = model_admin.get_queryset(client.get(changelist).wsgi_request).first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change


def test_households_cannot_be_edited_in_the_admin(client, admin_user, household_in_margahayu):
    client.force_login(admin_user)
    url = reverse("admin:households_household_change", args=[household_in_margahayu.pk])
    response = client.post(url, {"kk_number": "3275010101010001"})
    assert response.status_code == 403
    household_in_margahayu.refresh_from_db()
    assert household_in_margahayu.kk_number != "3275010101010001"


def test_field_workers_have_no_back_office(client, pendamping):
    client.force_login(pendamping)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
