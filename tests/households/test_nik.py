"""NIK and KK structure on real shapes (DOMAIN.md section 3). Pure: no database."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from households.nik import (
    nik_discrepancies,
    normalise_number,
    parse_kk_registration_date,
    parse_nik,
    validate_kk,
    validate_nik,
)

TODAY = date(2026, 11, 28)


def _code(value: str, validator=validate_nik) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value, TODAY) if validator is validate_nik else validator(value)
    return excinfo.value.code


def test_man_born_17_august_1985():
    parts = parse_nik("3275011708850001", TODAY)
    assert (parts.sex, parts.birth_date, parts.region_code) == ("male", date(1985, 8, 17), "327501")


def test_woman_day_plus_40():
    parts = parse_nik("3275015708850002", TODAY)  # 57 = 17 + 40
    assert (parts.sex, parts.birth_date) == ("female", date(1985, 8, 17))


def test_century_chosen_so_age_is_plausible():
    assert parse_nik("3275010101200003", TODAY).birth_date == date(2020, 1, 1)
    assert parse_nik("3275010101300003", TODAY).birth_date == date(1930, 1, 1)


def test_29_february_in_a_leap_year_is_accepted():
    assert parse_nik("3275012902000004", TODAY).birth_date == date(2000, 2, 29)
    assert parse_nik("3275016902960005", TODAY).birth_date == date(1996, 2, 29)  # woman


def test_29_february_in_a_common_year_is_refused():
    assert _code("3275012902010004") == "birth_date"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("327501170885001", "length"),  # 15 digits
        ("32750117088500011", "length"),  # 17 digits
        ("32750117O8850001", "not_digits"),  # letter O for zero
        ("3.27501E+15", "excel_scientific"),
        ("3,27501E+15", "excel_scientific"),
        ("3275011708850000", "serial_zero"),
        ("0075011708850001", "province"),
        ("9975011708850001", "province"),
        ("3275013208850001", "birth_date"),  # day 32
        ("3275017208850001", "birth_date"),  # day 72 (woman, 32)
        ("3275011713850001", "birth_date"),  # month 13
        ("3275010008850001", "birth_date"),  # day 00
        ("３２７５０１１７０８８５０００１", "not_digits"),  # full-width digits
    ],
)
def test_hard_errors_refuse_the_nik(value, code):
    assert _code(value) == code


def test_typed_separators_are_dropped_but_excel_notation_is_kept_to_be_reported():
    assert normalise_number(" 3275 0117 0885 0001 ") == "3275011708850001"
    assert normalise_number("3275.0117.0885.0001") == "3275011708850001"
    assert normalise_number("3.27501E+15") == "3.27501E+15"


def test_excel_message_says_the_digits_are_lost():
    with pytest.raises(ValidationError) as excinfo:
        validate_nik("3.27501E+15", TODAY)
    assert "3.27501E+15" in excinfo.value.messages[0]


def test_kk_number_has_a_registration_date_without_plus_40():
    validate_kk("3275010502100007")
    assert _code("3275014502100007", validate_kk) == "registration_date"
    assert _code("3275010502100000", validate_kk) == "serial_zero"
    assert _code("327501050210", validate_kk) == "length"


def test_sex_disagreement_is_a_warning():
    found = nik_discrepancies(
        nik="3275015708850002", sex="male", birth_date=date(1985, 8, 17), today=TODAY
    )
    assert [d.code for d in found] == ["sex_mismatch"]


def test_birth_date_disagreement_is_a_warning():
    found = nik_discrepancies(
        nik="3275011708850001", sex="male", birth_date=date(1985, 8, 18), today=TODAY
    )
    assert [d.code for d in found] == ["birth_date_mismatch"]
    assert "17-08-1985" in found[0].message


def test_a_nik_that_agrees_with_the_record_has_no_warnings():
    assert (
        nik_discrepancies(
            nik="3275015708850002", sex="female", birth_date=date(1985, 8, 17), today=TODAY
        )
        == []
    )


@pytest.mark.parametrize("nik", ["3275011111111111", "3275011708859999"])
def test_placeholder_looking_niks_are_a_warning(nik):
    found = nik_discrepancies(nik=nik, sex=None, birth_date=None, today=TODAY)
    assert [d.code for d in found] == ["placeholder"]


def test_a_kk_registration_year_in_the_future_belongs_to_the_1900s():
    today = date(2026, 11, 28)
    assert parse_kk_registration_date("3275010101800001", today) == date(1980, 1, 1)
    assert parse_kk_registration_date("3275010101200001", today) == date(2020, 1, 1)
    assert parse_kk_registration_date("3275012811260001", today) == date(2026, 11, 28)
    assert parse_kk_registration_date("3275012911260001", today) == date(1926, 11, 29)
