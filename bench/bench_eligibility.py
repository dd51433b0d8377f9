"""Eligibility benchmark: a full run of the active rule set over the demo registry beside one
hand-written SQL statement for the car-owner rule, measured in the same run (PERF.md), and a
simulation of one changed threshold.

    .venv/bin/python bench/bench_eligibility.py [--households 300000] [--database-url URL]
                                                [--reuse]

The database (default postgresql://postgres@127.0.0.1:5432/slrt_bench_elig) is dropped,
migrated and seeded with `seed_demo` unless --reuse is given. Figures, medians of --repeat:

- bare: `INSERT INTO <temp table> SELECT id, json_build_object('car_count', car_count) FROM
  households_household WHERE car_count >= 1`, in a transaction rolled back.
- first run: `run_eligibility()` on no flags (every flag inserted), rolled back after
  timing; then one run is kept, and a re-run (flags refreshed, none new) is timed.
- simulation: a draft with electricity ≥ 3,500 VA instead of 2,200 VA against the active set,
  per kecamatan, kelurahan and program, with the lists (nothing written).
Targets: full run ≤ 30 s, simulation ≤ 10 s.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_registry as registry  # noqa: E402

ROOT = registry.ROOT
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench_elig"
RUN_TARGET_S = 30.0
SIMULATION_TARGET_S = 10.0
BARE_SQL = (
    "INSERT INTO bench_car_flags (household_id, vals) "
    "SELECT id, json_build_object('car_count', car_count) "
    "FROM households_household WHERE car_count >= 1"
)


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default=LOCAL_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    url = registry._bench_url(args.database_url)
    env = registry.bench_env(url)
    print(f"Benchmark database: {registry._redacted(url)}")
    if not args.reuse:
        registry.seed_database(url, env, args.households)
    os.environ.update(env)
    registry._setup_django()

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count()},
        "postgresql": registry._server_version(url),
        "households": _count("households_household"),
        "members": _count("households_member"),
        "bare_car_rule_s": _median(args.repeat, _bare),
        "first_run_s": _median(args.repeat, _first_run),
    }
    results |= {
        "rerun_s": _rerun_after_committed_run(),
        "simulation_s": _median(args.repeat, _simulation),
    }
    results["counts"] = _last_counts
    results["ratio_run_to_bare"] = results["first_run_s"] / results["bare_car_rule_s"]
    _report(results)
    registry.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = registry.RESULTS / f"eligibility-{stamp}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nResults written to {path.relative_to(ROOT)}")


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our table names)
        return cursor.fetchone()[0]


def _median(repeat: int, measure) -> float:
    times = [measure() for _ in range(repeat)]
    return statistics.median(times)


def _rolled_back(work) -> float:
    from django.db import transaction

    elapsed = 0.0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            work()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _bare() -> float:
    from django.db import connection

    def work():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_car_flags (household_id bigint, vals jsonb) ON COMMIT DROP"
            )
            started = time.perf_counter()
            cursor.execute(BARE_SQL)
            work.seconds = time.perf_counter() - started

    _rolled_back(work)
    return work.seconds


_last_counts: dict = {}


def _first_run() -> float:
    from eligibility.services import run_eligibility

    def work():
        run = run_eligibility()
        _last_counts.clear()
        _last_counts.update(run.counts)

    return _rolled_back(work)


def _rerun_after_committed_run() -> float:
    """A run kept (the simulation compares against its open flags), then a re-run timed."""
    from eligibility.models import Flag
    from eligibility.services import run_eligibility

    if not Flag.objects.exists():
        run_eligibility()
    return _rolled_back(run_eligibility)


def _simulation() -> float:
    from django.contrib.auth.models import User

    from eligibility.models import Rule
    from eligibility.services import save_rule, simulate_rule_set
    from households.models import Household

    def work():
        user = User.objects.create(username=f"bench-{time.time_ns()}")
        rule = Rule.objects.get(code="electricity_high", rule_set__status="active")
        data = {f: getattr(rule, f) for f in ("name_id", "name_en", "kind", "message", "severity")}
        data["condition"] = {"field": "electricity_va", "op": ">=", "value": 3500}
        draft = save_rule(rule=rule, data=data, by=user).rule_set
        started = time.perf_counter()
        result = simulate_rule_set(draft=draft, households=Household.objects.all())
        work.seconds = time.perf_counter() - started
        work.totals = result.totals

    _rolled_back(work)
    print(
        f"  simulation: now {work.totals.now:,}, draft {work.totals.draft:,}, "
        f"no longer {work.totals.no_longer:,} in {work.seconds:.2f} s",
        flush=True,
    )
    return work.seconds


def _report(r: dict) -> None:
    print(f"\n{r['households']:,} households, {r['members']:,} members; {r['postgresql'][:40]}")
    print(f"  bare car-owner INSERT … SELECT : {r['bare_car_rule_s']:.2f} s")
    print(
        f"  full run, {len(r['counts'])} rules        : {r['first_run_s']:.2f} s "
        f"({r['ratio_run_to_bare']:.1f}× the bare statement; target ≤ {RUN_TARGET_S:.0f} s)"
    )
    print(f"  re-run (flags refreshed)       : {r['rerun_s']:.2f} s")
    print(
        f"  simulation (≥ 3,500 VA)        : {r['simulation_s']:.2f} s "
        f"(target ≤ {SIMULATION_TARGET_S:.0f} s)"
    )
    for code, counts in sorted(r["counts"].items()):
        print(f"    {code:24} {counts['flagged']:>8,} flagged")


if __name__ == "__main__":
    main()
