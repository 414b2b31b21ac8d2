"""End to end: the real server process (gunicorn) on a free loopback port, driven over HTTP by five users."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from review_service.organization.operations import add_user
from tests.fixtures.world import AGENCY, MAJOR_DRAFT, PASSWORD, opinion, replies

PROBLEMS = ("evidence_sufficient", "discretion_appropriate")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(database_url: str, world: Any, tmp_path: Path) -> Iterator[str]:
    """``review-service serve`` in a subprocess; stopped at the end of the test whatever happens."""
    port = _free_port()
    env = {**os.environ, "REVIEW_SERVICE_INSTANCE": str(tmp_path / "instance"),
           "REVIEW_SERVICE_DATABASE_URL": database_url}
    process = subprocess.Popen([sys.executable, "-m", "review_service.cli", "serve", "--port", str(port),
                                "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/openapi.json", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"the server did not start:\n{output}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One user talking JSON to the server with urllib."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             content_type: str = "application/json", expect: int = 200) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        parsed = json.loads(payload)
        assert status == expect, (method, path, status, parsed)
        return parsed

    def login(self, username: str) -> Client:
        token = self.call("POST", "/auth/token", {"username": username, "password": PASSWORD})["token"]
        return Client(self.base, token)

    def upload(self, path: str, filename: str, content: bytes, **fields: str) -> Any:
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call("POST", path, raw=body, content_type=f"multipart/form-data; boundary={boundary}",
                         expect=201)


@pytest.mark.slow
def test_a_major_case_through_the_real_server(server: str, world: Any) -> None:
    with world.uow() as session:
        add_user(session, actor=None, username="auditor", name="监督人员", agency=AGENCY, roles=["auditor"],
                 password=PASSWORD)
    anonymous = Client(server)
    handler, lead, reviewer, head, auditor = (anonymous.login(name)
                                              for name in ("handler", "lead", "reviewer", "head", "auditor"))

    case = handler.call("POST", "/cases", MAJOR_DRAFT, expect=201)
    path = f"/cases/{case['id']}"
    material = handler.upload(f"{path}/materials", "询问笔录.pdf", b"%PDF-1.7 evidence", kind="evidence",
                              title="询问笔录")
    assert material["size"] == len(b"%PDF-1.7 evidence")
    assert handler.call("POST", f"{path}/submit", {})["status"] == "in_review"
    lead.call("POST", f"{path}/review/assign", {"reviewer_id": str(world.ids["reviewer"]), "advisor_ids": []})
    reviewer.call("POST", f"{path}/review/recusal", {"declaration": "no_conflict"})
    assert reviewer.call("POST", f"{path}/review/intake", {"complete": True})["status"] == "in_review"
    amended = reviewer.call("POST", f"{path}/review", opinion("amend", PROBLEMS))
    assert amended["status"] == "awaiting_reply"
    assert handler.call("POST", f"{path}/reply", replies(PROBLEMS))["status"] == "awaiting_resubmission"
    edited = handler.call("PATCH", f"{path}/draft", {"proposed_decision": {"fine_amount": "450000.00"}})
    assert edited["draft"]["version"] == 2
    assert handler.call("POST", f"{path}/submit")["status"] == "in_review"
    assert reviewer.call("POST", f"{path}/review", opinion("approve"))["status"] == "awaiting_approval"
    decided = head.call("POST", f"{path}/approve", {"approve": True, "comment": "同意"})
    assert decided["status"] == "decided" and decided["decision"]["draft_sha256"] == edited["draft"]["sha256"]

    events = auditor.call("GET", f"{path}/audit")
    actions = [event["action"] for event in events if event["action"] not in ("deadlines_updated", "document_issued")]
    assert actions[0] == "case_created" and actions[-1] == "decision_made"
    assert {"material_attached", "opinion_submitted", "reply_submitted", "draft_updated", "case_resubmitted"} <= set(
        actions)
    verified = auditor.call("GET", "/audit/verify")
    assert verified["ok"] is True and verified["events"] >= len(events)
    assert handler.call("GET", "/audit/verify", expect=403)["error"]["details"]["rule"] == "role"

    # the lockout lives in the database: failures answered by different worker processes add up
    wrong = {"username": "head2", "password": "Wrong@pass1"}
    for _ in range(5):
        anonymous.call("POST", "/auth/token", wrong, expect=401)
    locked = anonymous.call("POST", "/auth/token", {"username": "head2", "password": PASSWORD}, expect=401)
    assert "locked_until" in locked["error"]["details"]
