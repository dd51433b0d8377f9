"""Issue 19, point 3: the NIK's shape was checked twice (households.nik and a fast copy in
households/imports/checks.py). households.nik is the one place now; an import reads a NIK
cell through it. These fail when a second copy of the rule appears, or when an import's
verdict on a NIK cell differs from households.nik's. Pure: no database."""

import re
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from households.imports.checks import RowChecker
from households.imports.readers import SourceRow
from households.imports.regions import RegionIndex
from households.nik import PROVINCE_CODES, nik_discrepancies, normalise_number, parse_nik
from households.reference import REGIONS_CSV

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "dashboards", "eligibility", "households", "referrals", "slrt")
# What a copy of the shape or birth-date rule looks like: the serial (digits 13-16) or the
# birth date (digits 7-12) cut out, serial 0000 refused, the province list consulted.
COPY = re.compile(r"\[12:\]|\[6:12\]|\"0000\"|in PROVINCE_CODES")
TODAY = date(2026, 12, 6)
CHECKER = RowChecker(
    regions=RegionIndex.from_csv(REGIONS_CSV),
    source_format="slrt",
    today=TODAY,
    default_kelurahan_id=None,
    allowed_kelurahan_ids=None,
)


def test_the_nik_rule_is_written_once():
    copies = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and COPY.search(path.read_text(encoding="utf-8"))
    )
    assert copies == ["households/nik.py"]


def _digits(n: int):
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


# NIK-like cells: well-shaped ones with real and unreal dates (women's day + 40, 29 February,
# serial 0000), wrong provinces and lengths, Excel's scientific notation, separators, a
# leading apostrophe, non-ASCII digits.
_WELL_SHAPED = st.builds(
    lambda province, region, day, month, year, serial: (
        f"{province:02d}{region}{day:02d}{month:02d}{year}{serial}"
    ),
    st.one_of(st.sampled_from(sorted(PROVINCE_CODES)), st.integers(0, 99)),
    _digits(4),
    st.one_of(st.integers(1, 31), st.integers(41, 71), st.integers(0, 99)),
    st.one_of(st.integers(1, 12), st.integers(0, 99)),
    _digits(2),
    st.one_of(_digits(4), st.just("0000"), st.just("9999")),
)
NIK_CELLS = st.one_of(
    _WELL_SHAPED,
    _WELL_SHAPED.map(lambda nik: f"{nik[:6]}.{nik[6:12]}.{nik[12:]}"),
    _WELL_SHAPED.map(lambda nik: "'" + nik),
    _WELL_SHAPED.map(lambda nik: nik[:-1]),
    _WELL_SHAPED.map(lambda nik: nik + "1"),
    st.text(alphabet="0123456789 .-'eE+,٣x", min_size=1, max_size=20),
    st.from_regex(r"\A[1-9]\.\d{1,5}E\+1[45]\Z"),
)


@settings(max_examples=300)  # pure and fast: no database, a few ms in all
@given(
    cell=NIK_CELLS,
    sex=st.sampled_from(["L", "P", ""]),
    born=st.one_of(st.none(), st.dates(date(1920, 1, 1), TODAY)),
)
@example(cell="3275011708850001", sex="L", born=date(1985, 8, 17))
@example(cell="3275015708850002", sex="L", born=date(1985, 8, 18))
@example(cell="3.27501E+15", sex="", born=None)
@example(cell="3275011111111111", sex="", born=None)
def test_an_imports_verdict_on_a_nik_is_households_niks(cell, sex, born):
    # given: a row whose NIK cell is `cell` (stripped, as the reader gives it; not blank)
    cell = cell.strip()
    assume(cell not in ("", "-", "--", ".", "?"))
    values = {"nik": cell, "sex": sex, "birth_date": born.strftime("%d-%m-%Y") if born else ""}
    CHECKER.issues.clear()
    CHECKER.first_row_of_nik.clear()  # the checker's NikReader keeps what it learnt
    # when
    row = CHECKER.row(SourceRow(number=2, values={k: v for k, v in values.items() if v}, raw=()))
    nik_issues = [i for i in CHECKER.issues if i.column == "nik"]
    # then: refused with households.nik's code, or accepted with its warnings
    nik = normalise_number(cell.lstrip("'"))
    refusal = _refusal(nik)
    if refusal is not None:
        assert "nik" not in row.member
        assert [i.code for i in nik_issues] == ["nik_" + IMPORT_CODES.get(refusal, refusal)]
        return
    assert row.member["nik"] == nik
    expected = nik_discrepancies(
        nik=nik,
        sex=row.member.get("sex"),
        birth_date=row.member.get("birth_date"),
        today=TODAY,
    )
    assert row.warnings == tuple(d.code for d in expected)
    assert parse_nik(nik, TODAY) == CHECKER.niks.parse(nik)
    truncated = ["nik_truncated"] if nik.endswith("000") else []
    assert [i.code for i in nik_issues] == truncated + [f"nik_{d.code}" for d in expected]


# households.nik's codes as an import names them (households.imports.checks._NIK_CODES)
IMPORT_CODES = {"excel_scientific": "excel", "not_digits": "digits", "serial_zero": "serial"}


def _refusal(nik: str) -> str | None:
    try:
        parse_nik(nik, TODAY)
    except ValidationError as error:
        return error.code
    return None
