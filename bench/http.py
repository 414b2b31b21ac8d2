"""HTTP throughput and latency: the real server against a bare Flask app, in the same run.

    .venv/bin/python bench/http.py [--workers N] [--seconds S] [--writes N]

Both run under the same gunicorn configuration (sync workers, ``--workers N``) on one
SQLite (WAL) database prepared here. The bare app does one SQLite read per request.
With ``--postgresql`` the database is instead a throwaway PostgreSQL cluster started here as
``scripts/pg`` starts one (``--pg-port``, default a free port), migrated and seeded the same way,
and the bare app does one PostgreSQL read per request (psycopg, one connection per worker); the
workers default to the server's PostgreSQL default.
wrk (Debian's package) loads each server on loopback with 16 connections, one thread each,
timing every request itself (``bench/wrk_requests.lua``): ``GET /api/v1/cases/{id}`` and the
bare read for ``--seconds`` each, then ``POST /api/v1/cases/{id}/review`` (an *amend* opinion)
once on each of ``--writes`` prepared cases waiting for review. The writes counted are those
answered while all 16 connections were busy: up to when the first connection ran out of cases
(usually a few dozen are left uncounted; ``n`` says how many counted). Before them go
``--warm-up`` writes (one per connection by default: each worker's first writes compile their
SQL statements), shown on their own line and not counted. It prints requests/s, p50 and p99
and the ratio to the bare app.
Targets (issue 3): read ≥ 0.15 × bare; p99 < 50 ms reads, < 150 ms writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``http``: drop its folder from the path first.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402

CONNECTIONS = 16
WRK = shutil.which("wrk") or ""
BARE_APP = '''
import os, sqlite3
from flask import Flask, jsonify
app = Flask(__name__)
_local = {}
@app.get("/case/<int:case_id>")
def case(case_id):
    conn = _local.get("conn") or _local.setdefault("conn", sqlite3.connect(os.environ["BARE_DB"]))
    row = conn.execute("SELECT id, title, status, version FROM cases WHERE id = ?", (case_id,)).fetchone()
    return jsonify({"id": str(row[0]), "title": row[1], "status": row[2], "version": row[3]})
'''
BARE_PG_APP = '''
import os, psycopg
from flask import Flask, jsonify
app = Flask(__name__)
_local = {}
@app.get("/case/<int:case_id>")
def case(case_id):
    conn = _local.get("conn") or _local.setdefault("conn", psycopg.connect(os.environ["BARE_PG"], autocommit=True))
    row = conn.execute("SELECT id, title, status, version FROM cases WHERE id = %s", (case_id,)).fetchone()
    return jsonify({"id": str(row[0]), "title": row[1], "status": row[2], "version": row[3]})
'''
PG_SCRIPT = ROOT / "scripts" / "pg"


def prepare(instance: Path, writes: int, database_url: str | None = None) -> tuple[str, int, list[int], str, str]:
    """A migrated database (SQLite in ``instance`` unless ``database_url``) with a world, one case to read
    and ``writes`` cases waiting for review."""
    from review_service.core.migrate import upgrade_database
    from review_service.organization.operations import issue_token
    from review_service.runtime import open_runtime
    from tests.fixtures.world import build_world

    runtime = open_runtime(instance, database_url)
    upgrade_database(runtime.database_url)
    world = build_world(runtime.transaction, runtime.blobs)
    read_case = world.in_review()
    started = time.perf_counter()
    write_cases = [world.in_review() for _ in range(writes)]
    print(f"prepared {writes} cases in review in {time.perf_counter() - started:.1f} s", flush=True)
    with runtime.transaction() as session:
        handler = issue_token(session, actor=None, user=world.user(session, "handler"))[0]
        reviewer = issue_token(session, actor=None, user=world.user(session, "reviewer"))[0]
    url = runtime.database_url
    runtime.close()
    return url, read_case, write_cases, handler, reviewer


@contextmanager
def postgresql(folder: Path, port: int) -> Iterator[str]:
    """A throwaway cluster as ``scripts/pg`` starts one (fsync off, loopback only); its URL. Stopped after."""
    folder.parent.chmod(0o755)  # the cluster runs as the postgres user, which must reach its folder
    started = subprocess.run([str(PG_SCRIPT), "start", str(folder), str(port)], capture_output=True, text=True)
    if started.returncode:  # e.g. the port still held (TIME_WAIT after a run on it): say so, from its log
        log = folder / "log"
        raise SystemExit(f"scripts/pg could not start a cluster on port {port}: {started.stderr.strip()}\n"
                         + (log.read_text()[-600:] if log.exists() else ""))
    url = started.stdout.strip()
    try:
        yield url
    finally:
        subprocess.run([str(PG_SCRIPT), "stop", str(folder)], check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], port: int, probe: str) -> subprocess.Popen[bytes]:
    # stderr stays ours: a server that logs shows it here, and a pipe nobody reads could fill and block it
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", probe)
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {command}")


def stop(wrk: subprocess.Popen[str]) -> None:
    """End a wrk run early. SIGINT wakes wrk's main thread only if that thread receives it, so repeat
    it until wrk exits: once its load threads have stopped (at the first), the main thread gets it.
    Runs beside the reader of wrk's output, which must go on draining the pipe meanwhile."""
    while wrk.poll() is None:
        wrk.send_signal(signal.SIGINT)
        time.sleep(0.3)


def load(port: int, requests: list[tuple[str, str]], headers: dict[str, str], body: bytes | None,
         seconds: float, steady: bool = True) -> dict[str, float]:
    """``CONNECTIONS`` connections from wrk, one thread each; requests/s, p50, p99 (ms).

    With ``seconds`` each connection repeats its share of ``requests`` for that long. Without, each
    connection sends each request of its share once (``bench/wrk_requests.lua``); what counts is
    what was answered while all connections were busy, up to the moment the first one ran out
    (``steady``), or every answer.
    """
    with tempfile.TemporaryDirectory() as tmp:
        listing, body_file = Path(tmp) / "requests.txt", Path(tmp) / "body"
        if seconds:  # every connection repeats the list: give each its own copy
            requests = requests * CONNECTIONS
        listing.write_text("".join(f"{method} {path}\n" for method, path in requests))
        body_file.write_bytes(body or b"")
        command = [WRK, "-t", str(CONNECTIONS), "-c", str(CONNECTIONS), "-d", f"{seconds or 3600:.0f}s",
                   "--timeout", "30s", "-s", str(HERE / "wrk_requests.lua")]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += [f"http://127.0.0.1:{port}", "--", str(listing), str(body_file) if body else "-",
                    "loop" if seconds else "once", str(CONNECTIONS)]
        wrk = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert wrk.stdout is not None
        cutoff = float("inf")
        lines: list[str] = []
        if not seconds:  # steady: stop at the first connection to run out; from then on, fewer are busy
            waiting = 1 if steady else min(CONNECTIONS, len(requests))
            for line in wrk.stdout:
                lines.append(line)
                word = line.split()
                if word[:1] == ["finished"] and int(word[3]):
                    waiting -= 1
                    cutoff = float(word[2]) if steady else cutoff
                if not waiting:
                    threading.Thread(target=stop, args=(wrk,), daemon=True).start()
                    break
        lines += wrk.stdout.readlines()
        wrk.wait(timeout=60)
    timed = [(float(w[2]), float(w[3]), int(w[4])) for w in map(str.split, lines) if w[:1] == ["request"]]
    counted = [(sent, answered, status) for sent, answered, status in timed if answered <= cutoff]
    latencies = sorted(answered - sent for sent, answered, _ in counted)
    failed = sum(1 for *_, status in counted if status >= 400)
    if failed:
        print(f"  ! {failed} answers with status ≥ 400")
    span = (min(cutoff, max(a for _, a, _ in counted)) - min(s for s, _, _ in counted)) / 1e6
    return {"rps": len(latencies) / span, "p50": statistics.median(latencies) / 1000,
            "p99": latencies[math.ceil(len(latencies) * 0.99) - 1] / 1000, "n": len(latencies)}


def show(name: str, stats: dict[str, float], bare: dict[str, float] | None = None) -> None:
    ratio = f"  ratio to bare {stats['rps'] / bare['rps']:.2f}" if bare else ""
    print(f"{name:<34} {stats['rps']:8.0f} req/s  p50 {stats['p50']:6.1f} ms  p99 {stats['p99']:6.1f} ms"
          f"  (n={stats['n']:.0f}){ratio}", flush=True)


def main() -> None:
    from review_service.api.server import default_workers

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn sync workers for both servers (default: the server's default for the database)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writes", type=int, default=800)
    parser.add_argument("--warm-up", type=int, default=CONNECTIONS, help="writes sent first and not counted")
    parser.add_argument("--postgresql", action="store_true",
                        help="a throwaway PostgreSQL cluster (scripts/pg) instead of SQLite WAL")
    parser.add_argument("--pg-port", type=int, default=0, help="the cluster's port (default: a free one)")
    args = parser.parse_args()
    if not WRK:
        raise SystemExit("bench/http.py loads the servers with wrk: apt-get install wrk (scripts/setup does)")
    from tests.fixtures.world import opinion

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as cleanup:
        instance = Path(tmp) / "instance"
        pg_url = (cleanup.enter_context(postgresql(Path(tmp) / "pg", args.pg_port or free_port()))
                  if args.postgresql else None)
        url, read_case, write_cases, handler, reviewer = prepare(instance, args.warm_up + args.writes, pg_url)
        workers = args.workers or default_workers(url)
        (Path(tmp) / "bare.py").write_text(BARE_PG_APP if pg_url else BARE_APP)
        bare_env = ({"BARE_PG": url.replace("postgresql+psycopg://", "postgresql://", 1)} if pg_url
                    else {"BARE_DB": url.removeprefix("sqlite:///")})
        database = "PostgreSQL" if pg_url else "SQLite"
        gunicorn = [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(workers), "--log-level", "warning"]
        app_port, bare_port = free_port(), free_port()
        env = {"REVIEW_SERVICE_INSTANCE": str(instance), "REVIEW_SERVICE_DATABASE_URL": url}
        app = start([sys.executable, "-m", "review_service.cli", "serve", "--port", str(app_port), "--workers",
                     str(workers)], env, app_port, "/api/v1/openapi.json")
        bare = start([*gunicorn, "--chdir", tmp, "-b", f"127.0.0.1:{bare_port}", "bare:app"],
                     bare_env, bare_port, f"/case/{read_case}")
        try:
            print(f"gunicorn sync, {workers} workers each; {CONNECTIONS} connections from wrk; "
                  f"{'PostgreSQL (scripts/pg cluster)' if pg_url else 'SQLite WAL'}", flush=True)
            bare_read = load(bare_port, [("GET", f"/case/{read_case}")], {}, None, args.seconds)
            show(f"bare Flask, one {database} read", bare_read)
            auth = {"Authorization": f"Bearer {handler}"}
            read = load(app_port, [("GET", f"/api/v1/cases/{read_case}")], auth, None, args.seconds)
            show("GET /api/v1/cases/{id}", read, bare_read)
            body = json.dumps(opinion("amend", ("facts_clear",))).encode()
            headers = {"Authorization": f"Bearer {reviewer}", "Content-Type": "application/json"}
            writes = [("POST", f"/api/v1/cases/{case_id}/review") for case_id in write_cases]
            warm, writes = writes[:args.warm_up], writes[args.warm_up:]
            if warm:
                show("  first writes (warm-up, not counted)", load(app_port, warm, headers, body, 0, steady=False))
            write = load(app_port, writes, headers, body, 0)
            show("POST /api/v1/cases/{id}/review", write, bare_read)
            print(f"targets: read ≥ 0.15 × bare ({read['rps'] / bare_read['rps']:.2f}), read p99 < 50 ms "
                  f"({read['p99']:.1f}), write p99 < 150 ms ({write['p99']:.1f})")
        finally:
            for process in (app, bare):
                process.terminate()
                process.wait(timeout=15)


if __name__ == "__main__":
    main()
