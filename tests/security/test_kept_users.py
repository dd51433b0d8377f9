"""The session's user comes from each process's copy of their row (issue 17), and every
change to the row shows on the next request (accounts.backends.RolePermissionBackend.get_user,
USERS_STAMP)."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

LIST = "/households/"


def _user_reads(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(LIST).status_code
    return status, sum(q["sql"].startswith('SELECT "auth_user"."id"') for q in captured)


@pytest.fixture
def logged_in(client, verifikator) -> Client:
    client.force_login(verifikator)
    return client


def test_the_users_row_is_read_once_then_kept(logged_in):
    assert _user_reads(logged_in) == (200, 1)
    assert _user_reads(logged_in) == (200, 0)


def test_a_deactivated_user_is_refused_at_the_next_request(logged_in, verifikator):
    _user_reads(logged_in)
    verifikator.is_active = False
    verifikator.save()
    assert logged_in.get(LIST).status_code == 302  # to the login page


def test_a_new_password_ends_the_other_sessions_at_the_next_request(logged_in, verifikator):
    _user_reads(logged_in)
    verifikator.set_password("another long passphrase 2026")
    verifikator.save()
    assert logged_in.get(LIST).status_code == 302


def test_a_changed_row_shows_at_the_next_request(logged_in, verifikator):
    assert 'href="/admin/"' not in logged_in.get(LIST).content.decode()
    verifikator.is_staff = True
    verifikator.first_name = "Ratna"
    verifikator.save()
    page = logged_in.get(LIST).content.decode()
    assert 'href="/admin/"' in page
    assert "Ratna" in page


def test_a_deleted_user_is_refused_at_the_next_request(logged_in, verifikator):
    _user_reads(logged_in)
    User.objects.filter(pk=verifikator.pk).delete()
    assert logged_in.get(LIST).status_code == 302


def test_each_request_gets_its_own_user_object(rf, verifikator):
    from accounts.backends import RolePermissionBackend

    backend = RolePermissionBackend()
    first = backend.get_user(verifikator.pk)
    first.marked = True
    second = backend.get_user(verifikator.pk)
    assert second is not first
    assert not hasattr(second, "marked")
    assert (second.pk, second.username, second.password) == (
        verifikator.pk,
        verifikator.username,
        verifikator.password,
    )
