"""The demo extract `make run` loads, and `manage.py import_dtsen`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from national.models import Extract, ReconciliationCase
from tests.national.builders import family_rows, write_extract

pytestmark = pytest.mark.django_db


def test_the_demo_extract_shows_every_kind_of_case_once(reference_data, settings):
    settings.DEBUG = True
    call_command("seed_demo", households=600, verbosity=0)
    out = io.StringIO()
    call_command("seed_demo_dtsen", stdout=out)
    extract = Extract.objects.get()
    assert extract.status == Extract.Status.COMPLETE
    assert extract.rejected == 0
    kinds = set(extract.cases.values_list("kind", flat=True))
    assert kinds == set(ReconciliationCase.Kind.values)
    cases = extract.cases.count()
    call_command("seed_demo_dtsen", stdout=io.StringIO())  # the second `make run`
    assert Extract.objects.count() == 1
    assert extract.cases.count() == cases


def test_seed_demo_dtsen_refuses_a_production_registry(reference_data, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_dtsen")
    assert not Extract.objects.exists()


def test_the_command_imports_an_extract_as_of_a_date(tmp_path, household_in_margahayu):
    path = write_extract(tmp_path / "dtsen.csv", family_rows(household_in_margahayu, desil=2))
    out = io.StringIO()
    call_command("import_dtsen", str(path), "--as-of", "2026-07-01", stdout=out)
    extract = Extract.objects.get()
    assert (extract.quarter, extract.families) == ("2026-Q3", 1)
    assert "2026-Q3" in out.getvalue()
    call_command("import_dtsen", str(path), "--as-of", "2026-07-01", stdout=out)
    assert "imported before" in out.getvalue()
    assert Extract.objects.count() == 1


def test_the_command_fails_on_an_unreadable_file(tmp_path, reference_data):
    path = tmp_path / "dtsen.csv"
    path.write_text("nothing here\n")
    with pytest.raises(CommandError):
        call_command("import_dtsen", str(path), "--as-of", "2026-07-01")


@pytest.mark.parametrize("households", [0, 40])
def test_the_demo_shows_visits_and_usulan_at_any_size(reference_data, settings, households):
    from national.models import KelurahanBatch, Usulan, UsulanBatch, Visit

    settings.DEBUG = True
    call_command("seed_demo", households=households, verbosity=0, stdout=io.StringIO())
    call_command("seed_demo_dtsen", stdout=io.StringIO())
    call_command("seed_demo_usulan", stdout=io.StringIO())
    # a visit done, a kelurahan batch agreed with its minutes, a city batch sent, one accepted
    assert Visit.objects.exclude(result="").exists()
    agreed = KelurahanBatch.objects.get(status=KelurahanBatch.Status.AGREED)
    assert agreed.minutes
    assert agreed.attendees
    assert agreed.usulan_batch == UsulanBatch.objects.get()
    assert Usulan.objects.filter(status=Usulan.Status.ACCEPTED).count() == 1
    visits = Visit.objects.count()
    call_command("seed_demo_usulan", stdout=io.StringIO())  # the second `make run`
    assert Visit.objects.count() == visits
