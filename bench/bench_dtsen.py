"""DTSEN benchmark (issue 22): the whole city's extract imported and reconciled against the
300,000-household registry, beside a bare COPY of the same rows plus a bare SQL join giving
the same case counts, measured in one run, interleaved (PERF.md).

    .venv/bin/python bench/bench_dtsen.py [--families 800000] [--members 2600000]
        [--households 300000] [--database-url URL] [--reuse] [--runs 3]

The registry is bench_registry's seeded database (`--reuse` keeps one seeded with
`--households`). The extract is generated from it (bench/results/dtsen-<families>.csv, kept
and reused): every registry family as DTSEN lists it (same KK, NIKs, names, birth dates,
desil from the registry's own), with differences of every kind: 2% of the families left out
(not registered nationally), 2% of the poor at desil 7-9, the car owners' families at desil
2, 1% of the families with a person's name or birth date changed; then families the registry
does not hold up to `--families`, about 3.1 people each up to `--members`, desil 1-10.

Each run, one after another:
- project: `national.services.import_extract` in a child process (its peak memory is the
  import's own): read every row with the ward files' reader and check it column by column,
  COPY the members, COPY the families into a staging table and insert them matched by NIK
  then KK (one INSERT ... SELECT), insert the cases (set-based SQL); each stage's time is
  printed (rows, families, cases); the extract's tables are emptied afterwards (TRUNCATE,
  not timed);
- bare: the same member and family rows (read back with COPY TO after the first project
  run) COPYed into `LIKE ... INCLUDING INDEXES` copies of the two tables in one transaction,
  plus one SQL statement with the same joins (members to the registry by NIK, families by
  KK, the active rule set's "poor" and exclusion SQL as the project compiles it) giving the
  four counts; the counts must equal the project's.

Target: import + reconciliation at >= 1/3 of the bare rows/s (time <= 3x bare); peak
memory <= 1.5 GB. Medians of `--runs`; load average printed at the start and the end.
"""

import argparse
import csv
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registry import (  # noqa: E402 - a sibling script, not a package
    RESULTS,
    ROOT,
    _copy_out,
    _redacted,
    _setup_django,
    bench_env,
    ensure_seeded,
)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench_dtsen"
NATIONAL_TABLES = ("national_extractmember", "national_extractfamily")
TRUNCATE = (
    "TRUNCATE national_reconciliationcase, national_extractissue, national_extractmember, "
    "national_extractfamily, national_extract CASCADE"  # and the visits and usulan on cases
)
AS_OF = date(2026, 9, 30)


def main() -> None:
    args = _arguments()
    if args.child:
        _child(Path(args.child))
        return
    url = args.database_url or DEFAULT_URL
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit(f"Refusing {_redacted(url)}: its name must contain 'bench'.")
    env = bench_env(url)
    load_start = os.getloadavg()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*load_start), flush=True)
    ensure_seeded(url, env, args.households, reuse=args.reuse)
    path = RESULTS / f"dtsen-{args.families}-{args.members}.csv"
    generated = _generate(url, path, args.families, args.members)
    _truncate(url)
    runs = []
    data = None
    for run in range(1, args.runs + 1):
        project = _project(env, path)
        print(
            f"run {run}: project {project['seconds']:.1f} s (read {project['read_seconds']:.1f}"
            f" s, rows {project['rows_seconds']:.1f} s, families "
            f"{project['families_seconds']:.1f} s, cases {project['reconcile_seconds']:.1f} s,"
            f" after commit {project['hooks_seconds']:.1f} s), counts {project['counts']}",
            flush=True,
        )
        if data is None:
            data = _stored_rows(url)
        _truncate(url)
        bare = _bare(url, data, project["extract_id_sql"])
        if bare["counts"] != project["counts"]:
            sys.exit(f"the bare join counts {bare['counts']}, the project {project['counts']}")
        runs.append({"project": project, "bare": bare})
        print(
            f"run {run}: project {project['seconds']:.1f} s "
            f"(cases {project['reconcile_seconds']:.1f} s, peak "
            f"{project['peak_memory_mb']:.0f} MB), bare {bare['seconds']:.1f} s "
            f"(COPY {bare['copy_seconds']:.1f} s + join {bare['join_seconds']:.1f} s), "
            f"ratio {project['seconds'] / bare['seconds']:.2f}",
            flush=True,
        )
    load_end = os.getloadavg()
    project_median = statistics.median(r["project"]["seconds"] for r in runs)
    bare_median = statistics.median(r["bare"]["seconds"] for r in runs)
    rows = runs[0]["project"]["rows"]
    results = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_start": load_start,
        "load_average_end": load_end,
        "generated": generated,
        "rows": rows,
        "families": runs[0]["project"]["families"],
        "counts": runs[0]["project"]["counts"],
        "runs": runs,
        "project_median_seconds": project_median,
        "bare_median_seconds": bare_median,
        "project_rows_per_second": rows / project_median,
        "bare_rows_per_second": rows / bare_median,
        "share_of_bare": bare_median / project_median,
        "peak_memory_mb": max(r["project"]["peak_memory_mb"] for r in runs),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dtsen-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(f"rows {rows:,}, families {results['families']:,}; cases {results['counts']}")
    print(
        f"project (import + reconciliation): median {project_median:.1f} s, "
        f"{results['project_rows_per_second']:,.0f} rows/s"
    )
    print(
        f"bare (COPY + SQL join):            median {bare_median:.1f} s, "
        f"{results['bare_rows_per_second']:,.0f} rows/s"
    )
    print(
        f"project at {results['share_of_bare']:.2f} of the bare rate "
        f"(target >= 0.33); peak memory {results['peak_memory_mb']:.0f} MB (target <= 1536)"
    )
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*load_end))
    print(f"written: {out.relative_to(ROOT)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=800_000)
    parser.add_argument("--members", type=int, default=2_600_000)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def _truncate(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TRUNCATE)


# --- the extract --------------------------------------------------------------------------


def _generate(url: str, path: Path, families: int, members: int) -> dict:
    """The city's extract from the registry, with differences; reused when it exists."""
    if path.exists():
        return {"reused": True, "path": str(path.relative_to(ROOT))}
    print(f"Generating {path.name} ...", flush=True)
    started = time.perf_counter()
    rng = random.Random(22)
    path.parent.mkdir(exist_ok=True)
    with psycopg.connect(url) as conn:
        kelurahan = dict(
            conn.execute(
                "SELECT id, code FROM households_region WHERE level = 'kelurahan'"
            ).fetchall()
        )
        households = conn.execute(
            "SELECT id, kk_number, kelurahan_id, coalesce(welfare_decile, 5), car_count "
            "FROM households_household ORDER BY id"
        ).fetchall()
        people: dict[int, list[tuple]] = {}
        for household_id, nik, name, birth in conn.execute(
            "SELECT household_id, nik, name, birth_date FROM households_member ORDER BY id"
        ):
            people.setdefault(household_id, []).append((nik, name, birth))
    taken_niks = {nik for rows in people.values() for nik, _n, _b in rows}
    taken_kks = {row[1] for row in households}
    codes = list(kelurahan.values())
    written_families = written_members = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["No KK", "NIK", "Nama", "Tanggal Lahir", "Kelurahan", "Desil", "PKH", "BPNT"])
        for _pk, kk, kelurahan_id, decile, cars in households:
            roll = rng.random()
            if roll < 0.02:
                continue  # not registered nationally
            desil = decile
            if decile <= 4 and roll < 0.04:
                desil = rng.randint(7, 9)  # poor here, well-off there
            elif cars:
                desil = 2  # a car owner's family in the aid-targeted desil
            aid = "Ya" if desil <= 4 else "Tidak"
            rows = people.get(_pk, [])
            change = rng.random() < 0.01
            for index, (nik, name, birth) in enumerate(rows):
                if change and index == 0:
                    name = name + " Alias"
                out.writerow(
                    [
                        kk,
                        nik,
                        name,
                        birth.strftime("%d-%m-%Y"),
                        kelurahan[kelurahan_id],
                        desil,
                        aid,
                        aid,
                    ]
                )
            written_families += 1
            written_members += len(rows)
        remaining = max(0, families - written_families)
        per_family = (members - written_members) / remaining if remaining else 0
        for _ in range(remaining):
            kk = _fresh(rng, taken_kks, kk=True)
            code = rng.choice(codes)
            desil = rng.randint(1, 10)
            aid = "Ya" if desil <= 4 else "Tidak"
            size = max(1, int(per_family + rng.random()))
            for index in range(size):
                birth = date(rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28))
                nik = _fresh(rng, taken_niks, birth=birth, female=index % 2 == 1)
                out.writerow(
                    [
                        kk,
                        nik,
                        f"Warga {nik[-6:]}",
                        birth.strftime("%d-%m-%Y"),
                        code,
                        desil,
                        aid,
                        aid,
                    ]
                )
                written_members += 1
            written_families += 1
    return {
        "reused": False,
        "seconds": time.perf_counter() - started,
        "families": written_families,
        "members": written_members,
        "path": str(path.relative_to(ROOT)),
    }


def _fresh(
    rng: random.Random, taken: set[str], *, kk: bool = False, birth=None, female=False
) -> str:
    while True:
        region = f"3275{rng.randint(1, 12):02d}"
        serial = f"{rng.randint(1, 9998):04d}"
        if kk:
            day = date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28))
            value = f"{region}{day:%d%m%y}{serial}"
        else:
            day = birth.day + 40 if female else birth.day
            value = f"{region}{day:02d}{birth:%m%y}{serial}"
        if value not in taken:
            taken.add(value)
            return value


# --- the project side ---------------------------------------------------------------------


def _project(env: dict[str, str], path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"the import failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(path: Path) -> None:
    _setup_django()
    from django.db import connection

    from households.models import Household
    from national import extracts, hooks, reconcile, services
    from national.models import ReconciliationCase

    timings = {}

    def timed(name, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            result = function(*args, **kwargs)
            timings[name] = time.perf_counter() - started
            return result

        return run

    # the stages: the file read (the ward reader's counting pass); rows checked and members
    # COPYed; families staged, matched and inserted; the cases (services calls these in
    # turn); after COMMIT, the hooks (the dashboards' recount: a worker's task where Celery
    # has a broker, in this process here, and timed with the import as before)
    extracts.read_extract = timed("read", extracts.read_extract)
    extracts.store_rows = timed("rows", extracts.store_rows)
    hooks._AFTER_RECONCILE[:] = [timed("hooks", hook) for hook in hooks._AFTER_RECONCILE]
    extracts.write_families = timed("families", extracts.write_families)
    services.reconcile_extract = timed("reconcile", services.reconcile_extract)
    started = time.perf_counter()
    imported = services.import_extract(
        path=path, filename=path.name, as_of=AS_OF, by=None, keep_file=False
    )
    seconds = time.perf_counter() - started
    extract = imported.extract
    if extract.status != "complete":
        sys.exit(f"import failed: {extract.error_text}")
    counts = {
        kind: extract.cases.filter(kind=kind).count() for kind in ReconciliationCase.Kind.values
    }
    poor, excluded = _rule_sql(reconcile)
    connection.close()
    print(
        json.dumps(
            {
                "rows": extract.rows,
                "families": extract.families,
                "members": extract.members,
                "rejected": extract.rejected,
                "households": Household.objects.count(),
                "seconds": seconds,
                "read_seconds": timings.get("read", 0.0),
                "rows_seconds": timings.get("rows", 0.0),
                "families_seconds": timings.get("families", 0.0),
                "reconcile_seconds": timings.get("reconcile", 0.0),
                "hooks_seconds": timings.get("hooks", 0.0),
                "counts": counts,
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "extract_id_sql": {"poor": poor, "excluded": excluded},
            }
        )
    )


def _rule_sql(reconcile) -> tuple[str, str]:
    """The active rule set's "poor" and exclusion SQL as the project compiles them, with
    their parameters inlined (the bare join runs the same conditions)."""
    from django.db import connection

    def inline(pair) -> str:
        text, params = pair
        return connection.ops.compose_sql(text, params)

    poor = reconcile._poor(None)
    excluded = reconcile._excluded(None)
    return inline(poor), " UNION ".join(inline(pair) for _code, pair in excluded)


# --- the bare side ------------------------------------------------------------------------


def _stored_rows(url: str) -> dict[str, bytes]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {table: _copy_out(conn, table) for table in NATIONAL_TABLES}


BARE_COUNTS = """
WITH poor AS MATERIALIZED ({poor}),
excluded AS MATERIALIZED ({excluded}),
by_nik AS (
    SELECT em.kk_number, MIN(m.household_id) AS household_id
    FROM bench_em em JOIN households_member m ON m.nik = em.nik GROUP BY em.kk_number
),
families AS MATERIALIZED (
    SELECT f.id, f.desil, COALESCE(n.household_id, h.id) AS household_id
    FROM bench_f f LEFT JOIN by_nik n ON n.kk_number = f.kk_number
    LEFT JOIN households_household h ON n.household_id IS NULL AND h.kk_number = f.kk_number
)
SELECT
  (SELECT count(*) FROM households_household h WHERE h.id IN (SELECT pk FROM poor)
     AND NOT EXISTS (SELECT 1 FROM families f WHERE f.household_id = h.id)),
  (SELECT count(*) FROM families f
     WHERE f.desil >= {high} AND f.household_id IN (SELECT pk FROM poor))
  + (SELECT count(*) FROM families f
     WHERE f.desil <= {aid} AND f.household_id IN (SELECT pk FROM excluded)),
  (SELECT count(*) FROM families f WHERE f.household_id IS NULL AND f.desil <= {aid}),
  (SELECT count(*) FROM bench_em em JOIN households_member m ON m.nik = em.nik
     JOIN households_household h ON h.id = m.household_id
     JOIN bench_f f ON f.kk_number = em.kk_number
     WHERE upper(trim(m.name)) <> upper(trim(em.name)) OR m.birth_date <> em.birth_date
        OR h.kk_number <> em.kk_number OR h.kelurahan_id <> f.kelurahan_id)
"""


def _bare(url: str, data: dict[str, bytes], rule_sql: dict) -> dict:
    """COPY the same rows into same-shaped tables, then one SQL statement with the same
    joins giving the four counts."""
    from bench_registry import _copy_in

    with psycopg.connect(url, autocommit=True) as conn:
        names = {"national_extractmember": "bench_em", "national_extractfamily": "bench_f"}
        for table, copy_name in names.items():
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(copy_name)))
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING INDEXES)").format(
                    sql.Identifier(copy_name), sql.Identifier(table)
                )
            )
        started = time.perf_counter()
        with conn.transaction():
            for table, copy_name in names.items():
                _copy_in(conn, copy_name, data[table])
        copy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("ANALYZE bench_em")  # as the project does before it matches
        conn.execute("ANALYZE bench_f")
        analyze_seconds = time.perf_counter() - started
        query = BARE_COUNTS.format(
            poor=rule_sql["poor"],
            excluded=rule_sql["excluded"] or "SELECT NULL::bigint AS pk WHERE false",
            high=6,
            aid=4,
        )
        started = time.perf_counter()
        row = conn.execute(query).fetchone()
        join_seconds = time.perf_counter() - started + analyze_seconds
        for copy_name in names.values():
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(copy_name)))
    kinds = ("unregistered", "desil_mismatch", "national_only", "data_differs")
    return {
        "copy_seconds": copy_seconds,
        "join_seconds": join_seconds,
        "seconds": copy_seconds + join_seconds,
        "counts": dict(zip(kinds, row, strict=True)),
    }


if __name__ == "__main__":
    main()
