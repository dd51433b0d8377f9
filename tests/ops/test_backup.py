"""manage.py backup / restore: the registry comes back with the same rows and fields."""

import os
import sqlite3

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from households.models import Household, Member
from tests.households.factories import household_with_members
from tests.marks import postgresql_only

pytestmark = pytest.mark.django_db(transaction=True)

# One per pytest-xdist worker, as the test databases are.
RESTORE_DB = "test_slrt_ops_restore_" + os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture
def registry(margahayu, bintara):
    households = [household_with_members(margahayu, size=3) for _ in range(3)]
    households.append(household_with_members(bintara, size=2, car_count=1))
    return households


def _quiet():
    import io

    return io.StringIO()


@postgresql_only
def test_a_postgresql_backup_restores_into_a_fresh_database(registry, tmp_path):
    path = tmp_path / "slrt.dump"
    call_command("backup", str(path), stdout=_quiet())
    assert path.stat().st_size > 0
    db = connection.settings_dict
    server = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB}")
        admin.execute(f"CREATE DATABASE {RESTORE_DB}")
    try:
        call_command("restore", str(path), database_url=f"{server}/{RESTORE_DB}", stdout=_quiet())
        one = registry[-1]
        with psycopg.connect(f"{server}/{RESTORE_DB}") as restored:
            counts = [
                restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("households_household", "households_member", "households_region")
            ]
            row = restored.execute(
                "SELECT kk_number, address, rt, rw, car_count, kelurahan_id, version"
                " FROM households_household WHERE id = %s",
                [one.pk],
            ).fetchone()
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
    from households.models import Region

    assert counts == [Household.objects.count(), Member.objects.count(), Region.objects.count()]
    one.refresh_from_db()
    assert row == (
        one.kk_number,
        one.address,
        one.rt,
        one.rw,
        one.car_count,
        one.kelurahan_id,
        one.version,
    )


def test_a_backup_restores_the_configured_database_after_a_loss(registry, tmp_path):
    path = tmp_path / "slrt.backup"
    call_command("backup", str(path), stdout=_quiet())
    before = (Household.objects.count(), Member.objects.count())
    kept = Household.objects.get(pk=registry[0].pk)
    Member.objects.filter(household=kept).delete()

    call_command("restore", str(path), yes=True, stdout=_quiet())

    connection.close()
    assert (Household.objects.count(), Member.objects.count()) == before
    again = Household.objects.get(pk=kept.pk)
    assert (again.kk_number, again.address, again.members.count()) == (
        kept.kk_number,
        kept.address,
        3,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite copy: SQLite only")
def test_a_sqlite_backup_restores_into_another_file(registry, tmp_path):
    path = tmp_path / "slrt.sqlite3"
    call_command("backup", str(path), stdout=_quiet())
    target = tmp_path / "restored.sqlite3"
    call_command("restore", str(path), database_url=f"sqlite:///{target}", stdout=_quiet())
    with sqlite3.connect(target) as restored:
        count = restored.execute("SELECT count(*) FROM households_household").fetchone()[0]
    assert count == Household.objects.count() == 4


def test_restoring_over_the_configured_database_asks_for_yes(tmp_path):
    path = tmp_path / "x.dump"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))


def test_a_missing_backup_file_is_a_clear_failure(tmp_path):
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore", str(tmp_path / "nope.dump"), yes=True)
