"""The row pass on several processes gives what one process gives (households.imports.parallel),
and a CSV read in parts is the CSV read whole (SourceRows.parts). Pure: no database."""

import multiprocessing
from datetime import date

import pytest

from households.imports import parallel, readers
from households.imports.readers import read_sheet
from households.imports.regions import RegionIndex
from households.imports.validation import validate_rows
from households.reference import REGIONS_CSV

TODAY = date(2026, 11, 28)
REGIONS = RegionIndex.from_csv(REGIONS_CSV)
HEADER = ["No KK", "NIK", "Nama", "JK", "Tgl Lahir", "Hubungan", "Alamat", "RT", "RW", "Kelurahan",
          "Kecamatan"]  # fmt: skip
fork_only = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs fork"
)


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    """Parts of a few rows, and processes for any file: a test file has many parts."""
    monkeypatch.setattr(readers, "PART_ROWS", 5)
    monkeypatch.setattr(parallel, "MIN_ROWS", 0)


def family(kk: int, *, size: int = 3, **head_changes) -> list[list[str]]:
    number = f"32750102022{kk:05d}"
    year = 85 + kk % 10
    head = f"3275011708{year:02d}{kk:04d}"
    rows = [
        [number, head, f"Kepala {kk}", "L", f"17-08-19{year}", "Kepala Keluarga",
         f"Jl. Melati {kk}", "3", "5", "Bekasijaya", "Bekasi Timur"]
    ]  # fmt: skip
    for child in range(1, size):
        nik = f"32750157081{child}{kk:04d}"
        rows.append(
            [number, nik, f"Anak {kk}.{child}", "P", f"17-08-20{child:02d}", "Anak",
             "", "", "", "", ""]
        )  # fmt: skip
    for column, text in head_changes.items():
        rows[0][HEADER.index(column)] = text
    return rows


def ward_file(tmp_path, *, encoding="utf-8", newline="\r\n", name="ward.csv"):
    """Families clean and not: a NIK twice (the second one parts later, truncated, and with a
    sex that disagrees), two heads, a bad date, a kecamatan elsewhere, a family split by rows
    of another, a quoted cell over two lines, blank rows; across many parts."""
    rows = [["Data keluarga RT 03"], [], HEADER]
    for kk in range(1, 40):
        rows += family(kk)
    rows += family(40, Kecamatan="Bantargebang")
    rows += family(41, **{"Tgl Lahir": "31-02-1980"})
    rows += family(42)[:1] + family(43) + family(42)[1:]  # family 42 around family 43
    twins = family(44)
    twins[1][HEADER.index("Hubungan")] = "Kepala Keluarga"
    rows += twins
    rows.append([])
    repeated = family(45)
    repeated[2][1] = family(2)[1][1]  # the NIK of family 2's head, parts before
    rows += repeated
    truncated = family(46)
    truncated[1][1:4] = ["3275015708871000", "Siti", "L"]  # a woman's NIK, ends in 000
    rows += truncated + [list(truncated[1])]  # ... and that row twice
    rows += family(47, Alamat='"Jl. Mawar 2\r\nBlok C"')
    for kk in range(48, 60):
        rows += family(kk, size=2)
    text = newline.join(";".join(cells) for cells in rows) + newline
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path):
    return read_sheet(path, filename=path.name, max_bytes=2**30, max_rows=10_000)


def check(rows, processes: int):
    return validate_rows(rows, regions=REGIONS, today=TODAY, processes=processes)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_csv_read_in_parts_is_the_csv_read_whole(tmp_path, encoding):
    sheet = read(ward_file(tmp_path, encoding=encoding))
    parts = sheet.rows.parts()
    assert parts is not None
    assert len(parts) > 10
    whole = list(sheet.rows)
    assert [row for part in parts for row in part] == whole
    assert [len(part) for part in parts] == [len(list(part)) for part in parts]
    assert sum(len(part) for part in parts) == len(sheet.rows) == len(whole)


def test_files_that_cannot_be_cut_at_byte_offsets_are_read_whole(tmp_path):
    utf16 = read(ward_file(tmp_path, encoding="utf-16", name="utf16.csv"))
    old_mac = read(ward_file(tmp_path, newline="\r", name="mac.csv"))
    unix = read(ward_file(tmp_path, newline="\n", name="unix.csv"))
    assert utf16.rows.parts() is None
    assert old_mac.rows.parts() is None
    assert unix.rows.parts() is not None
    assert list(utf16.rows) == list(old_mac.rows) == list(unix.rows)


@fork_only
def test_rows_checked_by_two_processes_are_the_rows_checked_by_one(tmp_path):
    rows = read(ward_file(tmp_path)).rows
    one, two = check(rows, 1), check(rows, 2)
    assert two.rows == one.rows
    assert two.issues == one.issues
    assert two.error_rows == one.error_rows
    assert (two.row_count, two.family_count) == (one.row_count, one.family_count)
    codes = {i.code for i in one.issues}  # the file has what the comparison is about
    assert {"nik_twice_in_file", "head_twice", "kecamatan_mismatch", "family_has_errors"} <= codes
    assert {"nik_truncated", "nik_sex_mismatch"} <= codes
    repeated = [i for i in one.issues if i.code == "nik_twice_in_file"]
    assert len(repeated) == 2
    assert one.rows
    assert one.error_rows


@fork_only
def test_progress_is_reported_as_rows_come_back(tmp_path, monkeypatch):
    from households.imports import validation

    monkeypatch.setattr(validation, "PROGRESS_STEP", 10)
    rows = read(ward_file(tmp_path)).rows
    done: list[int] = []
    validate_rows(rows, regions=REGIONS, today=TODAY, processes=2, on_progress=done.append)
    assert done == list(range(10, len(rows) + 1, 10))


def test_no_processes_where_forking_is_impossible_or_not_allowed(monkeypatch):
    assert parallel.usable_processes(1) == 1
    monkeypatch.setattr(multiprocessing, "current_process", lambda: _Daemonic())
    assert parallel.usable_processes(2) == 1
    monkeypatch.undo()
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.usable_processes(2) == 1


class _Daemonic:
    daemon = True


def _check_in_daemon(path, queue) -> None:
    rows = read(path).rows
    result = check(rows, parallel.usable_processes(2))
    queue.put((len(result.rows), len(result.issues), sorted(result.error_rows)))


@fork_only
def test_a_daemonic_process_checks_the_rows_itself(tmp_path):
    """As in a Celery prefork worker, whose children may not have children of their own."""
    path = ward_file(tmp_path)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_check_in_daemon, args=(path, queue), daemon=True)
    worker.start()
    found = queue.get(timeout=60)
    worker.join(timeout=60)
    assert worker.exitcode == 0
    one = check(read(path).rows, 1)
    assert found == (len(one.rows), len(one.issues), sorted(one.error_rows))


@fork_only
def test_an_error_in_a_process_is_raised_here(tmp_path, monkeypatch):
    def broken(self, source):
        raise ValueError("cell parser broke")

    rows = read(ward_file(tmp_path)).rows
    monkeypatch.setattr(parallel.RowChecker, "row", broken)  # the children inherit it
    with pytest.raises(RuntimeError, match="cell parser broke"):
        check(rows, 2)
