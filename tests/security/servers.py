"""Real servers for the fault tests: ``review-service serve`` in a subprocess on a free loopback port.

Linux only (worker processes are found in ``/proc``). A client here never raises on a dropped
connection or an error answer: it reports the status (0 when no answer came), so that a test can
tell what the server acknowledged from what it did not.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fixtures.world import PASSWORD

PROBE = "/api/v1/openapi.json"
NO_ANSWER = 0  # the status reported when the connection failed or dropped before an answer


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(instance: Path, database_url: str) -> dict[str, str]:
    """The environment a ``review-service`` command needs to use this instance and database."""
    return {**os.environ, "REVIEW_SERVICE_INSTANCE": str(instance), "REVIEW_SERVICE_DATABASE_URL": database_url}


def answers(port: int, timeout: float = 1.0) -> bool:
    """Whether anything answers HTTP on the port (any status counts)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", PROBE)
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def running(pid: int) -> bool:
    """Whether the process exists and has not ended (a zombie waiting to be reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    """The running processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def wait_until(condition: Any, seconds: float, every: float = 0.05) -> float | None:
    """Poll ``condition`` until it is true; the seconds it took, or None if it never became true."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(every)
    return None


@dataclass
class RealServer:
    """One ``review-service serve`` process (the gunicorn master) and its log."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    @property
    def master(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        return children(self.master)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill_master(self) -> None:
        """kill -9 the master alone, as a crash or an OOM killer would."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, orphans: Iterable[int] = ()) -> None:
        """End the server whatever state it is in, and any worker pids given (left by a dead master)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in orphans:
            if running(pid):
                os.kill(pid, signal.SIGKILL)


def start(instance: Path, database_url: str, port: int, workers: int = 2, log: Path | None = None,
          seconds: float = 40) -> RealServer:
    """``review-service serve`` on ``127.0.0.1:port``; returns once it answers (fails the test if it does not)."""
    log = log or instance.parent / f"server-{port}-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as out:  # a file, not a pipe: nobody has to drain it
        process = subprocess.Popen([sys.executable, "-m", "review_service.cli", "serve", "--port", str(port),
                                    "--workers", str(workers)], env=environment(instance, database_url),
                                   stdout=out, stderr=subprocess.STDOUT)
    server = RealServer(process, port, log)
    deadline = time.monotonic() + seconds
    while not answers(port, timeout=2):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise AssertionError(f"the server did not start on port {port}:\n{server.output()}")
        time.sleep(0.1)
    # every worker booted: the master has them all, and each answers once warm
    wait_until(lambda: len(server.workers()) >= workers, 10)
    return server


class Caller:
    """One user talking JSON to a real server; never raises on a failed request."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 20) -> None:
        self.base = base
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             content_type: str = "application/json") -> tuple[int, Any]:
        """``(status, parsed JSON body)``; ``(NO_ANSWER, None)`` when no answer came."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        except (OSError, http.client.HTTPException):
            return NO_ANSWER, None
        try:
            return status, json.loads(payload)
        except ValueError:
            return status, None

    def upload(self, path: str, filename: str, content: bytes, **fields: str) -> tuple[int, Any]:
        """A multipart upload of one file with form fields."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call("POST", path, raw=body, content_type=f"multipart/form-data; boundary={boundary}")

    def login(self, username: str) -> Caller:
        status, body = self.call("POST", "/auth/token", {"username": username, "password": PASSWORD})
        assert status == 200, (username, status, body)
        return Caller(self.base, body["token"], self.timeout)
