"""Two deliveries of one uploaded extract's task at once (a retry, acks_late after a lost
worker): the one that holds the extract's row imports, the other does nothing; a worker that
died leaves the row unlocked and the next delivery does the work (national.uploads)."""

import datetime

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from national import uploads
from national.models import Extract, ExtractMember
from national.uploads import import_uploaded_extract, upload_extract
from tests.households.factories import household_with_members
from tests.marks import postgresql_only
from tests.national.builders import HEADER, family_rows

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only]


def _other_connection() -> psycopg.Connection:
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return psycopg.connect(url)


def test_a_second_delivery_leaves_an_extract_another_worker_holds(
    data_steward, margahayu, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(uploads, "dispatch_on_commit", lambda *args: None)  # no broker here
    rows = family_rows(household_with_members(margahayu, welfare_decile=3), desil=8)
    upload = SimpleUploadedFile("dtsen.csv", "\n".join([HEADER, *rows]).encode())
    extract = upload_extract(
        uploaded_file=upload, as_of=datetime.date(2026, 9, 30), by=data_steward
    ).extract
    Extract.objects.filter(pk=extract.pk).update(status=Extract.Status.RECONCILING)
    with _other_connection() as first_worker:  # claimed it and is at work
        first_worker.execute(
            "SELECT id FROM national_extract WHERE id = %s FOR UPDATE", [extract.pk]
        )
        assert import_uploaded_extract(extract_id=extract.pk) is None
        assert not ExtractMember.objects.exists()
    # The first worker died (its transaction rolled back): the next delivery takes over.
    imported = import_uploaded_extract(extract_id=extract.pk)
    assert (imported.status, imported.members) == (Extract.Status.COMPLETE, len(rows))
    assert import_uploaded_extract(extract_id=extract.pk) is None
    assert ExtractMember.objects.count() == len(rows)
