"""Matching an extract to the registry and the reconciliation cases: set-based SQL, on
SQLite and PostgreSQL alike (no Python loop over families).

Matching: a family of the extract is the registry's household of one of its members, found
by NIK; failing that, the household with its KK number (`_matched`, the one place of that
rule). An import stages its families in a temporary table and inserts them matched
(insert_families): the 800,000 families of the city are written once. Before, they were
COPYed, then three UPDATEs (all to NULL, by NIK, by KK) rewrote each row and its indexes
(measured in bench/README.md, bench_dtsen.py, 2026-12-06 evening). A recompute of a stored
extract (match_extract) writes only the families whose household changed.

Cases, for one extract (the latest, the one the queue shows):
- unregistered: a household poor by the active rule set's definition ("poor",
  eligibility.selectors.poor_definition) that no family of the extract matched → usulan baru;
- desil_mismatch: a matched family at desil ≥ NATIONAL_MISMATCH_MIN_DESIL whose household is
  poor → usulan perbaikan; or at desil ≤ NATIONAL_AID_MAX_DESIL whose household an exclusion
  rule of the active set catches (car, ASN/TNI/Polri, electricity) → usulan keluar; `rules`
  names the rules;
- national_only: a family of the extract at desil ≤ NATIONAL_AID_MAX_DESIL that matched no
  household → kunjungan verifikasi. Only the aid-targeted desil: DTSEN lists every family of
  the city (800,000) and the registry holds the poor (300,000); a visit to each better-off
  family the registry does not hold would be half a million tasks nobody can do;
- data_differs: a person of the extract whose NIK is a registry member with another name,
  birth date, KK number or kelurahan → data correction; `fields` names them.

A recompute deletes the extract's open cases and inserts them again; a closed case stays
closed (and is not opened again for the same family, person and kind of the same extract).
One household (after it was saved) is recomputed alone: a few indexed statements.
"""

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from eligibility.fields import annotate
from eligibility.selectors import exclusion_criteria, poor_definition
from households.models import Household, Member
from national.hooks import reconciled
from national.models import Extract, ExtractFamily, ExtractMember, ReconciliationCase

F = ExtractFamily._meta.db_table
EM = ExtractMember._meta.db_table
H = Household._meta.db_table
M = Member._meta.db_table
C = ReconciliationCase._meta.db_table
Kind = ReconciliationCase.Kind
Action = ReconciliationCase.Action

_CASE_COLUMNS = (
    "created_at, updated_at, extract_id, kind, action, kelurahan_id, household_id, family_id, "
    "desil, finding, rules, nik, fields, status, note"
)


def latest_extract() -> Extract | None:
    return Extract.objects.filter(status=Extract.Status.COMPLETE).order_by("-as_of", "-pk").first()


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _poor(household_id: int | None) -> tuple[str, list] | None:
    poor = poor_definition()
    if poor is None:
        return None
    households = Household.objects.all()
    if household_id is not None:
        households = households.filter(pk=household_id)
    from eligibility.conditions import CODES, fields_used
    from eligibility.fields import TYPES

    fields = [n for n in fields_used(poor.condition) if TYPES[n] != CODES]
    return _sql(annotate(households, fields).filter(poor.q))


def _excluded(household_id: int | None) -> list[tuple[str, tuple[str, list]]]:
    from eligibility.conditions import CODES, fields_used
    from eligibility.fields import TYPES

    rules = []
    for rule in exclusion_criteria():
        households = Household.objects.all()
        if household_id is not None:
            households = households.filter(pk=household_id)
        fields = [n for n in fields_used(rule.condition) if TYPES[n] != CODES]
        rules.append((rule.rule.code, _sql(annotate(households, fields).filter(rule.q))))
    return rules


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _matched(families: str) -> str:
    """FROM-clause joins giving each family of `families` (an alias with a kk_number) its
    household as `COALESCE(n.household_id, h.id)`: the registry's household of one of its
    members, found by NIK (the lowest id if they are in several), failing that the household
    with its KK number. One parameter: the extract's id."""
    return (
        f"LEFT JOIN (SELECT em.kk_number, MIN(m.household_id) AS household_id "
        f"FROM {EM} em JOIN {M} m ON m.nik = em.nik WHERE em.extract_id = %s "
        f"GROUP BY em.kk_number) n ON n.kk_number = {families}.kk_number "
        f"LEFT JOIN {H} h ON h.kk_number = {families}.kk_number"
    )


def _analyze(*tables: str) -> None:
    if connection.vendor == "postgresql":
        # Millions of rows just written in this transaction: the planner needs their
        # statistics for the joins (without, it guesses a nested loop over 2.6 million
        # members).
        for table in tables:
            _execute(f"ANALYZE {table}", [])


STAGED = "national_staged_family"
STAGED_COLUMNS = (
    "position",
    "kk_number",
    "kelurahan_id",
    "desil",
    "programs",
    "head_name",
    "member_count",
)


def stage_families() -> str:
    """A temporary table for an extract's families before they are matched (dropped by
    insert_families)."""
    _execute(f"DROP TABLE IF EXISTS {STAGED}", [])
    _execute(
        f"CREATE TEMPORARY TABLE {STAGED} (position integer, kk_number varchar(16), "
        f"kelurahan_id integer, desil smallint, programs varchar(100), "
        f"head_name varchar(150), member_count integer)",
        [],
    )
    return STAGED


def insert_families(extract_id: int) -> None:
    """The staged families into the extract, each with its household (`_matched`), in the
    order they were staged, and the staging table dropped. Matched as they are written, the
    800,000 families of the city are written once: no UPDATE rewrites them and their
    indexes afterwards."""
    _analyze(EM, STAGED)
    _execute(
        f"INSERT INTO {F} (extract_id, kk_number, kelurahan_id, desil, programs, head_name, "
        f"member_count, household_id) "
        f"SELECT %s, s.kk_number, s.kelurahan_id, s.desil, s.programs, s.head_name, "
        f"s.member_count, COALESCE(n.household_id, h.id) FROM {STAGED} s {_matched('s')} "
        f"ORDER BY s.position",
        [extract_id, extract_id],
    )
    _execute(f"DROP TABLE {STAGED}", [])
    _analyze(F)


def match_extract(extract_id: int) -> None:
    """Every family of a stored extract to its household again (`_matched`); only the
    families whose household changed are written."""
    _analyze(EM, F)
    _execute(
        f"UPDATE {F} SET household_id = x.household_id FROM ("
        f"  SELECT f.id, COALESCE(n.household_id, h.id) AS household_id FROM {F} f "
        f"  {_matched('f')} WHERE f.extract_id = %s"
        f") x WHERE {F}.id = x.id "
        f"AND COALESCE({F}.household_id, 0) <> COALESCE(x.household_id, 0)",
        [extract_id, extract_id],
    )


def _match_household(extract_id: int, household: Household) -> list[int]:
    """One household's families again (its KK or its people may have changed); returns the
    families it had, which may now be nobody's."""
    before = list(
        ExtractFamily.objects.filter(extract_id=extract_id, household_id=household.pk).values_list(
            "pk", flat=True
        )
    )
    ExtractFamily.objects.filter(pk__in=before).update(household=None)
    niks = Member.objects.filter(household_id=household.pk).values("nik")
    by_nik = ExtractMember.objects.filter(extract_id=extract_id, nik__in=niks).values("kk_number")
    ExtractFamily.objects.filter(
        extract_id=extract_id, household__isnull=True, kk_number__in=by_nik
    ).update(household=household)
    matched_elsewhere = ExtractMember.objects.filter(
        extract_id=extract_id,
        kk_number=household.kk_number,
        nik__in=Member.objects.exclude(household_id=household.pk).values("nik"),
    )
    if not matched_elsewhere.exists():
        ExtractFamily.objects.filter(
            extract_id=extract_id, household__isnull=True, kk_number=household.kk_number
        ).update(household=household)
    return before


def _not_closed(kind: str, key: str, value: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM {C} c WHERE c.extract_id = %s AND c.status = 'closed' "
        f"AND c.kind = '{kind}' AND c.{key} = {value})"
    )


def _insert(select: str, params: list) -> int:
    return _execute(f"INSERT INTO {C} ({_CASE_COLUMNS}) {select}", params)


def _insert_cases(extract_id: int, household_id: int | None, families: list[int] | None) -> None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    head = "SELECT %s, %s, %s, "  # created_at, updated_at, extract_id
    base = [now, now, extract_id]
    mismatch_min = settings.NATIONAL_MISMATCH_MIN_DESIL
    aid_max = settings.NATIONAL_AID_MAX_DESIL
    only_h, only_h_params = ("", []) if household_id is None else (" AND h.id = %s", [household_id])

    poor = _poor(household_id)
    if poor is not None:
        poor_sql, poor_params = poor
        # unregistered: poor here, absent there
        _insert(
            head + f"'{Kind.UNREGISTERED}', '{Action.PROPOSE_NEW}', h.kelurahan_id, h.id, NULL, "
            f"NULL, 'poor', '', '', '', 'open', '' FROM {H} h "
            f"WHERE h.id IN ({poor_sql}){only_h} "
            f"AND NOT EXISTS (SELECT 1 FROM {F} f "
            f"WHERE f.extract_id = %s AND f.household_id = h.id) "
            f"AND {_not_closed(Kind.UNREGISTERED, 'household_id', 'h.id')}",
            [*base, *poor_params, *only_h_params, extract_id, extract_id],
        )
        # desil_mismatch: poor here, well-off there
        _insert(
            head + f"'{Kind.DESIL_MISMATCH}', '{Action.PROPOSE_CORRECTION}', h.kelurahan_id, h.id, "
            f"f.id, f.desil, 'poor', '', '', '', 'open', '' FROM {F} f JOIN {H} h "
            f"ON h.id = f.household_id WHERE f.extract_id = %s AND f.desil >= %s "
            f"AND h.id IN ({poor_sql}){only_h} "
            f"AND {_not_closed(Kind.DESIL_MISMATCH, 'family_id', 'f.id')}",
            [*base, extract_id, mismatch_min, *poor_params, *only_h_params, extract_id],
        )
    excluded = _excluded(household_id)
    if excluded:
        union = " UNION ".join(sql for _code, (sql, _params) in excluded)
        union_params = [p for _code, (_sql_, params) in excluded for p in params]
        # desil_mismatch: aid-targeted there, excluded by the city's rules here
        _insert(
            head + f"'{Kind.DESIL_MISMATCH}', '{Action.PROPOSE_EXIT}', h.kelurahan_id, h.id, "
            f"f.id, f.desil, 'excluded', '', '', '', 'open', '' FROM {F} f JOIN {H} h "
            f"ON h.id = f.household_id WHERE f.extract_id = %s AND f.desil <= %s "
            f"AND h.id IN ({union}){only_h} "
            f"AND {_not_closed(Kind.DESIL_MISMATCH, 'family_id', 'f.id')}",
            [*base, extract_id, aid_max, *union_params, *only_h_params, extract_id],
        )
        for code, (sql, params) in excluded:  # which rules: the facts behind the case
            _execute(
                f"UPDATE {C} SET rules = rules || %s WHERE extract_id = %s AND status = 'open' "
                f"AND kind = '{Kind.DESIL_MISMATCH}' AND finding = 'excluded' "
                f"AND household_id IN ({sql})"
                + ("" if household_id is None else " AND household_id = %s"),
                [f"{code} ", extract_id, *params]
                + ([] if household_id is None else [household_id]),
            )
    # national_only: aid-targeted there, unknown here
    if families is None or families:
        only_f, only_f_params = "", []
        if families is not None:
            only_f = f" AND f.id IN ({', '.join(['%s'] * len(families))})"
            only_f_params = list(families)
        _insert(
            head + f"'{Kind.NATIONAL_ONLY}', '{Action.VISIT}', f.kelurahan_id, NULL, f.id, "
            f"f.desil, '', '', '', '', 'open', '' FROM {F} f "
            f"WHERE f.extract_id = %s AND f.household_id IS NULL AND f.desil <= %s{only_f} "
            f"AND {_not_closed(Kind.NATIONAL_ONLY, 'family_id', 'f.id')}",
            [*base, extract_id, aid_max, *only_f_params, extract_id],
        )
    # data_differs: the same NIK, other facts
    fields = (
        "(CASE WHEN UPPER(TRIM(m.name)) <> UPPER(TRIM(em.name)) THEN 'name ' ELSE '' END"
        " || CASE WHEN m.birth_date <> em.birth_date THEN 'birth_date ' ELSE '' END"
        " || CASE WHEN h.kk_number <> em.kk_number THEN 'kk_number ' ELSE '' END"
        " || CASE WHEN h.kelurahan_id <> f.kelurahan_id THEN 'kelurahan ' ELSE '' END)"
    )
    only_m, only_m_params = (
        ("", []) if household_id is None else (" AND m.household_id = %s", [household_id])
    )
    _insert(
        head + f"'{Kind.DATA_DIFFERS}', '{Action.FIX_DATA}', h.kelurahan_id, h.id, f.id, "
        f"f.desil, '', '', em.nik, {fields}, 'open', '' FROM {EM} em "
        f"JOIN {M} m ON m.nik = em.nik JOIN {H} h ON h.id = m.household_id "
        f"JOIN {F} f ON f.extract_id = em.extract_id AND f.kk_number = em.kk_number "
        f"WHERE em.extract_id = %s{only_m} AND (UPPER(TRIM(m.name)) <> UPPER(TRIM(em.name)) "
        f"OR m.birth_date <> em.birth_date OR h.kk_number <> em.kk_number "
        f"OR h.kelurahan_id <> f.kelurahan_id) "
        f"AND {_not_closed(Kind.DATA_DIFFERS, 'nik', 'em.nik')}",
        [*base, extract_id, *only_m_params, extract_id],
    )


@transaction.atomic
def reconcile_extract(extract_id: int, *, match: bool = True) -> None:
    """The whole city against one extract: match, then every case again."""
    if match:
        match_extract(extract_id)
    ReconciliationCase.objects.filter(
        extract_id=extract_id, status=ReconciliationCase.Status.OPEN
    ).delete()
    _insert_cases(extract_id, None, None)
    reconciled(extract_id)


@transaction.atomic
def reconcile_household(household_id: int) -> None:
    """One household against the latest extract, after it was saved: its families matched
    again, its cases (and those of the families it no longer is) recomputed."""
    extract = latest_extract()
    household = Household.objects.filter(pk=household_id).first()
    if extract is None or household is None:
        return
    before = _match_household(extract.pk, household)
    after = list(
        ExtractFamily.objects.filter(extract_id=extract.pk, household_id=household_id).values_list(
            "pk", flat=True
        )
    )
    stale = ReconciliationCase.objects.filter(
        extract_id=extract.pk, status=ReconciliationCase.Status.OPEN
    )
    (
        stale.filter(household_id=household_id) | stale.filter(family_id__in=[*before, *after])
    ).delete()
    _insert_cases(extract.pk, household_id, [pk for pk in before if pk not in after])
