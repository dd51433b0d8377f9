"""Load benchmark: gunicorn on loopback against the city-sized registry, driven by wrk.

    .venv/bin/python bench/bench_load.py [--households 300000] [--database-url URL] [--reuse]
                                         [--duration 20] [--threads 2] [--connections 16]

Not a test: it measures throughput and tail latency of the production server process model
(gunicorn, workers as the Dockerfile starts them) on PostgreSQL. The database (default
postgresql://postgres@127.0.0.1:5432/slrt_bench) is dropped, migrated and seeded with
`seed_demo` + `seed_demo_referrals` (bench_registry's helpers) unless --reuse finds it seeded
with --households households. The demo users log in through the login form (session cookies,
as a browser does), then wrk hits each URL for --duration seconds:

- the household list (demo-pendamping, Margahayu), one household page (the same user),
- the triage queue of Dinas Kesehatan (demo-dinkes), the city dashboard (demo-pimpinan).

Per URL: requests/s, p50/p95/p99 latency (a small Lua script prints wrk's percentiles as JSON)
and errors (non-2xx answers, socket errors, timeouts). Results go to
bench/results/load-<timestamp>.json. Needs `wrk` (Debian: apt-get install wrk).
"""

import argparse
import json
import os
import re
import shutil
import signal
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
import bench_registry as registry  # noqa: E402

ROOT = registry.ROOT
LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/slrt_bench"
HOST, PORT = "127.0.0.1", 8790
WORKERS = 3  # as the Dockerfile's CMD (2 x cores + 1 on the 1-core production VM)
# (label, user, path); "{household}" is one household of the user's kelurahan.
TARGETS = [
    ("household list", "demo-pendamping", "/households/"),
    ("household page", "demo-pendamping", "/households/{household}/"),
    ("triage queue (Dinkes)", "demo-dinkes", "/referrals/queue/"),
    ("city dashboard", "demo-pimpinan", "/dashboards/"),
]
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
    env = registry.bench_env(url, ALLOWED_HOSTS=HOST, DEMO_PASSWORD="bench-load-demo")
    print(f"Benchmark database: {registry._redacted(url)}")
    if not (args.reuse and _seeded(url, args.households)):
        registry.seed_database(url, env, args.households)
        registry._manage(env, "seed_demo_referrals", "--force")
    registry._manage(env, "migrate", "--noinput", "-v0")
    # The demo users' password is the benchmark's own, whatever seeded the database.
    registry._manage(
        env, "shell", "-c", "from households.demo import users; users.ensure_demo_users()"
    )
    household = _one_household(url)
    server = _start_gunicorn(env)
    try:
        _wait_until_up()
        cookies = {user: _login(user, env["DEMO_PASSWORD"]) for _, user, _ in TARGETS}
        load_before = os.getloadavg()
        results = []
        for label, user, path in TARGETS:
            path = path.format(household=household)
            status, _, _ = _get(path, cookies[user])
            if status != 200:
                sys.exit(f"{path} as {user} answers HTTP {status}, not 200: nothing to measure.")
            print(f"wrk {label}: {path} as {user} for {args.duration} s ...", flush=True)
            results.append(
                {"label": label, "user": user, "path": path}
                | _wrk(path, cookies[user], args.duration, args.threads, args.connections)
            )
        load_after = os.getloadavg()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    summary = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "postgresql": registry._server_version(url),
        "households": args.households,
        "gunicorn_workers": WORKERS,
        "wrk": {
            "duration": args.duration,
            "threads": args.threads,
            "connections": args.connections,
        },
        "urls": results,
    }
    _report(summary)
    registry.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = registry.RESULTS / f"load-{stamp}.json"
    path.write_text(json.dumps(summary, indent=2, default=str))
    print(f"\nResults written to {path.relative_to(ROOT)}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--database-url", default=LOCAL_URL)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per URL")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    return parser.parse_args()


def _seeded(url: str, households: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            found = conn.execute("SELECT count(*) FROM households_household").fetchone()[0]
            referrals = conn.execute("SELECT count(*) FROM referrals_referral").fetchone()[0]
    except psycopg.Error:
        return False
    return found == households and referrals > 0


def _one_household(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT h.id FROM households_household h JOIN households_region r"
            " ON r.id = h.kelurahan_id WHERE r.code = %s ORDER BY h.id LIMIT 1",
            (registry.KELURAHAN,),
        ).fetchone()
    return row[0]


def _start_gunicorn(env: dict[str, str]) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "slrt.wsgi:application",
        "--bind",
        f"{HOST}:{PORT}",
        "--workers",
        str(WORKERS),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def _wait_until_up(seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _get("/accounts/login/")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    sys.exit("gunicorn did not answer within a minute.")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(path: str, cookie: str = "", data: bytes | None = None, referer: str = ""):
    """One request without following redirects: (status, body, the Set-Cookie pairs)."""
    headers = {"Cookie": cookie} if cookie else {}
    if referer:
        headers["Referer"] = referer
    request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", data=data, headers=headers)
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


def _login(username: str, password: str) -> str:
    """Log in through the form as a browser does; the Cookie header for wrk."""
    _, page, cookies = _get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    referer = f"http://{HOST}:{PORT}/accounts/login/"
    status, _, more = _get("/accounts/login/", cookie, data=data, referer=referer)
    cookies |= more
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"Could not log in as {username} (HTTP {status}).")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _wrk(path: str, cookie: str, duration: int, threads: int, connections: int) -> dict:
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
                f"http://{HOST}:{PORT}{path}",
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
        f"\n{summary['households']:,} households, gunicorn {summary['gunicorn_workers']} workers, "
        f"wrk {summary['wrk']}; load average before {load['load_before'][0]:.1f}, "
        f"after {load['load_after'][0]:.1f} on {load['cpus']} cores\n"
    )
    print(f"{'url':26} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for row in summary["urls"]:
        print(
            f"{row['label']:26} {row['requests_per_second']:7.1f} {row['p50_ms']:7.0f} "
            f"{row['p95_ms']:7.0f} {row['p99_ms']:7.0f} {row['errors']:6d}"
        )


if __name__ == "__main__":
    main()
