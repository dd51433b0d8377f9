"""Import benchmark: a generated ward file through the import service, beside a raw COPY of
the rows it wrote, measured in the same run (PERF.md).

    .venv/bin/python bench/bench_import.py [--xlsx-rows 100000] [--csv-rows 1000000]
                                           [--database-url URL] [--runs 1]

`--csv-rows 0` (or `--xlsx-rows 0`) leaves a case out. With `--runs N` each case is run N
times, the import and its bare figures one after another in each run (interleaved), and the
medians are reported beside each run's figures; the load average is printed at the start
and the end.

Two cases, each on a freshly created database (name must contain "bench"; default as for
bench_registry.py with "_import" added): a `.xlsx` file and a `.csv` file of member rows
from bench/import_file.py (the demo registry's families in the template's words). Each case
runs in a child process, so its peak memory (ru_maxrss) is the import's own:

- parse: read_sheet and one pass over every row (calamine for .xlsx), no validation;
- check: validate_import_batch, what the user waits for before the preview: read, validate,
  compare with the registry, store the issues and the check;
- commit: commit_import_batch, after the user's confirmation: one transaction;
- end to end: upload + check + commit (the user's pause aside).

Bare COPY, the same household, member and enrolment rows the import wrote (read back with
COPY TO), `COPY ... FROM STDIN` in one transaction, measured two ways:

- into the registry's own tables (the target's yardstick, "the same rows into the same
  tables"): the tables are emptied (TRUNCATE, not timed), as they were before the import,
  and the rows COPYed back in one transaction, its COMMIT included, so PostgreSQL runs the
  tables' deferred foreign-key checks as it does for the import;
- into `LIKE ... INCLUDING INDEXES` copies (bench_registry._bare_copy): the same indexes but
  no foreign keys, a floor no write into the registry's tables can reach; shown beside it.

The change history the import also writes is in neither bare figure, which makes the ratio
conservative. Targets: the .xlsx checked and committed in <= 15 s and in <= 1.5x the bare
read plus the bare COPY into the registry's tables (issue 17); the .csv end to end at >= 1/3
of the bare COPY's rows/s; peak memory <= 1.5 GB.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_registry import (  # noqa: E402 - a sibling script, not a package
    RESULTS,
    ROOT,
    TABLES,
    _bare_copy,
    _bench_url,
    _copy_out,
    _manage,
    _recreate_database,
    _redacted,
    _server_version,
    _setup_django,
    bench_env,
    timed_copies,
)

XLSX_TARGET_SECONDS = 15.0
XLSX_TARGET_RATIO = 1.5  # checked + committed / (bare read + bare COPY into the tables)
COPY_RATIO_TARGET = 1 / 3
MEMORY_TARGET_MB = 1536


def main() -> None:
    args = _arguments()
    if args.child:
        _child(Path(args.child))
        return
    url = _import_url(args.database_url)
    env = bench_env(
        url,
        IMPORT_MAX_MB="4096",  # the 1M-row CSV is ~400 MB; the page's limit is 50 MB
        IMPORT_MAX_ROWS=str(max(args.csv_rows, args.xlsx_rows, 1_000_000)),
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
    )
    env.pop("REDIS_URL", None)  # tasks run in this process: their time is the import's
    print(f"Benchmark database: {_redacted(url)}")
    work = ROOT / "var" / "bench-import"
    work.mkdir(parents=True, exist_ok=True)
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    load_start = os.getloadavg()
    cases = []
    for suffix, rows in (("xlsx", args.xlsx_rows), ("csv", args.csv_rows)):
        if rows <= 0:
            continue
        for run in range(1, args.runs + 1):
            cases.append(_case(url, env, work / f"ward-{rows}.{suffix}", rows, run))
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "postgresql": _server_version(url),
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "cases": cases,
    }
    _report(cases)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"import-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults written to {out.relative_to(ROOT)}")
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def _case(url: str, env: dict[str, str], path: Path, rows: int, run: int) -> dict:
    """One import of the file on a fresh database, then its bare figures."""
    _recreate_database(url)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_regions")
    _manage(env, "load_reference_data")
    generated = _generate(env, path, rows)
    print(
        f"{path.suffix[1:]}: {rows:,} rows ({path.stat().st_size / 2**20:.0f} MB), run {run} ...",
        flush=True,
    )
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"The import of {path.name} failed:\n{done.stdout}\n{done.stderr}")
    case = json.loads(done.stdout.strip().splitlines()[-1])
    case["run"] = run
    case["file"] = {"format": path.suffix[1:], "mb": path.stat().st_size / 2**20, **generated}
    case["bare_read_seconds"] = _bare_read(path)
    case["bare_copy_without_keys"] = _bare_copy(url)
    case["bare_copy"] = _bare_copy_into_registry(url)
    return case


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=1, help="runs of each case (medians)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args()


def _import_url(explicit: str | None) -> str:
    """A postgresql:// URL (Django reads it) of a database whose name ends in _import."""
    params = conninfo_to_dict(_bench_url(explicit))
    name = params.pop("dbname")
    if not name.endswith("_import"):
        name += "_import"
    user = quote(params.get("user", "postgres"))
    password = f":{quote(params['password'])}" if params.get("password") else ""
    host, port = params.get("host", "127.0.0.1"), params.get("port", "5432")
    return f"postgresql://{user}{password}@{host}:{port}/{name}"


def _generate(env: dict[str, str], path: Path, rows: int) -> dict:
    if path.exists():
        return {"generated_seconds": None, "reused": True}
    code = (
        "import sys, time; sys.path.insert(0, 'bench'); import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'slrt.settings'); django.setup();"
        "from pathlib import Path; from households.models import Region;"
        "import import_file as f;"
        "k = list(Region.objects.filter(level='kelurahan').values_list('pk', 'code', 'name'));"
        f"p = Path({str(path)!r}); t = time.perf_counter();"
        f"(f.write_xlsx if p.suffix == '.xlsx' else f.write_csv)(p, {rows}, k);"
        "print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"Generating {path.name} failed:\n{done.stderr}")
    return {"generated_seconds": float(done.stdout.strip()), "reused": False}


def _child(path: Path) -> None:
    """One import through the service, timed per stage; prints one JSON line."""
    _setup_django()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection
    from django.utils import timezone

    from households import hooks
    from households.imports import services
    from households.imports.readers import read_sheet
    from households.models import Household, ImportBatch, Member

    # The eligibility run an import queues goes to a worker after the commit (in-process
    # here, with Celery eager): it is not the import's time; bench_eligibility.py measures it.
    hooks._AFTER_IMPORT.clear()
    user = User.objects.create_superuser("bench-importer", password=None)
    started = time.perf_counter()
    sheet = read_sheet(path, filename=path.name, max_bytes=2**40, max_rows=10**7)
    rows = sum(1 for _ in sheet.rows)
    parse = time.perf_counter() - started

    started = time.perf_counter()
    # As Django hands a large upload over: a file on disk (TemporaryUploadedFile), not bytes
    # in memory, so the peak memory below is the import's own.
    with path.open("rb") as handle:
        upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
        batch = services.upload_import_batch(uploaded_file=upload, by=user)
    upload_seconds = time.perf_counter() - started
    # upload_import_batch queued the check with on_commit; outside a transaction and with
    # no Redis it has already run, eagerly, inside the call: take it apart from the upload.
    batch.refresh_from_db()
    check = (batch.validated_at - batch.created_at).total_seconds()
    upload_seconds -= check
    if batch.status != ImportBatch.Status.VALIDATED:
        sys.exit(f"check failed: {batch.status} {batch.error_message}")
    counts = dict(batch.counts)
    check_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    services.confirm_import_batch(batch=batch, by=user)  # runs the commit eagerly as well
    commit = time.perf_counter() - started
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.COMMITTED:
        sys.exit(f"commit failed: {batch.status}")
    end_to_end = upload_seconds + check + commit
    connection.close()
    print(
        json.dumps(
            {
                "rows": rows,
                "households": Household.objects.count(),
                "members": Member.objects.count(),
                "counts": counts,
                "parse_seconds": parse,
                "upload_seconds": upload_seconds,
                "check_seconds": check,
                "commit_seconds": commit,
                "end_to_end_seconds": end_to_end,
                "parse_rows_per_second": rows / parse,
                "check_rows_per_second": rows / check,
                "commit_rows_per_second": rows / commit,
                "end_to_end_rows_per_second": rows / end_to_end,
                "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "peak_memory_after_check_mb": check_peak,
                "finished": timezone.now().isoformat(),
            }
        )
    )


def _bare_read(path: Path) -> float:
    """The file read bare, every cell to a Python value and nothing else: calamine's
    to_python() for .xlsx, csv.reader for .csv (this machine's reading speed)."""
    import csv

    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    if path.suffix == ".xlsx":
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for _record in csv.reader(handle, delimiter=";"):
                pass
    return time.perf_counter() - started


def _bare_copy_into_registry(url: str) -> dict:
    """The import's household, member and enrolment rows COPYed back into the emptied
    registry tables in one transaction, COMMIT (and so the foreign-key checks) included."""
    print("Bare COPY of the same rows into the registry's tables ...", flush=True)
    tables = [sql.Identifier(table) for table in TABLES]
    with psycopg.connect(url, autocommit=True) as conn:
        data = {table: _copy_out(conn, table) for table in TABLES}
        # CASCADE empties the tables that point at these (the import's change history).
        conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(tables)))
        conn.execute("CHECKPOINT")  # the import's writes are not this figure's to flush
        started = time.perf_counter()
        with conn.transaction():
            # The import's COPY writer sets it too (households.imports.writers): the trigram
            # index's pending list then takes the whole batch, for the bare as for the import.
            conn.execute("SET LOCAL gin_pending_list_limit = '64MB'")
            per_table = timed_copies(conn, data)
            commit_started = time.perf_counter()
        commit = time.perf_counter() - commit_started
        total = time.perf_counter() - started
    rows = sum(t["rows"] for t in per_table.values())
    return {
        "what": "COPY FROM STDIN of the import's rows into the emptied registry tables, one "
        "transaction, COMMIT with its deferred foreign-key checks included",
        "tables": per_table,
        "commit_seconds": commit,
        "rows": rows,
        "seconds": total,
        "rows_per_second": rows / total,
    }


def _report(cases: list[dict]) -> None:
    print()
    header = f"{'file':>18} {'stage':<12} {'seconds':>9} {'rows/s':>10}"
    print(header)
    print("-" * len(header))
    for case in cases:
        name = f"{case['rows']:,} {case['file']['format']}"
        if len(cases) > 1:
            name += f" #{case['run']}"
        for stage in ("parse", "check", "commit", "end_to_end"):
            seconds = case[f"{stage}_seconds"]
            print(f"{name:>18} {stage:<12} {seconds:9.1f} {case['rows'] / seconds:10,.0f}")
        bare = case["bare_copy"]
        # The same rows both ways: the ratio of throughputs is the ratio of times.
        ratio = bare["seconds"] / case["end_to_end_seconds"]
        case["ratio_to_bare_copy"] = ratio
        print(
            f"{name:>18} {'bare COPY':<12} {bare['seconds']:9.1f} {bare['rows_per_second']:10,.0f}"
            f"  ({bare['rows']:,} household, member and enrolment rows into the registry's "
            f"tables; {bare['commit_seconds']:.1f} s of it the COMMIT's foreign-key checks)"
        )
        floor = case["bare_copy_without_keys"]
        case["ratio_to_bare_copy_without_keys"] = floor["seconds"] / case["end_to_end_seconds"]
        print(
            f"{'':>18} {'':<12} {floor['seconds']:9.1f} {floor['rows_per_second']:10,.0f}"
            f"  (the same rows into copies without foreign keys: ratio "
            f"{case['ratio_to_bare_copy_without_keys']:.2f})"
        )
        print(
            f"{'':>18} end-to-end / bare COPY rows/s = {ratio:.2f} (target >= "
            f"{COPY_RATIO_TARGET:.2f}); peak memory {case['peak_memory_mb']:,.0f} MB "
            f"(target <= {MEMORY_TARGET_MB:,}; {case['peak_memory_after_check_mb']:,.0f} MB "
            f"by the end of the check)"
        )
        read = case["bare_read_seconds"]
        print(f"{'':>18} the file read bare (every cell, nothing else) in {read:.1f} s")
        if case["file"]["format"] == "xlsx":
            checked = case["check_seconds"] + case["commit_seconds"]
            case["checked_and_committed_seconds"] = checked
            case["ratio_to_bare_read_and_copy"] = checked / (read + bare["seconds"])
            print(
                f"{'':>18} checked + committed in {checked:.1f} s (target <= 15 s; the bare "
                f"read and the bare COPY alone take {read + bare['seconds']:.1f} s here): "
                f"{case['ratio_to_bare_read_and_copy']:.2f}x (target <= {XLSX_TARGET_RATIO}x)"
            )
    xlsx = [case for case in cases if case["file"]["format"] == "xlsx"]
    if len(xlsx) > 1:
        median = {
            what: statistics.median(pick(case) for case in xlsx)
            for what, pick in (
                ("check", lambda c: c["check_seconds"]),
                ("commit", lambda c: c["commit_seconds"]),
                ("checked + committed", lambda c: c["checked_and_committed_seconds"]),
                ("bare read", lambda c: c["bare_read_seconds"]),
                ("bare COPY", lambda c: c["bare_copy"]["seconds"]),
                ("ratio", lambda c: c["ratio_to_bare_read_and_copy"]),
            )
        }
        print(
            f"\n.xlsx, medians of {len(xlsx)} runs: check {median['check']:.1f} s, commit "
            f"{median['commit']:.1f} s, checked + committed {median['checked + committed']:.1f} "
            f"s; bare read {median['bare read']:.1f} s, bare COPY {median['bare COPY']:.1f} s; "
            f"checked + committed / (bare read + bare COPY) = {median['ratio']:.2f}x "
            f"(target <= {XLSX_TARGET_RATIO}x)"
        )


if __name__ == "__main__":
    main()
