"""A ward file for the import benchmark: the demo registry's families as template rows.

One row per member with the household columns repeated, in the template's words (Kepala
Keluarga, Keramik, Ya/Tidak, 17-08-1985), from households.demo.DemoGenerator, so the rows are
realistic (NIK and KK structure, ages, assets) and deterministic for a seed.

    write_csv(path, rows=1_000_000)     write_xlsx(path, rows=100_000)
"""

import csv
from collections.abc import Iterator
from datetime import UTC, date
from pathlib import Path

from households.demo import DemoGenerator, KelurahanRef, ProgramIds
from households.demo.rows import ENROLMENT_COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from households.imports import choices, columns
from households.imports.template import template_columns

PROGRAM_IDS = ProgramIds(pkh=1, bpnt=2, pbi_jk=3, kip=4)
PROGRAM_CODES = {1: "pkh", 2: "bpnt", 3: "pbi-jk", 4: "kip"}
H = {name: i for i, name in enumerate(HOUSEHOLD_COLUMNS)}
M = {name: i for i, name in enumerate(MEMBER_COLUMNS)}
E = {name: i for i, name in enumerate(ENROLMENT_COLUMNS)}


def file_columns() -> list[columns.Column]:
    return [c for c in template_columns() if c.name != "kecamatan"]


def headers() -> list[str]:
    return [c.label for c in file_columns()]


def generate_rows(
    rows: int, *, kelurahan: list[tuple[int, str, str]], seed: int = 7
) -> Iterator[list[str]]:
    """`rows` member rows (whole families; the last one is cut at `rows`). `kelurahan` is
    (id, code, name) of the registry's kelurahan."""
    from datetime import datetime

    names = {pk: name for pk, _, name in kelurahan}
    generator = DemoGenerator(
        seed=seed,
        kelurahan=[KelurahanRef(id=pk, code=code) for pk, code, _ in kelurahan],
        programs=PROGRAM_IDS,
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    layout = file_columns()
    words = {c.name: _first_words(c.name) for c in layout if c.kind in _WORDED}
    written = 0
    for chunk in generator.chunks(max(1, rows // 3)):
        households = {row[H["id"]]: row for row in chunk.households}
        programs: dict[int, set[str]] = {}
        for enrolment in chunk.enrolments:
            if enrolment[E["status"]] == "active":
                programs.setdefault(enrolment[E["household_id"]], set()).add(
                    PROGRAM_CODES.get(enrolment[E["program_id"]], "")
                )
        for member in chunk.members:
            household = households[member[M["household_id"]]]
            enrolled = programs.get(household[H["id"]], set())
            yield [_cell(c, household, member, enrolled, names, words) for c in layout]
            written += 1
            if written == rows:
                return


_WORDED = (columns.SEX, columns.RELATIONSHIP, columns.CHOICE)


def _first_words(field: str) -> dict[object, str]:
    return {value: spellings[0] for value, spellings in choices.WORDS.get(field, {}).items()}


def _cell(column, household, member, enrolled, names, words) -> str:
    name = column.name
    if column.level == columns.PROGRAM:
        return "Ya" if column.program_code in enrolled else "Tidak"
    if name == "kelurahan":
        return names[household[H["kelurahan_id"]]]
    row, index = (household, H) if column.level == columns.HOUSEHOLD else (member, M)
    value = row[index[name]] if name in index else None
    if value is None or value == "":
        return ""
    if name in words:
        return words[name].get(value, "")
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def write_csv(path: Path, rows: int, kelurahan) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(headers())
        for row in generate_rows(rows, kelurahan=kelurahan):
            out.writerow(row)
            count += 1
    return count


def write_xlsx(path: Path, rows: int, kelurahan) -> int:
    """openpyxl's write-only mode, every cell a string (as a ward file typed as Text)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(headers())
    count = 0
    for row in generate_rows(rows, kelurahan=kelurahan):
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count
