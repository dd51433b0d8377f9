"""Issue 22: an extract in, matched to the registry, and each kind of case with its count."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from households.models import Member
from national.models import Extract, ExtractFamily, ReconciliationCase
from national.reconcile import reconcile_household
from national.services import close_case, import_extract
from tests.households.factories import household_with_members, make_kk, make_nik
from tests.national.builders import family_rows, write_extract

pytestmark = pytest.mark.django_db

Kind = ReconciliationCase.Kind
AS_OF = datetime.date(2026, 9, 30)


@pytest.fixture
def registry(margahayu, bintara):
    """One family of each situation; "poor" is the seeded definition (desil 1-4 or income
    below the poverty line), the exclusions the seeded rules (a car, ...)."""
    poor = {"welfare_decile": 3, "monthly_income": 500_000}
    well_off = {"welfare_decile": 9, "monthly_income": 40_000_000}
    return {
        "agrees": household_with_members(margahayu, **poor),
        "unregistered": household_with_members(margahayu, **poor),
        "poor_high_desil": household_with_members(margahayu, **poor),
        "car_low_desil": household_with_members(bintara, car_count=1, **well_off),
        "differs": household_with_members(margahayu, **poor),
        "by_kk": household_with_members(margahayu, **poor),
        "well_off": household_with_members(margahayu, **well_off),
    }


def _stranger_rows(margahayu, *, desil: int, count: int = 2) -> list[str]:
    kk = make_kk()
    birth = datetime.date(1980, 1, 2)
    return [
        f"{kk};{make_nik(birth=birth)};Warga Baru {i};02-01-1980;{margahayu.code};{desil};Ya"
        for i in range(count)
    ]


def _extract_file(tmp_path, registry, margahayu, name="dtsen.csv"):
    r = registry
    head = r["differs"].members.order_by("pk").first()
    rows = [
        *family_rows(r["agrees"], desil=2, pkh=True),
        *family_rows(r["poor_high_desil"], desil=8),
        *family_rows(r["car_low_desil"], desil=2, pkh=True),
        *family_rows(r["differs"], desil=3, names={head.nik: "Nama Lain Sekali"}),
        *family_rows(r["well_off"], desil=10),
        *_stranger_rows(margahayu, desil=3),  # only in DTSEN, aid-targeted: a visit
        *_stranger_rows(margahayu, desil=9),  # only in DTSEN, better off: nothing to do
    ]
    # a family known by its KK only: DTSEN has people the registry does not
    birth = datetime.date(2001, 5, 6)
    rows.append(
        f"{r['by_kk'].kk_number};{make_nik(birth=birth)};Anak Baru;06-05-2001;"
        f"{margahayu.code};2;Tidak"
    )
    return write_extract(tmp_path / name, rows)


def _counts(extract) -> dict[str, int]:
    counts = dict.fromkeys(Kind.values, 0)
    for case in ReconciliationCase.objects.filter(extract=extract).open():
        counts[case.kind] += 1
    return counts


def test_an_extract_makes_each_kind_of_case_with_its_count(
    tmp_path, registry, margahayu, data_steward
):
    path = _extract_file(tmp_path, registry, margahayu)

    imported = import_extract(path=path, filename="dtsen.csv", as_of=AS_OF, by=data_steward)

    extract = imported.extract
    assert extract.status == Extract.Status.COMPLETE
    assert (extract.quarter, extract.rejected) == ("2026-Q3", 0)
    assert extract.families == 8
    assert _counts(extract) == {
        Kind.UNREGISTERED: 1,
        Kind.DESIL_MISMATCH: 2,
        Kind.NATIONAL_ONLY: 1,
        Kind.DATA_DIFFERS: 1,
    }
    cases = ReconciliationCase.objects.filter(extract=extract)
    assert cases.get(kind=Kind.UNREGISTERED).household == registry["unregistered"]
    poor_high = cases.get(kind=Kind.DESIL_MISMATCH, finding="poor")
    assert (poor_high.household, poor_high.desil) == (registry["poor_high_desil"], 8)
    assert poor_high.action == ReconciliationCase.Action.PROPOSE_CORRECTION
    excluded = cases.get(kind=Kind.DESIL_MISMATCH, finding="excluded")
    assert excluded.household == registry["car_low_desil"]
    assert excluded.action == ReconciliationCase.Action.PROPOSE_EXIT
    assert "car_owner" in excluded.rule_codes
    differs = cases.get(kind=Kind.DATA_DIFFERS)
    assert (differs.household, differs.fields.split()) == (registry["differs"], ["name"])
    visit = cases.get(kind=Kind.NATIONAL_ONLY)
    assert (visit.household, visit.kelurahan, visit.desil) == (None, margahayu, 3)


def test_families_match_by_nik_then_by_kk(tmp_path, registry, margahayu, data_steward):
    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    by_kk = ExtractFamily.objects.get(extract=extract, kk_number=registry["by_kk"].kk_number)
    assert by_kk.household == registry["by_kk"]
    # a family whose people are registered under another KK is theirs (NIK first)
    agrees = ExtractFamily.objects.get(extract=extract, kk_number=registry["agrees"].kk_number)
    assert agrees.household == registry["agrees"]
    assert agrees.program_codes == ["pkh"]


def test_a_percentile_extract_is_mapped_to_desil(tmp_path, registry, margahayu, data_steward):
    rows = [r.rsplit(";", 2)[0] + ";85;Tidak" for r in family_rows(registry["agrees"], desil=1)]
    header = "No KK;NIK;Nama;Tanggal Lahir;Kelurahan;Persentil;PKH"
    path = write_extract(tmp_path / "dtks.csv", rows, header)
    extract = import_extract(path=path, filename="dtks.csv", as_of=AS_OF, by=data_steward).extract
    assert extract.uses_percentile
    family = ExtractFamily.objects.get(extract=extract)
    assert family.desil == 9  # percentile 81-90


def test_every_quarter_is_kept_and_the_same_file_again_changes_nothing(
    tmp_path, registry, margahayu, data_steward
):
    path = _extract_file(tmp_path, registry, margahayu)
    first = import_extract(path=path, filename="q3.csv", as_of=AS_OF, by=data_steward)
    again = import_extract(path=path, filename="q3.csv", as_of=AS_OF, by=data_steward)
    assert not again.created
    assert again.extract == first.extract
    later = _extract_file(tmp_path, registry, margahayu, name="q4.csv")
    second = import_extract(
        path=later, filename="q4.csv", as_of=datetime.date(2026, 12, 1), by=data_steward
    ).extract
    assert second.quarter == "2026-Q4"
    assert ExtractFamily.objects.filter(extract=first.extract).count() == 8
    assert ExtractFamily.objects.filter(extract=second).count() == 8
    assert ReconciliationCase.objects.filter(extract=first.extract).exists()


def test_rows_with_errors_are_left_out_and_reported(tmp_path, registry, margahayu, data_steward):
    good = family_rows(registry["agrees"], desil=2)
    bad = [
        f"{registry['by_kk'].kk_number};12345;Tanpa NIK;01-01-1990;{margahayu.code};2;Tidak",
        f"{make_kk()};{make_nik(birth=datetime.date(1990, 1, 1))};Desil Salah;01-01-1990;"
        f"{margahayu.code};11;Tidak",
        f"{make_kk()};{make_nik(birth=datetime.date(1990, 1, 1))};Tempat Salah;01-01-1990;"
        f"Atlantis;2;Tidak",
        good[0],  # the same NIK twice
    ]
    path = write_extract(tmp_path / "x.csv", [*good, *bad])
    extract = import_extract(path=path, filename="x.csv", as_of=AS_OF, by=data_steward).extract
    assert (extract.rows, extract.members, extract.rejected) == (len(good) + 4, len(good), 4)
    issues = {(i.row_number, i.column, i.code) for i in extract.issues.all()}
    first_bad = len(good) + 2
    assert (first_bad, "nik", "nik_length") in issues or any(
        row == first_bad and column == "nik" for row, column, _code in issues
    )
    assert any(row == first_bad + 1 and col == "welfare_decile" for row, col, _c in issues)
    assert any(row == first_bad + 2 and col == "kelurahan" for row, col, _c in issues)
    assert any(code == "nik_repeated" for _row, _col, code in issues)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("dtsen.pdf", b"%PDF-1.4 nothing", "not_spreadsheet"),
        ("dtsen.csv", b"", "empty"),
        ("dtsen.csv", b"No KK;NIK;Nama\n1;2;3\n", "missing_columns"),
        ("dtsen.xlsx", b"PK\x03\x04 broken zip", "corrupt"),
    ],
)
def test_a_file_that_cannot_be_read_fails_with_a_reason(
    tmp_path, data_steward, reference_data, name, content, code
):
    path = tmp_path / name
    path.write_bytes(content)
    extract = import_extract(path=path, filename=name, as_of=AS_OF, by=data_steward).extract
    assert extract.status == Extract.Status.FAILED
    assert extract.error_text
    assert not ExtractFamily.objects.filter(extract=extract).exists()


def test_a_formula_in_a_cell_is_stored_as_text_and_reported_safely(
    tmp_path, registry, data_steward
):
    rows = family_rows(registry["agrees"], desil=2, names={})
    kk, nik, _name, *rest = rows[0].split(";")
    rows[0] = ";".join([kk, nik, '=HYPERLINK("http://x")', *rest])
    path = write_extract(tmp_path / "f.csv", rows)
    extract = import_extract(path=path, filename="f.csv", as_of=AS_OF, by=data_steward).extract
    stored = extract.member_rows.get(nik=nik)
    assert stored.name.startswith("=")  # data, never evaluated here; exports neutralise it


def test_a_future_date_is_refused(tmp_path, data_steward, reference_data):
    path = write_extract(tmp_path / "f.csv", [])
    with pytest.raises(ValidationError) as excinfo:
        import_extract(
            path=path, filename="f.csv", as_of=datetime.date(2999, 1, 1), by=data_steward
        )
    assert excinfo.value.code == "future"


def test_only_the_importers_import(tmp_path, pendamping, reference_data):
    path = write_extract(tmp_path / "f.csv", [])
    with pytest.raises(PermissionDenied):
        import_extract(path=path, filename="f.csv", as_of=AS_OF, by=pendamping)


def test_a_registry_change_recomputes_that_households_cases(
    tmp_path, registry, margahayu, data_steward
):
    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    differs = registry["differs"]
    head = differs.members.order_by("pk").first()
    # the facilitator corrects the name to the one DTSEN has
    Member.objects.filter(pk=head.pk).update(name="Nama Lain Sekali")
    reconcile_household(differs.pk)
    assert _counts(extract)[Kind.DATA_DIFFERS] == 0
    # a poor family leaves the poor: its "not registered nationally" case goes
    unregistered = registry["unregistered"]
    type(unregistered).objects.filter(pk=unregistered.pk).update(
        welfare_decile=9, monthly_income=40_000_000
    )
    reconcile_household(unregistered.pk)
    assert _counts(extract)[Kind.UNREGISTERED] == 0
    # the registry gets the family only DTSEN had: the visit is no longer needed
    visit = ReconciliationCase.objects.get(extract=extract, kind=Kind.NATIONAL_ONLY)
    newcomer = household_with_members(margahayu, size=1, kk_number=visit.family.kk_number)
    reconcile_household(newcomer.pk)
    assert _counts(extract)[Kind.NATIONAL_ONLY] == 0


def test_the_whole_city_recompute_gives_the_same_cases_as_per_household(
    tmp_path, registry, margahayu, data_steward
):
    from national.reconcile import reconcile_extract

    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    before = _counts(extract)
    for household in registry.values():
        reconcile_household(household.pk)
    assert _counts(extract) == before
    reconcile_extract(extract.pk)
    assert _counts(extract) == before


def test_a_closed_case_stays_closed_after_a_recompute(
    tmp_path, registry, margahayu, data_steward, verifikator
):
    from national.reconcile import reconcile_extract

    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    case = ReconciliationCase.objects.get(extract=extract, kind=Kind.UNREGISTERED)
    close_case(case=case, by=verifikator, note="Sudah diusulkan lewat SIKS-NG")
    reconcile_extract(extract.pk)
    assert _counts(extract)[Kind.UNREGISTERED] == 0
    assert ReconciliationCase.objects.get(pk=case.pk).status == "closed"


def test_closing_needs_a_note_and_happens_once(
    tmp_path, registry, margahayu, data_steward, pendamping
):
    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    case = ReconciliationCase.objects.get(extract=extract, kind=Kind.NATIONAL_ONLY)
    with pytest.raises(ValidationError) as excinfo:
        close_case(case=case, by=pendamping, note="  ")
    assert excinfo.value.code == "note_required"
    stale = ReconciliationCase.objects.get(pk=case.pk)
    close_case(case=case, by=pendamping, note="Dikunjungi, keluarga sudah pindah")
    with pytest.raises(ValidationError) as excinfo:
        close_case(case=stale, by=pendamping, note="lagi")
    assert excinfo.value.code == "stale"


def test_a_case_outside_the_closers_kelurahan_is_not_found(
    tmp_path, registry, margahayu, data_steward, pendamping
):
    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    in_bintara = ReconciliationCase.objects.get(extract=extract, finding="excluded")
    with pytest.raises(Http404):
        close_case(case=in_bintara, by=pendamping, note="bukan wilayah saya")


def test_the_whole_city_recompute_matches_families_again(
    tmp_path, registry, margahayu, data_steward
):
    """reconcile_extract matches the stored families again (national.reconcile.match_extract):
    a family DTSEN alone had is the household registered since; the others keep theirs."""
    from national.reconcile import reconcile_extract

    path = _extract_file(tmp_path, registry, margahayu)
    extract = import_extract(path=path, filename="a.csv", as_of=AS_OF, by=data_steward).extract
    matched = dict(
        ExtractFamily.objects.filter(extract=extract).values_list("kk_number", "household_id")
    )
    visit = ReconciliationCase.objects.get(extract=extract, kind=Kind.NATIONAL_ONLY)
    newcomer = household_with_members(margahayu, size=1, kk_number=visit.family.kk_number)

    reconcile_extract(extract.pk)

    now = dict(
        ExtractFamily.objects.filter(extract=extract).values_list("kk_number", "household_id")
    )
    assert now == {**matched, visit.family.kk_number: newcomer.pk}
    assert _counts(extract)[Kind.NATIONAL_ONLY] == 0
