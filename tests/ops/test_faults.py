"""Faults in the middle of the work: the registry is as before, the batch says what happened
and the work can be done again (the task's retry or redispatch_stalled_work).

The fault is injected between the import's writes (households inserted, members not yet) by
wrapping one step of households.imports.apply; the database itself is real."""

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connection

from households.imports import apply as apply_module
from households.imports.services import commit_import_batch, upload_import_batch
from households.models import ChangeRecord, Enrolment, Household, ImportBatch, Member
from households.tasks import commit_import_batch_task
from tests.imports.files import FAMILY_A, FAMILY_B, csv_file
from tests.marks import postgresql_only

pytestmark = pytest.mark.django_db(transaction=True)


def registry_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Household, Member, Enrolment, ChangeRecord))


def confirmed_batch(operator) -> ImportBatch:
    batch = upload_import_batch(uploaded_file=csv_file(FAMILY_A + FAMILY_B), by=operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING, committed_by=operator
    )
    return batch


def terminate_own_backend() -> None:
    """What a database restart or a network cut does to the connection: the server ends it."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def raise_operational_error() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def fault_between_writes(monkeypatch):
    """fault_between_writes(fault, times=1): `fault` runs before the members are written,
    the first `times` commits only."""

    def install(fault, times=1):
        original = apply_module._update_members
        left = {"n": times}

        def faulty(*args, **kwargs):
            if left["n"]:
                left["n"] -= 1
                fault()
            return original(*args, **kwargs)

        monkeypatch.setattr(apply_module, "_update_members", faulty)

    return install


FAULTS = [
    pytest.param(terminate_own_backend, id="backend-terminated", marks=postgresql_only),
    pytest.param(raise_operational_error, id="operational-error"),
]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_connection_lost_mid_commit_leaves_the_registry_unchanged_and_the_batch_retryable(
    operator, fault_between_writes, fault
):
    batch = confirmed_batch(operator)
    before = registry_counts()
    fault_between_writes(fault)

    with pytest.raises((OperationalError, InterfaceError)):
        commit_import_batch(batch_id=batch.pk)

    connection.close()  # as Celery does between tasks
    assert registry_counts() == before  # households were inserted, then rolled back
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTING  # still waiting to be done
    assert batch.error_message  # the page says it was interrupted and is retried

    commit_import_batch(batch_id=batch.pk)  # the retry
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.error_message == ""
    assert (Household.objects.count(), Member.objects.count()) == (2, 5)


@pytest.mark.parametrize("fault", FAULTS)
def test_the_commit_task_retries_a_lost_connection_by_itself(operator, fault_between_writes, fault):
    batch = confirmed_batch(operator)
    fault_between_writes(fault)  # the first attempt only

    # In-process, as a worker runs it: the retry (backoff skipped in-process) takes it again.
    result = commit_import_batch_task.apply(args=[batch.pk], throw=False)

    assert result.successful()

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.count() == 2


def test_a_fault_that_is_not_transient_gives_the_batch_back_for_confirmation(
    operator, fault_between_writes
):
    batch = confirmed_batch(operator)
    before = registry_counts()

    def bug():
        raise ValueError("a bug, not an outage")

    fault_between_writes(bug)
    with pytest.raises(ValueError, match="a bug"):
        commit_import_batch(batch_id=batch.pk)
    assert registry_counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED  # the user may confirm again
    assert batch.error_message


def test_an_error_after_the_commit_does_not_turn_a_committed_batch_back(operator, monkeypatch):
    """An after-commit hook failing (say, the eligibility run it starts) used to reset the
    committed batch to 'waiting for confirmation', inviting a second import."""
    from django.db import transaction

    from households.imports import services

    def failing_hook(batch_id):
        def fail():
            raise ValueError("the hook failed")

        transaction.on_commit(fail)

    monkeypatch.setattr(services, "registry_imported", failing_hook)
    batch = confirmed_batch(operator)
    with pytest.raises(ValueError, match="the hook failed"):
        commit_import_batch(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.error_message == ""
    assert Household.objects.count() == 2
