"""``make bench``: seed, serve under gunicorn with production settings, load with wrk, print one table.

For each size (1,000 and 100,000 patients unless BENCH_SIZES says otherwise) the
benchmark database ``<name>_<size>`` beside DATABASE_URL's is seeded once
(tests.bench.seed) and reused. The app runs under gunicorn on 127.0.0.1 with
RETROWALK_ENV=production behind a simulated TLS proxy; wrk, a separate process,
signs in as the benchmark clinician (password and TOTP code) and as the
patient, then loads each page with 16 connections for BENCH_DURATION seconds.
The reference page is loaded for half that before every page and after the
last, and each page's ratio is to the two reference runs beside it.

The chart, the plan page and the plan PDF rotate over 1,000 different patients
(each request with its own signed-in session), so no cache answers one page again
and again. Every size is measured twice: with Django's cache in the database,
shared by every worker as several servers would share it (the warm-up opens every
rotated page once, as a day of use would), and with every cache off (a dummy
cache), so the table shows what the code costs and what the cache buys.

    make bench                                    # both sizes, 20 s a page
    BENCH_SIZES=1000 BENCH_DURATION=5 make bench  # a quick look
    BENCH_JSON=bench.json make bench              # also write the figures as JSON
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from tests.bench.pages import LANGUAGE_COOKIE

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CLIENTS = 16
WARM_UP_SECONDS = 3
WRITE_CHECK_SECONDS = 5
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/retrowalk_bench"

# Targets of the benchmark (issues "Benchmark and scale" and "One idiomatic codebase"): with the cache on.
MIN_RATIO = 0.4
MIN_PDF_RATIO = 0.05
MAX_SCALE = 1.3
MAX_QUERIES = 12
# The session-log POST also asks the database to check the log's five check constraints (Django's own
# constraint validation, one query each, through the ModelForm), where pages only read.
MAX_WRITE_QUERIES = 13


def max_queries(page: str) -> int:
    return MAX_WRITE_QUERIES if page == "session-log POST" else MAX_QUERIES


def _size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_{_size_label(size)}"))


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _env(url: str, port: int, cache: str = "database") -> dict:
    env = dict(os.environ)
    env.update(
        RETROWALK_CACHE=cache,
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        RETROWALK_ENV="production",
        DJANGO_SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_BEHIND_TLS_PROXY="true",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_request(port: int, method: str, path: str, *, body=None, headers=None, secure=True):
    """One request to the app on 127.0.0.1 (as if through the TLS proxy when secure); the body is ``.body``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        method, path, body=body, headers={**({"X-Forwarded-Proto": "https"} if secure else {}), **(headers or {})}
    )
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


class Server:
    """gunicorn with the production settings, as DESIGN.md runs the app."""

    def __init__(self, env: dict, port: int, log: Path, *, workers: int | None = None):
        workers = str(workers or os.environ.get("BENCH_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
        self.port = port
        self.log = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [PYTHON, "-m", "gunicorn", "retrowalk.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", workers],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the workers with it
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start: see {log}")

    def get(self, path):
        return http_request(self.port, "GET", path)

    def _workers_cpu(self) -> int:
        """CPU ticks used so far by the server's worker processes (Linux /proc)."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:  # ppid
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total

    def wait_idle(self, timeout: float = 120) -> None:
        """Wait until the workers finish what wrk left in flight (a PDF can take seconds)."""
        deadline = time.monotonic() + timeout
        used = self._workers_cpu()
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = self._workers_cpu()
            if now - used <= 2:
                return
            used = now

    def kill(self):
        """The server dies at once, master and workers, mid-request (SIGKILL), as a crashed machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


class Session:
    """A browser's cookies, signed in through the login page (and the two-step page when asked)."""

    def __init__(self, port: int, *, secure: bool = True):
        self.port = port
        self.secure = secure
        self.origin = f"{'https' if secure else 'http'}://127.0.0.1:{port}"
        self.cookies = SimpleCookie()

    def _send(self, method, path, data=None):
        headers = {"Cookie": self.cookie_header()}
        body = None
        if method == "POST":
            body = urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf()})
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin, "Referer": self.origin}
            )
        response = http_request(self.port, method, path, body=body, headers=headers, secure=self.secure)
        for value in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(value)
        return response

    def get(self, path):
        return self._send("GET", path)

    def post(self, path, data):
        return self._send("POST", path, data)

    def csrf(self) -> str:
        return self.cookies["csrftoken"].value

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={m.value}" for k, m in self.cookies.items() if m.value)

    def sign_in(self, username: str, password: str, totp_key: str = "") -> None:
        """Password, then (when the app asks for it) a TOTP code from the benchmark device's key."""
        from django_otp.oath import totp

        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        for _ in range(5):
            if answer.status != 302:
                raise SystemExit(f"signing in as {username}: {answer.status} at a step of the sign-in")
            location = urlsplit(answer.headers["Location"]).path
            if "/two-factor/verify/" not in location:
                answer = self.get(location)
                if answer.status == 200:
                    return
                continue
            # A code is good once: if this time step's was used already, the next step's is fresh.
            for _attempt in range(2):
                answer = self.post(location, {"code": f"{totp(bytes.fromhex(totp_key)):06d}"})
                if answer.status == 302:
                    break
                time.sleep(31 - time.time() % 30)
        raise SystemExit(f"signing in as {username} did not reach a page")


def _wrk(
    server, session: Session, page: dict, seconds: int, page_seconds: int | None = None, rotation: Path | None = None
) -> dict:
    """One wrk run against the page; returns once the server has finished every request of it."""
    port = server.port
    env = dict(os.environ)
    if rotation is not None:
        env["BENCH_LIST"] = str(rotation)
    if page_seconds is not None:
        env["BENCH_PAGE_SECONDS"] = str(page_seconds)
    env.update(
        BENCH_PATHS=" ".join(page["paths"]),
        BENCH_METHOD=page["method"],
        BENCH_BODY=urlencode(page["data"]),
        BENCH_EXPECT=str(page["expect"]),
        BENCH_COOKIE="; ".join(
            [session.cookie_header(), *([f"{LANGUAGE_COOKIE}={page['language']}"] if page["language"] else [])]
        ),
        BENCH_CSRF=session.csrf(),
        BENCH_ORIGIN=session.origin,
    )
    wrk = [shutil.which("wrk") or "wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "30s"]
    script = ["-s", str(ROOT / "tests/bench/load.lua"), f"http://127.0.0.1:{port}"]
    out = subprocess.run([*wrk, *script], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    server.wait_idle()
    return json.loads(out.stdout.strip().splitlines()[-1])


def _session_logs(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT COUNT(*) FROM programs_sessionlog").fetchone()[0]


def _visit_all(port: int, rotation: list) -> None:
    """Open every rotated page once (4 at a time), as a day of use would before the cache is measured."""
    from concurrent.futures import ThreadPoolExecutor

    def visit(item):
        path, cookie = item
        return http_request(port, "GET", path, headers={"Cookie": cookie}).status

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(visit, rotation))
    if set(statuses) != {200}:
        raise SystemExit(f"the rotated pages answered {sorted(set(statuses))}, not only 200")


def run_size(base_url: str, size: int, seconds: int, workdir: Path, cache: str) -> list[dict]:
    url = _database_url(base_url, size)
    label = _size_label(size)
    print(f"\n== {size:,} patients ({urlsplit(url).path.lstrip('/')}), cache: {cache}", flush=True)
    _ensure_database(url)
    port = _free_port()
    env = _env(url, port, cache)
    subprocess.run([PYTHON, "-m", "tests.bench.seed", "--size", str(size)], cwd=ROOT, env=env, check=True)  # noqa: S603
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)  # noqa: S603
    prepared = json.loads(
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "tests.bench.prepare"], cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
        ).stdout
    )
    rotations = {}
    for name, rotation in prepared["rotations"].items():
        rotations[name] = workdir / f"rotation-{label}-{name.replace(' ', '-')}.txt"
        rotations[name].write_text("".join(f"{path} {cookie}\n" for path, cookie in rotation))
    server = Server(env, port, workdir / f"gunicorn-{label}-{cache}.log")
    try:
        sessions = {}
        for role, username in prepared["users"].items():
            sessions[role] = Session(port)
            sessions[role].sign_in(username, prepared["password"], prepared["totp_key"])

        def prepare_session(page):
            session = sessions[page["user"]]
            if page["user"] == "clinician":  # the list's search term is held in the session
                session.post("/patients/search/", {"q": page["search"]} if page["search"] else {"clear": "1"})
            return session

        # Every worker warms up on every page before anything is measured. The writing pages go
        # first: a logged session changes the plan, and with it the PDF each worker has made.
        for page in sorted(prepared["pages"], key=lambda page: page["method"] != "POST" or page["expect"] != 302):
            _wrk(server, prepare_session(page), page, WARM_UP_SECONDS, rotation=rotations.get(page["name"]))
        if cache != "dummy":
            for rotation in prepared["rotations"].values():
                _visit_all(port, rotation)
        # The reference is measured before every page and once more after the last, for half a page's
        # time each: a page's ratio is to the mean of the two reference runs beside it, so a machine
        # that speeds up or slows down during the run (shared CPUs do) moves both alike.
        reference_page, measured = prepared["pages"][0], prepared["pages"][1:]
        reference_seconds = max(1, seconds // 2)
        references = [
            _row(
                reference_page,
                _wrk(server, prepare_session(reference_page), reference_page, reference_seconds),
                size,
                prepared,
            )
        ]
        rows = []
        for page in measured:
            session = prepare_session(page)
            writes = page["method"] == "POST" and page["expect"] == 302
            before = _session_logs(url) if writes else None
            row = _row(page, _wrk(server, session, page, seconds, rotation=rotations.get(page["name"])), size, prepared)
            if writes:
                # The timed run: wrk stops with POSTs in flight, which the server still completes.
                after = _session_logs(url)
                row.update(rows_written=after - before)
                # The write check: POSTs for a few seconds, then only /healthz until wrk stops, so
                # every POST is answered and the rows must grow by exactly the POSTs accepted.
                check = _wrk(server, session, page, WRITE_CHECK_SECONDS + 2, page_seconds=WRITE_CHECK_SECONDS)
                row.update(
                    check_rows=_session_logs(url) - after,
                    check_accepted=check["good"],
                    check_refused=check["other"] + check["socket_errors"],
                )
            rows.append(row)
            references.append(
                _row(
                    reference_page,
                    _wrk(server, prepare_session(reference_page), reference_page, reference_seconds),
                    size,
                    prepared,
                )
            )
            row["reference_rps"] = round((references[-2]["rps"] + references[-1]["rps"]) / 2, 1)
            row["reference_p50_ms"] = round((references[-2]["p50_ms"] + references[-1]["p50_ms"]) / 2, 1)
            row["ratio"] = round(row["rps"] / row["reference_rps"], 2)
            print(
                f"  {row['page']:<18} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>7.1f} ms"
                f"  (reference beside it {row['reference_rps']:.1f} req/s)",
                flush=True,
            )
    finally:
        server.stop()
    spread = [r["rps"] for r in references]
    reference = {
        **references[0],
        "rps": round(statistics.mean(spread), 1),
        "p50_ms": round(statistics.mean(r["p50_ms"] for r in references), 1),
        "p99_ms": max(r["p99_ms"] for r in references),
        "errors": sum(r["errors"] for r in references),
        "ratio": 1.0,
        "reference_min_rps": min(spread),
        "reference_max_rps": max(spread),
    }
    runs = f"its {len(spread)} runs: {min(spread):.1f}–{max(spread):.1f}"
    print(f"  reference          {reference['rps']:>8.1f} req/s  ({runs})")
    return [reference, *rows]


def _row(page: dict, result: dict, size: int, prepared: dict) -> dict:
    row = {
        "page": page["name"],
        "size": size,
        "rps": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "queries": prepared["queries"][page["name"]],
        "errors": result["other"] + result["socket_errors"],
    }
    if page["method"] == "POST" and page["expect"] == 302:
        row.update(posts_accepted=result["good"], posts_sent=result["sent"])
    return row


def _table(rows: list[dict]) -> str:
    head = (
        f"| {'page':<18} | {'size':>7} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | queries | errors | ratio "
        "| no cache |"
    )
    lines = [head, "|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|"]
    for r in rows:
        lines.append(
            f"| {r['page']:<18} | {r['size']:>7,} | {r['rps']:>7.1f} | {r['p50_ms']:>7.1f} | {r['p99_ms']:>7.1f} "
            f"| {r['queries']:>7} | {r['errors']:>6} | {r['ratio']:>5.2f} | {r.get('ratio_no_cache', 1.0):>8.2f} |"
        )
    return "\n".join(lines)


def _scale(a: dict, b: dict) -> float:
    """p50 at the larger size ÷ p50 at the smaller, each taken relative to the reference's p50 measured beside
    it: the two sizes run minutes apart, and a shared machine's speed drifts in between (the reference's own
    raw scale shows by how much)."""
    if a["page"] == "reference":
        return b["p50_ms"] / a["p50_ms"]
    return (b["p50_ms"] / b["reference_p50_ms"]) / (a["p50_ms"] / a["reference_p50_ms"])


def _size_pairs(rows: list[dict], sizes: list[int]) -> dict[str, tuple[dict, dict]]:
    """Each page's rows at the smallest and the largest size (none with one size)."""
    if len(sizes) < 2:
        return {}
    by = {(r["page"], r["size"]): r for r in rows}
    return {r["page"]: (by[(r["page"], min(sizes))], by[(r["page"], max(sizes))]) for r in rows}


def _checks(rows: list[dict], sizes: list[int]) -> list[tuple[str, bool]]:
    checks = []
    for r in rows:
        where = f"{r['page']} at {r['size']:,}"
        if r["page"] == "plan PDF":
            checks.append((f"{where}: ratio {r['ratio']} ≥ {MIN_PDF_RATIO}", r["ratio"] >= MIN_PDF_RATIO))
        elif r["page"] != "reference":
            checks.append((f"{where}: ratio {r['ratio']} ≥ {MIN_RATIO}", r["ratio"] >= MIN_RATIO))
        limit = max_queries(r["page"])
        checks.append((f"{where}: {r['queries']} queries ≤ {limit}", r["queries"] <= limit))
        checks.append((f"{where}: {r['errors']} errors", r["errors"] == 0))
        if "rows_written" in r:
            lost_or_extra = not r["posts_accepted"] <= r["rows_written"] <= r["posts_sent"]
            checks.append(
                (
                    f"{where}: {r['rows_written']} rows for {r['posts_accepted']} POSTs answered "
                    f"and {r['posts_sent'] - r['posts_accepted']} in flight at the stop",
                    not lost_or_extra,
                )
            )
            checks.append(
                (
                    f"{where}: write check, {r['check_rows']} rows for {r['check_accepted']} POSTs accepted, "
                    f"{r['check_refused']} refused",
                    r["check_rows"] == r["check_accepted"] and r["check_refused"] == 0,
                )
            )
    for page, (a, b) in _size_pairs(rows, sizes).items():
        if page != "reference":
            scale = _scale(a, b)
            checks.append((f"{page}: p50 scale {scale:.2f} ≤ {MAX_SCALE}", scale <= MAX_SCALE))
        checks.append((f"{page}: queries {a['queries']} = {b['queries']} at both sizes", a["queries"] == b["queries"]))
    return checks


def main() -> int:
    if shutil.which("wrk") is None:
        print("make bench needs wrk, the load generator: apt-get install -y wrk", file=sys.stderr)
        return 2
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres"):
        base_url = DEFAULT_URL
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
    seconds = int(os.environ.get("BENCH_DURATION", "20"))
    env = _env(base_url, 0)
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    rows = []
    with tempfile.TemporaryDirectory(prefix="retrowalk-bench-") as tmp:
        for size in sizes:
            cached = run_size(base_url, size, seconds, Path(tmp), "database")
            uncached = {r["page"]: r for r in run_size(base_url, size, seconds, Path(tmp), "dummy")}
            for r in cached:
                r["ratio_no_cache"] = uncached[r["page"]]["ratio"]
                r["rps_no_cache"] = uncached[r["page"]]["rps"]
            rows += cached
    print(f"\n{CLIENTS} connections, {seconds} s a page, {os.cpu_count()} cores")
    print("ratio = req/s ÷ the reference's req/s, measured just before and just after the page")
    print("no cache = the same ratio from a second run with every cache off (a dummy cache)\n")
    print(_table(rows))
    pairs = _size_pairs(rows, sizes)
    if pairs:
        big, small = _size_label(max(sizes)), _size_label(min(sizes))
        print(f"\nScale p50({big}) ÷ p50({small}), as measured and relative to the reference beside the page:")
        for page, (a, b) in pairs.items():
            print(f"  {page:<18} {b['p50_ms'] / a['p50_ms']:.2f}  {_scale(a, b):.2f}")
    writes = [r for r in rows if "rows_written" in r]
    for r in writes:
        print(
            f"\nWrites at {r['size']:,}: timed run, {r['posts_accepted']} POSTs answered 302 and "
            f"{r['posts_sent'] - r['posts_accepted']} in flight when wrk stopped, {r['rows_written']} session logs "
            f"written; write check, {r['check_accepted']} POSTs accepted, {r['check_refused']} refused, "
            f"{r['check_rows']} session logs written"
        )
    if os.environ.get("BENCH_JSON"):
        keys = ("page", "size", "rps", "p50_ms", "p99_ms", "queries", "errors", "ratio", "ratio_no_cache")
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2) + "\n")
    checks = _checks(rows, sizes)
    missed = [text for text, ok in checks if not ok]
    print(f"\nTargets: {len(checks) - len(missed)} of {len(checks)} met")
    for text in missed:
        print(f"  MISSED {text}")
    print(
        f"Median ratio of the HTML pages: {statistics.median(r['ratio'] for r in rows if r['page'] != 'plan PDF'):.2f}"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
