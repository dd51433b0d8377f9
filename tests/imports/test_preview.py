"""The preview a clerk confirms (issue 18, point 13): the button counts the changes the import
makes, not the rows of the file; warnings are shown, not folded away; the families to be
added or changed are listed (the first 50 on the page, all of them behind a link, each
viewer's own area only)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from households.imports.services import confirm_import_batch, upload_import_batch
from households.models import Household, ImportBatch, ImportFamily
from tests.imports.files import FAMILY_A, FAMILY_B, KK_A, KK_B, MAWAR, csv_file, import_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page(client, user, batch) -> str:
    client.force_login(user)
    with translation.override("id"):
        response = client.get(reverse("households:import_detail", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def second_file(operator, django_capture_on_commit_callbacks) -> ImportBatch:
    """Family A imported before; the new file renames Siti and adds family B: 5 rows, of which
    4 records change (Siti, B's household and its two members)."""
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    renamed = [line.replace("Siti Aminah", "Siti Aminah Lubis") for line in FAMILY_A]
    return import_file(
        csv_file([*renamed, *FAMILY_B], name="rw12-b.csv"),
        operator,
        django_capture_on_commit_callbacks,
        commit=False,
    )


def test_the_confirm_button_counts_changes_not_rows(
    client, operator, django_capture_on_commit_callbacks
):
    batch = second_file(operator, django_capture_on_commit_callbacks)
    assert batch.counts["rows_valid"] == 5
    assert batch.counts["changes"] == 4
    html = page(client, operator, batch)
    assert "Konfirmasi: impor 4 perubahan" in html
    assert "5 baris" not in html


def test_a_file_that_changes_nothing_says_so_on_the_button(
    client, operator, django_capture_on_commit_callbacks
):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    again = import_file(
        csv_file(FAMILY_A, name="lagi.csv"),
        operator,
        django_capture_on_commit_callbacks,
        commit=False,
    )
    assert again.counts["changes"] == 0
    assert "Konfirmasi: tidak ada yang diubah" in page(client, operator, again)


def test_warnings_are_shown_open(client, operator, django_capture_on_commit_callbacks):
    # Budi's NIK says male, the row says female: imported, with a warning to check.
    rows = [FAMILY_A[0].replace(";L;", ";P;"), *FAMILY_A[1:]]
    batch = import_file(csv_file(rows), operator, django_capture_on_commit_callbacks, commit=False)
    assert batch.counts["warnings"] == 1
    html = page(client, operator, batch)
    warnings = html[html.index('class="import-warnings"') :]
    assert "NIK" in warnings
    assert (
        "<details"
        not in html[html.index("Kesalahan (") : html.index("</section>", html.index("Kesalahan ("))]
    )


def test_the_preview_lists_the_families_to_add_or_change(
    client, operator, django_capture_on_commit_callbacks
):
    batch = second_file(operator, django_capture_on_commit_callbacks)
    families = {f.kk_number: f for f in ImportFamily.objects.filter(batch=batch)}
    assert families[KK_A].action == "updated"
    assert (families[KK_A].members_changed, families[KK_A].members_new) == (1, 0)
    assert families[KK_B].action == "new"
    assert (families[KK_B].head_name, families[KK_B].members_new) == ("Joko Susilo", 2)
    html = page(client, operator, batch)
    assert "Keluarga yang akan ditambahkan atau diubah" in html
    assert "Joko Susilo" in html
    assert "2 anggota baru" in html
    assert "1 anggota berubah" in html
    assert KK_B not in html  # the number masked, as in every list
    assert (
        f'href="{reverse("households:household_detail", args=[families[KK_A].household_id])}"'
        in html
    )


def test_an_unchanged_family_is_not_listed(client, operator, django_capture_on_commit_callbacks):
    import_file(csv_file(FAMILY_A), operator, django_capture_on_commit_callbacks)
    batch = import_file(
        csv_file([*FAMILY_A, *FAMILY_B], name="b.csv"),
        operator,
        django_capture_on_commit_callbacks,
        commit=False,
    )
    assert list(batch.families.values_list("kk_number", flat=True)) == [KK_B]


def _families(count: int) -> list[str]:
    """`count` one-person families, each with its own valid KK and NIK."""
    return [
        f"327501050210{n:04d};327501170885{n:04d};Kepala {n};L;17-08-1985;Kepala Keluarga;{MAWAR}"
        for n in range(1, count + 1)
    ]


def test_the_first_50_families_are_shown_and_a_link_leads_to_all(
    client, operator, django_capture_on_commit_callbacks
):
    batch = import_file(
        csv_file(_families(51)), operator, django_capture_on_commit_callbacks, commit=False
    )
    assert batch.counts["households_new"] == 51
    html = page(client, operator, batch)
    assert "Kepala 50<" in html
    assert "Kepala 51<" not in html
    link = reverse("households:import_families", args=[batch.pk])
    assert f'href="{link}"' in html
    with translation.override("id"):
        everything = client.get(link).content.decode()
    assert len(re.findall(r"Kepala \d+<", everything)) == 51


def test_committed_families_link_to_their_new_households(
    client, operator, django_capture_on_commit_callbacks
):
    batch = import_file(csv_file(FAMILY_B), operator, django_capture_on_commit_callbacks)
    family = batch.families.get()
    assert family.household is not None
    assert family.household.kk_number == KK_B


def test_each_viewer_sees_only_the_families_of_their_area(
    client, operator, verifikator, margahayu, django_capture_on_commit_callbacks
):
    # A city-wide verifier's file for Margahayu that also names a family in Bintara.
    elsewhere = [line.replace("Margahayu", "Bintara") for line in FAMILY_B]
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload_import_batch(
            uploaded_file=SimpleUploadedFile(
                "kota.csv",
                (
                    "\n".join([csv_file([]).read().decode().strip(), *FAMILY_A, *elsewhere]) + "\n"
                ).encode(),
            ),
            by=verifikator,
            kelurahan=margahayu,
        )
    batch.refresh_from_db()
    assert batch.families.count() == 2
    for_verifier = page(client, verifikator, batch)
    assert "Joko Susilo" in for_verifier
    for_operator = page(client, operator, batch)
    assert "Budi Santoso" in for_operator
    assert "Joko Susilo" not in for_operator
    client.force_login(operator)
    listing = client.get(reverse("households:import_families", args=[batch.pk])).content.decode()
    assert "Joko Susilo" not in listing


def test_the_committed_family_list_is_the_previews_with_the_new_households_named(
    operator, django_capture_on_commit_callbacks
):
    batch = second_file(operator, django_capture_on_commit_callbacks)
    previewed = listed_families(batch)

    with django_capture_on_commit_callbacks(execute=True):
        confirm_import_batch(batch=batch, by=operator)
    committed = listed_families(batch)

    household_a = Household.objects.get(kk_number=KK_A)
    household_b = Household.objects.get(kk_number=KK_B)
    assert [f.pop("household_id") for f in previewed] == [household_a.pk, None]
    assert [f.pop("household_id") for f in committed] == [household_a.pk, household_b.pk]
    assert committed == previewed


def listed_families(batch: ImportBatch) -> list[dict]:
    """The batch's family list as stored, row ids aside."""
    return [
        {k: v for k, v in family.items() if k != "id"}
        for family in batch.families.order_by("first_row").values()
    ]
