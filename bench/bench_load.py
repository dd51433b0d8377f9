"""Load benchmark: gunicorn on loopback against the city-sized registry, driven by wrk, each
page beside a bare Django page of the same rows served the same way, interleaved (PERF.md).

    .venv/bin/python bench/bench_load.py [--households 300000] [--referrals 100000]
                                         [--database-url URL] [--reuse] [--rounds 3]
                                         [--duration 10] [--threads 2] [--connections 16]
                                         [--compare-tree DIR]

Not a test: it measures throughput and tail latency of the production server process model
(gunicorn, workers as the Dockerfile starts them) on PostgreSQL. The database (default
postgresql://postgres@127.0.0.1:5432/slrt_bench) is dropped, migrated and seeded with
`seed_demo` (bench_registry's helpers) unless --reuse finds it seeded with --households
households; --referrals referrals are written with COPY (bench_referrals' rows) unless the
table holds that many, and the dashboards' stored figures are recounted. Two gunicorns, 3
workers each, DEBUG off:

- the project (slrt.wsgi) on 127.0.0.1:8790: the household list (demo-pendamping, Margahayu),
  one household page (the same user), the triage queue of Dinas Kesehatan (demo-dinkes) and
  the city dashboard (demo-pimpinan);
- the bare page (bench/bare_site.py) on 127.0.0.1:8791: a minimal Django project with the
  session, auth and CSRF middleware, the same database and user, the same ROWS households of
  Margahayu in the list's order: the rows are checked to be the project list's own.

Every user logs in through a login form (session cookies, as a browser does); each URL must
answer 200 with its session. After a warm-up (each URL 3 s, not counted), --rounds rounds,
each URL in turn within a round: wrk with --connections connections for --duration seconds,
then wrk with one connection. Per URL the medians over the rounds: requests/s, p50/p95/p99
(a small Lua script prints wrk's percentiles as JSON), errors (non-2xx answers, socket
errors, timeouts), and req/s as a ratio to the bare page's. Targets (issue 17) for the
household list: req/s ≥ 0.6 × the bare page's, one-connection p95 ≤ 20 ms. The load
average is printed at the start and the end. Results go to
bench/results/load-<timestamp>.json. Needs `wrk` (Debian: apt-get install wrk).

--compare-tree DIR serves another checkout of the project (say a worktree of main) on a third
port from the same database and cache, and measures its pages beside this tree's, URL by URL
in each round ("base: ..." rows): a before/after from one run on a shared machine.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_referrals as referrals  # noqa: E402
import bench_registry as registry  # noqa: E402

ROOT = registry.ROOT
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench"
HOST = "127.0.0.1"
APP, BARE, BASE = 8790, 8791, 8792  # ports: the project, the bare page, --compare-tree's
WORKERS = 3  # as the Dockerfile's CMD (2 x cores + 1 on the 1-core production VM)
RATIO_TARGET, P95_TARGET_MS = 0.6, 20.0  # the household list, issue 17
WARM_UP_SECONDS = 3
# (label, user, server, path); "{household}" is one household of the user's kelurahan,
# "{kelurahan}" the kelurahan's id. The bare page first: every ratio is to it.
TARGETS = [
    ("bare page (bare_site.py)", "demo-pendamping", BARE, "/households/?kelurahan={kelurahan}"),
    ("household list", "demo-pendamping", APP, "/households/"),
    ("household page", "demo-pendamping", APP, "/households/{household}/"),
    ("triage queue (Dinkes)", "demo-dinkes", APP, "/referrals/queue/"),
    ("city dashboard", "demo-pimpinan", APP, "/dashboards/"),
]  # fmt: skip
# Errors: wrk's own count (status >= 400, socket errors, timeouts); each URL is checked to
# answer 200 with its session before wrk starts, so a redirect to the login page cannot pass.
LUA = r"""
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_ms": %f, "p95_ms": %f, "p99_ms": %f, "max_ms": %f, '
    .. '"non_2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""


def main() -> None:
    args = _arguments()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install -y wrk).")
    url = registry._bench_url(args.database_url)
    # The dashboards' stored figures are recounted below; in production beat recounts them
    # every 5 minutes in a worker. Without beat here, a page finding them stale (default 10
    # minutes) would recount the city inside a request: not what the pages cost.
    env = registry.bench_env(
        url, ALLOWED_HOSTS=HOST, DEMO_PASSWORD="bench-load-demo", DASHBOARD_STALE_MINUTES="240"
    )
    print(f"Benchmark database: {registry._redacted(url)}")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    registry.ensure_seeded(url, env, args.households, reuse=args.reuse)
    os.environ.update(env)
    registry._setup_django()
    referrals._ensure_referrals(url, args.referrals)
    # The demo users' password is the benchmark's own, whatever seeded the database.
    registry._manage(
        env, "shell", "-c", "from households.demo import users; users.ensure_demo_users()"
    )
    registry._manage(env, "refresh_dashboard_counts")
    household, kelurahan = _one_household(url)
    servers = [
        _start_gunicorn(env, "slrt.wsgi:application", APP),
        _start_gunicorn(env, "bare_site:application", BARE),
    ]
    wanted = list(TARGETS)
    if args.compare_tree:
        # Another checkout of the project (a worktree at the commit to compare against), on
        # the same database, cache and bare page, interleaved URL by URL with this tree's.
        servers.append(_start_gunicorn(env, "slrt.wsgi:application", BASE, args.compare_tree))
        wanted = [wanted[0]] + [
            t
            for target in TARGETS[1:]
            for t in (("base: " + target[0], target[1], BASE, target[3]), target)
        ]
    try:
        for server in servers:
            _wait_until_up(server.port)
        cookies = {
            (user, port): _login(port, user, env["DEMO_PASSWORD"]) for _, user, port, _ in wanted
        }
        targets = []
        for label, user, port, path in wanted:
            path = path.format(household=household, kelurahan=kelurahan)
            status, _, _ = _get(port, path, cookies[user, port])
            if status != 200:
                sys.exit(f"{path} as {user} answers HTTP {status}, not 200: nothing to measure.")
            targets.append({"label": label, "user": user, "port": port, "path": path})
        listed = next(t for t in targets if t["label"] == "household list")
        _check_same_rows(targets[0], listed, cookies)
        # Every worker's first requests (imports, templates, the process copy of reference
        # rows, connections) are not what a page costs: a round that is not counted.
        for t in targets:
            print(f"warm-up: {t['label']}", flush=True)
            cookie = cookies[t["user"], t["port"]]
            _wrk(t["port"], t["path"], cookie, WARM_UP_SECONDS, args.threads, args.connections)
        load_before = os.getloadavg()
        print("load average before wrk: {:.2f} {:.2f} {:.2f}".format(*load_before), flush=True)
        runs = {t["label"]: {"many": [], "one": []} for t in targets}
        masters = {server.port: server.pid for server in servers}
        for round_ in range(1, args.rounds + 1):
            for t in targets:
                cookie = cookies[t["user"], t["port"]]
                print(f"round {round_}: wrk {t['label']}: {t['path']} as {t['user']}", flush=True)
                used = _CpuUsed(masters[t["port"]], url)
                many = _wrk(
                    t["port"], t["path"], cookie, args.duration, args.threads, args.connections
                )
                many |= used.per_request(many["requests"])
                one = _wrk(t["port"], t["path"], cookie, args.duration, 1, 1)
                runs[t["label"]]["many"].append(many)
                runs[t["label"]]["one"].append(one)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    bare_rps = _median(runs[targets[0]["label"]]["many"], "requests_per_second")
    results = []
    for t in targets:
        many, one = runs[t["label"]]["many"], runs[t["label"]]["one"]
        row = t | {
            "requests_per_second": _median(many, "requests_per_second"),
            "p50_ms": _median(many, "p50_ms"),
            "p95_ms": _median(many, "p95_ms"),
            "p99_ms": _median(many, "p99_ms"),
            "errors": sum(r["errors"] for r in many + one),
            "cpu_ms": _median(many, "cpu_ms"),
            "postgres_cpu_ms": _median(many, "postgres_cpu_ms"),
            "one_connection": {
                "requests_per_second": _median(one, "requests_per_second"),
                "p50_ms": _median(one, "p50_ms"),
                "p95_ms": _median(one, "p95_ms"),
            },
            "runs": {"many": many, "one": one},
        }
        row["ratio_to_bare"] = row["requests_per_second"] / bare_rps
        results.append(row)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "postgresql": registry._server_version(url),
        "households": registry._table_count(url, "households_household"),
        "members": registry._table_count(url, "households_member"),
        "referrals": registry._table_count(url, "referrals_referral"),
        "gunicorn_workers": WORKERS,
        "wrk": {
            "rounds": args.rounds,
            "duration": args.duration,
            "threads": args.threads,
            "connections": args.connections,
        },
        "urls": results,
    }
    _report(summary)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    registry.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = registry.RESULTS / f"load-{stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str))
    print(f"\nResults written to {path.relative_to(ROOT)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--database-url", default=LOCAL_URL)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--compare-tree",
        type=Path,
        help="another checkout of the project (e.g. a git worktree of main) served on port "
        f"{BASE} and measured beside this one, URL by URL ('base: ...' rows)",
    )
    return parser.parse_args()


def _median(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def _one_household(url: str) -> tuple[int, int]:
    """The first household of the facilitator's kelurahan and the kelurahan's id."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT h.id, r.id FROM households_household h JOIN households_region r"
            " ON r.id = h.kelurahan_id WHERE r.code = %s ORDER BY h.id LIMIT 1",
            (registry.KELURAHAN,),
        ).fetchone()


def _start_gunicorn(
    env: dict[str, str], application: str, port: int, tree: Path = ROOT
) -> subprocess.Popen:
    """The same command line for all (bench/ on the path for the bare page's module), in the
    project's tree `tree` (gunicorn puts its working directory first on sys.path)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        application,
        "--pythonpath",
        "bench",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=tree, env=env)
    server.port = port
    return server


def _wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _get(port, "/accounts/login/")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn on port {port} did not answer within a minute.")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(port: int, path: str, cookie: str = "", data: bytes | None = None, referer: str = ""):
    """One request without following redirects: (status, body, the Set-Cookie pairs)."""
    headers = {"Cookie": cookie} if cookie else {}
    if referer:
        headers["Referer"] = referer
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as error:  # 3xx and 4xx/5xx alike
        response = error
    # Parsed by hand: the Secure flag (production settings) must not hide them on loopback.
    pairs = dict(
        header.split(";", 1)[0].strip().split("=", 1)
        for header in response.headers.get_all("Set-Cookie") or ()
    )
    return response.status, response.read().decode(errors="replace"), pairs


def _login(port: int, username: str, password: str) -> str:
    """Log in through the form as a browser does; the Cookie header for wrk."""
    _, page, cookies = _get(port, "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    referer = f"http://{HOST}:{port}/accounts/login/"
    status, _, more = _get(port, "/accounts/login/", cookie, data=data, referer=referer)
    cookies |= more
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"Could not log in as {username} on port {port} (HTTP {status}).")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _check_same_rows(bare: dict, page: dict, cookies: dict) -> None:
    """The bare page must show the project list's households, in its order."""
    shown = {}
    for t in (bare, page):
        body = _get(t["port"], t["path"], cookies[t["user"], t["port"]])[1]
        shown[t["label"]] = re.findall(r'href="/households/(\d+)/"', body)
    rows = list(shown.values())
    if rows[0] != rows[1] or not rows[0]:
        sys.exit(f"The bare page does not show the list's households: {shown}")
    print(f"Same {len(rows[0])} households on the bare page and the list.", flush=True)


class _CpuUsed:
    """CPU time (user + system, from /proc) that a server's workers and the bench database's
    PostgreSQL backends use from now on: per request, the work a page costs, which moves
    less with the other jobs on the machine than its requests/s (at load 10-17 the req/s of
    one page moved 2x between rounds, its CPU per request ~15 %). Linux only; None where
    /proc cannot be read."""

    def __init__(self, master: int, url: str):
        self.master, self.url = master, url
        self.start = self._now()

    def per_request(self, requests: int) -> dict:
        end = self._now()
        if self.start is None or end is None or not requests:
            return {"cpu_ms": None, "postgres_cpu_ms": None}
        workers = end["workers"] - self.start["workers"]
        backends = sum(
            t - self.start["backends"].get(pid, 0.0) for pid, t in end["backends"].items()
        )
        return {"cpu_ms": workers * 1000 / requests, "postgres_cpu_ms": backends * 1000 / requests}

    def _now(self) -> dict | None:
        import psycopg

        try:
            with open(f"/proc/{self.master}/task/{self.master}/children") as f:
                workers = [int(pid) for pid in f.read().split()]
            with psycopg.connect(self.url, autocommit=True) as conn:
                pids = [
                    row[0]
                    for row in conn.execute(
                        "SELECT pid FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                ]
        except OSError:
            return None
        return {
            "workers": sum(_process_cpu(pid) for pid in workers),
            "backends": {pid: _process_cpu(pid) for pid in pids},
        }


def _process_cpu(pid: int) -> float:
    """Seconds of CPU a process has used (0 for one that has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk(port: int, path: str, cookie: str, duration: int, threads: int, connections: int):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        done = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                "-H",
                f"Cookie: {cookie}",
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["requests_per_second"] = figures["requests"] / figures["seconds"]
    figures["errors"] = sum(figures[k] for k in ("non_2xx", "connect", "read", "write", "timeout"))
    return figures


def _report(summary: dict) -> None:
    load = summary["machine"]
    print(
        f"\n{summary['households']:,} households, {summary['members']:,} members, "
        f"{summary['referrals']:,} referrals; gunicorn {summary['gunicorn_workers']} workers; "
        f"wrk {summary['wrk']}; medians of {summary['wrk']['rounds']} interleaved rounds; "
        f"load average before {load['load_before'][0]:.1f}, after {load['load_after'][0]:.1f} "
        f"on {load['cpus']} cores\n"
    )
    connections = summary["wrk"]["connections"]
    print(
        f"{'url':32} {'req/s':>7} {'÷ bare':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>6} | 1 conn: {'req/s':>6} {'p95 ms':>6} | CPU ms/req: {'app':>5} {'pg':>5}"
    )
    for row in summary["urls"]:
        one = row["one_connection"]
        cpu = " ".join(
            f"{row[k]:5.1f}" if row[k] is not None else "    –"
            for k in ("cpu_ms", "postgres_cpu_ms")
        )
        print(
            f"{row['label']:32} {row['requests_per_second']:7.1f} {row['ratio_to_bare']:6.2f} "
            f"{row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['p99_ms']:7.0f} {row['errors']:6d} "
            f"|         {one['requests_per_second']:6.1f} {one['p95_ms']:6.1f} |             {cpu}"
        )
    listed = next(r for r in summary["urls"] if r["label"] == "household list")
    ratio, p95 = listed["ratio_to_bare"], listed["one_connection"]["p95_ms"]
    print(
        f"\nhousehold list: req/s ÷ bare page {ratio:.2f} at {connections} connections (target "
        f"≥ {RATIO_TARGET}: {'met' if ratio >= RATIO_TARGET else 'NOT met'}); one connection "
        f"p95 {p95:.1f} ms (target ≤ {P95_TARGET_MS:.0f} ms: "
        f"{'met' if p95 <= P95_TARGET_MS else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
