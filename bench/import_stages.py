"""Where an import's time goes: one check and one commit of a ward file through the service,
each stage's wall time summed by wrapping the functions that do it (issue 17's profile,
without a profiler's overhead).

    .venv/bin/python bench/import_stages.py [--file var/bench-import/ward-100000.xlsx]
        [--database-url URL] [--runs 2]

The database must be migrated and hold the regions (the `*_bench_import` database that
bench_import.py leaves behind will do); its households, members, enrolments and import
batches are emptied before each run. Run it from two worktrees in turn to compare them.
Stages of the check: bounds (inside read_sheet), read_sheet, validate_rows, store_check,
build_plan, _store_outcome, db_commit; of the commit: load_check, build_plan, apply_plan
(history_flush inside it), _store_outcome, db_commit (the COMMIT and its foreign-key checks).
"""

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(ROOT / "var" / "bench-import" / "ward-100000.xlsx"))
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/slrt_bench_import"
    )
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="False",
        SECURE_SSL="False",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-not-a-secret"),
        IMPORT_MAX_MB="4096",
        IMPORT_MAX_ROWS="1000000",
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
    )
    os.environ.pop("REDIS_URL", None)  # tasks run in this process
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slrt.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from households import hooks
    from households.imports import apply, checked, readers, services

    hooks._AFTER_IMPORT.clear()  # the eligibility run after an import is not its time
    spent: dict[str, float] = defaultdict(float)

    def timed(owner, name: str, label: str | None = None) -> None:
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[label or name] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(readers, "check_xlsx", "bounds")
    for name in ("read_sheet", "validate_rows", "build_plan", "_store_outcome", "apply_plan"):
        timed(services, name)
    timed(checked, "store", "store_check")
    timed(checked, "load", "load_check")
    timed(apply._History, "flush", "history_flush")
    timed(BaseDatabaseWrapper, "commit", "db_commit")

    path = Path(args.file)
    user, _created = User.objects.get_or_create(
        username="bench-stages", defaults={"is_superuser": True, "is_staff": True}
    )
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    for run in range(1, args.runs + 1):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE households_household, households_member, households_enrolment, "
                "households_importbatch CASCADE"
            )
        started, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as handle:
            upload = UploadedFile(handle, name=path.name, size=path.stat().st_size)
            batch = services.upload_import_batch(uploaded_file=upload, by=user)
        check, check_cpu = time.perf_counter() - started, time.process_time() - cpu
        check_stages = dict(spent)
        spent.clear()
        started, cpu = time.perf_counter(), time.process_time()
        services.confirm_import_batch(batch=batch, by=user)
        commit, commit_cpu = time.perf_counter() - started, time.process_time() - cpu
        batch.refresh_from_db()
        assert batch.status == "committed", batch.status
        print(
            f"run {run}: check {check:.2f} s (CPU {check_cpu:.2f}), commit {commit:.2f} s "
            f"(CPU {commit_cpu:.2f}), load {os.getloadavg()[0]:.2f}"
        )
        print("  check: " + ", ".join(f"{k} {v:.2f}" for k, v in check_stages.items()))
        print("  commit: " + ", ".join(f"{k} {v:.2f}" for k, v in spent.items()), flush=True)
        spent.clear()


if __name__ == "__main__":
    main()
