"""manage.py import_registry: check a ward file from the command line; import it with --commit.

The command goes through the same services as the upload page, so these tests specify what the
command adds: its arguments, what it prints and how it fails (CommandError: exit status 1 on the
command line, the message on stderr).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation

from households.models import ChangeRecord, Household, ImportBatch, Member
from tests.imports.files import FAMILY_A, FAMILY_B, HEADER

pytestmark = pytest.mark.django_db

# Every count the upload page shows: rows in the file, ready, with errors; households and
# members new / updated / unchanged.
SUMMARY_KEYS = (
    "rows_total",
    "rows_valid",
    "rows_error",
    "households_new",
    "households_updated",
    "households_unchanged",
    "members_new",
    "members_updated",
    "members_unchanged",
)
MARGAHAYU_CODE, BINTARA_CODE = "3275011002", "3275021001"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """call_command with stdout and stderr captured. The on-commit callbacks (the eager
    background check and commit) run as they would outside a test transaction."""

    def run(*args) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        with translation.override("id"), django_capture_on_commit_callbacks(execute=True):
            call_command("import_registry", *map(str, args), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def refused(run):
    """Run the command and expect it to stop with a message and a non-zero exit status."""

    def refused(*args) -> str:
        with pytest.raises(CommandError) as excinfo:
            run(*args)
        assert excinfo.value.returncode != 0
        message = str(excinfo.value)
        assert message.strip()
        return message

    return refused


def write(tmp_path, lines, *, name="rw12.csv", header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def summary(out: str) -> dict[str, int]:
    """The counts printed as `  key: value` lines (the last value when printed twice)."""
    return {key: int(value) for key, value in re.findall(r"^\s+(\w+): (\d+)$", out, re.M)}


def registry() -> tuple[int, int, int]:
    return Household.objects.count(), Member.objects.count(), ChangeRecord.objects.count()


# Checking and committing ----------------------------------------------------------------------


def test_without_commit_the_file_is_only_checked_and_the_summary_printed(
    tmp_path, run, verifikator
):
    out, _err = run(write(tmp_path, FAMILY_A + FAMILY_B), "--user", "hasan")
    counts = summary(out)
    assert set(SUMMARY_KEYS) <= set(counts)
    assert counts["rows_total"] == counts["rows_valid"] == 5
    assert counts["rows_error"] == 0
    assert (counts["households_new"], counts["households_updated"]) == (2, 0)
    assert (counts["members_new"], counts["members_unchanged"]) == (5, 0)
    assert "--commit" in out  # says how to import
    assert registry() == (0, 0, 0)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.uploaded_by.username == "hasan"


def test_with_commit_the_families_are_in_the_registry(tmp_path, run, verifikator):
    out, _err = run(write(tmp_path, FAMILY_A + FAMILY_B), "--commit", "--user", "hasan")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.committed_by.username == "hasan"
    assert f"#{batch.pk}" in out
    assert summary(out)["members_new"] == 5
    assert set(Household.objects.values_list("kk_number", flat=True)) == {
        "3275010502100007",
        "3275011203110008",
    }
    assert Member.objects.count() == 5
    records = ChangeRecord.objects.filter(import_batch=batch, action="created")
    assert records.filter(entity="household").count() == 2


def test_the_summary_after_the_commit_counts_the_new_households_as_new(tmp_path, run, verifikator):
    out, _err = run(write(tmp_path, FAMILY_A + FAMILY_B), "--commit", "--user", "hasan")
    after = summary(out.split("Committed batch")[1])
    assert (after["households_new"], after["households_updated"]) == (2, 0)
    assert (after["members_new"], after["members_updated"]) == (5, 0)
    assert ImportBatch.objects.get().counts["households_new"] == 2


def test_the_summary_counts_new_updated_and_unchanged_against_the_registry(
    tmp_path, run, verifikator
):
    run(write(tmp_path, FAMILY_A), "--commit", "--user", "hasan")
    changed = [line.replace(";0;Ya", ";2;Ya") for line in FAMILY_A]  # the household's cars
    changed[1] = changed[1].replace("Siti Aminah", "Siti Aminah Lubis")
    out, _err = run(write(tmp_path, changed + FAMILY_B, name="v2.csv"), "--user", "hasan")
    counts = summary(out)
    assert (counts["households_new"], counts["households_updated"]) == (1, 1)
    assert counts["households_unchanged"] == 0
    assert (counts["members_new"], counts["members_updated"], counts["members_unchanged"]) == (
        2,
        1,
        2,
    )
    assert Household.objects.get(kk_number="3275010502100007").car_count == 0  # only checked

    out, _err = run(write(tmp_path, FAMILY_A, name="v3.csv"), "--user", "hasan")
    counts = summary(out)
    assert (counts["households_unchanged"], counts["members_unchanged"]) == (1, 3)


def test_rows_with_errors_are_printed_and_the_valid_rows_imported(tmp_path, run, verifikator):
    bad = FAMILY_B[1].replace("3275016007720005", "3.27501E+15")
    out, _err = run(write(tmp_path, FAMILY_A + [FAMILY_B[0], bad]), "--commit", "--user", "hasan")
    counts = summary(out)
    assert (counts["rows_total"], counts["rows_valid"], counts["rows_error"]) == (5, 4, 1)
    # The header is row 1; the line says what is wrong, not only where.
    assert re.search(r"^\s+row 6 nik: .*Excel", out, re.M)
    assert Member.objects.count() == 4


def test_the_default_user_is_the_first_active_superuser(tmp_path, run, admin_user):
    run(write(tmp_path, FAMILY_A))
    assert ImportBatch.objects.get().uploaded_by == admin_user


def test_without_a_superuser_the_user_must_be_named(tmp_path, refused, reference_data):
    message = refused(write(tmp_path, FAMILY_A))
    assert "--user" in message
    assert not ImportBatch.objects.exists()


def test_an_unknown_user_is_refused(tmp_path, refused, verifikator):
    message = refused(write(tmp_path, FAMILY_A), "--user", "nobody")
    assert "--user" in message
    assert not ImportBatch.objects.exists()


def test_a_user_without_import_rights_is_refused(tmp_path, refused, pimpinan):
    refused(write(tmp_path, FAMILY_A), "--commit", "--user", "walikota")
    assert registry() == (0, 0, 0)


def test_move_members_confirms_moves_between_families(tmp_path, run, verifikator):
    run(write(tmp_path, FAMILY_A), "--commit", "--user", "hasan")
    own = [  # Rizky now heads his own family card (pecah KK)
        "3275012508250009;3275010105150003;Rizky Santoso;L;2015-05-01;Kepala Keluarga;"
        "Gg. Mawar 9;3;12;Margahayu;0;Tidak"
    ]
    out, _err = run(write(tmp_path, own, name="pecah.csv"), "--commit", "--user", "hasan")
    assert summary(out)["rows_error"] == 1
    assert re.search(r"^\s+row 2 ", out, re.M)
    assert Member.objects.get(nik="3275010105150003").household.kk_number == "3275010502100007"

    run(write(tmp_path, own, name="pecah2.csv"), "--commit", "--move-members", "--user", "hasan")
    assert Member.objects.get(nik="3275010105150003").household.kk_number == "3275012508250009"
    assert Household.objects.get(kk_number="3275010502100007").member_count == 2


# Files that cannot be imported ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("rw12.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bukan berkas tabel"),
        ("rw12.xlsx", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "bukan berkas tabel"),
        ("rw12.csv", b"", "kosong"),
        ("rw12.csv", b"\r\n\r\n   \r\n;;;\r\n", "kosong"),
    ],
    ids=["png", "pdf", "empty", "blank-lines"],
)
@pytest.mark.parametrize("commit", [[], ["--commit"]], ids=["check", "commit"])
def test_an_unreadable_file_stops_with_its_message_and_writes_nothing(
    tmp_path, refused, verifikator, name, content, says, commit
):
    path = tmp_path / name
    path.write_bytes(content)
    message = refused(path, *commit, "--user", "hasan")
    assert says in message
    assert name in message
    assert registry() == (0, 0, 0)
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_a_file_that_does_not_exist_is_refused(tmp_path, refused, verifikator):
    message = refused(tmp_path / "missing.csv", "--user", "hasan")
    assert "missing.csv" in message
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(tmp_path, refused, verifikator):
    path = write(tmp_path, FAMILY_A)
    with override_settings(IMPORT_MAX_BYTES=path.stat().st_size - 1):
        message = refused(path, "--commit", "--user", "hasan")
    assert "batasnya" in message
    assert registry() == (0, 0, 0)
    assert not ImportBatch.objects.exists()


def every_row_wrong():
    return [line.replace(";L;", ";X;").replace(";P;", ";X;") for line in FAMILY_A]  # sex


def run_any(run, *args) -> str:
    """The output, or the message when the command stopped: for tests about what is written
    whatever the exit status."""
    try:
        out, _err = run(*args)
    except CommandError as error:
        return str(error)
    return out


@pytest.mark.parametrize("commit", [[], ["--commit"]], ids=["check", "commit"])
def test_a_file_where_every_row_is_an_error_writes_nothing(tmp_path, run, verifikator, commit):
    run_any(run, write(tmp_path, every_row_wrong()), *commit, "--user", "hasan")
    assert registry() == (0, 0, 0)


@pytest.mark.parametrize("commit", [[], ["--commit"]], ids=["check", "commit"])
def test_a_file_where_every_row_is_an_error_exits_non_zero(tmp_path, refused, verifikator, commit):
    refused(write(tmp_path, every_row_wrong()), *commit, "--user", "hasan")
    assert registry() == (0, 0, 0)


# --kelurahan ----------------------------------------------------------------------------------

WITHOUT_KELURAHAN = HEADER.replace(";Kelurahan", "")


def without_kelurahan(lines):
    return [line.replace(";Margahayu", "") for line in lines]


@pytest.mark.parametrize("code", [MARGAHAYU_CODE, "32.75.01.1002"])
def test_kelurahan_code_is_used_for_a_file_without_a_kelurahan_column(
    tmp_path, run, verifikator, margahayu, code
):
    path = write(tmp_path, without_kelurahan(FAMILY_A), header=WITHOUT_KELURAHAN)
    run(path, "--kelurahan", code, "--commit", "--user", "hasan")
    assert ImportBatch.objects.get().kelurahan == margahayu
    assert Household.objects.get().kelurahan == margahayu


def test_a_file_without_a_kelurahan_column_and_no_code_imports_nothing(tmp_path, run, verifikator):
    path = write(tmp_path, without_kelurahan(FAMILY_A), header=WITHOUT_KELURAHAN)
    run_any(run, path, "--commit", "--user", "hasan")
    assert registry() == (0, 0, 0)


def test_an_operator_needs_no_code_for_a_file_without_a_kelurahan_column(
    tmp_path, run, operator, margahayu
):
    path = write(tmp_path, without_kelurahan(FAMILY_A), header=WITHOUT_KELURAHAN)
    run(path, "--commit", "--user", "dedi")
    assert Household.objects.get().kelurahan == margahayu


@pytest.mark.parametrize("code", ["3275999999", "32.75.99.9999", "32.75.01", "bekasi"])
def test_an_unknown_kelurahan_code_is_a_clear_error(tmp_path, refused, verifikator, code):
    message = refused(write(tmp_path, FAMILY_A), "--kelurahan", code, "--user", "hasan")
    assert code in message
    assert "kelurahan" in message.lower()
    assert not ImportBatch.objects.exists()


def test_an_operator_cannot_import_into_another_kelurahan(tmp_path, refused, operator, bintara):
    elsewhere = [line.replace("Margahayu", "Bintara") for line in FAMILY_A]
    message = refused(
        write(tmp_path, elsewhere), "--kelurahan", BINTARA_CODE, "--commit", "--user", "dedi"
    )
    assert message == "Anda hanya dapat mengimpor data untuk kelurahan tempat Anda bertugas."
    assert not ImportBatch.objects.exists()
    assert registry() == (0, 0, 0)


def test_an_operator_imports_for_their_own_kelurahan_by_default(
    tmp_path, run, operator, margahayu, bintara
):
    elsewhere = [line.replace("Margahayu", "Bintara") for line in FAMILY_B]
    out, _err = run(write(tmp_path, FAMILY_A + elsewhere), "--commit", "--user", "dedi")
    assert ImportBatch.objects.get().kelurahan == margahayu
    assert summary(out)["rows_error"] == 2  # the Bintara rows
    assert list(Household.objects.values_list("kelurahan__name", flat=True)) == ["Margahayu"]


# --format -------------------------------------------------------------------------------------

# Sex 1/2 and relationship 1 (head) / 2 (spouse) / 3 (child) as PBDT 2015 and Regsosek 2022
# code them; Jumlah Mobil 2 = none in both.
CODED_HOUSE = "Gg. Mawar 7;3;12;Margahayu;2;Ya"
CODED = [
    f"3275010502100007;3275011708850001;Budi Santoso;1;17-08-1985;1;{CODED_HOUSE}",
    f"3275010502100007;3275015203880002;Siti Aminah;2;12/03/1988;2;{CODED_HOUSE}",
    f"3275010502100007;3275010105150003;Rizky Santoso;1;2015-05-01;3;{CODED_HOUSE}",
]


@pytest.mark.parametrize("source_format", ["pbdt2015", "regsosek2022"])
def test_format_reads_the_codes_of_that_source(tmp_path, run, verifikator, source_format):
    out, _err = run(
        write(tmp_path, CODED), "--format", source_format, "--commit", "--user", "hasan"
    )
    assert summary(out)["rows_error"] == 0
    assert ImportBatch.objects.get().source_format == source_format
    household = Household.objects.get()
    assert household.car_count == 0
    assert household.head_name == "Budi Santoso"
    assert household.members.get(nik="3275015203880002").sex == Member.Sex.FEMALE


def test_the_default_format_refuses_census_codes(tmp_path, refused, verifikator):
    refused(write(tmp_path, CODED), "--user", "hasan")
    batch = ImportBatch.objects.get()
    assert batch.source_format == ImportBatch.SourceFormat.SLRT
    assert batch.counts["rows_error"] == 3


@pytest.mark.parametrize("name", ["pbdt2011", "PBDT", "xlsx", ""])
def test_an_unknown_format_is_refused(tmp_path, refused, verifikator, name):
    message = refused(write(tmp_path, FAMILY_A), "--format", name, "--user", "hasan")
    assert "--format" in message
    assert "pbdt2015" in message  # the names it accepts
    assert "regsosek2022" in message
    assert not ImportBatch.objects.exists()
