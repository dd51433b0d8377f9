"""The preview's check is kept for the commit, signed, and used only for the very same check."""

import pytest

from households.imports import checked, services
from households.models import Household, ImportBatch
from tests.imports.files import FAMILY_A, csv_file, import_file

pytestmark = pytest.mark.django_db


def _unreadable(*args, **kwargs):
    raise AssertionError("the file was read again")


def test_the_commit_uses_the_previews_check_without_reading_the_file_again(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    monkeypatch.setattr(services, "read_sheet", _unreadable)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import_batch(batch=batch, by=operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.count() == 1
    assert checked.load(batch.pk, services._check_key(batch)) is None  # discarded after use


def test_a_tampered_or_foreign_check_is_ignored_and_the_file_checked_again(
    operator, django_capture_on_commit_callbacks
):
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    key = services._check_key(batch)
    assert checked.load(batch.pk, key) is not None
    assert (
        checked.load(batch.pk, checked.CheckKey(**{**key.__dict__, "source_format": "pbdt2015"}))
        is None
    )

    path = checked._path(batch.pk)
    path.write_bytes(path.read_bytes() + b"x")  # not what this server signed
    assert checked.load(batch.pk, key) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import_batch(batch=batch, by=operator)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Household.objects.get().member_count == 3


def test_rows_stored_in_several_pickles_come_back_whole_and_in_order(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    """The rows are written in chunks (a small pickle memo each); here 2 rows per chunk, so
    the family's 3 rows span two of them and its household columns are stored twice."""
    monkeypatch.setattr(checked, "ROWS_PER_PICKLE", 2)
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    stored = checked.load(batch.pk, services._check_key(batch))
    assert [row.number for row in stored.result.rows] == [2, 3, 4]
    assert stored.row_count == 3
    assert stored.result.rows[0].household == stored.result.rows[2].household
    monkeypatch.setattr(services, "read_sheet", _unreadable)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import_batch(batch=batch, by=operator)
    assert Household.objects.get().member_count == 3


def test_a_check_stored_by_other_code_is_not_used(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    """The key holds a digest of the code that made the check: after a deployment changes
    the rules (or the shape of what is stored), the commit checks the file again."""
    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    assert checked.load(batch.pk, services._check_key(batch)) is not None
    monkeypatch.setattr(checked, "code_version", lambda: "the next release")
    assert checked.load(batch.pk, services._check_key(batch)) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import_batch(batch=batch, by=operator)
    assert Household.objects.get().member_count == 3


def test_the_code_version_covers_every_module_of_the_import():
    from pathlib import Path

    package = Path(checked.__file__).parent
    assert set(package.glob("*.py")) <= set(checked.VERSIONED)
    assert len(checked.code_version()) == 64


def _two_columns(chunk):
    return [(2, 3, 4), ("3275",) * 3]


def _a_column_short(chunk):
    return [column[:-1] if n == 0 else column for n, column in enumerate(chunk)]


@pytest.mark.parametrize("rows", [_two_columns, _a_column_short, None])
def test_a_signed_check_whose_rows_do_not_read_back_whole_is_not_used(
    rows, operator, django_capture_on_commit_callbacks
):
    """Rows are stored as columns (one tuple per CleanRow field). A file signed by this
    server whose columns do not make rows, or make fewer than the check counted (a column
    short, the rows left out), is treated as absent, and the commit checks the file again:
    never a commit with rows missing."""
    import pickle

    batch = import_file(
        csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks, commit=False
    )
    key = services._check_key(batch)
    path = checked._path(batch.pk)
    with path.open("rb") as handle:
        head, chunk = pickle.load(handle), pickle.load(handle)  # noqa: S301 - the test's own
    data = pickle.dumps(head) + (pickle.dumps(rows(chunk)) if rows else b"")
    path.write_bytes(data)
    mac = checked._mac()
    mac.update(data)
    path.with_suffix(".sig").write_text(mac.hexdigest())
    assert checked.load(batch.pk, key) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import_batch(batch=batch, by=operator)
    assert Household.objects.get().member_count == 3
