"""Many people at once, on PostgreSQL: real threads, each with its own connection.

Nothing is lost: concurrent edits of one household are refused to all but one with the reason
(code "stale"), concurrent accepts of one referral leave one accept, and two imports of the
same families never create a household or member twice."""

import threading
import traceback
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from households.imports.services import (
    commit_import_batch,
    upload_import_batch,
)
from households.models import ChangeRecord, Household, ImportBatch, Member
from households.services import update_household
from referrals.models import Action
from referrals.services import raise_referral, transition_referral
from tests.households.factories import persona
from tests.imports.files import FAMILY_A, FAMILY_B, csv_file
from tests.marks import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

PEOPLE = 20


def at_once(work, arguments) -> list[str]:
    """Run work(argument) in one thread per argument, started together; each result is
    "ok" or the error's code (an uncaught error fails the test)."""
    start = threading.Barrier(len(arguments))
    results: list[str] = []
    errors: list[str] = []

    def run(argument):
        try:
            start.wait()
            work(argument)
            results.append("ok")
        except ValidationError as error:
            results.append(error.code)
        except BaseException:  # noqa: BLE001  reported below
            errors.append(traceback.format_exc())
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, "\n".join(errors)
    return results


def test_twenty_edits_of_one_household_from_one_version_one_wins_the_rest_are_told(
    household_in_margahayu, pendamping
):
    household = household_in_margahayu
    opened_at = household.version

    def edit(n):
        mine = Household.objects.get(pk=household.pk)  # each opened the form at the same time
        update_household(
            household=mine,
            data={"address": f"Jl. Kenanga {n}"},
            members=[],
            by=pendamping,
            expected_version=opened_at,
        )

    results = at_once(edit, range(PEOPLE))

    assert Counter(results) == {"ok": 1, "stale": PEOPLE - 1}
    household.refresh_from_db()
    assert household.version == opened_at + 1
    updates = ChangeRecord.objects.filter(action=ChangeRecord.Action.UPDATED)
    assert updates.count() == 1  # the one saved edit, recorded; no silent overwrite
    assert household.address in {f"Jl. Kenanga {n}" for n in range(PEOPLE)}


def test_twenty_edits_made_one_after_another_are_all_applied_and_recorded(
    household_in_margahayu, pendamping
):
    """The serial case beside the race: each edit starts from the version it read, under a
    lock, so all twenty apply in some order and each has its change record."""
    household = household_in_margahayu
    lock = threading.Lock()

    def edit(n):
        with lock:
            mine = Household.objects.get(pk=household.pk)
            update_household(
                household=mine,
                data={"address": f"Jl. Kenanga {n}"},
                members=[],
                by=pendamping,
                expected_version=mine.version,
            )

    results = at_once(edit, range(PEOPLE))
    assert results == ["ok"] * PEOPLE
    updates = ChangeRecord.objects.filter(action=ChangeRecord.Action.UPDATED)
    assert updates.count() == PEOPLE


def test_twenty_accepts_of_one_referral_one_succeeds(
    household_in_margahayu,
    health,  # noqa: F811
    operator,
    petugas_dinkes,
):
    officers = [petugas_dinkes] + [
        persona("petugas_opd", agency_code="dinkes", username=f"dinkes_{n}")
        for n in range(PEOPLE - 1)
    ]
    referral = raise_referral(
        household=household_in_margahayu, category=health, description="JKN", by=operator
    )

    def accept(officer):
        mine = type(referral).objects.get(pk=referral.pk)  # all read "submitted"
        transition_referral(referral=mine, action=Action.ACCEPT, by=officer)

    results = at_once(accept, officers)

    assert results.count("ok") == 1
    assert len(results) == PEOPLE
    losers = [r for r in results if r != "ok"]
    assert set(losers) <= {"taken", "stale", "invalid_transition"}, losers
    assert referral.events.filter(action=Action.ACCEPT).count() == 1


def test_two_imports_of_overlapping_families_create_each_family_once(operator, verifikator):
    """Both files were checked while the families were new; both are confirmed at once, by
    two people who may write in Margahayu (the data steward may not confirm: issue 16)."""
    first = _checked(csv_file(FAMILY_A + FAMILY_B, name="rw12.csv"), operator)
    second = _checked(csv_file(FAMILY_B + FAMILY_A[:2], name="rw12-lagi.csv"), verifikator)
    assert first.counts["households_new"] == 2
    assert second.counts["households_new"] == 2  # each preview sees them as new

    results = at_once(lambda batch: commit_import_batch(batch_id=batch.pk), [first, second])

    assert results == ["ok", "ok"]
    assert Household.objects.count() == 2
    assert Member.objects.count() == 5
    assert not Household.objects.values("kk_number").annotate(n=_count()).filter(n__gt=1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert {first.status, second.status} == {ImportBatch.Status.COMMITTED}
    # The one that waited found the families there and only updated (nothing new).
    later = max(first, second, key=lambda b: b.committed_at)
    assert later.counts["households_new"] == 0


def _checked(upload, user) -> ImportBatch:
    batch = upload_import_batch(uploaded_file=upload, by=user)  # eager: checked on commit
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED, batch.error_message
    # Confirmed without running the commit: the test runs both commits together.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING, committed_by=user
    )
    batch.refresh_from_db()
    return batch


def _count():
    from django.db.models import Count

    return Count("pk")


def test_two_eligibility_runs_at_once_take_turns(margahayu, seeded_rules):
    """Found by the import test above: the run after each import, at once, both opened the
    same flag and the second failed on the one-open-flag constraint. Runs now take turns."""
    from eligibility.models import Flag, Run
    from eligibility.services import active_rule_set, execute_eligibility_run
    from tests.households.factories import household_with_members

    household_with_members(margahayu, size=2, car_count=2, welfare_decile=7)
    runs = [Run.objects.create(rule_set=active_rule_set()) for _ in range(2)]

    results = at_once(lambda run: execute_eligibility_run(run_id=run.pk), runs)

    assert results == ["ok", "ok"]
    assert set(Run.objects.values_list("status", flat=True)) == {Run.Status.COMPLETE}
    assert Flag.objects.filter(rule_code="car_owner").count() == 1
