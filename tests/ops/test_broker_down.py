"""Redis unreachable: pages still answer, the work waits in the database, nothing is lost.

The tests run transactionally so the on-commit dispatch really happens inside the request,
as in production; the broker is a Redis port where nothing listens (conftest.broker_down)."""

import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from eligibility.models import Flag, Run
from households.models import Household, ImportBatch
from slrt.dispatch import redispatch_stalled_work
from tests.households.factories import household_with_members
from tests.imports.files import FAMILY_A, FAMILY_B, csv_file

pytestmark = pytest.mark.django_db(transaction=True)


def upload(client, lines):
    return client.post(
        reverse("households:import_upload"), {"file": csv_file(lines), "source_format": "slrt"}
    )


def test_an_upload_while_redis_is_down_waits_then_is_checked_and_imported(
    client, operator, broker_down
):
    client.force_login(operator)
    started = time.monotonic()
    response = upload(client, FAMILY_A + FAMILY_B)
    assert time.monotonic() - started < 10  # publishing gave up quickly
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.UPLOADED  # waiting, not lost
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Masih dalam antrean" in page.content.decode()

    # Confirming later, still without Redis: the commit waits too; nothing half-done.
    broker_down.conf.task_always_eager = True
    assert redispatch_stalled_work(older_than=_zero()) == 1
    broker_down.conf.task_always_eager = False
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    response = client.post(reverse("households:import_confirm", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    assert "Masih dalam antrean" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING
    assert not Household.objects.exists()

    # Redis is back: the recovery command sends the waiting commit.
    broker_down.conf.task_always_eager = True
    call_command("redispatch_stalled_work", "--older-than", "0", stdout=_Null())
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.count() == 2


def test_an_eligibility_run_started_while_redis_is_down_waits_then_completes(
    client, verifikator, margahayu, seeded_rules, broker_down
):
    household = household_with_members(margahayu, size=2, car_count=2, welfare_decile=7)
    client.force_login(verifikator)
    response = client.post(reverse("eligibility:run_start"), follow=True)
    assert response.status_code == 200
    assert "Masih dalam antrean" in response.content.decode()
    run = Run.objects.get()
    assert run.status == Run.Status.QUEUED
    assert not Flag.objects.exists()  # nothing half-done is visible

    broker_down.conf.task_always_eager = True
    call_command("redispatch_stalled_work", "--older-than", "0", stdout=_Null())
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETE
    assert Flag.objects.filter(household=household, rule_code="car_owner").exists()


def test_recent_work_is_left_to_the_worker_that_may_be_taking_it(operator, broker_down):
    from households.imports.services import upload_import_batch

    upload_import_batch(uploaded_file=csv_file(FAMILY_A), by=operator)
    broker_down.conf.task_always_eager = True
    assert redispatch_stalled_work() == 0  # REDISPATCH_AFTER_MINUTES not passed yet
    assert ImportBatch.objects.get().status == ImportBatch.Status.UPLOADED


def test_a_household_edit_while_redis_is_down_is_saved(client, pendamping, margahayu, broker_down):
    """The after-save evaluation cannot be queued: the save stands, the nightly run catches up."""
    from households.services import update_household

    household = household_with_members(margahayu, size=2)
    update_household(
        household=household,
        data={"address": "Jl. Baru 1"},
        members=[],
        by=pendamping,
        expected_version=household.version,
    )
    household.refresh_from_db()
    assert household.address == "Jl. Baru 1"


def _zero():
    from datetime import timedelta

    return timedelta(0)


class _Null:
    def write(self, *args):
        pass

    def flush(self):
        pass


def test_an_extract_uploaded_while_redis_is_down_waits_then_is_imported(
    client, verifikator, margahayu, broker_down, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from national.models import Extract
    from tests.national.builders import HEADER, family_rows

    settings.MEDIA_ROOT = tmp_path
    rows = family_rows(household_with_members(margahayu, welfare_decile=3), desil=8)
    client.force_login(verifikator)
    upload = SimpleUploadedFile("dtsen.csv", "\n".join([HEADER, *rows]).encode())
    response = client.post(
        reverse("national:extract_list"), {"file": upload, "as_of": "2026-09-30"}, follow=True
    )
    assert response.status_code == 200
    assert "Masih dalam antrean" in response.content.decode()
    assert Extract.objects.get().status == Extract.Status.QUEUED  # waiting, not lost

    broker_down.conf.task_always_eager = True
    assert redispatch_stalled_work(older_than=_zero()) == 1
    extract = Extract.objects.get()
    assert (extract.status, extract.members) == (Extract.Status.COMPLETE, len(rows))
