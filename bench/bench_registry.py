"""Registry benchmark: seed_demo at full size and the household list page and API, each
beside the bare operation it corresponds to, measured in the same run (PERF.md).

    .venv/bin/python bench/bench_registry.py [--households 300000] [--database-url URL]
                                             [--reuse] [--warm 15]

The database (default: DATABASE_URL with its name suffixed "_bench", else
postgresql://postgres@127.0.0.1:5432/slrt_bench) is dropped and recreated, unless --reuse
finds it seeded with --households households: then the seed and its bare COPY are not
measured (nothing was seeded), only the pages. Any bench's seeded database can be shared
this way (`--database-url` + `--reuse` on each). Figures:

- seed: `manage.py seed_demo --households N --force` in a subprocess with DEBUG off, wall
  time; bare: COPY FROM STDIN of the very rows it wrote (read back with COPY TO STDOUT) into
  logged copies of the three tables with the same indexes (`LIKE ... INCLUDING INDEXES`), in
  one transaction; no foreign-key checks and no Python generation. Generation alone is timed
  too.
- pages: server time of Django's test Client in this process (DEBUG off), median of the warm
  requests and the first one; bare: the SELECTs the same request ran (captured), re-run raw
  on one connection, median.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench"
TABLES = ("households_household", "households_member", "households_enrolment")
KELURAHAN = "32.75.01.1002"  # Margahayu: the demo pendamping's kelurahan
SEARCH = "siti"  # the most common given name in the demo registry
PAGE_TARGET_MS = 150.0
COPY_SLICE = 1 << 20


@dataclass
class Timing:
    figure: str
    url: str
    median_ms: float | None = None
    first_ms: float | None = None
    bare_ms: float | None = None
    status: int | None = None
    queries: int = 0
    error: str = ""
    slowest_sql: str = ""
    slowest_plan: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.median_ms is None or not self.bare_ms:
            return None
        return self.median_ms / self.bare_ms


def main() -> None:
    args = _arguments()
    url = _bench_url(args.database_url)
    env = bench_env(url)
    print(f"Benchmark database: {_redacted(url)}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    seed = ensure_seeded(url, env, args.households, reuse=args.reuse)
    copy = _bare_copy(url) if seed else None
    os.environ.update(env)
    _setup_django()
    generation = _generation_seconds(args.households) if seed else None
    pages = _pages(args.warm)

    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "postgresql": _server_version(url),
        "households": _table_count(url, "households_household"),
        "members": _table_count(url, "households_member"),
        "enrolments": _table_count(url, "households_enrolment"),
        "seed": seed,
        "generation_seconds": generation,
        "bare_copy": copy,
        "pages": [asdict(t) | {"ratio": t.ratio} for t in pages],
        "page_target_ms": PAGE_TARGET_MS,
    }
    results["load_average_end"] = os.getloadavg()
    _report(results, pages)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*results["load_average_end"]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"registry-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults written to {path.relative_to(ROOT)}")


def bench_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of the benchmark's Django processes: its own database, DEBUG off (no
    query logging while a million rows go in), plain http on loopback (without DEBUG the app
    would otherwise redirect to https), and whatever the benchmark adds."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "False",
        "SECURE_SSL": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        **extra,
    }


def seed_database(url: str, env: dict[str, str], households: int) -> dict:
    """Drop and create the benchmark database, migrate it and seed the demo registry."""
    _recreate_database(url)
    _manage(env, "migrate", "--noinput", "-v0")
    return _seed(env, households)


def seeded(url: str, households: int) -> bool:
    """True when the database exists and holds exactly `households` households."""
    try:
        return _table_count(url, "households_household") == households
    except psycopg.Error:
        return False


def ensure_seeded(url: str, env: dict[str, str], households: int, *, reuse: bool) -> dict | None:
    """Seed the database (seed_database's figures), or with `reuse` keep it when it already
    holds `households` households: then only migrate it (a newer migration, e.g. an index)
    and return None. A database of another size is seeded again, never measured."""
    if reuse and seeded(url, households):
        print(f"Reusing the seeded database ({households:,} households).", flush=True)
        _manage(env, "migrate", "--noinput", "-v0")
        return None
    return seed_database(url, env, households)


def _table_count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        return conn.execute(query).fetchone()[0]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a database seeded with N")
    parser.add_argument("--warm", type=int, default=15, help="warm requests per page")
    return parser.parse_args()


def _bench_url(explicit: str | None) -> str:
    """The benchmark drops its database, so it only ever touches one whose name says bench."""
    if explicit:
        if "bench" not in conninfo_to_dict(explicit).get("dbname", ""):
            sys.exit(f"Refusing to drop {_redacted(explicit)}: its name must contain 'bench'.")
        return explicit
    from_env = os.environ.get("DATABASE_URL", "")
    if not from_env.startswith("postgres"):
        return LOCAL_URL
    params = conninfo_to_dict(from_env)
    if "bench" not in params.get("dbname", ""):
        params["dbname"] = f"{params.get('dbname', 'slrt')}_bench"
    return make_conninfo(**params)


def _redacted(url: str) -> str:
    params = conninfo_to_dict(url)
    params.pop("password", None)
    return " ".join(f"{k}={v}" for k, v in params.items())


def _recreate_database(url: str) -> None:
    params = conninfo_to_dict(url)
    name = params.pop("dbname")
    with psycopg.connect(make_conninfo(**params, dbname="postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _seed(env: dict[str, str], households: int) -> dict:
    print(f"Seeding {households:,} households ...", flush=True)
    started = time.perf_counter()
    output = _manage(env, "seed_demo", "--households", str(households), "--force")
    wall = time.perf_counter() - started
    summary = output.strip().splitlines()[-1]
    print(f"  {summary}")
    numbers = [
        int(n.replace(",", ""))
        for n in re.findall(r"[\d,]+(?= (?:households|members|enrolments))", summary)
    ]
    own = float(re.search(r"in ([\d.]+) s", summary).group(1))
    rows = sum(numbers)
    return {
        "households": numbers[0],
        "members": numbers[1],
        "enrolments": numbers[2],
        "rows": rows,
        "wall_seconds": wall,
        "command_seconds": own,
        "rows_per_second": rows / wall,
        "summary": summary,
    }


def _bare_copy(url: str) -> dict:
    """COPY the rows seed_demo wrote into same-shaped tables: the ingest floor."""
    print("Bare COPY of the same rows ...", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        data = {table: _copy_out(conn, table) for table in TABLES}
        for table in TABLES:
            copy_name = sql.Identifier(f"bench_copy_{table}")
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(copy_name))
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING INDEXES)").format(
                    copy_name, sql.Identifier(table)
                )
            )
        started = time.perf_counter()
        with conn.transaction():
            per_table = timed_copies(conn, data, into="bench_copy_{}")
        total = time.perf_counter() - started
        for table in TABLES:
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(f"bench_copy_{table}")))
    rows = sum(t["rows"] for t in per_table.values())
    members = per_table["households_member"]
    return {
        "what": "COPY FROM STDIN of the seeded rows into logged LIKE ... INCLUDING INDEXES "
        "copies, one transaction, no FK checks",
        "tables": per_table,
        "rows": rows,
        "seconds": total,
        "rows_per_second": rows / total,
        "member_rows_per_second": members["rows"] / members["seconds"],
    }


def timed_copies(conn: psycopg.Connection, data: dict[str, bytes], *, into: str = "{}") -> dict:
    """COPY each table's rows (`data`: table -> COPY text) into the table `into` names
    (formatted with the table's name), timed one by one: {table: {"rows", "seconds"}}."""
    per_table = {}
    for table, rows in data.items():
        started = time.perf_counter()
        _copy_in(conn, into.format(table), rows)
        per_table[table] = {"rows": rows.count(b"\n"), "seconds": time.perf_counter() - started}
    return per_table


def _copy_out(conn: psycopg.Connection, table: str) -> bytes:
    buffer = bytearray()
    with (
        conn.cursor() as cursor,
        cursor.copy(sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))) as copy,
    ):
        for block in copy:
            buffer += block
    return bytes(buffer)


def _copy_in(conn: psycopg.Connection, table: str, data: bytes) -> None:
    statement = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(data), COPY_SLICE):
            copy.write(data[start : start + COPY_SLICE])


def _server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version()").fetchone()[0]


def _setup_django() -> None:
    # With DEBUG off WhiteNoise looks for collected static files; pages render without them.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slrt.settings")
    import django

    django.setup()


def _generation_seconds(households: int) -> float:
    """Python alone: the generator's rows for the same N and seed, thrown away."""
    from django.utils import timezone

    from households.demo import DemoGenerator, KelurahanRef, ProgramIds
    from households.models import Region

    refs = [
        KelurahanRef(id=pk, code=code)
        for pk, code in Region.objects.filter(level="kelurahan").values_list("pk", "code")
    ]
    generator = DemoGenerator(
        seed=1, kelurahan=refs, programs=ProgramIds(1, 2, 3, 4), now=timezone.now()
    )
    started = time.perf_counter()
    for _chunk in generator.chunks(households):
        pass
    return time.perf_counter() - started


def _pages(warm: int) -> list[Timing]:
    from django.contrib.auth.models import User

    from households.models import Region

    kelurahan = Region.objects.get(code=KELURAHAN).pk
    query = urlencode({"kelurahan": kelurahan, "q": SEARCH})
    city_wide = urlencode({"q": SEARCH})
    cases = [
        ("demo-verifikator", "list page, kelurahan + q", f"/households/?{query}"),
        ("demo-verifikator", "API page 1, kelurahan + q", f"/api/v1/households/?{query}"),
        ("demo-pendamping", "list page, kelurahan + q", f"/households/?{query}"),
        ("demo-pendamping", "API page 1, kelurahan + q", f"/api/v1/households/?{query}"),
        ("demo-verifikator", "list page, city-wide q", f"/households/?{city_wide}"),
        ("demo-verifikator", "API page 1, city-wide q", f"/api/v1/households/?{city_wide}"),
        # A city-wide user's landing page: the whole registry, newest first.
        ("demo-verifikator", "list page, no filter", "/households/"),
        ("demo-verifikator", "API page 1, no filter", "/api/v1/households/"),
    ]
    timings = []
    for username, label, url in cases:
        print(f"Timing {label} as {username} ...", flush=True)
        timings.append(_time_page(User.objects.get(username=username), label, url, warm))
    return timings


def _time_page(user, label: str, url: str, warm: int) -> Timing:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    timing = Timing(figure=f"{label} ({user.username.removeprefix('demo-')})", url=url)
    client = Client()
    client.force_login(user)
    try:
        first, response = _timed(lambda: client.get(url))
        samples = [_timed(lambda: client.get(url))[0] for _ in range(warm)]
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
    except Exception as error:  # a page not written yet is reported, not fatal
        timing.error = f"{type(error).__name__}: {error}"[:300]
        return timing
    timing.status = response.status_code
    timing.first_ms, timing.median_ms = first * 1000, statistics.median(samples) * 1000
    selects = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")
    ]
    timing.queries = len(captured.captured_queries)
    timing.bare_ms, timing.slowest_sql, timing.slowest_plan = _bare_queries(selects, warm)
    return timing


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _bare_queries(selects: list[str], runs: int) -> tuple[float, str, list[str]]:
    """The page's own SELECTs, raw: median total ms, the slowest one and its plan."""
    from django.db import connection

    totals, slowest = [], {}
    with connection.cursor() as cursor:
        for _ in range(runs):
            total = 0.0
            for statement in selects:
                seconds, _rows = _timed(lambda s=statement: (cursor.execute(s), cursor.fetchall()))
                slowest[statement] = min(seconds, slowest.get(statement, seconds))
                total += seconds
            totals.append(total)
        worst = max(slowest, key=slowest.get) if slowest else ""
        plan = []
        if worst:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {worst}")
            plan = [row[0] for row in cursor.fetchall()]
    return statistics.median(totals) * 1000 if totals else 0.0, worst, plan


def _report(results: dict, pages: list[Timing]) -> None:
    seed, copy = results["seed"], results["bare_copy"]
    print()
    print(
        f"Registry: {results['households']:,} households, {results['members']:,} members, "
        f"{results['enrolments']:,} enrolments"
    )
    print(f"{'measurement':<58} | {'project':>12} | {'bare':>12} | {'ratio':>6}")
    print("-" * 98)
    if seed:
        _report_seed(results, seed, copy)
    else:
        print(f"{'seed_demo: not measured (--reuse of a seeded database)':<58} |")
    _report_pages(pages)


def _report_seed(results: dict, seed: dict, copy: dict) -> None:
    print(
        f"{'seed_demo wall time vs bare COPY of the same rows':<58} | "
        f"{seed['wall_seconds']:>10.1f} s | {copy['seconds']:>10.1f} s | "
        f"{seed['wall_seconds'] / copy['seconds']:>6.2f}"
    )
    slower = copy["rows_per_second"] / seed["rows_per_second"]
    print(
        f"{'  rows/s (all three tables)':<58} | {seed['rows_per_second']:>12,.0f} | "
        f"{copy['rows_per_second']:>12,.0f} | {slower:>6.2f}"
    )
    print(f"{'  Python generation alone':<58} | {results['generation_seconds']:>10.1f} s |")
    print(
        f"{'  bare COPY of members alone, rows/s (PERF.md ~115,000)':<58} | "
        f"{'':>12} | {copy['member_rows_per_second']:>12,.0f} |"
    )


def _report_pages(pages: list[Timing]) -> None:
    for timing in pages:
        name = timing.figure
        if timing.error:
            print(f"{name:<58} | {'not measured: ' + timing.error[:60]}")
            continue
        flag = "" if timing.median_ms <= PAGE_TARGET_MS else "  over target"
        print(
            f"{name:<58} | {timing.median_ms:>9.1f} ms | {timing.bare_ms:>9.1f} ms | "
            f"{timing.ratio:>6.1f}{flag}"
        )
        print(
            f"{'':<58} |  first {timing.first_ms:>6.0f} ms, HTTP {timing.status}, "
            f"{timing.queries} queries"
        )
        if flag:
            print(f"{'':<58} |  slowest: {timing.slowest_sql[:200]}")
            print("\n".join(f"{'':<58} |    {line}" for line in timing.slowest_plan[:12]))
    print(f"Pages: {SEARCH!r} searched in Margahayu ({KELURAHAN}) or city-wide; URLs in the JSON.")
    print(f"Target: seed under 300 s; each page under {PAGE_TARGET_MS:.0f} ms (median, warm).")


if __name__ == "__main__":
    main()
