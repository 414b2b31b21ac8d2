"""HTTP throughput and latency: the real server against a bare Flask app, in the same run.

    .venv/bin/python bench/http.py [--workers N] [--seconds S] [--writes N]

Both run under the same gunicorn configuration (sync workers, ``--workers N``) on one
SQLite (WAL) database prepared here. The bare app does one SQLite read per request.
A second process (itself 4 processes × 4 threads = 16 connections) loads each server
on loopback: ``GET /api/v1/cases/{id}`` and the bare read for ``--seconds`` each, then
``POST /api/v1/cases/{id}/review`` (an *amend* opinion) once on each of ``--writes``
prepared cases waiting for review, after a warm-up of ``--warm-up`` writes (one per connection
by default: each worker's first writes compile their SQL statements; shown on their own line,
not counted). It prints requests/s, p50 and p99 and the ratio to the bare app.
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
import multiprocessing  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

CONNECTIONS, LOADERS = 16, 4
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


def prepare(instance: Path, writes: int) -> tuple[str, int, list[int], str, str]:
    """A migrated SQLite database with a world, one case to read and ``writes`` cases waiting for review."""
    from review_service.core.migrate import upgrade_database
    from review_service.organization.operations import issue_token
    from review_service.runtime import open_runtime
    from tests.fixtures.world import build_world

    runtime = open_runtime(instance)
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], env: dict[str, str], port: int, probe: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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


def _thread(port: int, requests: list[tuple[str, str, bytes | None, dict[str, str]]], until: float,
            latencies: list[float], errors: list[int]) -> None:
    index = 0
    while requests and (until == 0 or time.perf_counter() < until):
        if until == 0 and index >= len(requests):
            break
        method, path, body, headers = requests[index % len(requests)]
        index += 1
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        latencies.append(time.perf_counter() - began)
        if response.status >= 300:
            errors.append(response.status)


def _loader(args: tuple[int, list[list[tuple[str, str, bytes | None, dict[str, str]]]], float]) -> tuple[
        list[float], list[int], float]:
    """One loader process: a thread per connection; returns latencies, error statuses, elapsed time."""
    port, per_thread, seconds = args
    latencies: list[float] = []
    errors: list[int] = []
    began = time.perf_counter()
    until = began + seconds if seconds else 0
    threads = [threading.Thread(target=_thread, args=(port, reqs, until, latencies, errors)) for reqs in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - began


def load(port: int, per_connection: list[list[tuple[str, str, bytes | None, dict[str, str]]]],
         seconds: float) -> dict[str, float]:
    """Drive ``CONNECTIONS`` connections from ``LOADERS`` processes; requests/s, p50, p99 (ms)."""
    chunks = [per_connection[i::LOADERS] for i in range(LOADERS)]
    with multiprocessing.get_context("spawn").Pool(LOADERS) as pool:
        results = pool.map(_loader, [(port, chunk, seconds) for chunk in chunks])
    latencies = sorted(lat for result in results for lat in result[0])
    errors = [status for result in results for status in result[1]]
    elapsed = max(result[2] for result in results)
    if errors:
        print(f"  ! {len(errors)} non-2xx answers, e.g. {sorted(set(errors))[:5]}")
    return {"rps": len(latencies) / elapsed, "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "n": len(latencies)}


def show(name: str, stats: dict[str, float], bare: dict[str, float] | None = None) -> None:
    ratio = f"  ratio to bare {stats['rps'] / bare['rps']:.2f}" if bare else ""
    print(f"{name:<34} {stats['rps']:8.0f} req/s  p50 {stats['p50']:6.1f} ms  p99 {stats['p99']:6.1f} ms"
          f"  (n={stats['n']:.0f}){ratio}", flush=True)


def main() -> None:
    from review_service.api.server import default_workers

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=default_workers("sqlite://"),
                        help="gunicorn sync workers for both servers (default: the server's SQLite default)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writes", type=int, default=800)
    parser.add_argument("--warm-up", type=int, default=CONNECTIONS, help="writes sent first and not counted")
    args = parser.parse_args()
    from tests.fixtures.world import opinion

    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        url, read_case, write_cases, handler, reviewer = prepare(instance, args.warm_up + args.writes)
        (Path(tmp) / "bare.py").write_text(BARE_APP)
        gunicorn = [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(args.workers), "--log-level", "warning"]
        app_port, bare_port = free_port(), free_port()
        env = {"REVIEW_SERVICE_INSTANCE": str(instance), "REVIEW_SERVICE_DATABASE_URL": url}
        app = start([sys.executable, "-m", "review_service.cli", "serve", "--port", str(app_port), "--workers",
                     str(args.workers)], env, app_port, "/api/v1/openapi.json")
        bare = start([*gunicorn, "--chdir", tmp, "-b", f"127.0.0.1:{bare_port}", "bare:app"],
                     {"BARE_DB": url.removeprefix("sqlite:///")}, bare_port, f"/case/{read_case}")
        try:
            print(f"gunicorn sync, {args.workers} workers each; {CONNECTIONS} connections from {LOADERS} loader "
                  f"processes; SQLite WAL", flush=True)
            bare_read = load(bare_port, [[("GET", f"/case/{read_case}", None, {})]] * CONNECTIONS, args.seconds)
            show("bare Flask, one SQLite read", bare_read)
            auth = {"Authorization": f"Bearer {handler}"}
            read = load(app_port, [[("GET", f"/api/v1/cases/{read_case}", None, auth)]] * CONNECTIONS, args.seconds)
            show("GET /api/v1/cases/{id}", read, bare_read)
            body = json.dumps(opinion("amend", ("facts_clear",))).encode()
            headers = {"Authorization": f"Bearer {reviewer}", "Content-Type": "application/json"}
            writes = [("POST", f"/api/v1/cases/{case_id}/review", body, headers) for case_id in write_cases]
            warm, writes = writes[:args.warm_up], writes[args.warm_up:]
            if warm:
                show("  first writes (warm-up, not counted)", load(app_port, [warm[i::CONNECTIONS]
                                                                           for i in range(CONNECTIONS)], 0))
            write = load(app_port, [writes[i::CONNECTIONS] for i in range(CONNECTIONS)], 0)
            show("POST /api/v1/cases/{id}/review", write, bare_read)
            print(f"targets: read ≥ 0.15 × bare ({read['rps'] / bare_read['rps']:.2f}), read p99 < 50 ms "
                  f"({read['p99']:.1f}), write p99 < 150 ms ({write['p99']:.1f})")
        finally:
            for process in (app, bare):
                process.terminate()
                process.wait(timeout=15)


if __name__ == "__main__":
    main()
