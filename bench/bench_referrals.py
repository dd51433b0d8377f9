"""Referrals benchmark: an agency's triage queue, first page, filtered, over 100,000 referrals
on the 300,000-household demo registry, beside the same SELECTs re-run raw (PERF.md).

    .venv/bin/python bench/bench_referrals.py [--households 300000] [--referrals 100000]
                                              [--database-url URL] [--reuse] [--runs 30]

The database (default postgresql://postgres@127.0.0.1:5432/slrt_bench_ref) is dropped,
migrated and seeded with `seed_demo` (bench_registry's helpers) unless --reuse finds it
seeded; the referrals are written with COPY unless the table already holds --referrals rows.
As demo-dinkes (Dinas Kesehatan), server time through Django's test Client (DEBUG off),
median and p95 of --runs warm requests, and the number of SQL queries of one request:

- the queue page `referrals:queue` (when it exists), 25 per page, sorted by deadline;
- its ORM equivalent: agency_queue(user) + ReferralFilter + order_by("due_date", "pk")[:25]
  + count(), the user fetched afresh each run as a request would;
- the API list /api/v1/referrals/ with the same filters and page_size=25.

Each beside its captured SELECTs re-run raw on one connection; the slowest one is kept with
its EXPLAIN (ANALYZE, BUFFERS). Last, the unfiltered queue once more without the queue index
of 0004 (dropped in a transaction that is rolled back). Target: ≤ 150 ms, bounded queries.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_registry as registry  # noqa: E402

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench_ref"
TARGET_MS = 150.0
AGENCY_USER = "demo-dinkes"
QUEUE_INDEX = "referrals_referral_agency_due"  # referrals/migrations/0004_queue_indexes.py
KECAMATAN = "32.75.01"
FILTERED = [("status", "submitted"), ("status", "accepted"), ("kecamatan", KECAMATAN)]
FILTERED_OVERDUE = [*FILTERED, ("overdue", "true")]
# Share of referrals per status: most are finished, a third still on someone's desk.
STATUS_WEIGHTS = {
    "draft": 3,
    "submitted": 18,
    "accepted": 12,
    "in_progress": 10,
    "returned": 4,
    "rejected": 5,
    "resolved": 18,
    "closed": 30,
}
COLUMNS = (
    "created_at", "updated_at", "household_id", "category_id", "description", "priority",
    "origin_user_id", "origin_kelurahan_id", "agency_id", "status", "due_date", "assignee_id",
    "outcome", "submitted_at", "accepted_at", "resolved_at", "closed_at",
)  # fmt: skip


@dataclass
class Timing:
    figure: str
    url: str
    median_ms: float | None = None
    p95_ms: float | None = None
    first_ms: float | None = None
    queries: int = 0
    rows: int | None = None
    bare_ms: float | None = None
    error: str = ""
    slowest_sql: str = ""
    slowest_plan: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.median_ms / self.bare_ms if self.median_ms and self.bare_ms else None


def main() -> None:
    args = _arguments()
    url = _bench_url(args.database_url)
    if url is None:
        print("bench_referrals measures PostgreSQL (COPY, the planner): skipped on SQLite.")
        return
    env = registry.bench_env(url)
    print(f"Benchmark database: {registry._redacted(url)}")
    if not (args.reuse and _seeded(url, args.households)):
        registry.seed_database(url, env, args.households)
    registry._manage(env, "migrate", "--noinput", "-v0")  # e.g. a new index on a reused db
    os.environ.update(env)
    registry._setup_django()
    seconds = _ensure_referrals(url, args.referrals)
    load = os.getloadavg()
    timings = _measure(args.runs)
    timings.append(_without_queue_index(args.runs))
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": load, "load_after": os.getloadavg()},
        "postgresql": registry._server_version(url),
        "households": _count("households_household"),
        "referrals": _count("referrals_referral"),
        "referrals_copy_seconds": seconds,
        "timings": [asdict(t) | {"ratio": t.ratio} for t in timings],
        "target_ms": TARGET_MS,
    }
    _report(results, timings)
    registry.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = registry.RESULTS / f"referrals-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults written to {path.relative_to(registry.ROOT)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--runs", type=int, default=30, help="warm requests per figure")
    return parser.parse_args()


def _bench_url(explicit: str | None) -> str | None:
    """--database-url, else DATABASE_URL, else LOCAL_URL; its own database, named *bench*, as
    the benchmark may drop it. None on SQLite."""
    url = explicit or os.environ.get("DATABASE_URL") or LOCAL_URL
    if not url.startswith("postgres"):
        return None
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "slrt"
    if "bench" not in name:
        parts = parts._replace(path=f"/{name}_bench_ref")
    return parts.geturl()


def _seeded(url: str, households: int) -> bool:
    try:
        with psycopg.connect(url) as conn:
            found = conn.execute("SELECT count(*) FROM households_household").fetchone()[0]
    except psycopg.Error:
        return False
    return found == households


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def _ensure_referrals(url: str, wanted: int) -> float | None:
    """COPY `wanted` referrals over the six need categories, unless they are there."""
    if _count("referrals_referral") == wanted:
        print(f"Reusing {wanted:,} referrals.")
        return None
    print(f"Writing {wanted:,} referrals with COPY ...", flush=True)
    rows = _referral_rows(wanted)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE referrals_referral CASCADE")
        with conn.transaction(), conn.cursor() as cursor:
            statement = f"COPY referrals_referral ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        seconds = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE")  # the planner needs the regions' statistics too
    print(f"  {wanted:,} referrals in {seconds:.1f} s ({wanted / seconds:,.0f} rows/s)")
    return seconds


def _referral_rows(count: int) -> list[tuple]:
    """Realistic spread: the six categories' agencies, statuses by STATUS_WEIGHTS, open ones
    received recently (about a third past their deadline), finished ones over a year."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from households.models import Household
    from referrals import sla
    from referrals.models import NeedCategory

    rng = random.Random(5)
    households = list(Household.objects.values_list("pk", "kelurahan_id"))
    categories = list(NeedCategory.objects.values_list("pk", "default_agency_id", "deadline_days"))
    users = dict(User.objects.values_list("username", "pk"))
    origins = [users["demo-puskesos"], users["demo-pendamping"]]
    officer = User.objects.select_related("profile").get(username=AGENCY_USER)
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    now, today = timezone.now(), timezone.localdate()
    rows = []
    for status in statuses:
        household, kelurahan = rng.choice(households)
        category, agency, days = rng.choice(categories)
        finished = status in ("rejected", "resolved", "closed")
        age = rng.randint(0, 365) if finished else int(rng.expovariate(1 / 12))
        received = today - timedelta(days=age)
        at = now - timedelta(days=age, seconds=rng.randint(0, 28_800))
        taken = status not in ("draft", "submitted", "returned", "rejected")
        done = status in ("resolved", "closed")
        due = None if status == "draft" else sla.due_date(received=received, days=days)
        priority = "urgent" if rng.random() < 0.1 else "normal"
        assignee = officer.pk if taken and agency == officer.profile.agency_id else None
        rows.append(
            (
                at, at, household, category, "Kebutuhan keluarga", priority, rng.choice(origins),
                kelurahan, agency, status, due, assignee, "served" if done else "",
                None if status == "draft" else at,
                at + timedelta(days=1) if taken else None,
                at + timedelta(days=5) if done else None,
                at + timedelta(days=8) if status == "closed" else None,
            )
        )  # fmt: skip
    return rows


def _measure(runs: int) -> list[Timing]:
    from django.urls import NoReverseMatch, reverse

    filtered, overdue = urlencode(FILTERED), urlencode(FILTERED_OVERDUE)
    cases: list[tuple[str, str]] = []
    try:
        queue = reverse("referrals:queue")
        cases += [
            (f"queue page, {label}", f"{queue}?{q}") for label, q in _labels(filtered, overdue)
        ]
    except NoReverseMatch:
        print("The queue page (referrals:queue) does not exist yet: measuring its ORM query.")
    cases += [(f"queue ORM, {label}", f"orm:{q}") for label, q in _labels(filtered, overdue)]
    cases += [
        (f"API list, {label}", f"/api/v1/referrals/?{q}&page_size=25")
        for label, q in _labels(filtered, overdue)
    ]
    timings = []
    for label, url in cases:
        print(f"Timing {label} ...", flush=True)
        timings.append(_time(label, url, runs))
    return timings


def _labels(filtered: str, overdue: str) -> list[tuple[str, str]]:
    return [
        ("no filter", ""),
        ("submitted+accepted, one kecamatan", filtered),
        ("submitted+accepted, one kecamatan, overdue", overdue),
    ]


def _time(label: str, url: str, runs: int) -> Timing:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    timing = Timing(figure=label, url=url)
    if url.startswith("orm:"):

        def request():
            return _queue_orm(url.removeprefix("orm:"))
    else:
        client = Client()
        client.force_login(User.objects.get(username=AGENCY_USER))

        def request():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response.json()["count"] if "/api/" in url else None

    try:
        first, _ = registry._timed(request)
        samples = [registry._timed(request)[0] * 1000 for _ in range(runs)]
        with CaptureQueriesContext(connection) as captured:
            timing.rows = request()
    except Exception as error:  # a page not written yet is reported, not fatal
        timing.error = f"{type(error).__name__}: {error}"[:300]
        return timing
    timing.first_ms, timing.median_ms = first * 1000, statistics.median(samples)
    timing.p95_ms = statistics.quantiles(samples, n=20)[18]
    timing.queries = len(captured.captured_queries)
    selects = [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")
    ]
    timing.bare_ms, timing.slowest_sql, timing.slowest_plan = registry._bare_queries(selects, runs)
    return timing


class _Rollback(Exception):
    pass


def _without_queue_index(runs: int) -> Timing:
    """The unfiltered queue again with 0004's index dropped inside a transaction rolled back:
    what the index is worth, measured in the same run."""
    from django.db import connection, transaction

    timing = Timing(figure="", url="")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {QUEUE_INDEX}")
            timing = _time("queue ORM, no filter, WITHOUT the 0004 index", "orm:", runs)
            raise _Rollback
    except _Rollback:
        pass
    return timing


def _queue_orm(query: str) -> int:
    """What the queue page does for its data, without rendering: the agency's scope, the
    filters, the first 25 by deadline and the total for the pager."""
    from django.contrib.auth.models import User
    from django.http import QueryDict

    from referrals.filters import ReferralFilter
    from referrals.selectors import agency_queue

    user = User.objects.get(username=AGENCY_USER)  # a request loads its user afresh
    filterset = ReferralFilter(QueryDict(query), queryset=agency_queue(user))
    if not filterset.is_valid():
        raise RuntimeError(f"bad filters: {filterset.errors}")
    rows = filterset.qs.order_by("due_date", "pk")
    list(rows[:25])
    return rows.count()


def _report(results: dict, timings: list[Timing]) -> None:
    load = results["machine"]
    print(
        f"\n{results['households']:,} households, {results['referrals']:,} referrals; "
        f"{results['postgresql'][:40]}; load {load['load_before'][0]:.2f} → "
        f"{load['load_after'][0]:.2f} on {load['cpus']} cores"
    )
    header = f"{'as demo-dinkes':<58} | {'median':>7} | {'p95':>7} | {'SQL':>3} | {'bare':>6}"
    print(f"{header} | ratio | rows")
    print("-" * (len(header) + 16))
    for t in timings:
        if t.error:
            print(f"{t.figure:<58} | {t.error}")
            continue
        print(
            f"{t.figure:<58} | {t.median_ms:>4.1f} ms | {t.p95_ms:>4.1f} ms | {t.queries:>3} | "
            f"{t.bare_ms:>3.1f} ms | {t.ratio:>5.1f} | {t.rows if t.rows is not None else ''}"
        )
    *project, without = timings
    worst = max((t for t in project if not t.error), key=lambda t: t.median_ms, default=None)
    if worst:
        verdict = "meets" if worst.median_ms <= TARGET_MS else "MISSES"
        print(
            f"\nSlowest: {worst.figure}, {worst.median_ms:.1f} ms: {verdict} ≤ {TARGET_MS:.0f} ms"
        )
        print("Its slowest SELECT's plan:")
        print("\n".join(f"  {line}" for line in worst.slowest_plan))
    if not without.error:
        print(f"\nWithout {QUEUE_INDEX}, the unfiltered queue's slowest SELECT's plan:")
        print("\n".join(f"  {line}" for line in without.slowest_plan))


if __name__ == "__main__":
    main()
